"""Cohorts by month of first purchase: retention, revenue, days to the second order (by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.value.cohorts import (
    ACTIVE,
    COHORT,
    COHORT_SIZE,
    CUMULATIVE_PER_CUSTOMER,
    ELIGIBLE,
    MONTHS_SINCE,
    RETENTION,
    REVENUE,
    SHARE_RETURNED,
    cohort_activity,
    days_to_second_order,
    repeat_purchase_curve,
)
from recsys.value.summary import AMOUNT, DAY


@pytest.fixture
def days() -> pd.DataFrame:
    frame = pd.DataFrame(
        [("A", "2020-01-05", 10.0), ("A", "2020-02-10", 5.0), ("A", "2020-03-01", 2.0),
         ("B", "2020-01-20", 4.0), ("C", "2020-02-03", 8.0), ("C", "2020-02-20", 1.0)],
        columns=[S.CUSTOMER_ID, DAY, AMOUNT],
    )
    frame[DAY] = pd.to_datetime(frame[DAY])
    return frame


def test_cohort_activity_by_hand(days):
    table = cohort_activity(days).set_index([COHORT, MONTHS_SINCE])
    jan, feb = pd.Timestamp("2020-01-01"), pd.Timestamp("2020-02-01")
    assert table.index.tolist() == [(jan, 0), (jan, 1), (jan, 2), (feb, 0), (feb, 1)]
    assert table[COHORT_SIZE].tolist() == [2, 2, 2, 1, 1]
    assert table[ACTIVE].tolist() == [2, 1, 1, 1, 0]  # C's two February days count once
    np.testing.assert_allclose(table[RETENTION], [1.0, 0.5, 0.5, 1.0, 0.0])
    np.testing.assert_allclose(table[REVENUE], [14.0, 5.0, 2.0, 9.0, 0.0])
    np.testing.assert_allclose(table[CUMULATIVE_PER_CUSTOMER], [7.0, 9.5, 10.5, 9.0, 9.0])


def test_cohort_activity_leaves_its_input_unchanged(days):
    before = days.copy()
    cohort_activity(days)
    pd.testing.assert_frame_equal(days, before)


def test_days_to_second_order_by_hand(days):
    gap = days_to_second_order(days)
    assert gap["A"] == 36 and gap["C"] == 17 and np.isnan(gap["B"])


def test_repeat_purchase_curve_counts_only_customers_observed_long_enough(days):
    curve = repeat_purchase_curve(days, max_days=60, step=10).set_index("days")
    # Observed: A 56 days, B 41, C 27 (to 1 March); second order: A after 36 days, C after 17.
    assert curve.loc[20, ELIGIBLE] == 3 and curve.loc[20, SHARE_RETURNED] == pytest.approx(1 / 3)
    assert curve.loc[30, ELIGIBLE] == 2 and curve.loc[30, SHARE_RETURNED] == 0.0
    assert curve.loc[40, SHARE_RETURNED] == pytest.approx(0.5)
    assert curve.loc[50, ELIGIBLE] == 1 and curve.loc[50, SHARE_RETURNED] == 1.0
    assert curve.loc[60, ELIGIBLE] == 0 and np.isnan(curve.loc[60, SHARE_RETURNED])
    with pytest.raises(ParameterError, match="at least 1"):
        repeat_purchase_curve(days, max_days=0)


def test_cohort_retention_in_range_on_the_sample(sample_dataset):
    from recsys.value.summary import purchase_days

    table = cohort_activity(purchase_days(sample_dataset.customer_transactions))
    assert table[RETENTION].between(0, 1).all()
    first_month = table[table[MONTHS_SINCE] == 0]
    assert (first_month[RETENTION] == 1.0).all()
    assert first_month[COHORT_SIZE].sum() == sample_dataset.n_buyers
