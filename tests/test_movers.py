"""Tests of recsys.insights.movers.movers_by: the Trends page's rising and falling, by product
or category, on a hand-computed week against the week before."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.insights.movers import CATEGORY_MIN_UNITS, movers_by
from tests.test_trends import _tx

PRODUCTS = pd.DataFrame({S.PRODUCT_ID: ["p1", "p2", "p3"],
                         S.DESCRIPTION: ["MUG RED", "MUG BLUE", "TOTE BAG"]})
CATEGORIES = pd.DataFrame({S.PRODUCT_ID: ["p1", "p2", "p3"], S.CATEGORY: ["mugs", "mugs", "bags"]})
END = dt.date(2011, 1, 28)  # recent week 22-28 Jan, the week before 15-21 Jan


@pytest.fixture
def lines():
    rows = []
    # (product, units per invoice before, units per invoice recent, unit price), 3 invoices each
    for product, before, recent, price in (("p1", 10, 20, 1.0), ("p2", 5, 5, 1.0), ("p3", 10, 4, 2.0)):
        for day in (15, 17, 19):
            rows.append((f"{product}b{day}", f"2011-01-{day} 10:00", "c", product, before, price))
        for day in (22, 24, 26):
            rows.append((f"{product}r{day}", f"2011-01-{day} 10:00", "c", product, recent, price))
    rows.append(("late", "2011-01-30 10:00", "c", "p3", 100, 2.0))  # after END: not counted
    return _tx(rows)


def test_movers_by_product_labels_and_changes(lines):
    out = movers_by(lines, by="product", products=PRODUCTS, weeks=1, end=END)
    assert out["key"].tolist() == ["MUG RED (p1)", "MUG BLUE (p2)", "TOTE BAG (p3)"]
    assert out["change"].tolist() == pytest.approx([30.0, 0.0, -36.0])  # 60-30, 15-15, 24-60
    assert out["recent_units"].tolist() == [60, 15, 12]


def test_movers_by_category_needs_more_units_than_a_product(lines):
    out = movers_by(lines, by="category", categories=CATEGORIES, weeks=1, end=END)
    # bags sold 42 units over both weeks: enough for a product (20), not for a category
    assert CATEGORY_MIN_UNITS == 50
    assert out["key"].tolist() == ["mugs"]
    assert out.loc[0, "recent_revenue"] == pytest.approx(75.0)
    assert out.loc[0, "previous_revenue"] == pytest.approx(45.0)


def test_movers_by_without_end_ends_with_the_last_sale(lines):
    out = movers_by(lines.iloc[:-1], products=PRODUCTS, weeks=1)
    assert out["change"].tolist() == pytest.approx([30.0, 0.0, -36.0])


def test_movers_by_rejects_unknown_views(lines):
    with pytest.raises(ParameterError, match="'brand'"):
        movers_by(lines, by="brand")
    with pytest.raises(ParameterError, match="categories"):
        movers_by(lines, by="category")
