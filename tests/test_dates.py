"""Tests of ui.dates.fit_to_data: a typed range fitted to the data, with the sentence said."""

from __future__ import annotations

import datetime as dt

from ui.dates import fit_to_data

FIRST, LAST = dt.date(2011, 1, 2), dt.date(2011, 12, 31)


def test_fit_to_data_keeps_a_range_within_the_data():
    assert fit_to_data(dt.date(2011, 3, 1), dt.date(2011, 3, 31), FIRST, LAST) == (
        (dt.date(2011, 3, 1), dt.date(2011, 3, 31)), None)
    assert fit_to_data(FIRST, LAST, FIRST, LAST) == ((FIRST, LAST), None)


def test_fit_to_data_cuts_what_reaches_outside_and_says_so():
    fitted, note = fit_to_data(dt.date(2010, 11, 1), dt.date(2012, 2, 1), FIRST, LAST)
    assert fitted == (FIRST, LAST)
    assert note == ("The data covers 2 Jan 2011 – 31 Dec 2011: showing 2 Jan 2011 – 31 Dec 2011, "
                    "the part of 1 Nov 2010 – 1 Feb 2012 that has data.")


def test_fit_to_data_range_wholly_outside_shows_everything():
    fitted, note = fit_to_data(dt.date(2012, 1, 1), dt.date(2012, 1, 31), FIRST, LAST)
    assert fitted == (FIRST, LAST)
    assert note == ("The data covers 2 Jan 2011 – 31 Dec 2011: nothing falls in 1 Jan 2012 – "
                    "31 Jan 2012, so the whole range is shown.")


def test_fit_to_data_ends_typed_the_wrong_way_round():
    assert fit_to_data(dt.date(2011, 5, 1), dt.date(2011, 4, 1), FIRST, LAST) == (
        (dt.date(2011, 4, 1), dt.date(2011, 5, 1)), None)
