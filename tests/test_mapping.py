"""Column mapping: suggestions on real-world headers, mapping files, bad mappings."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from recsys.data.load import load_dataset
from recsys.data.mapping import (
    CUSTOMERS,
    PRODUCTS,
    REVIEWS,
    MappedUpload,
    mapping_from_dict,
    read_mapping,
    suggest_columns,
    suggest_mapping,
)
from recsys.errors import DataError
from tests.shop_exports import GROCERY_MAPPING, SHOPIFY_HEADER, grocery_files, shopify_orders_csv


def _frame(header: list[str], *rows: list[object]) -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in rows], columns=header)


# --- suggestions on a dozen headers --------------------------------------------------

HEADERS = {
    "uci": (
        ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"],
        [["536365", "85123A", "WHITE HANGING HEART", "6", "12/1/2010 8:26", "2.55", "17850", "United Kingdom"],
         ["536366", "22633", "HAND WARMER UNION JACK", "6", "12/1/2010 8:28", "1.85", "17850", "United Kingdom"]],
        {"invoice_id": "InvoiceNo", "invoice_date": "InvoiceDate", "customer_id": "CustomerID",
         "product_id": "StockCode", "description": "Description", "quantity": "Quantity",
         "unit_price": "UnitPrice", "country": "Country"},
    ),
    "online_retail_ii": (
        ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"],
        [["489434", "85048", "15CM CHRISTMAS GLASS BALL", "12", "2009-12-01 07:45:00", "6.95", "13085", "UK"]],
        {"invoice_id": "Invoice", "invoice_date": "InvoiceDate", "customer_id": "Customer ID",
         "product_id": "StockCode", "description": "Description", "quantity": "Quantity",
         "unit_price": "Price", "country": "Country"},
    ),
    "grocery": (
        ["basket_id", "transaction_timestamp", "household_id", "product_id", "quantity", "sales_value",
         "store_id", "retail_disc", "week_no"],
        [["31198570044", "2017-01-01 11:53:26", "1", "1004906", "1", "1.39", "364", "-0.6", "1"],
         ["31198570047", "2017-01-01 12:10:28", "2", "1033142", "2", "1.50", "364", "0", "1"]],
        {"invoice_id": "basket_id", "invoice_date": "transaction_timestamp", "customer_id": "household_id",
         "product_id": "product_id", "quantity": "quantity", "line_total": "sales_value"},
    ),
    "shopify": (
        SHOPIFY_HEADER,
        None,  # built from the Shopify test export
        {"invoice_id": "Name", "invoice_date": "Created at", "customer_id": "Email",
         "product_id": "Lineitem sku", "description": "Lineitem name", "quantity": "Lineitem quantity",
         "unit_price": "Lineitem price", "country": "Billing Country"},
    ),
    "woocommerce": (
        ["Order Number", "Order Status", "Order Date", "Customer Note", "Billing Email Address",
         "Billing Country", "SKU", "Item Name", "Quantity (- Refund)", "Item Cost", "Order Total Amount"],
        [["1203", "completed", "2024-02-01 10:00", "Leave at the door", "ann@example.org", "DE", "HOODIE-M",
          "Hoodie - M", "1", "45.00", "52.90"],
         ["1204", "processing", "2024-02-02 11:30", "", "ben@example.org", "AT", "CAP-1", "Cap", "2", "12.50",
          "29.90"]],
        {"invoice_id": "Order Number", "invoice_date": "Order Date", "customer_id": "Billing Email Address",
         "product_id": "SKU", "description": "Item Name", "quantity": "Quantity (- Refund)",
         "unit_price": "Item Cost", "country": "Billing Country"},
    ),
    "german": (
        ["Bestellnummer", "Bestelldatum", "Kundennummer", "Artikelnummer", "Artikelbezeichnung", "Menge",
         "Einzelpreis", "Land"],
        [["A-1001", "24.12.2023 14:05", "K-17", "4711", "Kölnisch Wasser 100 ml", "2", "12,50", "Deutschland"],
         ["A-1002", "27.12.2023 09:40", "K-18", "0815", "Seife Lavendel", "1", "3,20", "Österreich"]],
        {"invoice_id": "Bestellnummer", "invoice_date": "Bestelldatum", "customer_id": "Kundennummer",
         "product_id": "Artikelnummer", "description": "Artikelbezeichnung", "quantity": "Menge",
         "unit_price": "Einzelpreis", "country": "Land"},
    ),
    "french": (
        ["N° commande", "Date de commande", "Code client", "Référence", "Libellé", "Quantité",
         "Prix unitaire", "Pays"],
        [["C0001", "03/02/2024", "CL-9", "REF-12", "Savon de Marseille", "3", "4,90", "France"],
         ["C0002", "15/02/2024", "CL-10", "REF-13", "Bougie parfumée", "1", "15,00", "Belgique"]],
        {"invoice_id": "N° commande", "invoice_date": "Date de commande", "customer_id": "Code client",
         "product_id": "Référence", "description": "Libellé", "quantity": "Quantité",
         "unit_price": "Prix unitaire", "country": "Pays"},
    ),
    "spanish": (
        ["Número de pedido", "Fecha", "ID Cliente", "Código producto", "Descripción", "Cantidad",
         "Precio unitario", "País"],
        [["P-77", "2024-03-01", "900", "SKU-1", "Aceite de oliva virgen", "2", "9.95", "España"]],
        {"invoice_id": "Número de pedido", "invoice_date": "Fecha", "customer_id": "ID Cliente",
         "product_id": "Código producto", "description": "Descripción", "quantity": "Cantidad",
         "unit_price": "Precio unitario", "country": "País"},
    ),
    "marketplace": (
        ["Order ID", "Order Date", "Customer Email", "Product SKU", "Product Name", "Product Qty",
         "Product Unit Price", "Ship Country"],
        [["100000012", "2024-04-01 08:00:00", "x@y.com", "WB-01", "Water Bottle Steel", "1", "19.99", "US"],
         ["100000013", "2024-04-01 09:00:00", "z@y.com", "WB-02", "Water Bottle Glass", "3", "24.50", "CA"]],
        {"invoice_id": "Order ID", "invoice_date": "Order Date", "customer_id": "Customer Email",
         "product_id": "Product SKU", "description": "Product Name", "quantity": "Product Qty",
         "unit_price": "Product Unit Price", "country": "Ship Country"},
    ),
    "pos_extract": (
        ["transaction_id", "timestamp", "loyalty_card", "item_code", "item_desc", "units", "net_amount", "store"],
        [["T1", "2024-05-01T10:00:00Z", "LC-1", "I-9", "Banana loose", "3", "0.87", "S1"],
         ["T2", "2024-05-01T10:05:00Z", "LC-2", "I-8", "Oat milk 1l", "1", "1.99", "S1"]],
        {"invoice_id": "transaction_id", "invoice_date": "timestamp", "customer_id": "loyalty_card",
         "product_id": "item_code", "description": "item_desc", "quantity": "units",
         "line_total": "net_amount"},
    ),
}


def _shopify_frame() -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(shopify_orders_csv()), dtype=str, keep_default_na=False).replace("", None)


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_suggest_columns_maps_real_world_headers(name):
    header, rows, expected = HEADERS[name]
    frame = _shopify_frame() if rows is None else _frame(header, *rows)
    assert suggest_columns(frame, "transactions").columns == expected


def test_suggest_columns_maps_a_household_file_with_bands():
    frame = _frame(
        ["household_key", "AGE_DESC", "MARITAL_STATUS_CODE", "INCOME_DESC", "HOMEOWNER_DESC",
         "HH_COMP_DESC", "HOUSEHOLD_SIZE_DESC", "KID_CATEGORY_DESC"],
        ["1", "65+", "A", "35-49K", "Homeowner", "2 Adults No Kids", "2", "None/Unknown"],
        ["7", "45-54", "A", "50-74K", "Homeowner", "2 Adults No Kids", "2", "None/Unknown"],
    )  # fmt: skip
    assert suggest_columns(frame, CUSTOMERS).columns == {
        "customer_id": "household_key", "age": "AGE_DESC", "income": "INCOME_DESC",
        "household": "HOUSEHOLD_SIZE_DESC",
    }  # fmt: skip


def test_suggest_columns_maps_a_product_table_and_a_reviews_file():
    products = _frame(
        ["PRODUCT_ID", "MANUFACTURER", "DEPARTMENT", "BRAND", "COMMODITY_DESC", "CURR_SIZE_OF_PRODUCT"],
        ["25671", "2", "GROCERY", "National", "FRZN ICE", "22 LB"],
    )
    assert suggest_columns(products, PRODUCTS).columns == {
        "product_id": "PRODUCT_ID", "description": "COMMODITY_DESC", "category": "DEPARTMENT",
    }  # fmt: skip
    reviews = _frame(["user", "item", "stars", "review", "date"],
                     ["u1", "85123A", "5", "Lovely heart, as pictured", "2011-05-01"])
    assert suggest_columns(reviews, REVIEWS).columns == {
        "customer_id": "user", "product_id": "item", "rating": "stars", "text": "review", "review_date": "date",
    }  # fmt: skip


def test_suggest_columns_finds_dates_and_emails_by_content_alone():
    frame = _frame(["ref", "when", "who", "what", "n", "each"],
                   ["1", "2024-01-02 10:00", "a@b.com", "X1", "2", "3.50"],
                   ["2", "2024-01-03 11:00", "c@d.com", "X2", "1", "1.25"])
    suggestion = suggest_columns(frame, "transactions")
    assert suggestion.columns["invoice_date"] == "when"
    assert suggestion.columns["customer_id"] == "who"
    assert suggestion.reasons["invoice_date"] == "content"


def test_suggest_columns_never_maps_text_to_a_quantity():
    frame = _frame(["Quantity", "Qty"], ["a few", "3"], ["many", "4"])
    assert suggest_columns(frame, "transactions").columns == {"quantity": "Qty"}


def test_suggest_mapping_reads_an_upload_and_leaves_it_unchanged():
    data = grocery_files()["tx.csv"]
    before = bytes(data)
    mapping, suggestion = suggest_mapping(data, label="tx.csv")
    assert data == before
    assert mapping.path == "tx.csv"
    assert mapping.columns == GROCERY_MAPPING["transactions"]["columns"]
    assert set(suggestion.reasons.values()) == {"name"}


# --- mapping files ------------------------------------------------------------------


@pytest.fixture
def grocery_folder(tmp_path):
    folder = tmp_path / "extract"
    folder.mkdir()
    for name, data in grocery_files().items():
        (folder / name).write_bytes(data)
    (folder / "mapping.json").write_text(json.dumps(GROCERY_MAPPING))
    return folder


def test_mapping_file_loads_the_grocery_extract(grocery_folder):
    ds = load_dataset(grocery_folder / "mapping.json")
    tx = ds.transactions
    assert ds.report.layout == "mapping"
    assert len(tx) == 5
    # line totals divided by quantities: 2.58 / 2 = 1.29, 1.50 / 3 = 0.50, 4.98 / 2 = 2.49
    assert tx["unit_price"].tolist() == [1.29, 2.49, 1.29, 0.50, 2.49]
    assert round(float((tx["quantity"] * tx["unit_price"]).sum()), 2) == 12.84
    # time zones: read as the local time written, and said so
    assert str(tx["invoice_date"].iloc[0]) == "2023-03-01 09:15:00"
    assert any("UTC offsets (+01:00)" in n and "local time" in n for n in ds.report.notes)
    assert any("sales_value: unit prices are line totals divided by quantities" in n for n in ds.report.notes)
    products = ds.products.set_index("product_id")
    assert products.loc["9001", "description"] == "FLUID MILK"
    assert products.loc["9003", "category"] == "PRODUCE"


def test_mapping_file_keeps_customer_bands_and_other_columns(grocery_folder):
    customers = load_dataset(grocery_folder / "mapping.json").customers.set_index("customer_id")
    assert list(customers.index) == ["101", "102", "103"]  # 103 registered, never bought
    assert customers.loc["101", "age"] == "45-54"
    assert list(customers["age"].cat.categories) == ["19-24", "45-54", "65+"]
    assert customers["age"].cat.ordered
    assert list(customers["income"].cat.categories) == ["Under 15K", "50-74K", "250K+"]
    assert customers.loc["102", "country"] == "South"
    assert customers.loc["103", "homeowner"] == "Homeowner"
    assert list(customers["household_size"].cat.categories) == ["1", "2", "5+"]


def test_mapping_reviews_section_gives_the_reviews_table():
    mapping = dict(GROCERY_MAPPING)
    mapping["reviews"] = {"path": "reviews.csv", "columns": {
        "customer_id": "user", "product_id": "item", "rating": "stars", "text": "review",
        "review_date": "date"}}  # fmt: skip
    ds = load_dataset(MappedUpload(mapping_from_dict(mapping, label="mapping.json"), files=grocery_files()))
    reviews = ds.reviews.set_index("product_id")
    assert list(reviews.index) == ["9001", "9003"]
    assert reviews["rating"].tolist() == [5.0, 2.0]
    assert reviews.loc["9003", "text"] == "Bruised apples"
    assert any("reviews.csv: left out 1 review of products not in the catalogue (first: '9999')" in n
               for n in ds.report.notes)


def test_mapping_reviews_bad_rating_names_the_mapped_column():
    files = dict(grocery_files())
    files["reviews.csv"] = b"user,item,stars\n101,9001,great\n"
    mapping = dict(GROCERY_MAPPING)
    mapping["reviews"] = {"path": "reviews.csv", "columns": {"product_id": "item", "rating": "stars"}}
    with pytest.raises(DataError, match=r"reviews.csv.*stars.*great"):
        load_dataset(MappedUpload(mapping_from_dict(mapping, label="mapping.json"), files=files))


def test_mapping_file_paths_are_relative_to_the_mapping(grocery_folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(load_dataset("extract/mapping.json").transactions) == 5


def test_mapping_of_an_upload_reads_the_files_given():
    spec = mapping_from_dict(GROCERY_MAPPING, label="mapping.json")
    ds = load_dataset(MappedUpload(spec, files=grocery_files()))
    assert len(ds.transactions) == 5 and len(ds.customers) == 3


def test_mapping_round_trips_through_its_json(grocery_folder):
    spec = read_mapping(grocery_folder / "mapping.json")
    assert json.loads(spec.to_json()) == GROCERY_MAPPING


# --- bad mappings: the message names the column and the first bad value ----------


def _tx_mapping(**columns) -> dict:
    base = dict(GROCERY_MAPPING["transactions"]["columns"])
    base.update(columns)
    return {"transactions": {"path": "tx.csv", "columns": {k: v for k, v in base.items() if v}}}


def _load(mapping: dict, files: dict[str, bytes] | None = None):
    spec = mapping_from_dict(mapping, label="mapping.json")
    return load_dataset(MappedUpload(spec, files=files or grocery_files()))


def test_text_column_mapped_to_quantity_is_refused():
    files = {"tx.csv": b"order,day,who,sku,name,qty,price\n1,2024-01-01,c1,A,Mug,2,3.5\n2,2024-01-02,c2,B,Tea,1,2\n"}
    mapping = {"transactions": {"path": "tx.csv", "columns": {
        "invoice_id": "order", "invoice_date": "day", "customer_id": "who", "product_id": "sku",
        "quantity": "name", "unit_price": "price"}}}  # fmt: skip
    with pytest.raises(DataError, match=r"tx.csv: column 'name' is mapped to quantity but holds text, not numbers \(first: 'Mug'\)"):
        _load(mapping, files)


def test_id_column_of_floats_is_refused():
    with pytest.raises(DataError, match=r"column 'sales_value' is mapped to customer_id but holds numbers with decimals \(first: '2.58'\)"):
        _load(_tx_mapping(customer_id="sales_value", line_total="quantity", quantity="store_id"))


def test_dates_that_do_not_parse_are_refused():
    with pytest.raises(DataError, match=r"column 'household_id' is mapped to invoice_date but its values are not dates \(first: '101'\)"):
        _load(_tx_mapping(invoice_date="household_id"))


def test_missing_column_is_refused_with_the_file_columns():
    with pytest.raises(DataError, match=r"tx.csv has no column 'basket'; its columns are basket_id, transaction_timestamp"):
        _load(_tx_mapping(invoice_id="basket"))


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"orders": {}}, r"unknown table 'orders'"),
        ({"products": {"path": "p.csv", "columns": {"product_id": "id"}}}, r'no "transactions" table'),
        (_tx_mapping(colour="red"), r"transactions has no field 'colour'; its fields are invoice_id"),
        (_tx_mapping(unit_price="sales_value"), r"exactly one of unit_price .* got unit_price and line_total"),
        (_tx_mapping(quantity=None), r"transactions maps no column to quantity"),
        ({"transactions": {"columns": {}}}, r"table 'transactions' needs a \"path\""),
    ],
)
def test_malformed_mapping_is_refused(mapping, message):
    with pytest.raises(DataError, match=message):
        mapping_from_dict(mapping, label="mapping.json")


def test_mapping_file_with_a_missing_data_file_is_refused(tmp_path):
    (tmp_path / "m.json").write_text(json.dumps(GROCERY_MAPPING))
    with pytest.raises(DataError, match=r"the transactions file 'tx.csv' does not exist .*relative to the mapping file"):
        load_dataset(tmp_path / "m.json")


def test_mapping_file_that_is_not_json_is_refused(tmp_path):
    (tmp_path / "m.json").write_text("transactions: tx.csv")
    with pytest.raises(DataError, match=r"m.json is not a mapping file: it could not be read as JSON"):
        load_dataset(tmp_path / "m.json")
