"""Shopify's orders export read as invoice lines (figures worked out by hand in
``tests/shop_exports.py``)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from recsys.data.cancellations import net_lines
from recsys.data.layouts import detect_layout
from recsys.data.load import load_dataset
from recsys.data.shopify import order_lines
from tests.shop_exports import SHOPIFY_HEADER, shopify_orders_csv


@pytest.fixture(scope="module")
def orders():
    return load_dataset(io.BytesIO(shopify_orders_csv()), name="orders_export.csv")


def test_shopify_header_is_detected_as_its_own_layout():
    assert detect_layout(SHOPIFY_HEADER).name == "shopify"


def test_order_fields_are_carried_down_to_every_line(orders):
    tx = orders.transactions
    first = tx[tx["invoice_id"] == "#1001"]
    assert len(first) == 2
    assert first["customer_id"].tolist() == ["alice@example.com"] * 2
    assert first["country"].tolist() == ["US", "US"]
    assert first["invoice_date"].astype(str).tolist() == ["2023-05-01 10:15:22"] * 2


def test_purchases_and_cancellations_match_the_hand_count(orders):
    tx, cancel = orders.transactions, orders.cancellations
    assert orders.report.layout == "shopify"
    assert orders.report.raw_lines == 9
    assert len(tx) == 7
    assert round(float((tx["quantity"] * tx["unit_price"]).sum()), 2) == 130.50
    assert dict(orders.report.removed)["cancellation"] == 2
    got = cancel[["invoice_id", "product_id", "quantity", "unit_price"]].sort_values("invoice_id")
    assert got.values.tolist() == [["C#1002", "TEA-02", -1, 8.0], ["C#1003", "SOY CANDLE", -1, 20.0]]
    assert str(cancel.set_index("invoice_id").loc["C#1003", "invoice_date"]) == "2023-05-04 09:00:00"
    net = net_lines(tx, cancel)
    assert round(float((net["quantity"] * net["unit_price"]).sum()), 2) == 102.50


def test_email_is_the_customer_and_an_order_without_one_has_no_customer(orders):
    assert orders.customers["customer_id"].tolist() == [
        "alice@example.com", "bob@example.com", "carol@example.com",
    ]  # fmt: skip
    assert orders.report.lines_without_customer == 1
    assert orders.transactions.set_index("invoice_id").loc["#1005", "country"] == "FR"


def test_refund_readings_are_stated_in_the_report(orders):
    notes = " ".join(orders.report.notes)
    assert "carried down to every line of their order" in notes
    assert "1 order cancelled (Cancelled at), refunded in full or voided" in notes
    assert "1 partial refund equal to whole units of one line (first: #1002)" in notes
    assert "1 partial refund (5.00 in all; first: #1004, 5.00) left as bought" in notes
    assert "1 line item without a SKU is identified by the item's name (first: 'Soy Candle')" in notes


def test_order_lines_leaves_its_input_unchanged():
    raw = pd.read_csv(io.BytesIO(shopify_orders_csv()), dtype=str, keep_default_na=False).replace("", None)
    raw = raw.rename(columns={"Name": "invoice_id", "Email": "customer_id", "Created at": "invoice_date",
                              "Lineitem quantity": "quantity", "Lineitem name": "description",
                              "Lineitem price": "unit_price", "Lineitem sku": "product_id",
                              "Financial Status": "financial_status", "Cancelled at": "cancelled_at",
                              "Refunded Amount": "refunded_amount"})
    before = raw.copy()
    lines, _ = order_lines(raw)
    pd.testing.assert_frame_equal(raw, before)
    assert len(lines) == 9


def test_blank_optional_columns_are_read_as_empty():
    text = shopify_orders_csv().decode().replace(",8.00,Acme", ",,Acme").replace(",5.00,Acme", ",,Acme")
    text = text.replace(",20.00,Acme", ",,Acme").replace(",0.00,Acme", ",,Acme")
    ds = load_dataset(io.BytesIO(text.encode()), name="orders_export.csv")
    assert set(ds.cancellations["invoice_id"]) == {"C#1003"}  # cancelled; no refund amounts left


def test_voided_order_is_a_cancellation():
    text = shopify_orders_csv().decode().replace(",paid,", ",voided,", 1)
    ds = load_dataset(io.BytesIO(text.encode()), name="orders_export.csv")
    assert set(ds.cancellations["invoice_id"]) == {"C#1001", "C#1002", "C#1003"}
