"""Reading a CSV for an append, and writing new rows in that file's own format.

:func:`read_csv_file` keeps every field as the text the file holds (so a new line can
copy a sampled line's text exactly) and reads the key columns with the same detector as
the loader (:mod:`recsys.data.sniff`): what ``load_dataset`` reads, the append can extend,
in the file's own encoding, separator, quoting, line ends, date format (order, padding,
seconds) and id format (``"17850"`` or ``"17850.0"``).
"""

from __future__ import annotations

import errno
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from recsys.data import schema as S
from recsys.data.dataset import SourceInfo
from recsys.data.layouts import detect_layout, header_key, rename_map
from recsys.data.readers import first_line
from recsys.data.reading import typed_lines
from recsys.data.sniff import (
    AUTO,
    CsvDialect,
    encode_text,
    format_dates,
    read_dates,
    read_ids,
    render_csv,
    sniff_csv,
    utf8_body,
)
from recsys.errors import DataError, StorageError
from recsys.files import atomic_append

_CUSTOMER_COLUMNS = {header_key(c): c for c in S.CUSTOMER_COLUMNS}


@dataclass(frozen=True)
class CsvFile:
    """A CSV read as text, with how it is written and its parsed key columns.

    ``date_format`` is the ``strftime`` format of the file's dates (with its padding:
    ``"%-m/%-d/%Y %-H:%M"``) and ``date_order`` the day/month order they were read in.
    """

    path: Path
    layout: str
    dialect: CsvDialect
    header: list[str]
    column_of: dict[str, str]
    frame: pd.DataFrame
    date_format: str | None
    date_order: str = ""
    dates_asked: str = AUTO
    float_ids: bool = False
    invoice: pd.Series = field(default=None)
    when: pd.Series = field(default=None)
    customer: pd.Series = field(default=None)
    product: pd.Series = field(default=None)
    quantity: pd.Series = field(default=None)
    price: pd.Series = field(default=None)
    country: pd.Series | None = field(default=None)
    max_invoice_number: int = 0
    max_customer_number: int = 0

    def format_customer_id(self, number: str) -> str:
        """Return a new customer id written like the file's ids."""
        return f"{number}.0" if self.float_ids else number

    def encode(self, text: str) -> bytes:
        """``text`` in the file's encoding, after a line end if the file lacks its last."""
        lead = "" if self.dialect.ends_with_newline else self.dialect.newline
        return encode_text(lead + text, self.dialect)


_APPENDABLE = frozenset({"uci", "uci2", "canonical"})


def read_csv_file(path: Path, *, table: str = "transactions", dates: str = AUTO) -> CsvFile:
    """Read ``path`` as text and describe it; ``table`` is "transactions" or "customers".

    ``dates`` forces the day/month order of the dates (see
    :func:`recsys.data.sniff.read_dates`); new dates are written in the order read.

    Raises
    ------
    DataError
        When the file is empty, binary, not CSV, (for transactions) not a table of
        invoice lines in an accepted layout, or its dates cannot be written back in
        their own format.
    """
    if path.suffix.lower() == ".json":
        raise DataError(
            f"{path.name} is a mapping file: random invoices are appended to one data file in "
            "the UCI or canonical layout, not through a mapping. Append to a canonical copy "
            "(python -m recsys generate writes one), or generate a new shop."
        )
    data = path.read_bytes()
    dialect = sniff_csv(data, label=path.name)
    header = _unique(dialect.header)
    if table == "transactions":
        layout = detect_layout(dialect.header, source=path.name)
        if layout.name not in _APPENDABLE:
            raise DataError(
                f"{path.name} is a {layout.label}: random invoices are appended to files in the "
                "UCI or canonical layout only (an order export's refunds and order fields "
                "cannot be invented faithfully). Generate a new shop to try the app instead."
            )
        columns = rename_map(layout, dialect.header, source=path.name)
        column_of = {canonical: col for col, canonical in columns.items()}
        layout_name = layout.name
    else:
        column_of = {_CUSTOMER_COLUMNS[header_key(h)]: h for h in header
                     if header_key(h) in _CUSTOMER_COLUMNS}  # fmt: skip
        if S.CUSTOMER_ID not in column_of:
            raise DataError(f"{path.name} has no {S.CUSTOMER_ID} column")
        layout_name = "customers"
    frame = _read_text(utf8_body(data, dialect), header, dialect, path.name)

    if table != "transactions":
        date_format = None
        if S.SIGNUP_DATE in column_of:
            date_format = read_dates(frame[column_of[S.SIGNUP_DATE]]).format
        return CsvFile(path, layout_name, dialect, header, column_of, frame, date_format)

    canonical = {
        name: _blank_is_missing(categorical(frame[column])) for name, column in column_of.items()
    }
    source = SourceInfo(label=path.name, columns=column_of, delimiter=dialect.delimiter)
    # The loader's own reading (ids, dates, numbers, the same refusals and plausible dates),
    # so that what validate reads the append extends, and what it refuses the append refuses.
    typed = typed_lines(pd.DataFrame(canonical), dates=dates, source=source)
    if typed.date_format is None:
        raise DataError(
            f"{path.name}: the append writes new dates in the file's own format, but column "
            f"{column_of[S.INVOICE_DATE]} holds dates written as numbers or with month names "
            f"(first: {frame[column_of[S.INVOICE_DATE]].iloc[0]!r}): export the file with "
            "dates such as 2011-12-01 08:26:00 and append to that."
        )
    lines = typed.lines
    raw_customer = canonical[S.CUSTOMER_ID]
    ids = pd.Series(raw_customer.cat.categories.astype(str)).str.strip()
    ids = ids[ids != ""]
    float_ids = bool(len(ids)) and bool(ids.str.fullmatch(r"\d+\.0").mean() > 0.5)
    invoice = lines[S.INVOICE_ID]
    customer = lines[S.CUSTOMER_ID]
    return CsvFile(
        path, layout_name, dialect, header, column_of, frame, typed.date_format, typed.date_order,
        dates, float_ids,
        invoice=invoice, when=lines[S.INVOICE_DATE], customer=customer,
        product=lines[S.PRODUCT_ID], quantity=lines[S.QUANTITY], price=lines[S.UNIT_PRICE],
        country=lines[S.COUNTRY] if S.COUNTRY in lines.columns else None,
        max_invoice_number=max_id_number(invoice.cat.categories),
        max_customer_number=max_id_number(customer.cat.categories),
    )  # fmt: skip


def _blank_is_missing(values: pd.Series) -> pd.Series:
    """Empty text as missing, as the loader reads an empty field."""
    if "" in values.cat.categories:
        return values.cat.remove_categories([""])
    return values


def _unique(names) -> list[str]:
    """Column names with repeats told apart (``Notes``, ``Notes (2)``); the layout's
    columns are never repeated (the layout check refuses that)."""
    out: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate in out:
            n += 1
            candidate = f"{name} ({n})"
        out.append(candidate)
    return out


def writable_target(path: Path) -> Path:
    """Return the real file ``path`` names (symbolic links followed), checked writable.

    Raises
    ------
    StorageError
        When the file has no write permission (for its owner and everyone), the user may
        not write it, or its folder cannot hold the temporary copy.
    """
    real = Path(os.path.realpath(path))
    mode = real.stat().st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(real, os.W_OK):
        raise StorageError(
            f"{path.name} is read-only, so nothing was appended: make it writable "
            f"(chmod u+w {path}) if it is meant to grow, or append to a copy."
        )
    if not os.access(real.parent, os.W_OK | os.X_OK):
        raise StorageError(
            f"the folder of {path.name} ({real.parent}) does not let this user create the "
            "temporary copy an atomic append needs: append to a copy in a writable folder."
        )
    return real


def append_bytes(path: Path, data: bytes) -> None:
    """:func:`recsys.files.atomic_append`, with a full disk said in words.

    Raises
    ------
    StorageError
        When the disk (or the user's quota) is full; names the file and the room needed.
    """
    try:
        atomic_append(path, data)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        need = path.stat().st_size + len(data)
        raise StorageError(
            f"no space left on the disk of {path.parent} to write the new copy of "
            f"{path.name} ({need / 2**20:,.1f} MB): free some space and try again; "
            f"{path.name} is unchanged."
        ) from exc


def categorical(values: pd.Series) -> pd.Series:
    """Return text ``values`` as a categorical of str (cheap string work on distinct values)."""
    codes, uniques = pd.factorize(values)
    cats = pd.Index(np.asarray(uniques, dtype=object).astype(str), dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats), index=values.index)


def _read_text(body: bytes, header: list[str], dialect: CsvDialect, label: str) -> pd.DataFrame:
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(body),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        raise DataError(
            f"{label} could not be read as a CSV table: {first_line(exc)}. Check that every "
            "line has the same number of columns as the header."
        ) from exc
    if table.num_rows == 0:
        raise DataError(
            f"{label} has a header but no lines, so there is nothing to learn from: append to "
            "a file with invoice lines, or generate a shop (python -m recsys generate)"
        )
    return table.rename_columns(header).to_pandas(types_mapper=pd.ArrowDtype)


def normalise_ids(values: pd.Series) -> pd.Series:
    """Return ids as a categorical of text, read as the loader reads them
    (:func:`recsys.data.sniff.read_ids`)."""
    return read_ids(values).values


def max_id_number(values: pd.Index) -> int:
    """The largest number inside the ids (``"C536379"`` counts as 536379); 0 if none."""
    text = pd.Series(np.asarray(values, dtype=object)).astype(str)
    plain = pd.to_numeric(text, errors="coerce")
    plain = plain[plain.abs() < 2**62]
    best = int(plain.max()) if plain.notna().any() else 0
    rest = text[pd.to_numeric(text, errors="coerce").isna()]
    digits = rest.str.extract(r"(\d{1,18})", expand=False).dropna()
    return max(best, int(digits.astype("int64").max()) if len(digits) else 0)


def render_rows(f: CsvFile, rows: dict) -> str:
    """Return the CSV text of new lines: sampled rows' text with new invoice fields."""
    src = rows["src"]
    columns = {h: f.frame[h].iloc[src].to_numpy(dtype=object, na_value="") for h in f.header}
    columns[f.column_of[S.INVOICE_ID]] = rows["invoice"]
    columns[f.column_of[S.INVOICE_DATE]] = rows["date"]
    columns[f.column_of[S.CUSTOMER_ID]] = np.where(
        pd.isna(rows["customer"]), "", rows["customer"]
    ).astype(object)
    if S.COUNTRY in f.column_of:
        country = rows["country"]
        columns[f.column_of[S.COUNTRY]] = np.where(pd.isna(country), "", country).astype(object)
    return render_csv(zip(*[columns[h] for h in f.header], strict=True), f.dialect)


__all__ = [
    "CsvFile",
    "append_bytes",
    "writable_target",
    "categorical",
    "format_dates",
    "max_id_number",
    "normalise_ids",
    "read_csv_file",
    "render_rows",
]
