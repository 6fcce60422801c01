"""Importers (recsys.data.load): every layout and file type on small hand-made files, and the error paths."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from recsys.data import readers
from recsys.data import schema as S
from recsys.data.load import load_dataset, read_raw
from recsys.errors import DataError

UCI_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
UCI2_HEADER = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country"

UCI_LINES = [
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom",
    "536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850.0,United Kingdom",
    "536366,22633,HAND WARMER UNION JACK £,6,12/13/2010 8:28,1.85,17850.0,United Kingdom",
    "536367,85123a,WHITE HANGING HEART T-LIGHT HOLDER,2,1/5/2011 9:00,2.95,13047.0,France",
    "536368,22960,JAM MAKING SET WITH JARS café,3,1/5/2011 9:01,4.25,,United Kingdom",
    "C536379,71053,WHITE METAL LANTERN,-1,1/6/2011 9:41,3.39,17850.0,United Kingdom",
]


def uci_csv(encoding: str = "latin-1") -> bytes:
    return ("\n".join([UCI_HEADER, *UCI_LINES]) + "\n").encode(encoding)


def uci_frame() -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(uci_csv("utf-8")), dtype={"InvoiceNo": str})


def test_load_dataset_latin1_uci_csv(tmp_path):
    path = tmp_path / "online_retail.csv"
    path.write_bytes(uci_csv("latin-1"))
    ds = load_dataset(path)
    assert ds.report.layout == "uci"
    assert ds.report.raw_lines == 6
    assert ds.report.kept_lines == 5
    assert len(ds.cancellations) == 1
    descriptions = set(ds.products[S.DESCRIPTION])
    assert "HAND WARMER UNION JACK £" in descriptions
    assert "JAM MAKING SET WITH JARS café" in descriptions


def test_load_dataset_month_first_dates_of_published_csv(tmp_path):
    path = tmp_path / "online_retail.csv"
    path.write_bytes(uci_csv())
    tx = load_dataset(path).transactions
    assert tx[S.INVOICE_DATE].iloc[0] == pd.Timestamp("2010-12-01 08:26")
    assert tx[S.INVOICE_DATE].iloc[2] == pd.Timestamp("2010-12-13 08:28")


def test_load_dataset_float_customer_ids_become_whole_numbers(tmp_path):
    path = tmp_path / "online_retail.csv"
    path.write_bytes(uci_csv())
    ds = load_dataset(path)
    assert list(ds.customers[S.CUSTOMER_ID]) == ["13047", "17850"]
    assert ds.transactions[S.CUSTOMER_ID].isna().sum() == 1


def test_load_dataset_upper_cases_stock_codes(tmp_path):
    path = tmp_path / "online_retail.csv"
    path.write_bytes(uci_csv())
    ds = load_dataset(path)
    assert (ds.transactions[S.PRODUCT_ID] == "85123A").sum() == 2
    assert ds.products[S.PRODUCT_ID].tolist() == ["22633", "22960", "71053", "85123A"]


def test_load_dataset_dtypes_follow_the_contract(tmp_path):
    path = tmp_path / "online_retail.csv"
    path.write_bytes(uci_csv())
    ds = load_dataset(path)
    dtypes = ds.transactions.dtypes.astype(str).to_dict()
    assert list(ds.transactions.columns) == list(S.TRANSACTION_COLUMNS)
    assert dtypes == {
        S.INVOICE_ID: "string",
        S.INVOICE_DATE: "datetime64[ns]",
        S.CUSTOMER_ID: "string",
        S.PRODUCT_ID: "string",
        S.QUANTITY: "int64",
        S.UNIT_PRICE: "float64",
        S.COUNTRY: "string",
    }


def test_load_dataset_utf8_bom_online_retail_ii_csv(tmp_path):
    lines = [UCI2_HEADER] + [line.replace(".0,", ",") for line in UCI_LINES]
    path = tmp_path / "online_retail_II.csv"
    path.write_bytes(("\r\n" + "\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    ds = load_dataset(path)
    assert ds.report.layout == "uci2"
    assert ds.report.kept_lines == 5
    assert "17850" in set(ds.customers[S.CUSTOMER_ID])


def test_load_dataset_header_is_case_and_space_tolerant(tmp_path):
    header = (
        " invoiceno ; STOCKCODE ;description;QUANTITY;Invoice Date;unit_price;customer id;country"
    )
    lines = [line.replace(",", ";") for line in UCI_LINES]
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    ds = load_dataset(path)
    assert ds.report.layout == "uci"
    assert ds.report.kept_lines == 5


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_load_dataset_two_sheet_workbook(tmp_path, monkeypatch, engine):
    if engine == "calamine":  # a required dependency (requirements.txt), never skipped
        assert readers.excel_engine() == "calamine"
    monkeypatch.setattr("recsys.data.readers.excel_engine", lambda: engine)
    frame = uci_frame().rename(
        columns={"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"}
    )
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"], format="%m/%d/%Y %H:%M")
    path = tmp_path / "online_retail_II.xlsx"
    with pd.ExcelWriter(path) as writer:
        frame.iloc[:3].to_excel(writer, sheet_name="Year 2009-2010", index=False)
        frame.iloc[3:].to_excel(writer, sheet_name="Year 2010-2011", index=False)
        pd.DataFrame({"note": ["exported by hand"]}).to_excel(writer, sheet_name="Notes")
    ds = load_dataset(path)
    assert ds.report.layout == "uci2"
    assert ds.report.raw_lines == 6
    assert ds.transactions[S.INVOICE_DATE].max() == pd.Timestamp("2011-01-05 09:01")
    assert set(ds.customers[S.CUSTOMER_ID]) == {"13047", "17850"}
    assert set(ds.transactions[S.INVOICE_ID]) >= {"536365", "536368"}


def test_load_dataset_parquet_with_iso_text_dates(tmp_path):
    frame = uci_frame()
    frame["InvoiceDate"] = pd.to_datetime(
        frame["InvoiceDate"], format="%m/%d/%Y %H:%M"
    ).dt.strftime("%Y-%m-%d %H:%M:%S")
    path = tmp_path / "online_retail.parquet"
    frame.to_parquet(path)
    ds = load_dataset(path)
    assert ds.report.layout == "uci"
    assert ds.transactions[S.INVOICE_DATE].iloc[2] == pd.Timestamp("2010-12-13 08:28")
    assert "17850" in set(ds.customers[S.CUSTOMER_ID])


def test_load_dataset_upload_file_like_uses_name_for_type(tmp_path):
    upload = io.BytesIO(uci_csv())
    ds = load_dataset(upload, name="my export.csv")
    assert ds.report.layout == "uci"
    frame = uci_frame()
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    buffer.seek(0)
    buffer.name = "upload.parquet"
    assert load_dataset(buffer).report.raw_lines == 6
    assert load_dataset(buffer).report.raw_lines == 6  # read again from the start


CANONICAL_TX = """invoice_id,invoice_date,customer_id,product_id,description,quantity,unit_price,country,category
1001,2024-01-02 10:00:00,C1,P1,Red mug,2,4.5,Germany,Kitchen
1001,2024-01-02 10:00:00,C1,P2,Blue mug,1,4.0,Germany,Kitchen
1002,2024-01-03 11:30:00,C2,P1,Red mug,1,5.5,France,Kitchen
1003,2024-01-04 09:15:00,,P3,Green plate,3,2.0,France,Tableware
"""


def test_load_dataset_canonical_single_csv(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_text(CANONICAL_TX, encoding="utf-8")
    ds = load_dataset(path)
    assert ds.report.layout == "canonical"
    assert ds.has_categories
    products = ds.products.set_index(S.PRODUCT_ID)
    assert products.loc["P1", S.CATEGORY] == "Kitchen"
    assert products.loc["P1", S.UNIT_PRICE] == pytest.approx(5.0)
    assert ds.report.lines_without_customer == 1


def write_three_files(folder):
    folder.mkdir()
    tx = "\n".join(
        line.rsplit(",", 1)[0]
        .replace(",Red mug", "")
        .replace(",Blue mug", "")
        .replace(",Green plate", "")
        for line in CANONICAL_TX.strip().splitlines()
    )
    (folder / "transactions.csv").write_text(tx.replace(",description", "") + "\n")
    (folder / "products.csv").write_text(
        "product_id,description,category,unit_price\n"
        "P1,Red mug,Kitchen,4.5\np2,Blue mug,Kitchen,4.0\nP3,Green plate,Tableware,2.0\n"
        "P9,Yellow bowl (new),Tableware,3.0\n"
    )
    (folder / "customers.csv").write_text(
        "customer_id,country,signup_date,age,gender,loyalty_tier\n"
        "C1,Germany,2023-05-01,34,F,gold\nC2,France,2023-06-11,,M,silver\n"
        "C3,Spain,2023-07-01,51,F,none\n"
    )
    return folder


def test_load_dataset_folder_of_three_files(tmp_path):
    ds = load_dataset(write_three_files(tmp_path / "shop"))
    assert ds.report.layout == "canonical3"
    products = ds.products.set_index(S.PRODUCT_ID)
    assert products.loc["P2", S.DESCRIPTION] == "Blue mug"
    assert "P9" in products.index  # unsold catalogue product kept for content models
    customers = ds.customers.set_index(S.CUSTOMER_ID)
    # C3 registered but bought nothing: kept (for cold start), not counted as a buyer
    assert list(customers.index) == ["C1", "C2", "C3"]
    assert customers.loc["C3", S.COUNTRY] == "Spain" and customers.loc["C3", S.AGE] == 51.0
    assert ds.n_buyers == 2
    assert customers.loc["C1", S.AGE] == 34.0
    assert np.isnan(customers.loc["C2", S.AGE])
    assert customers.loc["C2", S.SIGNUP_DATE] == pd.Timestamp("2023-06-11")
    assert customers.loc["C1", "loyalty_tier"] == "gold"
    assert str(ds.customers[S.GENDER].dtype) == "string"


def test_load_dataset_three_file_paths(tmp_path):
    folder = write_three_files(tmp_path / "shop")
    paths = [folder / "transactions.csv", folder / "products.csv", folder / "customers.csv"]
    assert load_dataset(paths).fingerprint == load_dataset(folder).fingerprint


def test_read_raw_returns_canonical_names_and_layout(tmp_path):
    path = tmp_path / "online_retail.csv"
    path.write_bytes(uci_csv())
    raw, layout = read_raw(path)
    assert layout == "uci"
    assert set(raw.columns) == {
        S.INVOICE_ID,
        S.PRODUCT_ID,
        S.DESCRIPTION,
        S.QUANTITY,
        S.INVOICE_DATE,
        S.UNIT_PRICE,
        S.CUSTOMER_ID,
        S.COUNTRY,
    }
    assert len(raw) == 6


def test_fingerprint_changes_with_the_data(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(uci_csv())
    b.write_bytes(uci_csv().replace(b",6,12/1/2010 8:26,2.55", b",7,12/1/2010 8:26,2.55"))
    assert load_dataset(a).fingerprint != load_dataset(b).fingerprint
    assert load_dataset(a).fingerprint == load_dataset(a).fingerprint


@pytest.mark.parametrize("blank", ["Country", "Description", "CustomerID"])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_load_dataset_column_blank_on_every_line(tmp_path, blank, suffix):
    frame = uci_frame()
    frame[blank] = None
    path = tmp_path / f"export{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)
    ds = load_dataset(path)
    assert ds.report.raw_lines == 6
    assert ds.report.kept_lines == 5
    if blank == "Country":
        assert ds.transactions[S.COUNTRY].isna().all()
    elif blank == "Description":  # a product without a description is named by its code
        assert (ds.products[S.DESCRIPTION] == ds.products[S.PRODUCT_ID]).all()
    else:
        assert ds.report.lines_without_customer == 5
        assert ds.customers.empty


# --- error paths -------------------------------------------------------------------


def test_missing_columns_are_named_with_accepted_layouts(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,InvoiceDate,CustomerID,Country\n1,A,x,2011-01-01,1,UK\n"
    )
    with pytest.raises(DataError) as err:
        load_dataset(path)
    message = str(err.value)
    assert "missing columns: Quantity, UnitPrice." in message
    assert "Accepted layouts: UCI Online Retail (InvoiceNo" in message
    assert "Online Retail II (Invoice," in message
    assert "canonical (invoice_id" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        ((UCI_HEADER + "\n").encode(), "no lines of data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a text table"),
        (b"name,age\nann,3\n", "not a table of invoice lines"),
    ],
)
def test_unusable_csv_raises_data_error(tmp_path, content, expected):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=expected):
        load_dataset(path)


@pytest.mark.parametrize(("suffix", "expected"), [(".parquet", "Parquet"), (".xlsx", "Excel")])
def test_garbage_binary_file_raises_data_error(tmp_path, suffix, expected):
    path = tmp_path / f"upload{suffix}"
    path.write_bytes(b"this is not what the name says" * 10)
    with pytest.raises(DataError, match=f"could not be read as an? {expected}"):
        load_dataset(path)


def test_unknown_extension_is_refused(tmp_path):
    path = tmp_path / "data.xml"
    path.write_text("<orders/>")
    with pytest.raises(DataError, match=r"unknown file type '\.xml'.*CSV"):
        load_dataset(path)


def test_json_file_is_read_as_a_mapping(tmp_path):
    path = tmp_path / "data.json"
    path.write_text("{}")
    with pytest.raises(DataError, match=r'data.json: no "transactions" table'):
        load_dataset(path)


def test_folder_without_transactions_is_refused(tmp_path):
    (tmp_path / "products.csv").write_text("product_id\nP1\n")
    with pytest.raises(DataError, match="no transactions.csv"):
        load_dataset(tmp_path)


def test_missing_path_is_refused(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_dataset(tmp_path / "nope.csv")


def test_max_bytes_refuses_bigger_input_with_size_and_limit(tmp_path):
    data = uci_csv()
    path = tmp_path / "online_retail.csv"
    path.write_bytes(data)
    with pytest.raises(DataError, match=rf"is {len(data)} bytes, over the limit of 100 bytes"):
        load_dataset(path, max_bytes=100)
    with pytest.raises(DataError, match="over the limit of 100 bytes"):
        load_dataset(io.BytesIO(data), name="upload.csv", max_bytes=100)
    assert load_dataset(path, max_bytes=len(data)).report.raw_lines == 6


def test_max_bytes_checks_an_upload_size_before_reading():
    class Upload(io.BytesIO):
        name = "huge.csv"
        size = 5 * 2**30

        def read(self, *args):
            raise AssertionError("read a file that is too big")

    with pytest.raises(DataError, match=r"huge.csv is 5.0 GB, over the limit of 200.0 MB"):
        load_dataset(Upload(), max_bytes=200 * 2**20)


def test_unreadable_dates_are_counted_in_the_message(tmp_path):
    lines = [UCI_HEADER] + [
        line.replace("12/1/2010 8:26", "yesterday").replace("1/5/2011", "soon")
        for line in UCI_LINES
    ]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        DataError,
        match=r"^export\.csv: 4 of 6 dates in column InvoiceDate could not be read "
        r"\(first: 'yesterday'\)\. Write dates as",
    ):
        load_dataset(path)


def test_load_dataset_european_export_semicolons_decimal_commas_day_first(tmp_path):
    lines = [
        UCI_HEADER.replace(",", ";"),
        "536365;85123A;HEART;6;01.12.2010 08:26;2,55;17850;United Kingdom",
        "536366;71053;LANTERN;2;13.12.2010 09:00;3,39;17850;United Kingdom",
    ]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="cp1252")
    tx = load_dataset(path).transactions
    assert tx[S.UNIT_PRICE].tolist() == [2.55, 3.39]
    assert tx[S.INVOICE_DATE].tolist() == [
        pd.Timestamp("2010-12-01 08:26"),
        pd.Timestamp("2010-12-13 09:00"),
    ]


def test_file_with_no_usable_line_is_refused(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(UCI_HEADER + "\n" + UCI_LINES[-1] + "\n", encoding="utf-8")
    with pytest.raises(
        DataError,
        match=r"^export\.csv: no usable lines: cleaning removed all 1 lines "
        r"\(cancellations \(invoice id starting with C\): 1\)\. Check that the file holds sales",
    ):
        load_dataset(path)


def test_binary_file_under_a_wrong_extension_is_read_by_its_content(tmp_path):
    path = tmp_path / "export.csv"
    uci_frame().to_parquet(path)
    assert load_dataset(path).report.raw_lines == 6
    assert load_dataset(io.BytesIO(path.read_bytes()), name="upload").report.layout == "uci"



def test_unexpected_reader_error_becomes_data_error(tmp_path, monkeypatch):
    import pyarrow as pa

    def broken(*args, **kwargs):
        raise pa.ArrowNotImplementedError("no kernel matching input types (null)")

    monkeypatch.setattr("recsys.data.readers.read_csv", broken)
    path = tmp_path / "export.csv"
    path.write_bytes(uci_csv())
    with pytest.raises(
        DataError, match=r"^.*export\.csv could not be read \(ArrowNotImplementedError: no kernel"
    ) as err:
        load_dataset(path)
    assert isinstance(err.value.__cause__, pa.ArrowNotImplementedError)
    with pytest.raises(DataError, match=r"^upload\.csv could not be read"):
        load_dataset(io.BytesIO(uci_csv()), name="upload.csv")
