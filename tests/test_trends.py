"""Tests of recsys.trends: totals by period, category and segment, seasonality, movers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys import schema as S
from recsys.errors import DataError
from recsys.trends import period_start, period_totals


def _tx(rows):
    frame = pd.DataFrame(
        rows,
        columns=[S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID, S.QUANTITY, S.UNIT_PRICE],
    )
    for col in (S.INVOICE_ID, S.CUSTOMER_ID, S.PRODUCT_ID):
        frame[col] = frame[col].astype("string")
    frame[S.INVOICE_DATE] = pd.to_datetime(frame[S.INVOICE_DATE])
    frame[S.QUANTITY] = frame[S.QUANTITY].astype("int64")
    frame[S.UNIT_PRICE] = frame[S.UNIT_PRICE].astype("float64")
    return frame


@pytest.fixture
def small_tx():
    return _tx(
        [
            ("1", "2011-01-03 10:00", "a", "x", 2, 1.5),
            ("1", "2011-01-03 10:00", "a", "y", 1, 2.0),
            ("2", "2011-01-20 09:00", None, "x", 3, 1.0),
            ("3", "2011-03-05 12:00", "b", "y", 1, 4.0),
            ("4", "2011-03-06 12:00", "a", "x", 1, 1.0),
        ]
    )


def test_period_totals_monthly_known_answer(small_tx):
    out = period_totals(small_tx)
    assert list(out.columns) == ["period", "revenue", "orders", "customers", "units"]
    assert list(out["period"]) == list(pd.to_datetime(["2011-01-01", "2011-02-01", "2011-03-01"]))
    assert out["revenue"].tolist() == [8.0, 0.0, 5.0]
    assert out["orders"].tolist() == [2, 0, 2]
    assert out["customers"].tolist() == [1, 0, 2]
    assert out["units"].tolist() == [6, 0, 2]


def test_period_totals_weeks_start_on_monday(small_tx):
    out = period_totals(small_tx, freq="W")
    assert (out["period"].dt.dayofweek == 0).all()
    assert out["revenue"].sum() == pytest.approx(13.0)
    assert out.loc[out["period"] == "2011-02-28", "orders"].item() == 2


def test_period_totals_leaves_input_unchanged(small_tx):
    before = small_tx.copy()
    period_totals(small_tx)
    pd.testing.assert_frame_equal(small_tx, before)


def test_period_totals_rejects_unknown_freq(small_tx):
    with pytest.raises(DataError, match="'Q'"):
        period_totals(small_tx, freq="Q")


def test_period_totals_empty_has_schema(small_tx):
    out = period_totals(small_tx.iloc[:0])
    assert out.empty and list(out.columns)[0] == "period"


def test_period_start_matches_pandas_periods():
    dates = pd.Series(pd.date_range("2010-12-25", periods=60, freq="17h"))
    weeks = dates.dt.to_period("W-SUN").dt.start_time
    pd.testing.assert_series_equal(period_start(dates, freq="W"), weeks, check_names=False)
    months = dates.dt.to_period("M").dt.start_time
    pd.testing.assert_series_equal(period_start(dates, freq="M"), months, check_names=False)


def test_period_totals_monthly_revenue_equals_direct_sum(synthetic_dataset):
    tx = synthetic_dataset.transactions
    out = period_totals(tx)
    direct = (tx[S.QUANTITY] * tx[S.UNIT_PRICE]).groupby(tx[S.INVOICE_DATE].dt.to_period("M")).sum()
    got = out.set_index(out["period"].dt.to_period("M"))["revenue"]
    np.testing.assert_allclose(got.reindex(direct.index).to_numpy(), direct.to_numpy())
    assert out["revenue"].sum() == pytest.approx(direct.sum())
