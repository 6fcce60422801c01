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
    annotated_lines,
    revenue_split,
    shop_kpis,
    top_countries,
    top_products,
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
    lines = annotated_lines(synthetic_dataset)
    countries = top_countries(lines, n=1000)
    assert countries["revenue"].sum() == pytest.approx(kpis.revenue)
    assert countries["cancelled"].sum() == pytest.approx(kpis.cancelled)
    assert kpis.cancelled > 0
    assert countries["orders"].sum() >= kpis.invoices
    top = top_products(lines, synthetic_dataset.products, n=5)
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


def _with_cancellations(tx, products, cancellations):
    base = _dataset(tx, products)
    return Dataset(tx, products, base.customers, cancellations, base.report)


def test_shop_kpis_net_of_matched_cancellations(tx, products, cancellations):
    kpis = shop_kpis(_with_cancellations(tx, products, cancellations))
    # c1's A (2 x 5) is cancelled in full, c1's B (3 x 2) in full, with 1 unit of B left over
    # (no purchase for it: 1 x 2.5 unmatched); the cancellation without a customer matches
    # nothing (1 x 5). Left: c2's A (5) and C (10).
    assert kpis.revenue == pytest.approx(15.0)
    assert kpis.cancelled == pytest.approx(10.0 + 6.0)
    assert kpis.gross_revenue == pytest.approx(31.0)
    assert kpis.unmatched_cancelled == pytest.approx(2.5 + 5.0)
    assert kpis.invoices == 2  # invoice 1 was cancelled in full
    assert kpis.customers == 1  # c1 bought nothing that was not cancelled
    assert kpis.products == 2
    assert kpis.average_order_value == pytest.approx(7.5)


def test_shop_kpis_without_cancellations_cancel_nothing(tx, products):
    kpis = shop_kpis(_dataset(tx, products))
    assert kpis.cancelled == 0.0 and kpis.unmatched_cancelled == 0.0
    assert kpis.revenue == kpis.gross_revenue == pytest.approx(31.0)


def test_top_products_net_of_cancellations(tx, products, cancellations):
    lines = annotated_lines(_with_cancellations(tx, products, cancellations))
    top = top_products(lines, products)
    # B was bought once and cancelled in full: never a top product.
    assert list(top[S.PRODUCT_ID]) == ["C", "A"]
    by_id = top.set_index(S.PRODUCT_ID)
    assert by_id.loc["A", "revenue"] == pytest.approx(5.0)
    assert by_id.loc["A", "cancelled"] == pytest.approx(10.0)
    assert by_id.loc["A", "orders"] == 1 and by_id.loc["A", "units"] == 1
    assert by_id.loc["C", "cancelled"] == 0.0
    assert top["share"].sum() == pytest.approx(1.0)


def test_top_products_partial_cancellation(tx, products):
    partial = _tx([("C9", "2011-01-04 10:00", "c1", "A", -1, 5.0, "United Kingdom")])
    top = top_products(annotated_lines(_with_cancellations(tx, products, partial)), products).set_index(S.PRODUCT_ID)
    assert top.loc["A", "revenue"] == pytest.approx(10.0)  # 3 units bought, 1 cancelled
    assert top.loc["A", "units"] == 2 and top.loc["A", "orders"] == 2
    assert top.loc["A", "cancelled"] == pytest.approx(5.0)


def test_top_countries_and_revenue_split_net(tx, products, cancellations):
    lines = annotated_lines(_with_cancellations(tx, products, cancellations))
    countries = top_countries(lines).set_index(S.COUNTRY)
    assert "United Kingdom" not in countries.index  # everything c1 bought there was cancelled
    assert countries["revenue"].sum() == pytest.approx(15.0)
    split = revenue_split(lines)
    assert split.identified == pytest.approx(5.0)
    assert split.anonymous == pytest.approx(10.0)


def test_gross_lines_report_nothing_cancelled(tx, products):
    assert (top_products(tx, products)["cancelled"] == 0.0).all()


def test_revenue_split_identified_and_anonymous(tx):
    # A and B of c1/c2: 15 + 6 = 21 identified; C without a customer: 10.
    split = revenue_split(tx)
    assert split.identified == pytest.approx(21.0)
    assert split.anonymous == pytest.approx(10.0)
    assert split.total == pytest.approx(31.0)
