"""Unit tests for recsys.data.tables on small hand-made frames."""

from __future__ import annotations

import pandas as pd

from recsys.data import schema as S
from recsys.data.tables import customer_table


def _lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            S.CUSTOMER_ID: pd.array(["17850", "17850", "13047", None], dtype="string"),
            S.COUNTRY: pd.array(["United Kingdom", "United Kingdom", "France", "EIRE"],
                                dtype="string"),
        }
    )


def test_customer_table_without_file_has_one_row_per_buyer():
    table = customer_table(_lines())
    assert table[S.CUSTOMER_ID].tolist() == ["13047", "17850"]
    assert table[S.COUNTRY].tolist() == ["France", "United Kingdom"]


def test_customer_table_keeps_registered_customers_without_lines():
    customers = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["13047", " 99999.0", "12000"],
            S.COUNTRY: [None, "Germany", "Spain"],
            S.AGE: ["34", "51", None],
            S.GENDER: ["F", "M", None],
            S.SIGNUP_DATE: ["2010-01-01", "2011-02-03", ""],
        }
    )
    before = customers.copy()
    table = customer_table(_lines(), customers=customers).set_index(S.CUSTOMER_ID)
    pd.testing.assert_frame_equal(customers, before)
    # the union: buyers (17850 only on lines) and the file's customers without lines
    assert table.index.tolist() == ["12000", "13047", "17850", "99999"]
    assert table.loc["99999", S.COUNTRY] == "Germany"
    assert table.loc["99999", S.AGE] == 51.0 and table.loc["99999", S.GENDER] == "M"
    assert table.loc["99999", S.SIGNUP_DATE] == pd.Timestamp("2011-02-03")
    assert table.loc["12000", S.COUNTRY] == "Spain" and pd.isna(table.loc["12000", S.AGE])
    # a buyer missing from the file keeps its country from the lines, no demographics
    assert table.loc["17850", S.COUNTRY] == "United Kingdom"
    assert pd.isna(table.loc["17850", S.AGE]) and pd.isna(table.loc["17850", S.SIGNUP_DATE])
    # the file's missing country falls back to the lines
    assert table.loc["13047", S.COUNTRY] == "France"
    assert str(table[S.AGE].dtype) == "float64"
    assert str(table[S.GENDER].dtype) == "string"


def test_customer_table_with_no_lines_is_the_customers_file():
    customers = pd.DataFrame({S.CUSTOMER_ID: ["2", "1"], S.COUNTRY: ["France", "Spain"]})
    table = customer_table(_lines().iloc[:0], customers=customers)
    assert table[S.CUSTOMER_ID].tolist() == ["1", "2"]
    assert table[S.COUNTRY].tolist() == ["Spain", "France"]
