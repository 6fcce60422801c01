"""The column-mapping form in headless Chromium: a file in no known layout is proposed a
mapping, previewed before anything is replaced, then used; the mapping downloads."""

from __future__ import annotations

import json
import os

import pytest
from playwright.sync_api import expect

from tests.shop_exports import GROCERY_MAPPING, grocery_files

from .helpers import go_to_page, wait_for_app

pytestmark = pytest.mark.e2e

SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'


def test_mapping_form_previews_then_replaces_the_data(page, app_url, tmp_path):
    page.goto(app_url)
    wait_for_app(page)
    page.locator(f"{SIDEBAR} label", has_text="Upload a file").click()
    wait_for_app(page)
    before = page.locator(f"{SIDEBAR} [data-testid='stCaptionContainer']").last.inner_text()
    path = tmp_path / "tx.csv"
    path.write_bytes(grocery_files()["tx.csv"])
    page.locator(f"{SIDEBAR} [data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_for_app(page)
    # a refused upload is explained at the top of the page, not in the narrow sidebar
    expect(page.locator(f"{MAIN} [data-testid='stAlertContentError']").first).to_contain_text(
        "map its columns on the Data page", timeout=60_000)
    assert page.locator(f"{SIDEBAR} [data-testid='stAlertContentError']").count() == 0

    go_to_page(page, "Data")
    page.get_by_role("tab", name="Map columns").click()
    form = page.locator('[data-testid="stForm"]').first  # the Map columns tab comes first
    expect(form).to_contain_text("Line total (quantity × price)", timeout=60_000)
    form.get_by_role("button", name="Preview the cleaned data").click()
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("Nothing is replaced until you use the data", timeout=90_000)
    assert "5 of 5 lines kept" in main.inner_text()
    # the preview replaced nothing: the sidebar still reports the data set it had
    expect(page.locator(f"{MAIN} [data-testid='stAlertContentError']").first).to_contain_text(
        "Still showing", timeout=60_000)
    if os.environ.get("RECSYS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["RECSYS_SCREENSHOTS"], "mapping-form.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download the mapping").click()
    saved = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert saved["transactions"]["columns"] == GROCERY_MAPPING["transactions"]["columns"]
    assert info.value.suggested_filename == "tx.mapping.json"

    page.get_by_role("button", name="Use this data").click()
    wait_for_app(page)
    caption = page.locator(f"{SIDEBAR} [data-testid='stCaptionContainer']").last
    expect(caption).to_contain_text("5 of 5 lines kept", timeout=90_000)
    assert caption.inner_text() != before
    # the sidebar is drawn before the page body: wait for the body's rerun to drop the form
    expect(page.get_by_role("tab", name="Map columns")).to_have_count(0, timeout=60_000)
