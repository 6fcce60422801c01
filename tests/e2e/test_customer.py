"""Browser test of the Customer page: type an id, see recommendations with reasons, follow a link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import open_app, wait_for_app

pytestmark = pytest.mark.e2e

ID_BOX = 'input[aria-label="Customer ID"]'
TABLE = '[data-testid="stDataFrame"]'


def _sample_customer() -> str:
    """A customer of the bundled sample with plenty of history (the one with most invoices)."""
    from recsys.data import schema as S
    from recsys.data.load import load_dataset
    from tests.conftest import SAMPLE_DIR

    tx = load_dataset(SAMPLE_DIR).customer_transactions
    return str(tx.groupby(S.CUSTOMER_ID)[S.INVOICE_ID].nunique().idxmax())


@pytest.fixture(scope="module")
def customer_id() -> str:
    return _sample_customer()


def test_customer_page_typed_id_shows_recommendations_with_reasons(page, app_url, customer_id):
    open_app(page, app_url, "customer")
    page.fill(ID_BOX, customer_id)
    page.press(ID_BOX, "Enter")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text(f"Customer {customer_id}", exact=True)).to_be_visible()
    expect(main.get_by_text("Recommended products")).to_be_visible()
    wait_for_app(page)
    # the table is a canvas grid; its CSV download proves the rows and reasons
    with page.expect_download() as download_info:
        main.get_by_role("button", name="Download recommendations (CSV)").click()
    text = open(download_info.value.path(), encoding="utf-8-sig").read()
    header, *rows = text.strip().splitlines()
    assert header.startswith("customer_id,rank,product_id,description")
    assert header.endswith(",reason")
    assert len(rows) == 10
    assert all(row.startswith(f"{customer_id},") for row in rows)
    expect(page).to_have_url(re.compile(rf"[?&]customer={customer_id}(&|$)"))
    # the buy-again list: the customer's own products, each with their rhythm as the reason
    expect(main.get_by_text("Buy again", exact=True)).to_be_visible()
    with page.expect_download() as download_info:
        main.get_by_role("button", name="Download buy-again list (CSV)").click()
    text = open(download_info.value.path(), encoding="utf-8-sig").read()
    header, *rows = text.strip().splitlines()
    assert header.startswith("customer_id,rank,product_id,description") and rows
    assert all(row.startswith(f"{customer_id},") and "you bought this " in row for row in rows)


def test_customer_page_link_and_unknown_id(page, app_url, customer_id):
    open_app(page, app_url, f"customer?customer={customer_id}")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text(f"Customer {customer_id}", exact=True)).to_be_visible()
    expect(page.locator(ID_BOX)).to_have_value(customer_id)

    typo = customer_id + "9"  # one keystroke too many
    page.fill(ID_BOX, typo)
    page.press(ID_BOX, "Enter")
    warning = main.locator('[data-testid="stAlertContentWarning"]')
    expect(warning).to_contain_text(f"No customer {typo} in this data set. Did you mean {customer_id}")
    assert warning.inner_text().startswith(f"No customer {typo} in this data set. Did you mean {customer_id}")
    # The unknown id still gets the cold-start list, with its reason.
    expect(main.get_by_text("cold-start", exact=False).first).to_be_visible()
    wait_for_app(page)
    expect(main.get_by_role("button", name=customer_id, exact=True)).to_have_count(1)
    expect(main.get_by_text(f"Customer {customer_id}", exact=True)).to_have_count(0)
    assert not main.locator('[data-testid="stException"]').count()
