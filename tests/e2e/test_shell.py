"""The app shell in headless Chromium: KPIs, navigation with ?k=, uploads, a download."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.conftest import SAMPLE_DIR

from .helpers import go_to_page, metric, metric_value, open_app, wait_for_app

pytestmark = pytest.mark.e2e

SIDEBAR = '[data-testid="stSidebar"]'

GOOD_CSV = (
    "invoice_id,invoice_date,customer_id,product_id,description,quantity,unit_price,country\n"
    "100,2011-01-05 10:00,17850,A1,WHITE MUG,2,3.50,United Kingdom\n"
    "100,2011-01-05 10:00,17850,B2,RED PLATE,1,5.00,United Kingdom\n"
    "101,2011-02-07 11:30,13047,A1,WHITE MUG,4,3.50,France\n"
    "102,2011-03-09 15:00,12583,C3,BLUE BOWL,1,10.00,Germany\n"
)


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _choose_upload(page) -> None:
    page.locator(f"{SIDEBAR} label", has_text="Upload a file").click()
    expect(page.locator(f'{SIDEBAR} [data-testid="stFileUploaderDropzoneInput"]')).to_be_attached()
    wait_for_app(page)


def _upload(page, tmp_path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    page.locator(f'{SIDEBAR} [data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))


def test_shell_overview_shows_kpis(page, app_url, sample_figures):
    open_app(page, app_url)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    # The bundled sample: 400 customers over 2011 (make sample), every figure exact.
    assert sample_figures["Customers"] == "400"
    assert sample_figures["Date range"] == "2 Jan 2011 – 31 Dec 2011"
    labels = {"Customers": "Customers", "Invoices": "Invoices", "Revenue (net)": "Revenue",
              "Average order value": "Average order value", "Products sold": "Products sold",
              "Countries": "Countries", "Cancelled": "Cancelled", "Date range": "Date range"}
    shown = {label: metric_value(page, label) for label in labels}
    assert shown == {label: sample_figures[figure] for label, figure in labels.items()}
    assert shown["Revenue (net)"].startswith("£")
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_contain_text(sample_figures["lines kept"])
    expect(sidebar).to_contain_text(sample_figures["customers"])


def test_shell_switch_page_keeps_k_and_customer(page, app_url):
    open_app(page, app_url, "?k=4&customer=17850")
    k_value = page.locator(f'{SIDEBAR} [data-testid="stSliderThumbValue"]')
    expect(k_value).to_have_text("4")
    go_to_page(page, "Data")
    expect(page).to_have_url(re.compile(r"/data\?"))
    assert "k=4" in page.url
    assert "customer=17850" in page.url
    expect(k_value).to_have_text("4")
    go_to_page(page, "Overview")
    expect(page).to_have_url(re.compile(r"[?&]k=4(&|$)"))
    assert "/data" not in page.url


def test_shell_bad_upload_keeps_the_data_then_good_upload_replaces_it(page, app_url, tmp_path,
                                                                    sample_figures):
    open_app(page, app_url)
    expect(metric(page, "Customers")).to_have_text(sample_figures["Customers"])
    _choose_upload(page)
    _upload(page, tmp_path, "wrong.csv", "colour,size\nred,3\n")
    error = page.locator('[data-testid="stMain"] [data-testid="stAlertContentError"]')
    expect(error).to_contain_text("wrong.csv")
    expect(error).to_contain_text("Accepted layouts")
    # Not in the narrow sidebar (where the layouts pushed the k slider off screen): a pointer.
    expect(page.locator(SIDEBAR)).to_contain_text("the message is at the top of the page")
    expect(page.locator(f'{SIDEBAR} [data-testid="stAlertContentError"]')).to_have_count(0)
    wait_for_app(page)
    assert metric_value(page, "Customers") == sample_figures["Customers"]
    assert metric_value(page, "Revenue") == sample_figures["Revenue"]

    _upload(page, tmp_path, "small.csv", GOOD_CSV)
    # 3 customers; £7.00 + £5.00 + £14.00 + £10.00 = £36 over 3 invoices.
    expect(metric(page, "Customers")).to_have_text("3")
    expect(metric(page, "Revenue")).to_have_text("£36")
    expect(metric(page, "Invoices")).to_have_text("3")
    expect(error).to_have_count(0)


def test_shell_download_products_csv(page, app_url):
    open_app(page, app_url, "data")
    page.get_by_role("tab", name="Download").click()
    button = page.locator('[data-testid="stDownloadButton"] button', has_text="Download products")
    expected_rows = _count(re.search(r"\(([\d,]+) rows\)", button.inner_text()).group(1))
    assert expected_rows == len(pd.read_csv(SAMPLE_DIR / "products.csv", dtype=str))
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith("-products.csv")
    data = open(download.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for spreadsheets
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["product_id", "description"]
    assert len(rows) - 1 == expected_rows


def test_shell_generate_shop_from_data_page(page, app_url):
    open_app(page, app_url, "data")
    page.get_by_role("tab", name="Generate or append").click()
    customers = page.get_by_label("Customers", exact=True).last
    customers.fill("120")
    customers.press("Enter")
    page.get_by_role("button", name="Generate shop").click()
    sidebar = page.locator(SIDEBAR)
    expect(sidebar.get_by_text("120 customers")).to_be_visible()
    expect(sidebar.get_by_role("radio", name="Generated shop")).to_be_checked()
