"""The bad-input corpus: odd and hostile shop exports, generated (never committed as files).

Each :class:`Case` writes one file (or folder) from a base shop whose every line is known
here, in plain Python, independently of ``recsys``, and says what must happen:

- :class:`Read`: the file is read right. The expected figures (lines kept, customers,
  revenue, invoices, units, first and last date) are computed from the intended lines in
  this module; notes that must be named are listed;
- :class:`Refused`: every command exits 2 with one line naming the file, the column and
  the first bad value (where there is one) and what to do.

``tests/test_bad_inputs.py`` runs every case through every command and the upload path.
To write the corpus to a folder (to try it by hand, or against another build)::

    python -m tests.bad_inputs OUT_DIR
"""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

UCI = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
       "CustomerID", "Country"]  # fmt: skip
UCI2 = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID",
        "Country"]  # fmt: skip
CANONICAL = ["invoice_id", "invoice_date", "customer_id", "product_id", "description", "quantity",
             "unit_price", "country"]  # fmt: skip
FIELDS = ("invoice", "product", "description", "quantity", "when", "price", "customer", "country")
US = "%-m/%-d/%Y %-H:%M"
"""The published UCI CSV's dates: month first, no zero padding (``12/1/2010 8:26``)."""


@dataclass(frozen=True)
class Line:
    """One intended invoice line (what the export means, before any mangling)."""

    invoice: str
    product: str
    description: str
    quantity: int
    when: datetime
    price: float
    customer: str | None
    country: str


@dataclass(frozen=True)
class Read:
    """The file must be read right: these lines kept (after the lines named in
    ``dropped``, which must be left out with a note), these notes named."""

    lines: tuple[Line, ...]
    notes: tuple[str, ...] = ()
    dates: str = "auto"
    appendable: bool = True
    uploadable: bool = True

    @property
    def kept(self) -> int:
        return len(self.lines)

    @property
    def customers(self) -> set[str]:
        return {line.customer for line in self.lines if line.customer is not None}

    @property
    def revenue(self) -> float:
        return sum(line.quantity * line.price for line in self.lines)

    @property
    def invoices(self) -> int:
        return len({line.invoice for line in self.lines})

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def date_range(self) -> str:
        days = [line.when for line in self.lines]
        return f"{min(days):%Y-%m-%d} to {max(days):%Y-%m-%d}"


@dataclass(frozen=True)
class Refused:
    """Every command must refuse the file: exit 2, one line naming the file, ``column``
    and ``value`` (when given) and saying what to do (``advice``, a phrase of it)."""

    advice: str
    column: str | None = None
    value: str | None = None
    uploadable: bool = True


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]
    expect: Read | Refused
    why: str = ""
    max_rows: int | None = None
    """The line limit to read the case with (``RECSYS_MAX_ROWS``); None: the default."""


BOMB_ROWS = 1_000_000
"""The line limit the decompression-bomb case is read with (it holds one line more)."""


# --- the base shop ---------------------------------------------------------------------------


def base_lines(*, start: datetime = datetime(2010, 12, 1, 8, 0), days: int = 120) -> tuple[Line, ...]:
    """About 700 lines: 48 customers, 30 products, guests, December to March, in date order."""
    rng = np.random.default_rng(20240601)
    products = [(f"2{i:04d}", f"ITEM {i} {'RED' if i % 2 else 'BLUE'} MUG", round(0.45 + (i * 37 % 90) / 10, 2))
                for i in range(30)]  # fmt: skip
    invoices = []
    for c in range(58):
        customer = str(12346 + 7 * c) if c < 48 else None
        for _ in range(3 + c % 6):
            offset = timedelta(days=int(rng.integers(0, days)), hours=int(rng.integers(0, 10)),
                               minutes=int(rng.integers(0, 60)))  # fmt: skip
            picks = rng.choice(len(products), size=1 + int(rng.integers(0, 3)), replace=False)
            quantities = rng.integers(1, 13, size=len(picks))
            invoices.append((start + offset, customer, c, picks, quantities))
    invoices.sort(key=lambda inv: (inv[0], inv[2]))
    lines = []
    for n, (when, customer, c, picks, quantities) in enumerate(invoices):
        for p, q in zip(picks, quantities, strict=True):
            pid, description, price = products[p]
            country = "France" if c % 5 == 0 else "United Kingdom"
            lines.append(Line(str(540001 + n), pid, description, int(q), when, price, customer, country))
    return tuple(lines)


BASE = base_lines()


# --- writers (plain Python: no recsys) ------------------------------------------------------


def _price_text(price: float, decimal: str) -> str:
    text = f"{price:.2f}"
    return text.replace(".", ",") if decimal == "," else text


def rows(lines, *, date_fmt: str = US, decimal: str = ".", id_text=None, header=UCI,
         overrides: dict[int, dict[str, str]] | None = None) -> list[list[str]]:
    """The text rows of ``lines`` (header first); ``overrides[i][field]`` replaces a field."""
    out = [list(header)]
    for i, line in enumerate(lines):
        values = {
            "invoice": line.invoice,
            "product": line.product,
            "description": line.description,
            "quantity": str(line.quantity),
            "when": line.when.strftime(date_fmt),
            "price": _price_text(line.price, decimal),
            "customer": "" if line.customer is None else (id_text or str)(line.customer),
            "country": line.country,
        }
        values.update((overrides or {}).get(i, {}))
        if header is CANONICAL:
            order = ("invoice", "when", "customer", "product", "description", "quantity", "price",
                     "country")  # fmt: skip
        else:
            order = FIELDS
        out.append([values[f] for f in order])
    return out


def csv_bytes(table: list[list[str]], *, delimiter: str = ",", newline: str = "\n",
              encoding: str = "utf-8", quote_all: bool = False, bom: bool = False) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline,
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)  # fmt: skip
    writer.writerows(table)
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def frame(lines, *, header=UCI) -> pd.DataFrame:
    table = rows(lines, header=header)
    out = pd.DataFrame(table[1:], columns=table[0])
    out[header[3]] = out[header[3]].astype("int64")
    out[header[5]] = out[header[5]].astype("float64")
    return out


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def _with(lines, index: int, **changes) -> tuple[Line, ...]:
    out = list(lines)
    out[index] = replace(out[index], **changes)
    return tuple(out)


def _without(lines, indices) -> tuple[Line, ...]:
    drop = set(indices)
    return tuple(line for i, line in enumerate(lines) if i not in drop)


# --- cases -------------------------------------------------------------------------------------


def _readable_text_cases() -> list[Case]:
    cases = [
        Case("clean_uci", _write("clean_uci.csv", csv_bytes(rows(BASE))), Read(BASE),
             "the published layout: month-first unpadded dates"),
        Case("latin1", _write("latin1.csv", csv_bytes(rows(_with(BASE, 3, description="CAFÉ £ MUG")),
                                                      encoding="latin-1")),
             Read(_with(BASE, 3, description="CAFÉ £ MUG"))),
        Case("cp1252_euro", _write("cp1252_euro.csv", csv_bytes(rows(_with(BASE, 4, description="MUG €")),
                                                                encoding="cp1252")),
             Read(_with(BASE, 4, description="MUG €"))),
        Case("utf8_bom_crlf", _write("utf8_bom_crlf.csv", csv_bytes(rows(BASE), newline="\r\n", bom=True)),
             Read(BASE)),
        Case("utf16_tabs", _write("utf16_tabs.csv", b"\xff\xfe" + csv_bytes(
            rows(BASE, date_fmt="%d/%m/%Y %H:%M"), delimiter="\t", newline="\r\n", encoding="utf-16-le")),
             Read(BASE), "Excel's 'Unicode text': UTF-16 with BOM, tabs, day-first"),
        Case("utf16_no_bom", _write("utf16_no_bom.csv", csv_bytes(rows(BASE), encoding="utf-16-le")),
             Read(BASE)),
        Case("european", _write("european.csv", csv_bytes(
            rows(BASE, date_fmt="%d.%m.%Y %H:%M", decimal=","), delimiter=";", encoding="cp1252")),
             Read(BASE), "semicolons, decimal commas, dotted day-first dates"),
        Case("old_mac_cr", _write("old_mac_cr.csv", csv_bytes(rows(BASE), newline="\r")), Read(BASE),
             "CR-only line ends"),
        Case("quote_all", _write("quote_all.csv", csv_bytes(rows(BASE, date_fmt="%Y-%m-%d %H:%M:%S"),
                                                            quote_all=True)), Read(BASE)),
        Case("day_first_dashes_crlf", _write("day_first_dashes_crlf.csv", csv_bytes(
            rows(BASE, date_fmt="%d-%m-%Y %H:%M"), newline="\r\n")), Read(BASE),
             "issue 8: 04-02-2011 08:00 loads and appends"),
        Case("iso_t_z", _write("iso_t_z.csv", csv_bytes(rows(BASE, date_fmt="%Y-%m-%dT%H:%M:%SZ"))),
             Read(BASE)),
        Case("us_am_pm", _write("us_am_pm.csv", csv_bytes(rows(BASE, date_fmt="%m/%d/%Y %I:%M %p"))),
             Read(BASE)),
        Case("float_ids", _write("float_ids.csv", csv_bytes(rows(BASE, id_text=lambda c: c + ".0"))),
             Read(BASE)),
        Case("padded_fields", _write("padded_fields.csv", csv_bytes(
            [[f" {v} " for v in r] for r in rows(BASE)])), Read(BASE),
             "spaces around every field, header included"),
    ]
    # Thousands separators in a comma file (quoted by the writer): "1,000" units, "1,250.00" price.
    big = _with(_with(BASE, 10, quantity=1000), 11, price=1250.0)
    cases.append(Case("thousands_separators", _write("thousands_separators.csv", csv_bytes(rows(
        big, overrides={10: {"quantity": "1,000"}, 11: {"price": "1,250.00"}})
    )), Read(big, notes=("UnitPrice: ',' groups thousands",)), "issue 9.3"))
    # A price column of whole pounds with thousands separators only: guessed by the separator.
    guess = tuple(replace(line, price=float(1000 + i)) for i, line in enumerate(BASE))
    cases.append(Case("thousands_guessed", _write("thousands_guessed.csv", csv_bytes(rows(
        guess, overrides={i: {"price": f"{1000 + i:,}"} for i in range(len(guess))})
    )), Read(guess, notes=("nothing shows whether ',' marks decimals or groups thousands",))))
    euro = _with(BASE, 12, price=1250.5)
    cases.append(Case("currency_and_spaces", _write("currency_and_spaces.csv", csv_bytes(rows(
        euro, decimal=",", date_fmt="%d/%m/%Y %H:%M",
        overrides={12: {"price": "1\u00a0250,50 €"}, 13: {"price": f"£{_price_text(BASE[13].price, ',')}"}},
    ), delimiter=";")), Read(euro)))
    # Issue 9.2: one column mixing ISO and day-first dates, read value by value.
    mixed = {i: {"when": BASE[i].when.strftime("%Y-%m-%d %H:%M:%S")} for i in range(0, len(BASE), 3)}
    cases.append(Case("mixed_date_forms", _write("mixed_date_forms.csv", csv_bytes(rows(
        BASE, date_fmt="%d/%m/%Y %H:%M", overrides=mixed))), Read(BASE), "issue 9.2"))
    # Issue 8 item 3: a UK export of 1-9 December, every day <= 12.
    uk = tuple(line for line in BASE if line.when < datetime(2010, 12, 10))
    cases.append(Case("uk_first_nine_days", _write("uk_first_nine_days.csv", csv_bytes(rows(
        uk, date_fmt="%d/%m/%Y %H:%M"))), Read(uk, notes=("no date shows whether the day or the month",))))
    cases.append(Case("uk_forced_month_first", _write("uk_forced_month_first.csv", csv_bytes(rows(
        uk, date_fmt="%m/%d/%Y %H:%M"))), Read(uk, dates="month-first")))
    # Issue 9.5: ids a spreadsheet wrote in scientific notation, and with stray whitespace.
    sci = {i: {"customer": "1.2346E+04"} for i, line in enumerate(BASE) if line.customer == "12346"}
    cases.append(Case("scientific_ids", _write("scientific_ids.csv", csv_bytes(rows(BASE, overrides={
        k: v for k, v in list(sci.items())[::2]}))), Read(BASE, notes=("scientific notation",))))
    spaced = {i: {"customer": "\t" + line.customer} for i, line in enumerate(BASE)
              if line.customer == "12353"}  # fmt: skip
    spaced.update({i: {"customer": " 12360 \r"} for i, line in enumerate(BASE) if line.customer == "12360"})
    first = next(iter(spaced))
    cases.append(Case("whitespace_ids", _write("whitespace_ids.csv", csv_bytes(rows(BASE, overrides={
        k: v for k, v in spaced.items() if k != first}))), Read(BASE, notes=("spaces, tabs", "carriage returns alone inside lines"))))
    # Issue 9.4 and 9.1: infinite prices and overflowing quantities leave their lines out, named.
    bad_price = {20: {"price": "inf"}, 21: {"price": "Infinity"}, 22: {"price": "1e400"}}
    cases.append(Case("infinite_prices", _write("infinite_prices.csv", csv_bytes(rows(
        BASE, overrides=bad_price))), Read(_without(BASE, bad_price), notes=(
            "UnitPrice: left out 3 lines whose price could not be read (first: 'inf'",)), "issue 9.4"))
    overflow = {30: {"quantity": "10000000000000000000"}, 31: {"quantity": "9223372036854775808"},
                32: {"quantity": "1e19"}}  # fmt: skip
    cases.append(Case("overflow_quantities", _write("overflow_quantities.csv", csv_bytes(rows(
        BASE, overrides=overflow))), Read(_without(BASE, overflow), notes=(
            "Quantity: left out 3 lines whose quantity could not be read",)), "issue 9.1"))
    far = {40: {"when": "1/1/2999 10:00"}, 41: {"when": "1/1/1900 10:00"}, 42: {"when": "6/1/2099 10:00"}}
    cases.append(Case("far_dates", _write("far_dates.csv", csv_bytes(rows(BASE, overrides=far))),
                      Read(_without(BASE, far), notes=("whose date could not be read (first: '1/1/2999",
                                                       "whose date lies far from the others")),
                      "issue 9.8: 2999 unreadable, 1900 and 2099 named"))  # fmt: skip
    impossible = {50: {"when": "2/30/2011 10:00"}, 51: {"when": "13/45/2011 10:00"}}
    cases.append(Case("impossible_dates", _write("impossible_dates.csv", csv_bytes(rows(
        BASE, overrides=impossible))), Read(_without(BASE, impossible), notes=("2/30/2011",))))
    fractional = {60: {"quantity": "1.5"}}
    cases.append(Case("fractional_quantity", _write("fractional_quantity.csv", csv_bytes(rows(
        BASE, overrides=fractional))), Read(_without(BASE, fractional), notes=("not a whole number",))))
    blanks = csv_bytes(rows(BASE)).replace(b"\n", b"\n\n", 5)
    cases.append(Case("blank_lines", _write("blank_lines.csv", b"\n\n" + blanks), Read(BASE)))
    shuffled = [[r[i] for i in (7, 6, 5, 4, 3, 2, 1, 0)] + ["x"] for r in rows(BASE)]
    shuffled[0] = [" country", "customer id ", "UNITPRICE", "Invoice Date", "quantity", "DESCRIPTION",
                   "stock code", "invoiceno", "Notes"]  # fmt: skip
    cases.append(Case("shuffled_header", _write("shuffled_header.csv", csv_bytes(shuffled)), Read(BASE)))
    cases.append(Case("online_retail_ii", _write("online_retail_ii.csv", csv_bytes(rows(
        BASE, header=UCI2, date_fmt="%Y-%m-%d %H:%M:%S"))), Read(BASE)))
    cases.append(Case("canonical_one_file", _write("canonical_one_file.csv", csv_bytes(rows(
        BASE, header=CANONICAL, date_fmt="%Y-%m-%d %H:%M:%S"))), Read(BASE)))
    multiline = _with(BASE, 5, description='MUG, "LARGE"\nWITH HANDLE')
    cases.append(Case("newlines_in_text", _write("newlines_in_text.csv", csv_bytes(rows(multiline))),
                      Read(multiline)))
    serial = {i: {"when": f"{(line.when - datetime(1899, 12, 30)).total_seconds() / 86400:.6f}"}
              for i, line in enumerate(BASE)}  # fmt: skip
    cases.append(Case("excel_day_numbers", _write("excel_day_numbers.csv", csv_bytes(rows(
        BASE, overrides=serial))), Read(BASE, notes=("Excel day numbers",), appendable=False)))
    hostile = _with(_with(BASE, 0, customer="-5", description="=cmd|' /C calc'!A0"), 1, customer="=1+2")
    cases.append(Case("formula_text", _write("formula_text.csv", csv_bytes(rows(hostile))), Read(hostile),
                      "ids -5 and =1+2, a formula description: exported safely"))
    # Excel saves a sheet with formatted empty columns to the right: ",," and no header name.
    cases.append(Case("trailing_empty_columns", _write("trailing_empty_columns.csv", csv_bytes(
        [r + ["", ""] for r in rows(BASE)])), Read(BASE)))
    # Lines the cleaning rules leave out: zero and negative quantities and prices, an exact
    # repeat of a line, postage (not a product).
    ruled = {70: {"quantity": "0"}, 71: {"price": "-1.00"}, 72: {"price": "0.00"},
             73: {"product": "POST", "description": "POSTAGE"}}  # fmt: skip
    repeated = rows(BASE, overrides=ruled)
    repeated.insert(80, repeated[79])
    cases.append(Case("rules_leave_out", _write("rules_leave_out.csv", csv_bytes(repeated)),
                      Read(_without(BASE, ruled))))
    return cases


def _refused_text_cases() -> list[Case]:
    dup = rows(BASE)
    dup = [r + [r[3]] for r in dup]
    cases = [
        Case("duplicate_quantity_header", _write("duplicate_quantity_header.csv", csv_bytes(dup)),
             Refused("delete or rename one", column="Quantity"), "issue 9.7"),
    ]
    conflict = {0: {"when": "13/12/2010 08:00"}, 1: {"when": "12/13/2010 08:00"}}
    cases.append(Case("day_and_month_first", _write("day_and_month_first.csv", csv_bytes(rows(
        BASE, overrides=conflict))), Refused("Export the dates in one format", column="InvoiceDate",
                                             value="12/13/2010 08:00")))
    na = {i: {"price": "n/a"} for i in range(len(BASE))}
    cases.append(Case("unreadable_prices", _write("unreadable_prices.csv", csv_bytes(rows(
        BASE, overrides=na))), Refused("Write prices as plain numbers", column="UnitPrice", value="n/a")))
    words = {i: {"when": "yesterday"} for i in range(len(BASE))}
    cases.append(Case("unreadable_dates", _write("unreadable_dates.csv", csv_bytes(rows(
        BASE, overrides=words))), Refused("Write dates as", column="InvoiceDate", value="yesterday")))
    both = {0: {"price": "2,55"}}
    cases.append(Case("decimal_point_and_comma", _write("decimal_point_and_comma.csv", csv_bytes(rows(
        BASE, overrides=both), delimiter=";")), Refused("one decimal separator", column="UnitPrice",
                                                        value="2,55")))
    broken = csv_bytes(rows(BASE)).decode().splitlines()
    broken[8] = broken[8].replace("MUG", "MUG, LARGE", 1)
    cases.append(Case("unquoted_comma", _write("unquoted_comma.csv", ("\n".join(broken) + "\n").encode()),
                      Refused("must be quoted", column="line 9")))
    cases += [
        Case("binary_as_csv", _write("binary_as_csv.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
             Refused("export the data as CSV")),
        Case("empty", _write("empty.csv", b""), Refused("choose a file that has a header")),
        Case("header_only", _write("header_only.csv", (",".join(UCI) + "\r\n").encode()),
             Refused("export the file again with its lines")),
        Case("not_invoice_lines", _write("not_invoice_lines.csv", b"name,age\nann,31\n"),
             Refused("Export the invoice lines with the column names of one layout")),
        Case("missing_quantity", _write("missing_quantity.csv", csv_bytes(
            [r[:3] + r[4:] for r in rows(BASE)])), Refused("Add them, or rename", column="Quantity")),
        Case("only_cancellations", _write("only_cancellations.csv", csv_bytes(rows(
            BASE[:20], overrides={i: {"invoice": "C" + BASE[i].invoice} for i in range(20)}))),
             Refused("holds sales")),
    ]
    return cases


def _binary_cases() -> list[Case]:
    def parquet(name, table_or_frame):
        def build(folder: Path) -> Path:
            path = folder / name
            if isinstance(table_or_frame, pd.DataFrame):
                table_or_frame.to_parquet(path, index=False)
            else:
                import pyarrow.parquet as pq

                pq.write_table(table_or_frame, path)
            return path

        return build

    plain = frame(BASE)
    plain["InvoiceDate"] = [line.when.strftime("%Y-%m-%d %H:%M:%S") for line in BASE]
    plain["CustomerID"] = [float(c) if c else np.nan for c in plain["CustomerID"]]
    cases = [Case("parquet_float_ids", parquet("parquet_float_ids.parquet", plain), Read(BASE, appendable=False))]

    import pyarrow as pa

    stamps = [line.when for line in BASE]
    stamped = frame(BASE).drop(columns=["InvoiceDate"])
    table = pa.Table.from_pandas(stamped, preserve_index=False).append_column(
        "InvoiceDate", pa.array([*stamps[:-1], datetime(2999, 1, 1)], type=pa.timestamp("us")))
    cases.append(Case("parquet_year_2999", parquet("parquet_year_2999.parquet", table),
                      Read(BASE[:-1], notes=("2999-01-01",), appendable=False), "issue 9.8"))
    huge = plain.copy()
    ids = {c: 9.3e18 + 2**11 * i for i, c in enumerate(sorted({line.customer for line in BASE if line.customer}))}
    huge["CustomerID"] = [ids.get(line.customer, np.nan) for line in BASE]
    huge_lines = tuple(replace(line, customer=None if line.customer is None else str(int(ids[line.customer])))
                       for line in BASE)  # fmt: skip
    cases.append(Case("parquet_huge_float_ids", parquet("parquet_huge_float_ids.parquet", huge),
                      Read(huge_lines, notes=("may have lost their last digits",), appendable=False),
                      "issue 9.5: ids >= 9.2e18 stay apart"))

    def xlsx(folder: Path, name: str = "workbook.xlsx") -> Path:
        path = folder / name
        out = frame(BASE)
        out["InvoiceDate"] = [line.when for line in BASE]
        out["CustomerID"] = [float(c) if c else None for c in out["CustomerID"]]
        out.to_excel(path, index=False)
        return path

    cases.append(Case("excel_workbook", xlsx, Read(BASE, appendable=False)))

    def xlsx_bomb(folder: Path) -> Path:
        """A small workbook whose sheet declares 30 million lines (a zip bomb's header)."""
        small = xlsx(folder, "xlsx_bomb_small.xlsx")
        path = folder / "xlsx_bomb.xlsx"
        with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename.startswith("xl/worksheets/"):
                    data = data.replace(b'<dimension ref="A1:H', b'<dimension ref="A1:H30000000" x="', 1)
                dst.writestr(info, data)
        small.unlink()
        return path

    cases.append(Case("xlsx_bomb", xlsx_bomb, Refused("raise the limit with --max-rows"), "issue 9.9"))

    def parquet_bomb(folder: Path) -> Path:
        """BOMB_ROWS + 1 repeated lines in a few hundred KB: refused before they are read
        (the tests lower the line limit to BOMB_ROWS, so the file is quick to write; the
        issue's 30 million lines in 3.2 MB are refused by the same footer check)."""
        import pyarrow.parquet as pq

        path = folder / "parquet_bomb.parquet"
        one = pa.Table.from_pandas(plain.iloc[:1], preserve_index=False)
        zeros = pa.array(np.zeros(BOMB_ROWS // 4, dtype=np.int8))
        chunk = pa.Table.from_arrays(
            [pa.DictionaryArray.from_arrays(zeros, c.combine_chunks()) for c in one.columns],
            names=one.column_names)  # fmt: skip
        with pq.ParquetWriter(path, chunk.schema, compression="zstd") as writer:
            for _ in range(4):
                writer.write_table(chunk)
            writer.write_table(chunk.slice(0, 1))
        return path

    cases.append(Case("parquet_bomb", parquet_bomb, Refused("raise the limit with --max-rows"), "issue 9.9",
                      max_rows=BOMB_ROWS))
    return cases


def _folder_cases() -> list[Case]:
    def folder(name, *, products=None, customers=None):
        def build(root: Path) -> Path:
            shop = root / name
            shop.mkdir()
            table = rows(BASE, header=CANONICAL, date_fmt="%Y-%m-%d %H:%M:%S")
            (shop / "transactions.csv").write_bytes(csv_bytes(table))
            if products is not None:
                (shop / "products.csv").write_bytes(csv_bytes(products))
            if customers is not None:
                (shop / "customers.csv").write_bytes(csv_bytes(customers))
            return shop

        return build

    own_products = sorted({(line.product, line.description) for line in BASE})
    catalogue = [["product_id", "description", "category"]] + [[p, d, "Kitchen"] for p, d in own_products]
    people = [["customer_id", "country", "age"]] + [[c, "France", "40"] for c in sorted(
        {line.customer for line in BASE if line.customer})]  # fmt: skip
    foreign = [["product_id", "description", "category"]] + [[f"X{i}", f"SHOE {i}", "Shoes"] for i in range(40)]
    strangers = [["customer_id", "country"]] + [[f"C{i}", "Spain"] for i in range(40)]
    return [
        Case("three_files", folder("three_files", products=catalogue, customers=people),
             Read(BASE, uploadable=False)),
        Case("catalogue_of_another_shop", folder("catalogue_of_another_shop", products=foreign),
             Refused("come from the same shop", column="products.csv", value="X0", uploadable=False),
             "issue 9.7"),
        Case("customers_of_another_shop", folder("customers_of_another_shop", customers=strangers),
             Refused("come from the same shop", column="customers.csv", value="C0", uploadable=False)),
    ]


CASES: tuple[Case, ...] = tuple(
    _readable_text_cases() + _refused_text_cases() + _binary_cases() + _folder_cases()
)


def write_corpus(folder: Path) -> dict[str, Path]:
    """Write every case into ``folder`` (created); return ``{case name: path}``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {case.name: case.build(folder) for case in CASES}


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bad-inputs")
    paths = write_corpus(out)
    summary = {name: {"path": str(p), "expect": type(c.expect).__name__, "why": c.why}
               for (name, p), c in zip(paths.items(), CASES, strict=True)}  # fmt: skip
    print(json.dumps(summary, indent=1))
