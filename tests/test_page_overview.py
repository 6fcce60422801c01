"""AppTest of the Overview page: KPIs with units, revenue over time, top sellers."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from recsys.data.load import load_dataset
from recsys.insights.geography import ISO3, country_figures
from recsys.insights.overview import shop_kpis
from recsys.insights.trends import PERIOD, period_totals
from recsys.synth.shop import generate_shop, write_shop
from ui import source, state

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "overview.py")


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shop")
    write_shop(generate_shop(n_customers=90, seed=6), folder)
    return folder


@pytest.fixture
def page(shop_dir, monkeypatch):
    monkeypatch.setenv(source.DATA_ENV, str(shop_dir))
    return AppTest.from_file(PAGE, default_timeout=60)


def test_page_overview_kpis_match_recsys(page, shop_dir):
    kpis = shop_kpis(load_dataset(shop_dir))
    page.run()
    assert not page.exception
    values = {m.label: m.value for m in page.metric}
    assert values["Customers"] == f"{kpis.customers:,}"
    assert values["Invoices"] == f"{kpis.invoices:,}"
    assert values["Revenue (net)"] == f"£{kpis.revenue:,.0f}"
    assert values["Average order value"] == f"£{kpis.average_order_value:,.2f}"
    assert values["Date range"].endswith(f"{kpis.last_date:%b %Y}")


def test_page_overview_charts_and_top_products(page):
    page.run()
    assert [s.value for s in page.subheader] == [
        "Revenue over time",
        "Top products by revenue",
        "Top countries by revenue",
        "Where the customers are",
    ]
    assert len(page.get("plotly_chart")) == 4
    top = page.dataframe[0].value
    assert len(top) == 10
    assert top["revenue"].is_monotonic_decreasing
    assert top["description"].str.len().gt(0).all()


def _revenue_chart_periods(page: AppTest) -> pd.DatetimeIndex:
    spec = json.loads(page.get("plotly_chart")[0].proto.spec)
    return pd.DatetimeIndex(spec["data"][0]["x"])


def test_page_overview_weekly_revenue(page, shop_dir):
    tx = load_dataset(shop_dir).transactions
    page.run()
    monthly = _revenue_chart_periods(page)
    assert list(monthly) == list(period_totals(tx, freq="M")[PERIOD])
    page.button_group(key="overview_freq").set_value("W").run()
    assert not page.exception
    assert page.session_state["overview_freq"] == "W"
    assert len(page.get("plotly_chart")) == 4
    weekly = _revenue_chart_periods(page)
    # The revenue chart now has one bar per Monday-week, not per month.
    assert list(weekly) == list(period_totals(tx, freq="W")[PERIOD])
    assert (weekly.dayofweek == 0).all() and (weekly.to_series().diff().dropna() == pd.Timedelta(days=7)).all()
    assert len(weekly) > len(monthly)


def test_page_overview_only_cancellations_says_why(page, tmp_path, monkeypatch):
    csv = tmp_path / "cancelled.csv"
    csv.write_text(
        "invoice_id,invoice_date,customer_id,product_id,description,quantity,unit_price\n"
        "C1,2011-01-01 10:00,1,A,MUG,-1,2.0\n"
    )
    monkeypatch.setenv(source.DATA_ENV, str(csv))
    page.run()
    assert not page.exception
    # Cleaning leaves no line, so the file is refused with the reason and what to do.
    assert len(page.error) == 1
    message = page.error[0].value
    assert "could not be loaded" in message and "cancellation" in message
    assert "Pick another data source" in message
    assert not page.metric and not page.get("plotly_chart")


def test_page_overview_no_clean_lines_warns(page, shop_dir, monkeypatch):
    loaded = load_dataset(shop_dir)
    empty = dataclasses.replace(loaded, transactions=loaded.transactions.iloc[:0])
    monkeypatch.setattr(state, "get_dataset", lambda: empty)
    page.run()
    assert not page.exception
    assert not page.error
    assert len(page.warning) == 1
    assert "no clean invoice lines" in page.warning[0].value
    assert not page.metric and not page.get("plotly_chart")


def _map_spec(page: AppTest) -> dict:
    return json.loads(page.get("plotly_chart")[3].proto.spec)


def test_page_overview_map_of_countries(page, shop_dir):
    figures = country_figures(load_dataset(shop_dir).transactions)
    page.run()
    assert not page.exception
    trace = _map_spec(page)["data"][0]
    assert trace["type"] == "choropleth" and trace["locationmode"] == "ISO-3"
    assert set(trace["locations"]) == set(figures[ISO3].dropna())
    # the outlines come from the app itself, never from plotly's CDN
    config = json.loads(page.get("plotly_chart")[3].proto.config)
    assert config["topojsonURL"] == "./app/static/"
    assert "Revenue" in trace["colorbar"]["title"]["text"]
    page.button_group(key="overview_map_metric").set_value("customers").run()
    assert not page.exception
    assert _map_spec(page)["data"][0]["colorbar"]["title"]["text"] == "Customers"


def test_page_overview_lists_countries_off_the_map(page, tmp_path, monkeypatch):
    csv = tmp_path / "world.csv"
    csv.write_text(
        "invoice_id,invoice_date,customer_id,product_id,description,quantity,unit_price,country\n"
        "1,2011-01-01 10:00,1,A,MUG,1,2.0,United Kingdom\n"
        "2,2011-01-02 10:00,2,A,MUG,3,2.0,Channel Islands\n"
        "3,2011-01-03 10:00,3,A,MUG,1,2.0,Unspecified\n"
        "4,2011-01-04 10:00,4,A,MUG,1,2.0,Singapore\n"
    )
    monkeypatch.setenv(source.DATA_ENV, str(csv))
    page.run()
    assert not page.exception
    note = next(c.value for c in page.caption if c.value.startswith("Not on the map"))
    assert "Channel Islands (£6, 1 customer)" in note
    assert "Unspecified" in note and "Singapore" in note
    assert "United Kingdom" not in note
