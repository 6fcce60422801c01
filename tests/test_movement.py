"""Segment movement: matched centres keep names stable across dates; flows and sizes add up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.segments.movement import (
    CUSTOMERS,
    FROM_NAME,
    NEW_CUSTOMERS,
    TO_NAME,
    match_centres,
    segment_movement,
    segment_sizes_over_time,
)


@pytest.fixture(scope="module")
def last_day(synthetic_dataset) -> pd.Timestamp:
    return synthetic_dataset.customer_transactions[S.INVOICE_DATE].max().normalize()


@pytest.fixture(scope="module")
def first_days(synthetic_dataset) -> pd.Series:
    tx = synthetic_dataset.customer_transactions
    return tx.groupby(tx[S.CUSTOMER_ID].astype(str))[S.INVOICE_DATE].min().dt.normalize()


def test_match_centres_recovers_a_permutation():
    after = pd.DataFrame(np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0], [5.0, 5.0]]), index=[1, 2, 3, 4])
    shuffled = after.iloc[[2, 0, 3, 1]].to_numpy() + 0.3
    before = pd.DataFrame(shuffled, index=[1, 2, 3, 4], columns=after.columns)
    assert match_centres(before, after) == {1: 3, 2: 1, 3: 4, 4: 2}
    with pytest.raises(ParameterError, match="k must be the same"):
        match_centres(before.iloc[:3], after)


def test_segment_names_stay_stable_from_one_day_to_the_next(synthetic_dataset, last_day):
    movement = segment_movement(synthetic_dataset, before=last_day - pd.Timedelta(days=1), k=5)
    members = movement.members
    assert set(members[FROM_NAME]) - {NEW_CUSTOMERS} <= set(movement.segments[S.SEGMENT_NAME])
    # A day changes few customers' figures: nearly everyone keeps their segment's name.
    stayed = (members[FROM_NAME] == members[TO_NAME]).mean()
    assert stayed >= 0.9, f"only {stayed:.0%} kept their segment's name"


def test_segment_movement_counts_new_customers_and_adds_up(synthetic_dataset, last_day, first_days):
    before = last_day - pd.Timedelta(days=90)
    movement = segment_movement(synthetic_dataset, before=before, k=4, random_state=3)
    members = movement.members
    assert len(members) == synthetic_dataset.n_buyers and members[S.CUSTOMER_ID].is_unique
    new = set(members.loc[members[FROM_NAME] == NEW_CUSTOMERS, S.CUSTOMER_ID])
    assert new == set(first_days[first_days > before].index)
    matrix = movement.matrix()
    assert matrix.to_numpy().sum() == len(members)
    assert list(matrix.columns) == movement.segments[S.SEGMENT_NAME].tolist()
    assert movement.transitions[CUSTOMERS].sum() == len(members)
    shares = movement.transitions.groupby(FROM_NAME)["from_share"].sum()
    np.testing.assert_allclose(shares, 1.0)
    counts = movement.counts()
    assert counts.stayed + counts.up + counts.down + counts.new == counts.customers == len(members)
    assert counts.new == len(new)
    row = movement.transitions.iloc[0]
    flow = movement.flow(row[FROM_NAME], row[TO_NAME])
    assert len(flow) == row[CUSTOMERS]


def test_segment_movement_is_reproducible(synthetic_dataset, last_day):
    before = last_day - pd.Timedelta(days=60)
    first = segment_movement(synthetic_dataset, before=before, k=3, random_state=1)
    second = segment_movement(synthetic_dataset, before=before, k=3, random_state=1)
    pd.testing.assert_frame_equal(first.members, second.members)


def test_segment_movement_refuses_dates_in_the_wrong_order_or_before_any_sale(synthetic_dataset, last_day):
    with pytest.raises(ParameterError, match="must come before the second"):
        segment_movement(synthetic_dataset, before=last_day, after=last_day - pd.Timedelta(days=5), k=3)
    with pytest.raises(ParameterError, match="no customer had bought by 1990-01-01"):
        segment_movement(synthetic_dataset, before="1990-01-01", k=3)


def test_segment_sizes_over_time_count_customers_known_at_each_date(synthetic_dataset, last_day, first_days):
    dates = [last_day - pd.Timedelta(days=120), last_day - pd.Timedelta(days=60), last_day]
    sizes = segment_sizes_over_time(synthetic_dataset, dates=dates, k=4)
    totals = sizes.groupby("date")[CUSTOMERS].sum()
    for day in dates:
        assert totals[day] == (first_days <= day).sum()
    names = sizes.groupby("date")[S.SEGMENT_NAME].apply(list)
    assert all(n == names.iloc[-1] for n in names)


@pytest.mark.real_data
def test_segment_names_stay_stable_on_the_real_file(real_dataset):
    movement = segment_movement(real_dataset, before="2011-12-08", k=5)
    members = movement.members[movement.members[FROM_NAME] != NEW_CUSTOMERS]
    assert (members[FROM_NAME] == members[TO_NAME]).mean() >= 0.95
