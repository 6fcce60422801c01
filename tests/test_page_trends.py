"""AppTest of the Trends page on a small generated shop (and the same shop without categories)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from recsys import schema as S
from ui.format import money

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "trends.py")


@pytest.fixture(scope="module")
def small_dataset():
    from recsys.generate import generate_shop

    return generate_shop(n_customers=250, seed=5).to_dataset()


@pytest.fixture
def run_page(monkeypatch):
    from ui import state

    def run(dataset) -> AppTest:
        monkeypatch.setattr(state, "get_dataset", lambda: dataset)
        return AppTest.from_file(PAGE, default_timeout=120).run()

    return run


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_trends_page_renders_every_view(run_page, small_dataset):
    at = run_page(small_dataset)
    assert not at.exception
    assert not at.error
    tx = small_dataset.transactions
    assert _metric(at, "Revenue") == money((tx[S.QUANTITY] * tx[S.UNIT_PRICE]).sum())
    assert len(at.tabs) == 7
    assert [t.label for t in at.tabs][:3] == ["Over time", "By category", "By segment"]
    # the peak-month table names months for each category
    peaks = next(df.value for df in at.dataframe if "summary" in df.value.columns)
    assert peaks["summary"].str.match(r"^(peaks in \w{3}|no clear peak)").all()


def test_trends_page_date_range_filters_everything(run_page, small_dataset):
    at = run_page(small_dataset)
    tx = small_dataset.transactions
    first = tx[S.INVOICE_DATE].min().date()
    end = first + dt.timedelta(days=60)
    at.date_input(key="trends_dates").set_value((first, end)).run()
    assert not at.exception
    inside = tx[tx[S.INVOICE_DATE] < pd.Timestamp(end) + pd.Timedelta(days=1)]
    assert _metric(at, "Revenue") == money((inside[S.QUANTITY] * inside[S.UNIT_PRICE]).sum())
    assert _metric(at, "Orders") == f"{inside[S.INVOICE_ID].nunique():,}"
    assert any("Year-over-year needs more than a year" in i.value for i in at.info)


def test_trends_page_weekly_and_units(run_page, small_dataset):
    at = run_page(small_dataset)
    at.segmented_control(key="trends_freq").set_value("W")
    at.selectbox(key="trends_measure").set_value("units").run()
    assert not at.exception and not at.error


def test_trends_page_derives_categories_when_missing(run_page, small_dataset):
    products = small_dataset.products.assign(**{S.CATEGORY: pd.NA})
    bare = dataclasses.replace(small_dataset, products=products)
    at = run_page(bare)
    assert not at.exception
    assert any("derived from the product descriptions" in c.value for c in at.caption)


def test_trends_page_any_products_season(run_page, small_dataset):
    at = run_page(small_dataset)
    pick = at.selectbox(key="trends_season_product")
    assert pick.options
    pick.set_value(pick.options[-1]).run()
    assert not at.exception
    assert any(c.value.startswith(pick.options[-1]) for c in at.caption)
    assert at.get("download_button")
