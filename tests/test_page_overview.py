"""AppTest of the Overview page: KPIs with units, revenue over time, top sellers."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recsys.generate import generate_shop, write_shop
from recsys.io import load_dataset
from recsys.overview import shop_kpis
from ui import state

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "overview.py")


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shop")
    write_shop(generate_shop(n_customers=90, seed=6), folder)
    return folder


@pytest.fixture
def page(shop_dir, monkeypatch):
    monkeypatch.setenv(state.DATA_ENV, str(shop_dir))
    return AppTest.from_file(PAGE, default_timeout=60)


def test_page_overview_kpis_match_recsys(page, shop_dir):
    kpis = shop_kpis(load_dataset(shop_dir))
    page.run()
    assert not page.exception
    values = {m.label: m.value for m in page.metric}
    assert values["Customers"] == f"{kpis.customers:,}"
    assert values["Invoices"] == f"{kpis.invoices:,}"
    assert values["Revenue"] == f"£{kpis.revenue:,.0f}"
    assert values["Average order value"] == f"£{kpis.average_order_value:,.2f}"
    assert values["Date range"].endswith(f"{kpis.last_date:%b %Y}")


def test_page_overview_charts_and_top_products(page):
    page.run()
    assert [s.value for s in page.subheader] == [
        "Revenue over time",
        "Top products by revenue",
        "Top countries by revenue",
    ]
    assert len(page.get("plotly_chart")) == 3
    top = page.dataframe[0].value
    assert len(top) == 10
    assert top["revenue"].is_monotonic_decreasing
    assert top["description"].str.len().gt(0).all()


def test_page_overview_weekly_revenue(page):
    page.run()
    page.button_group(key="overview_freq").set_value("W").run()
    assert not page.exception
    assert page.session_state["overview_freq"] == "W"
    assert len(page.get("plotly_chart")) == 3


def test_page_overview_empty_data_warns(page, tmp_path, monkeypatch):
    csv = tmp_path / "cancelled.csv"
    csv.write_text(
        "invoice_id,invoice_date,customer_id,product_id,description,quantity,unit_price\n"
        "C1,2011-01-01 10:00,1,A,MUG,-1,2.0\n"
    )
    monkeypatch.setenv(state.DATA_ENV, str(csv))
    page.run()
    assert not page.exception
    assert page.warning or page.error
