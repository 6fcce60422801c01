"""Tests of recsys.segments.profile's look-ups on segment assignments: the segments to choose
from and the customers of some segments."""

from __future__ import annotations

import pandas as pd

from recsys.data import schema as S
from recsys.segments.profile import segment_choices, segment_customer_ids

ASSIGNMENTS = pd.DataFrame({
    S.CUSTOMER_ID: pd.array(["c4", "c1", "c2", "c3"], dtype="string"),
    S.SEGMENT: [3, 1, 3, 2],
    S.SEGMENT_NAME: ["Lost", "Champions", "Lost", "Loyal"],
})


def test_segment_choices_best_segment_first_each_once():
    assert segment_choices(ASSIGNMENTS) == [(1, "Champions"), (2, "Loyal"), (3, "Lost")]
    assert segment_choices(ASSIGNMENTS.iloc[:0]) == []


def test_segment_customer_ids_of_some_segments_in_assignment_order():
    before = ASSIGNMENTS.copy()
    assert segment_customer_ids(ASSIGNMENTS, [3, 2]) == ["c4", "c2", "c3"]
    assert segment_customer_ids(ASSIGNMENTS, (1,)) == ["c1"]
    assert segment_customer_ids(ASSIGNMENTS, [9]) == []
    pd.testing.assert_frame_equal(ASSIGNMENTS, before)
