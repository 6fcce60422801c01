"""AppTest of the Data page's column mapping: proposal, preview before anything is
replaced, use, download, a saved mapping, a wrong mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.shop_exports import GROCERY_MAPPING, grocery_files
from ui import source
from ui.format import plain_text

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "data.py")
TX = grocery_files()["tx.csv"]


@pytest.fixture
def page(tmp_path, monkeypatch):
    monkeypatch.setenv(source.DATA_ENV, str(ROOT / "data"))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["_data_unmapped_upload"] = ("tx.csv", TX, "tx.csv is not a table of invoice lines")
    return at.run()


def _selected(at: AppTest) -> dict[str, str]:
    return {s.key.removeprefix("mapping_field_"): s.value for s in at.selectbox if s.key.startswith("mapping_field_")}


def test_mapping_tab_proposes_the_columns(page):
    assert not page.exception
    assert page.tabs[0].label == "Map columns"
    chosen = {k: v for k, v in _selected(page).items() if not v.startswith("—")}
    assert chosen == GROCERY_MAPPING["transactions"]["columns"]


def test_preview_shows_cleaned_lines_before_anything_is_replaced(page):
    before = page.session_state["_data_choice"] if "_data_choice" in page.session_state else None
    page.button[0].click().run()  # the form's "Preview the cleaned data"
    assert not page.exception
    assert page.subheader[0].value == "Preview"
    frames = [d.value for d in page.dataframe]
    assert any(len(f) == 5 and "unit_price" in f.columns for f in frames)
    captions = " ".join(c.value for c in page.caption)
    assert "Nothing is replaced until you use the data" in captions
    assert "5 of 5 lines kept" in captions
    assert "line totals divided by quantities" in captions
    after = page.session_state["_data_choice"] if "_data_choice" in page.session_state else None
    assert after == before


def test_use_this_data_replaces_the_data_set(page):
    page.button[0].click().run()
    page.button(key="mapping_use").click().run()
    assert not page.exception
    choice = page.session_state["_data_choice"]
    assert (choice.kind, choice.name) == (source.SOURCE_UPLOAD, "tx.csv")
    assert json.loads(choice.mapping)["transactions"]["columns"]["line_total"] == "sales_value"
    assert [t.label for t in page.tabs][0] == "Tables"  # the mapping is done


def test_wrong_mapping_says_which_column_and_value(page):
    page.selectbox(key="mapping_field_quantity").set_value("transaction_timestamp")
    page.button[0].click().run()
    errors = " ".join(e.value for e in page.error)
    for part in ("column 'transaction_timestamp' is mapped to quantity", "2023-03-01T09:15:00+01:00"):
        assert plain_text(part) in errors
    assert "_data_choice" not in page.session_state or page.session_state["_data_choice"].kind != "upload"


def test_app_upload_in_no_layout_points_to_the_mapping(monkeypatch):
    monkeypatch.setenv(source.DATA_ENV, str(ROOT / "data"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state[source.SOURCE_KEY] = source.SOURCE_UPLOAD
    app.run()
    app.sidebar.file_uploader(key=source.UPLOAD_KEY).upload("tx.csv", TX, "text/csv")
    app.run()
    assert not app.exception
    errors = " ".join(e.value for e in app.main.error)  # at the top of the page, not the sidebar
    assert "map its columns on the Data page" in errors
    assert "_data_choice" not in app.session_state  # still the start-up data set
    app.switch_page("pages/data.py").run()
    assert not app.exception
    assert app.tabs[0].label == "Map columns"


def test_shopify_upload_needs_no_mapping(monkeypatch):
    from tests.shop_exports import shopify_orders_csv

    monkeypatch.setenv(source.DATA_ENV, str(ROOT / "data"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state[source.SOURCE_KEY] = source.SOURCE_UPLOAD
    app.run()
    app.sidebar.file_uploader(key=source.UPLOAD_KEY).upload("orders_export.csv", shopify_orders_csv(), "text/csv")
    app.run()
    assert not app.exception and not app.sidebar.error
    assert app.session_state["_data_choice"].name == "orders_export.csv"
    app.switch_page("pages/data.py").run()
    assert [t.label for t in app.tabs][0] == "Tables"
    assert any("Shopify orders export" in m.value for m in app.markdown)
