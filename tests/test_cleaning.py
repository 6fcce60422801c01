"""Cleaning rules on a hand-made frame with known counts, tables, and the real data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.cleaning import NON_PRODUCT_CODES, RULES, clean
from recsys.data.dataset import RULE_LABELS
from recsys.data.tables import most_frequent
from recsys.errors import DataError

REFEREE = Path(__file__).resolve().parents[2] / "shared" / "tools" / "recs_eval.py"

COLUMNS = [
    S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID, S.DESCRIPTION,
    S.QUANTITY, S.UNIT_PRICE, S.COUNTRY,
]  # fmt: skip
D = "2011-01-01 10:00:00"
ROWS = [
    # kept
    ("1", D, 17850.0, "A1", "Mug", 2, 1.0, "United Kingdom"),
    ("1", D, 17850.0, "A2", "Plate", 1, 2.0, "United Kingdom"),
    # unparseable: date, quantity
    ("2", "not a date", 17850.0, "A1", "Mug", 1, 1.0, "United Kingdom"),
    ("2", D, 17850.0, "A1", "Mug", "x", 1.0, "United Kingdom"),
    # cancellations (the second is also a non-product code: counted once, here)
    ("C3", D, 17850.0, "A1", "Mug", -2, 1.0, "United Kingdom"),
    ("C3", D, 17850.0, "POST", "POSTAGE", -1, 18.0, "United Kingdom"),
    # non-positive quantity (the second also has price 0: counted once, here)
    ("4", D, 17850.0, "A1", "Mug", 0, 1.0, "United Kingdom"),
    ("4", D, 17850.0, "A2", "Plate", -3, 0.0, "United Kingdom"),
    # non-positive price
    ("5", D, 17850.0, "A2", "Plate", 1, 0.0, "United Kingdom"),
    ("5", D, 17850.0, "A1", "Mug", 1, -11062.06, "United Kingdom"),
    # non-product codes, upper and lower case
    ("6", D, 17850.0, "POST", "POSTAGE", 1, 18.0, "United Kingdom"),
    ("6", D, 17850.0, "m", "Manual", 1, 5.0, "United Kingdom"),
    # exact duplicate of the first line
    ("1", D, 17850.0, "A1", "Mug", 2, 1.0, "United Kingdom"),
    # kept without a customer
    ("7", "2011-01-02 09:00:00", np.nan, "A3", "Bowl", 1, 3.0, "United Kingdom"),
    # kept: lower-case code, padded description, another customer
    ("8", "2011-01-03 09:00:00", 13047.0, "a1", "Mug ", 5, 1.5, "France"),
    ("8", "2011-01-03 09:00:00", 13047.0, "A2", "Plate big", 1, 2.5, "France"),
    ("9", "2011-01-04 09:00:00", 13047.0, "A3", "Bowl", 2, 3.5, "Germany"),
]

EXPECTED_REMOVED = (
    ("unparseable", 2),
    ("cancellation", 2),
    ("non_positive_quantity", 2),
    ("non_positive_price", 2),
    ("non_product", 2),
    ("duplicate", 1),
    ("missing_customer", 1),
)


@pytest.fixture
def raw() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


@pytest.fixture
def cleaned(raw):
    return clean(raw, layout="uci")


def test_clean_counts_each_rule_once_in_order(cleaned):
    report = cleaned.report
    assert report.removed == EXPECTED_REMOVED
    assert report.raw_lines == len(ROWS)
    assert report.kept_lines == 6
    assert report.lines_without_customer == 1
    removed = sum(n for rule, n in report.removed if rule != "missing_customer")
    assert removed + report.kept_lines == report.raw_lines


def test_rules_are_the_documented_ones_in_order():
    assert RULES == tuple(RULE_LABELS)


def test_clean_sets_cancellations_aside_with_source_quantities(cleaned):
    cancellations = cleaned.cancellations
    assert cancellations[S.INVOICE_ID].tolist() == ["C3", "C3"]
    assert cancellations[S.QUANTITY].tolist() == [-2, -1]
    assert not cleaned.transactions[S.INVOICE_ID].str.startswith("C").any()


def test_clean_keeps_lines_without_customer_for_product_views(cleaned):
    tx = cleaned.transactions
    assert tx[S.CUSTOMER_ID].isna().sum() == 1
    assert len(cleaned.customer_transactions) == 5
    assert "A3" in set(cleaned.products[S.PRODUCT_ID])


def test_clean_normalises_ids(cleaned):
    tx = cleaned.transactions
    assert set(tx[S.PRODUCT_ID]) == {"A1", "A2", "A3"}
    assert set(tx[S.CUSTOMER_ID].dropna()) == {"17850", "13047"}
    assert tx[S.INVOICE_ID].tolist() == ["1", "1", "7", "8", "8", "9"]


def test_product_table_most_frequent_description_and_median_price(cleaned):
    products = cleaned.products.set_index(S.PRODUCT_ID)
    assert list(cleaned.products.columns) == list(S.PRODUCT_COLUMNS)
    assert products[S.DESCRIPTION].to_dict() == {"A1": "Mug", "A2": "Plate", "A3": "Bowl"}
    assert products[S.UNIT_PRICE].to_dict() == {"A1": 1.25, "A2": 2.25, "A3": 3.25}
    assert products[S.CATEGORY].isna().all()


def test_customer_table_most_frequent_country(cleaned):
    customers = cleaned.customers.set_index(S.CUSTOMER_ID)
    assert customers[S.COUNTRY].to_dict() == {"13047": "France", "17850": "United Kingdom"}


def test_most_frequent_breaks_ties_alphabetically():
    frame = pd.DataFrame({"k": ["a", "a", "b", "b", "b"], "v": ["y", "x", "z", "z", "w"]})
    assert most_frequent(frame, key="k", value="v").to_dict() == {"a": "x", "b": "z"}


def test_clean_does_not_change_its_input(raw):
    before = raw.copy()
    clean(raw, layout="uci")
    pd.testing.assert_frame_equal(raw, before)


def test_clean_is_deterministic(raw):
    assert clean(raw, layout="uci").fingerprint == clean(raw.copy(), layout="uci").fingerprint


def test_clean_fractional_quantity_is_unparseable(raw):
    raw.loc[0, S.QUANTITY] = 1.5
    assert dict(clean(raw, layout="uci").report.removed)["unparseable"] == 3


def test_clean_refuses_when_most_prices_are_unreadable(raw):
    raw[S.UNIT_PRICE] = "n/a"
    with pytest.raises(DataError, match=r"17 of 17 prices in column unit_price could not be read"):
        clean(raw, layout="uci")


def test_clean_reads_decimal_commas_and_currency_signs(raw):
    raw[S.UNIT_PRICE] = raw[S.UNIT_PRICE].map(lambda v: f"£{v}".replace(".", ","))
    assert clean(raw, layout="uci").report.removed == EXPECTED_REMOVED


def test_clean_missing_column_raises(raw):
    with pytest.raises(DataError, match="missing columns: quantity"):
        clean(raw.drop(columns=S.QUANTITY), layout="canonical")


def test_clean_without_country_gives_missing_country(raw):
    ds = clean(raw.drop(columns=S.COUNTRY), layout="canonical")
    assert ds.transactions[S.COUNTRY].isna().all()
    assert str(ds.transactions[S.COUNTRY].dtype) == "string"


def load_referee():
    if not REFEREE.exists():
        pytest.skip(f"referee not found at {REFEREE}")
    spec = importlib.util.spec_from_file_location("recs_eval", REFEREE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_non_product_codes_are_the_referees_upper_cased():
    referee = load_referee()
    assert {code.upper() for code in referee.NON_PRODUCTS} == NON_PRODUCT_CODES


# --- real data -----------------------------------------------------------------------


@pytest.mark.real_data
def test_real_data_exact_cleaning_counts(real_dataset):
    report = real_dataset.report
    assert report.layout == "uci"
    assert report.raw_lines == 541_909
    assert report.removed == (
        ("unparseable", 0),
        ("cancellation", 9_288),
        ("non_positive_quantity", 1_336),
        ("non_positive_price", 1_181),
        ("non_product", 2_315),
        ("duplicate", 5_221),
        ("missing_customer", 131_418),
    )
    assert report.kept_lines == 522_568
    assert len(real_dataset.cancellations) == 9_288
    assert len(real_dataset.customers) == 4_334
    assert len(real_dataset.products) == 3_803
    assert real_dataset.transactions[S.INVOICE_ID].nunique() == 19_773
    tx = real_dataset.transactions
    assert tx[S.INVOICE_DATE].min() == pd.Timestamp("2010-12-01 08:26:00")
    assert tx[S.INVOICE_DATE].max() == pd.Timestamp("2011-12-09 12:50:00")


@pytest.mark.real_data
def test_real_data_population_matches_the_referee(real_dataset, real_data_path):
    referee = load_referee()
    ref_train, ref_test, ref_cut = referee.split(referee.load(str(real_data_path)), 30)
    tx = real_dataset.customer_transactions
    cut = tx[S.INVOICE_DATE].max().normalize() - pd.Timedelta(days=30)
    assert cut == ref_cut
    for ours, theirs in (
        (tx[tx[S.INVOICE_DATE] < cut], ref_train),
        (tx[tx[S.INVOICE_DATE] >= cut], ref_test),
    ):
        pairs = set(zip(ours[S.CUSTOMER_ID], ours[S.PRODUCT_ID], strict=True))
        assert pairs == set(zip(theirs["customer_id"], theirs["product_id"], strict=True))
