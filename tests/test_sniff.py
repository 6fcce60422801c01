"""The one format detector (recsys.data.sniff): encodings, separators, line ends, quoting,
dates in every written form, decimal and thousands separators, ids."""

from __future__ import annotations

import codecs

import numpy as np
import pandas as pd
import pytest

from recsys.data.sniff import (
    DAY_FIRST,
    MONTH_FIRST,
    encode_text,
    format_dates,
    read_dates,
    read_ids,
    read_numbers,
    render_csv,
    sniff_csv,
    utf8_body,
    utf8_text,
)
from recsys.errors import DataError, ParameterError

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
ROWS = [
    '536365,85123A,"HEART, WHITE",6,12/1/2010 8:26,2.55,17850,United Kingdom',
    "536366,71053,CAFÉ LANTERN,2,12/13/2010 9:00,3.39,13047,France",
]


def _text(delimiter: str = ",", newline: str = "\n") -> str:
    lines = [HEADER, *ROWS]
    if delimiter != ",":
        lines = [line.replace('"HEART, WHITE"', "HEART WHITE").replace(",", delimiter) for line in lines]
    return newline.join(lines) + newline


# --- sniff_csv: encodings, separators, line ends, quoting ---------------------------------


@pytest.mark.parametrize(
    ("encoded", "encoding", "bom"),
    [
        (_text().encode("utf-8"), "utf-8", b""),
        (codecs.BOM_UTF8 + _text().encode("utf-8"), "utf-8", codecs.BOM_UTF8),
        (_text().encode("utf-16"), "utf-16-le", codecs.BOM_UTF16_LE),
        (codecs.BOM_UTF16_BE + _text().encode("utf-16-be"), "utf-16-be", codecs.BOM_UTF16_BE),
        (_text().encode("utf-16-le"), "utf-16-le", b""),
        (_text().replace("CAFÉ", "CAFÉ €").encode("cp1252"), "cp1252", b""),
        (_text().encode("latin-1") + b"\x81", "latin-1", b""),
    ],
)
def test_sniff_csv_encodings(encoded, encoding, bom):
    dialect = sniff_csv(encoded)
    assert (dialect.encoding, dialect.bom) == (encoding, bom)
    assert dialect.header[0] == "InvoiceNo" and len(dialect.header) == 8
    assert "CAFÉ" in utf8_body(encoded, dialect).decode("utf-8")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_sniff_csv_separator_and_line_ends(delimiter, newline):
    dialect = sniff_csv(_text(delimiter, newline).encode())
    assert dialect.delimiter == delimiter
    assert dialect.newline == newline
    assert dialect.ends_with_newline
    assert not dialect.quote_all


def test_sniff_csv_comma_inside_quotes_does_not_win_over_semicolons():
    text = 'a;b;c\n"x, y, z";1;2\n"p, q";3;4\n'
    assert sniff_csv(text.encode()).delimiter == ";"


def test_sniff_csv_quote_all_and_missing_last_line_end():
    text = '"InvoiceNo","StockCode","Quantity"\r\n"1","A","2"\r\n"2","B","3"'
    dialect = sniff_csv(text.encode())
    assert dialect.quote_all and not dialect.ends_with_newline
    assert dialect.header == ("InvoiceNo", "StockCode", "Quantity")
    assert render_csv([["3", "C", "4"]], dialect) == '"3","C","4"\r\n'


def test_sniff_csv_leading_blank_lines_and_header_spaces():
    dialect = sniff_csv(b"\r\n\r\n InvoiceNo , StockCode,Quantity\r\n1,A,2\r\n")
    assert dialect.header == ("InvoiceNo", "StockCode", "Quantity")
    assert utf8_body(b"\r\n\r\nA,B\r\n1,2\r\n", dialect).startswith(b"A,B")


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"", "is empty"), (b"\r\n \n", "is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x10\x00", "binary")],
)
def test_sniff_csv_refuses_empty_and_binary(data, expected):
    with pytest.raises(DataError, match=expected):
        sniff_csv(data, label="upload.csv")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252"])
def test_render_and_encode_write_like_the_file(encoding):
    data = _text(";", "\r\n").encode(encoding)
    dialect = sniff_csv(data)
    new = encode_text(render_csv([["536367", "X1", "CAFÉ", "1", "1/5/2011 9:00", "2,5"]], dialect), dialect)
    assert (data + new).decode(encoding).endswith("536367;X1;CAFÉ;1;1/5/2011 9:00;2,5\r\n")


# --- read_dates ----------------------------------------------------------------------------

T = pd.Timestamp


@pytest.mark.parametrize(
    ("values", "expected", "fmt"),
    [
        (["2010-12-01 08:26:00", "2010-12-13 09:05:00"], [T("2010-12-01 08:26"), T("2010-12-13 09:05")],
         "%Y-%m-%d %H:%M:%S"),
        (["2010-12-01 08:26", "2010-12-13 09:05"], [T("2010-12-01 08:26"), T("2010-12-13 09:05")],
         "%Y-%m-%d %H:%M"),
        (["2010-12-01T08:26:00Z", "2010-12-13T09:05:00Z"], [T("2010-12-01 08:26"), T("2010-12-13 09:05")],
         "%Y-%m-%dT%H:%M:%SZ"),
        (["2023-05-01 10:15:22 -0400"], [T("2023-05-01 10:15:22")], "%Y-%m-%d %H:%M:%S -0400"),
        (["2010/12/01", "2010/12/13"], [T("2010-12-01"), T("2010-12-13")], "%Y/%m/%d"),
        (["12/1/2010 8:26", "12/13/2010 19:05"], [T("2010-12-01 08:26"), T("2010-12-13 19:05")],
         "%-m/%-d/%Y %-H:%M"),
        (["01.12.2010 08:26:00", "13.12.2010 09:05:30"], [T("2010-12-01 08:26"), T("2010-12-13 09:05:30")],
         "%d.%m.%Y %H:%M:%S"),
        (["04-02-2011 08:00", "15-02-2011 09:00"], [T("2011-02-04 08:00"), T("2011-02-15 09:00")],
         "%d-%m-%Y %H:%M"),
        (["12/1/10 8:26 PM", "12/13/10 12:05 AM"], [T("2010-12-01 20:26"), T("2010-12-13 00:05")],
         "%-m/%-d/%y %-I:%M %p"),
    ],
)
def test_read_dates_written_forms_and_the_format_to_write_them(values, expected, fmt):
    reading = read_dates(pd.Series(values))
    assert reading.values.tolist() == expected
    assert reading.unreadable == 0 and not reading.ambiguous
    assert reading.format == fmt
    if "%p" not in fmt and "Z" not in fmt and "-0400" not in fmt:
        assert list(format_dates(reading.values.to_numpy(), fmt)) == values


def test_read_dates_month_names_and_numbers():
    reading = read_dates(pd.Series(["01-Dec-2010 08:26", "Dec 13, 2010", "40513.35", "20101201",
                                    "1291191960", 40520.0]))  # fmt: skip
    assert reading.values.tolist() == [
        T("2010-12-01 08:26"), T("2010-12-13"), T("2010-12-01 08:24"), T("2010-12-01"),
        T("2010-12-01 08:26"), T("2010-12-08"),
    ]  # fmt: skip
    assert reading.format is None


def test_read_dates_uk_export_of_days_under_13_is_day_first_and_ambiguous():
    values = pd.Series([f"0{d}/12/2010 08:00" for d in range(1, 10)])
    reading = read_dates(values)
    assert reading.order == DAY_FIRST and reading.ambiguous
    assert reading.values.min() == T("2010-12-01 08:00") and reading.values.max() == T("2010-12-09 08:00")
    assert reading.alternative == (T("2010-01-12 08:00"), T("2010-09-12 08:00"))
    forced = read_dates(values, order=MONTH_FIRST)
    assert forced.values.max() == T("2010-09-12 08:00") and not forced.ambiguous


def test_read_dates_us_export_of_days_under_13_is_month_first_and_ambiguous():
    reading = read_dates(pd.Series([f"1/{d}/2011 10:00" for d in range(1, 13)]))
    assert reading.order == MONTH_FIRST and reading.ambiguous
    assert reading.values.max() == T("2011-01-12 10:00")


def test_read_dates_same_day_and_month_is_not_ambiguous():
    reading = read_dates(pd.Series(["05/05/2011 10:00", "11/11/2011 10:00"]))
    assert not reading.ambiguous and reading.values.tolist() == [T("2011-05-05 10:00"), T("2011-11-11 10:00")]


def test_read_dates_mixed_forms_each_value_by_its_own():
    reading = read_dates(pd.Series(["2011-12-01 10:00:00", "05/12/2011", "13/12/2011"]))
    assert reading.values.tolist() == [T("2011-12-01 10:00"), T("2011-12-05"), T("2011-12-13")]
    assert reading.order == DAY_FIRST and not reading.ambiguous and reading.conflict is None


def test_read_dates_both_orders_proven_is_a_conflict():
    reading = read_dates(pd.Series(["13/12/2011", "12/13/2011", "05/06/2011"]))
    assert reading.conflict == ("13/12/2011", "12/13/2011")
    forced = read_dates(pd.Series(["13/12/2011", "12/13/2011"]), order=DAY_FIRST)
    assert forced.conflict is None and forced.unreadable == 1 and forced.first_unreadable == "12/13/2011"


def test_read_dates_unreadable_impossible_and_out_of_range():
    reading = read_dates(pd.Series(["30/02/2011", "yesterday", "2999-01-01 00:00:00", None,
                                    "2011-01-01 25:00:00", "2011-01-01 10:00:00"]))  # fmt: skip
    assert reading.values.isna().tolist() == [True, True, True, True, True, False]
    assert reading.unreadable == 4 and reading.first_unreadable == "30/02/2011"


def test_read_dates_timestamps_outside_nanoseconds_are_unreadable():
    values = pd.Series(np.array(["2010-12-01", "2999-01-01"], dtype="datetime64[s]"))
    reading = read_dates(values)
    assert reading.values.tolist()[0] == T("2010-12-01") and pd.isna(reading.values.iloc[1])
    assert reading.unreadable == 1


def test_read_dates_does_not_change_its_input_and_checks_the_order():
    values = pd.Series(["12/1/2010 8:26"], dtype="category")
    before = values.copy()
    read_dates(values)
    pd.testing.assert_series_equal(values, before)
    with pytest.raises(ParameterError, match="day-first.*got 'dmy'"):
        read_dates(values, order="dmy")


# --- read_numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "delimiter", "whole", "expected", "guessed"),
    [
        (["1,000", "6", "1,250"], ",", False, [1000, 6, 1250], True),
        (["1,000", "6", "1,250"], ";", False, [1.0, 6, 1.25], True),
        (["1,000", "6", "1,250"], ";", True, [1000, 6, 1250], True),
        (["1.250", "3"], ";", True, [1250, 3], True),
        (["2,55", "1.250", "3"], ";", False, [2.55, 1250, 3], False),
        (["2.55", "1,250.5", "3"], ",", False, [2.55, 1250.5, 3], False),
        (["1.234,5", "7"], None, False, [1234.5, 7], False),
        (["£2.55", "(2.50)", "1 250", "\u22123", "€ 4", "GBP 5"], ",", False, [2.55, -2.5, 1250, -3, 4, 5], False),
    ],
)
def test_read_numbers_separators_from_the_whole_column(values, delimiter, whole, expected, guessed):
    reading = read_numbers(pd.Series(values, dtype=object), delimiter=delimiter, whole=whole)
    assert reading.values.tolist() == pytest.approx(expected)
    assert reading.guessed is guessed and reading.unreadable == 0


def test_read_numbers_infinite_overflowing_and_words_are_unreadable():
    values = ["inf", "Infinity", "1e400", "nan", "10000000000000000000", "9223372036854775808",
              "abc", None, "1e5", "-2"]  # fmt: skip
    reading = read_numbers(pd.Series(values, dtype=object))
    assert reading.values.isna().tolist() == [True] * 8 + [False, False]
    assert reading.unreadable == 7 and reading.first_unreadable == "inf"
    typed = read_numbers(pd.Series([1.0, np.inf, 1e19, np.nan]))
    assert typed.values.isna().tolist() == [False, True, True, True] and typed.unreadable == 2


def test_read_numbers_decimal_point_and_comma_in_one_column_is_a_conflict():
    reading = read_numbers(pd.Series(["2.55", "2,55"], dtype=object), delimiter=";")
    assert reading.conflict == ("2.55", "2,55")


# --- read_ids ------------------------------------------------------------------------------


def test_read_ids_undoes_spreadsheets_and_counts_it():
    reading = read_ids(pd.Series(["17850", "1.785E+04", "\t17850", "17850.0", " 13047 ", "",
                                  None, "-5", "=1", "00123"]))  # fmt: skip
    assert reading.values.astype(object).tolist() == [
        "17850", "17850", "17850", "17850", "13047", np.nan, np.nan, "-5", "=1", "00123"
    ]  # fmt: skip
    assert (reading.scientific, reading.scientific_example) == (1, "1.785E+04")
    assert (reading.whitespace_merged, reading.whitespace_example) == (1, "\t17850")


def test_read_ids_huge_float_ids_stay_apart_and_are_counted():
    reading = read_ids(pd.Series([1e19, 2e19, 17850.0, np.nan]))
    assert reading.values.astype(object).tolist()[:3] == [
        "10000000000000000000", "20000000000000000000", "17850"
    ]  # fmt: skip
    assert reading.lossy == 2


def test_read_ids_upper_cases_stock_codes():
    assert read_ids(pd.Series(["85123a", "85123A "]), upper=True).values.nunique() == 1


def test_read_ids_words_for_no_value_are_missing():
    reading = read_ids(pd.Series(["NA", "n/a", "null", "None", "nan", "#N/A", "17850", "NAN2"]))
    assert reading.values.astype(object).tolist() == [np.nan] * 6 + ["17850", "NAN2"]


def test_read_numbers_and_dates_of_a_column_with_no_value_are_all_missing():
    empty = pd.Series([None, None], dtype=object)
    numbers = read_numbers(empty)
    assert numbers.values.isna().all() and numbers.unreadable == 0
    dates = read_dates(empty)
    assert dates.values.isna().all() and dates.unreadable == 0


def test_utf8_text_reads_a_carriage_return_alone_inside_a_line_as_a_space():
    data = (HEADER + "\n" + ROWS[0].replace("HEART, WHITE", "HEART\rWHITE") + "\r\n" + ROWS[1]
            + "\n").encode()
    body, stray = utf8_text(data, sniff_csv(data))
    assert stray == 1
    assert b"HEART WHITE" in body and body.count(b"\r\n") == 1
    cr_only = _text(newline="\r").encode()
    assert utf8_text(cr_only, sniff_csv(cr_only)) == (cr_only, 0)  # CR ends every line there
