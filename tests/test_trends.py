"""Tests of recsys.insights.trends, recsys.insights.seasonality and recsys.insights.movers: totals by
period, category and segment, seasonality, year over year, movers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.cancellations import with_cancelled_quantity
from recsys.data.filters import checked_date_range
from recsys.errors import DataError
from recsys.insights.movers import movers
from recsys.insights.seasonality import (
    months_covered,
    peak_months,
    seasonality_index,
    year_over_year,
)
from recsys.insights.trends import (
    category_totals,
    partial_periods,
    period_start,
    period_totals,
    segment_totals,
    top_groups,
    weekday_hour,
)


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


def test_category_totals_split_sums_to_total(small_tx):
    cats = pd.DataFrame({S.PRODUCT_ID: ["x", "y"], S.CATEGORY: ["Bags", "Mugs"]})
    out = category_totals(small_tx, cats)
    jan = out[out["period"] == "2011-01-01"].set_index(S.CATEGORY)
    assert jan.loc["Bags", "revenue"] == pytest.approx(6.0)
    assert jan.loc["Mugs", "revenue"] == pytest.approx(2.0)
    assert jan.loc["Bags", "orders"] == 2 and jan.loc["Bags", "customers"] == 1
    assert out["revenue"].sum() == pytest.approx(period_totals(small_tx)["revenue"].sum())


def test_segment_totals_leaves_out_unknown_customers(small_tx):
    segments = pd.DataFrame({S.CUSTOMER_ID: ["a"], "segment": [1], "segment_name": ["Loyal"]})
    out = segment_totals(small_tx, segments)
    assert set(out["segment_name"]) == {"Loyal"}
    assert out["revenue"].sum() == pytest.approx(3.0 + 2.0 + 1.0)
    assert out["customers"].max() == 1


def test_weekday_hour_known_cells(small_tx):
    out = weekday_hour(small_tx).set_index(["weekday", "hour"])
    assert out.loc[(0, 10), "revenue"] == pytest.approx(5.0)  # Monday 3 Jan 2011, 10:00
    assert out.loc[(0, 10), "weekday_name"] == "Mon"
    assert out["revenue"].sum() == pytest.approx(13.0)


def _daily(start, end, revenue_by_month):
    days = pd.date_range(start, end, freq="D")
    return _tx([(f"i{k}", d, "a", "p", 1, revenue_by_month.get(d.month, 1.0))
                for k, d in enumerate(days)])


def test_seasonality_index_and_peaks_known_answer():
    tx = _daily("2011-01-01", "2011-12-31", {11: 4.0, 12: 4.0})
    season = seasonality_index(tx)
    assert len(season) == 12
    assert season["index"].mean() == pytest.approx(1.0)
    nov = season.loc[season["month"] == 11, "index"].item()
    jan = season.loc[season["month"] == 1, "index"].item()
    assert nov / jan == pytest.approx(4.0)
    peaks = peak_months(season)
    assert peaks["summary"].item() == "peaks in Nov, Dec"


def test_seasonality_fully_cancelled_one_off_order_is_not_seasonal():
    # "z" sells one huge order in June that is cancelled in full (the issue's #1 seasonal
    # product); "p" sells the same every day of the year.
    tx = _daily("2011-01-01", "2011-12-31", {})
    tx = pd.concat([tx, _tx([("big", "2011-06-10 10:00", "c", "z", 80995, 2.08)])], ignore_index=True)
    cancellations = _tx([("Cbig", "2011-06-10 10:12", "c", "z", -80995, 2.08)])
    lines = with_cancelled_quantity(tx, cancellations)
    keys = lines[S.PRODUCT_ID]
    season = seasonality_index(lines, keys=keys)
    assert "z" not in set(season["key"])
    gross = seasonality_index(tx, keys=tx[S.PRODUCT_ID])
    assert peak_months(gross).iloc[0]["key"] == "z"  # what a gross count would say


def test_seasonality_partial_cancellation_counts_what_is_left():
    tx = _daily("2011-01-01", "2011-12-31", {})
    # Three units cancelled on the last evening take back the last three days' purchases.
    lines = with_cancelled_quantity(tx, _tx([("C1", "2011-12-31 23:00", "a", "p", -3, 1.0)]))
    season = seasonality_index(lines).set_index("month")
    assert season["revenue"].sum() == pytest.approx((tx[S.QUANTITY] * tx[S.UNIT_PRICE]).sum() - 3.0)
    assert season.loc[12, "revenue"] == pytest.approx(31 - 3)


def test_seasonality_index_counts_partial_months_by_covered_days():
    tx = _daily("2011-01-01", "2011-02-14", {})
    season = seasonality_index(tx)
    np.testing.assert_allclose(season["index"], [1.0, 1.0])


def test_year_over_year_only_beyond_a_year(small_tx):
    assert year_over_year(small_tx).empty
    tx = _daily("2010-01-01", "2011-03-31", {})
    out = year_over_year(tx).set_index(["year", "month"])
    assert out.loc[(2011, 1), "revenue_change"] == pytest.approx(0.0)
    assert np.isnan(out.loc[(2010, 6), "revenue_change"])


def test_year_over_year_compares_partial_months_per_day():
    tx = _daily("2010-12-01", "2011-12-09", {})
    out = year_over_year(tx).set_index(["year", "month"])
    assert out.loc[(2011, 12), "days"] == 9 and out.loc[(2011, 12), "partial"]
    assert not out.loc[(2010, 12), "partial"]
    assert out.loc[(2011, 12), "revenue_change"] == pytest.approx(0.0)


def test_movers_rising_and_falling_with_volume_floor():
    rows = []
    for k, day in enumerate(pd.date_range("2011-01-03", periods=56, freq="D")):
        late = day >= pd.Timestamp("2011-01-31")
        rows.append((f"u{k}", day, "a", "up", 5 if late else 1, 1.0))
        rows.append((f"d{k}", day, "a", "down", 1 if late else 5, 1.0))
    rows.append(("n1", pd.Timestamp("2011-02-20"), "a", "noise", 1, 100.0))
    out = movers(_tx(rows), weeks=4, min_units=10)
    assert out["key"].tolist() == ["up", "down"]
    assert out.loc[0, "change"] == pytest.approx(28 * 4)
    assert out.loc[1, "change_share"] == pytest.approx(-0.8)


def test_period_totals_same_for_shuffled_lines(synthetic_dataset):
    tx = synthetic_dataset.transactions
    shuffled = tx.sample(frac=1.0, random_state=3)
    a, b = period_totals(tx, freq="W"), period_totals(shuffled, freq="W")
    pd.testing.assert_frame_equal(a.drop(columns="revenue"), b.drop(columns="revenue"))
    np.testing.assert_allclose(a["revenue"], b["revenue"])
    month = tx[S.INVOICE_DATE].dt.to_period("M")
    direct = tx.groupby(month).agg(orders=(S.INVOICE_ID, "nunique"),
                                   customers=(S.CUSTOMER_ID, "nunique"))
    got = period_totals(shuffled).set_index(period_totals(shuffled)["period"].dt.to_period("M"))
    assert got["orders"].reindex(direct.index).tolist() == direct["orders"].tolist()
    assert got["customers"].reindex(direct.index).tolist() == direct["customers"].tolist()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ((dt.date(2011, 2, 1), dt.date(2011, 3, 1)), (dt.date(2011, 2, 1), dt.date(2011, 3, 1))),
        ([dt.date(2011, 2, 1), dt.date(2011, 2, 1)], (dt.date(2011, 2, 1), dt.date(2011, 2, 1))),
        (dt.date(2011, 2, 1), (dt.date(2011, 1, 3), dt.date(2011, 3, 6))),
        ((dt.date(2011, 2, 1),), (dt.date(2011, 1, 3), dt.date(2011, 3, 6))),
        ((dt.date(2010, 2, 1), dt.date(2011, 2, 1)), (dt.date(2011, 1, 3), dt.date(2011, 3, 6))),
        ((dt.date(2011, 3, 1), dt.date(2011, 2, 1)), (dt.date(2011, 1, 3), dt.date(2011, 3, 6))),
        (None, (dt.date(2011, 1, 3), dt.date(2011, 3, 6))),
        (("a", "b"), (dt.date(2011, 1, 3), dt.date(2011, 3, 6))),
    ],
)
def test_checked_date_range_valid_pair_or_full_range(value, expected):
    assert checked_date_range(value, pd.Timestamp("2011-01-03"), pd.Timestamp("2011-03-06")) == expected


def test_partial_periods_first_and_last_month_known_answer():
    out = partial_periods("2011-01-03", "2011-12-09")
    assert list(out["period"]) == list(pd.to_datetime(["2011-01-01", "2011-12-01"]))
    assert out["days"].tolist() == [29, 9]
    assert out["period_days"].tolist() == [31, 31]


def test_partial_periods_whole_months_and_weeks():
    assert partial_periods("2010-12-01", "2011-11-30").empty
    assert partial_periods("2011-10-31", "2011-11-13", freq="W").empty  # Monday to Sunday
    week = partial_periods("2011-11-01", "2011-11-07", freq="W")
    assert list(week["period"]) == list(pd.to_datetime(["2011-10-31", "2011-11-07"]))
    assert week["days"].tolist() == [6, 1]


def test_partial_periods_rejects_reversed_range():
    with pytest.raises(DataError, match="2011-02-01"):
        partial_periods("2011-02-01", "2011-01-01")


def test_year_over_year_revenue_before_is_the_same_days():
    # one pound a day, three pounds a day from 10 December 2010 on
    tx = _daily("2010-12-01", "2011-12-09", {})
    tx.loc[tx[S.INVOICE_DATE] >= "2010-12-10", S.UNIT_PRICE] = 3.0
    out = year_over_year(tx).set_index(["year", "month"])
    dec = out.loc[(2011, 12)]
    assert dec["revenue"] == pytest.approx(27.0)
    assert dec["revenue_before"] == pytest.approx(9.0)  # 1-9 Dec 2010, not all 31 days
    assert dec["revenue_change"] == pytest.approx(2.0)
    assert np.isnan(out.loc[(2010, 12), "revenue_before"])


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [("2011-11-01", "2011-11-07", 1), ("2011-01-03", "2011-12-30", 12),
     ("2010-12-01", "2011-12-09", 12), ("2011-03-31", "2011-05-01", 3), ("2011-02-01", "2011-01-01", 0)],
)
def test_months_covered_known_answer(start, end, expected):
    assert months_covered(start, end) == expected


def test_top_groups_sums_the_rest_into_other():
    jan, feb = pd.Timestamp("2011-01-01"), pd.Timestamp("2011-02-01")
    table = pd.DataFrame({
        "period": [jan, feb, jan, feb, jan, feb],
        "category": ["a", "a", "b", "b", "c", "c"],
        "revenue": [10.0, 20.0, 5.0, 1.0, 2.0, 3.0],
    })
    out = top_groups(table, group="category", top=1, other="rest")
    assert out["category"].tolist() == ["a", "a", "rest", "rest"]
    assert out["period"].tolist() == [jan, feb, jan, feb]
    assert out["revenue"].tolist() == [10.0, 20.0, 7.0, 4.0]
    every = top_groups(table, group="category", top=3, other="rest")
    assert every["category"].tolist() == ["a", "a", "b", "b", "c", "c"]  # by total: 30, 6, 5
    assert top_groups(table.iloc[:0], group="category", other="rest").empty
