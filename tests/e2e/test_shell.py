"""The app shell in headless Chromium: KPIs, navigation with ?k=, uploads, a download."""

from __future__ import annotations

import csv
import io
import re

import pytest

from .helpers import go_to_page, metric_value, open_app, wait_for_app

pytestmark = pytest.mark.e2e

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
    page.locator('[data-testid="stSidebar"] label', has_text="Upload a file").click()
    wait_for_app(page)


def _upload(page, tmp_path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    page.locator('[data-testid="stSidebar"] [data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(path)
    )
    wait_for_app(page)


def test_shell_overview_shows_kpis(page, app_url):
    open_app(page, app_url)
    assert page.get_by_role("heading", name="Overview").is_visible()
    assert _count(metric_value(page, "Customers")) > 0
    assert metric_value(page, "Revenue").startswith("£")
    assert page.locator('[data-testid="stSidebar"]').get_by_text("lines kept").is_visible()


def test_shell_switch_page_keeps_k_and_customer(page, app_url):
    open_app(page, app_url, "?k=4&customer=17850")
    k_value = page.locator('[data-testid="stSidebar"] [data-testid="stSliderThumbValue"]')
    assert k_value.inner_text() == "4"
    go_to_page(page, "Data")
    page.wait_for_url(re.compile(r"/data\?"))
    assert "k=4" in page.url
    assert "customer=17850" in page.url
    assert k_value.inner_text() == "4"
    go_to_page(page, "Overview")
    assert "k=4" in page.url


def test_shell_bad_upload_keeps_the_data_then_good_upload_replaces_it(page, app_url, tmp_path):
    open_app(page, app_url)
    before = metric_value(page, "Customers")
    _choose_upload(page)
    _upload(page, tmp_path, "wrong.csv", "colour,size\nred,3\n")
    error = page.locator('[data-testid="stSidebar"] [data-testid="stAlertContentError"]')
    assert "wrong.csv" in error.inner_text()
    assert "Accepted layouts" in error.inner_text()
    assert metric_value(page, "Customers") == before

    _upload(page, tmp_path, "small.csv", GOOD_CSV)
    assert metric_value(page, "Customers") == "3"
    assert metric_value(page, "Revenue") == "£36"
    assert not error.count()


def test_shell_download_products_csv(page, app_url):
    open_app(page, app_url, "data")
    page.get_by_role("tab", name="Download").click()
    button = page.locator('[data-testid="stDownloadButton"] button', has_text="Download products")
    expected_rows = _count(re.search(r"\(([\d,]+) rows\)", button.inner_text()).group(1))
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
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("120 customers").is_visible()
    assert sidebar.get_by_role("radio", name="Generated shop").is_checked()
