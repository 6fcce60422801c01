"""Selecting lines: a date range, some countries, some customers; valid date ranges; the countries to choose from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import DataError


def filter_lines(
    transactions: pd.DataFrame,
    *,
    start: object = None,
    end: object = None,
    countries: Iterable[str] | None = None,
    customer_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Return the lines within a date range, some countries and some customers.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines: ``invoice_date``, ``country`` (for ``countries``),
        ``customer_id`` (for ``customer_ids``).
    start, end : date-like or None
        Inclusive first and last day; None leaves that side open. ``end`` covers the
        whole day.
    countries : iterable of str or None
        Keep lines of these countries; None or empty keeps all.
    customer_ids : iterable of str or None
        Keep lines of these customers (lines without a customer go); None keeps all.

    Returns
    -------
    DataFrame
        The kept rows of ``transactions`` (same columns).
    """
    keep = np.ones(len(transactions), dtype=bool)
    dates = transactions[S.INVOICE_DATE]
    if start is not None:
        keep &= (dates >= pd.Timestamp(start).normalize()).to_numpy()
    if end is not None:
        keep &= (dates < pd.Timestamp(end).normalize() + pd.Timedelta(days=1)).to_numpy()
    if countries:
        if S.COUNTRY not in transactions:
            raise DataError("this data set has no country column to filter on")
        keep &= transactions[S.COUNTRY].isin(list(countries)).fillna(False).to_numpy(dtype=bool)
    if customer_ids is not None:
        wanted = pd.Index(pd.Series(list(customer_ids), dtype="string"))
        keep &= transactions[S.CUSTOMER_ID].isin(wanted).fillna(False).to_numpy(dtype=bool)
    return transactions[keep]


def countries_by_lines(transactions: pd.DataFrame) -> list[str]:
    """Return the countries of the lines, most lines first (empty without a ``country`` column)."""
    if S.COUNTRY not in transactions:
        return []
    return [str(c) for c in transactions[S.COUNTRY].value_counts().index]


def date_bounds(transactions: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last day with a sale (normalised to midnight)."""
    dates = transactions[S.INVOICE_DATE]
    return dates.min().normalize(), dates.max().normalize()


def checked_date_range(value: object, first: object, last: object) -> tuple[dt.date, dt.date]:
    """Return ``value`` as a ``(start, end)`` pair of dates if it is a valid range, else
    the full range ``(first, last)``.

    A valid range is a 2-tuple (or list) of dates with ``first <= start <= end <= last``.
    Anything else (None, a single date, one end only, a range outside the data) gives
    the full range, so a stale or malformed stored value can never break a page.

    Parameters
    ----------
    value : object
        The stored range, e.g. from a session.
    first, last : date-like
        The data's first and last day.
    """
    lo, hi = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    if isinstance(value, tuple | list) and len(value) == 2:
        start, end = value
        if (isinstance(start, dt.date) and isinstance(end, dt.date)
                and lo <= _as_date(start) <= _as_date(end) <= hi):
            return _as_date(start), _as_date(end)
    return lo, hi


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
