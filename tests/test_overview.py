"""recsys.insights.overview: headline figures and top sellers on a hand-computed shop."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.dataset import CleaningReport, Dataset
from recsys.errors import DataError
from recsys.insights.overview import (
    ShopKpis,
    cancelled_value,
    mostly_cancelled,
    revenue_split,
    shop_kpis,
    top_countries,
    top_products,
    with_cancellations,
)


def _tx(rows):
    frame = pd.DataFrame(
        rows,
        columns=[S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID, S.QUANTITY, S.UNIT_PRICE, S.COUNTRY],
    )
    frame[S.INVOICE_DATE] = pd.to_datetime(frame[S.INVOICE_DATE])
    for column in (S.INVOICE_ID, S.CUSTOMER_ID, S.PRODUCT_ID, S.COUNTRY):
        frame[column] = frame[column].astype("string")
    frame[S.QUANTITY] = frame[S.QUANTITY].astype("int64")
    frame[S.UNIT_PRICE] = frame[S.UNIT_PRICE].astype("float64")
    return frame


@pytest.fixture
def tx():
    # Revenue: A = 2*5 + 1*5 = 15, B = 3*2 = 6, C = 10*1 = 10 (no customer); total 31.
    return _tx(
        [
            ("1", "2011-01-03 10:00", "c1", "A", 2, 5.0, "United Kingdom"),
            ("1", "2011-01-03 10:00", "c1", "B", 3, 2.0, "United Kingdom"),
            ("2", "2011-02-10 12:00", "c2", "A", 1, 5.0, "France"),
            ("3", "2011-03-31 09:30", None, "C", 10, 1.0, None),
        ]
    )


@pytest.fixture
def products():
    return pd.DataFrame(
        {
            S.PRODUCT_ID: pd.array(["A", "B", "C"], dtype="string"),
            S.DESCRIPTION: pd.array(["RED MUG", "=HYPERLINK(1)", None], dtype="string"),
            S.CATEGORY: pd.array(["Kitchen", None, "Garden"], dtype="string"),
        }
    )


def _dataset(tx, products):
    customers = pd.DataFrame({S.CUSTOMER_ID: pd.array(["c1", "c2"], dtype="string")})
    report = CleaningReport("canonical", len(tx), (), len(tx), 1)
    return Dataset(tx, products, customers, tx.iloc[:0], report)


def test_shop_kpis_known_answer(tx, products):
    kpis = shop_kpis(_dataset(tx, products))
    assert isinstance(kpis, ShopKpis)
    assert kpis.customers == 2
    assert kpis.invoices == 3
    assert kpis.lines == 4
    assert kpis.products == 3
    assert kpis.countries == 2
    assert kpis.revenue == pytest.approx(31.0)
    assert kpis.average_order_value == pytest.approx(31.0 / 3)
    assert kpis.first_date == pd.Timestamp("2011-01-03 10:00")
    assert kpis.last_date == pd.Timestamp("2011-03-31 09:30")
    assert kpis.days == 88


def test_shop_kpis_empty_dataset_has_no_dates(tx, products):
    kpis = shop_kpis(_dataset(tx.iloc[:0], products))
    assert (kpis.invoices, kpis.customers, kpis.revenue, kpis.days) == (0, 0, 0.0, 0)
    assert math.isnan(kpis.average_order_value)
    assert kpis.first_date is None


def test_top_products_sorted_by_revenue_with_descriptions(tx, products):
    top = top_products(tx, products, n=10)
    assert list(top[S.PRODUCT_ID]) == ["A", "C", "B"]
    assert list(top["revenue"]) == pytest.approx([15.0, 10.0, 6.0])
    assert list(top[S.DESCRIPTION]) == ["RED MUG", "", "=HYPERLINK(1)"]
    assert list(top[S.CATEGORY]) == ["Kitchen", "Garden", S.MISSING_CATEGORY]
    assert list(top["units"]) == [3, 10, 3]
    assert list(top["orders"]) == [2, 1, 1]
    assert list(top["customers"]) == [2, 0, 1]
    assert top["share"].sum() == pytest.approx(1.0)


def test_top_products_n_limits_rows(tx, products):
    top = top_products(tx, products, n=1)
    assert list(top[S.PRODUCT_ID]) == ["A"]
    assert top["share"].iloc[0] == pytest.approx(15 / 31)


def test_top_products_ties_broken_by_product_id(products):
    tx = _tx(
        [
            ("1", "2011-01-01", "c1", "B", 1, 4.0, "UK"),
            ("2", "2011-01-01", "c1", "A", 2, 2.0, "UK"),
        ]
    )
    assert list(top_products(tx, products)[S.PRODUCT_ID]) == ["A", "B"]


def test_top_countries_counts_missing_country_as_unknown(tx):
    top = top_countries(tx)
    assert list(top[S.COUNTRY]) == ["United Kingdom", "Unknown", "France"]
    assert list(top["revenue"]) == pytest.approx([16.0, 10.0, 5.0])
    assert list(top["customers"]) == [1, 0, 1]


def test_top_countries_without_country_column(tx):
    top = top_countries(tx.drop(columns=[S.COUNTRY]))
    assert list(top[S.COUNTRY]) == ["Unknown"]
    assert top["revenue"].iloc[0] == pytest.approx(31.0)


@pytest.mark.parametrize("n", [0, -1, 2.5, True, "3"])
def test_top_n_rejects_bad_n(tx, products, n):
    with pytest.raises(DataError, match="`n` must be"):
        top_products(tx, products, n=n)
    with pytest.raises(DataError, match="`n` must be"):
        top_countries(tx, n=n)


def test_overview_functions_do_not_change_inputs(tx, products):
    before_tx, before_products = tx.copy(), products.copy()
    shop_kpis(_dataset(tx, products))
    top_products(tx, products)
    top_countries(tx)
    pd.testing.assert_frame_equal(tx, before_tx)
    pd.testing.assert_frame_equal(products, before_products)


def test_overview_on_synthetic_shop_adds_up(synthetic_dataset):
    kpis = shop_kpis(synthetic_dataset)
    countries = top_countries(synthetic_dataset.transactions, n=1000)
    assert countries["revenue"].sum() == pytest.approx(kpis.revenue)
    assert countries["orders"].sum() >= kpis.invoices
    top = top_products(synthetic_dataset.transactions, synthetic_dataset.products, n=5)
    assert len(top) == 5
    assert top["revenue"].is_monotonic_decreasing
    assert (top[S.DESCRIPTION].str.len() > 0).all()


def test_top_on_empty_lines_is_empty(tx, products):
    assert top_products(tx.iloc[:0], products).empty
    assert top_countries(tx.iloc[:0]).empty


@pytest.fixture
def cancellations():
    # Values: 2*5 = 10 of A, 4*2.5 = 10 of B, 1*5 = 5 of A again; total 25.
    return _tx(
        [
            ("C9", "2011-01-04 10:00", "c1", "A", -2, 5.0, "United Kingdom"),
            ("C9", "2011-01-04 10:00", "c1", "B", -4, 2.5, "United Kingdom"),
            ("C10", "2011-02-11 12:00", None, "A", -1, 5.0, None),
        ]
    )


def test_shop_kpis_cancelled_is_positive_sum_of_cancellation_lines(tx, products, cancellations):
    dataset = Dataset(tx, products, _dataset(tx, products).customers, cancellations, _dataset(tx, products).report)
    kpis = shop_kpis(dataset)
    direct = float(-(cancellations[S.QUANTITY] * cancellations[S.UNIT_PRICE]).sum())
    assert kpis.cancelled == pytest.approx(direct) == pytest.approx(25.0)
    assert kpis.revenue == pytest.approx(31.0)  # gross: cancellations are not subtracted


def test_cancelled_value_zero_without_lines(tx):
    assert cancelled_value(tx.iloc[:0]) == 0.0
    assert shop_kpis(_dataset(tx, pd.DataFrame({S.PRODUCT_ID: pd.array([], dtype="string")}))).cancelled == 0.0


def test_with_cancellations_adds_cancelled_and_net_per_product(tx, products, cancellations):
    top = top_products(tx, products)
    before = top.copy()
    out = with_cancellations(top, cancellations)
    pd.testing.assert_frame_equal(top, before)
    by_id = out.set_index(S.PRODUCT_ID)
    assert list(out[S.PRODUCT_ID]) == list(top[S.PRODUCT_ID])
    assert by_id.loc["A", "cancelled"] == pytest.approx(15.0)
    assert by_id.loc["A", "net_revenue"] == pytest.approx(0.0)
    assert by_id.loc["B", "cancelled"] == pytest.approx(10.0)
    assert by_id.loc["B", "net_revenue"] == pytest.approx(-4.0)
    assert by_id.loc["C", "cancelled"] == 0.0
    assert by_id.loc["C", "net_revenue"] == pytest.approx(10.0)


def test_with_cancellations_without_cancellations_is_zero(tx, products):
    out = with_cancellations(top_products(tx, products), tx.iloc[:0])
    assert (out["cancelled"] == 0.0).all()
    assert (out["net_revenue"] == out["revenue"]).all()


def test_revenue_split_identified_and_anonymous(tx):
    # A and B of c1/c2: 15 + 6 = 21 identified; C without a customer: 10.
    split = revenue_split(tx)
    assert split.identified == pytest.approx(21.0)
    assert split.anonymous == pytest.approx(10.0)
    assert split.total == pytest.approx(31.0)


def test_mostly_cancelled_at_half_the_revenue_or_more(tx, products, cancellations):
    out = with_cancellations(top_products(tx, products), cancellations)
    # A: 15 cancelled of 15 (all), B: 10 of 6 (more than all), C: nothing cancelled
    assert sorted(mostly_cancelled(out)[S.PRODUCT_ID]) == ["A", "B"]
    table = pd.DataFrame({S.PRODUCT_ID: ["x", "y"], "revenue": [10.0, 10.0], "cancelled": [5.0, 4.99]})
    assert mostly_cancelled(table)[S.PRODUCT_ID].tolist() == ["x"]
    assert mostly_cancelled(table, share=0.4)[S.PRODUCT_ID].tolist() == ["x", "y"]
