"""Read the files of a mapping and turn their columns into canonical raw tables.

:func:`read_columns` reads any CSV / Excel / Parquet file (through the readers and the
one format detector, :mod:`recsys.data.sniff`) keeping the columns asked for, by the
file's own names. :func:`check_content` refuses a mapping whose columns cannot hold
their fields (text mapped to a quantity, an id column of numbers with decimals, dates
that do not read), naming the column and the first bad value. :func:`mapped_frame`
renames and converts: a ``line_total`` becomes a unit price (divided by the quantity),
customer columns the mapping does not name are kept as attributes. :func:`read_mapped`
does all of it for a :class:`~recsys.data.mapping.spec.MappingSpec`; cleaning
(:func:`recsys.data.cleaning.clean`) follows, as for every layout.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recsys.data import readers
from recsys.data import schema as S
from recsys.data.bands import attribute_values
from recsys.data.dataset import SourceInfo
from recsys.data.layouts import Layout, header_key
from recsys.data.mapping.fields import (
    ATTRIBUTE,
    CUSTOMERS,
    DATE,
    ID,
    LINE_TOTAL,
    MONEY,
    NUMBER,
    PRODUCTS,
    REVIEWS,
    TRANSACTIONS,
    WHOLE,
    field,
    name_key,
)
from recsys.data.mapping.spec import MappingSpec
from recsys.data.sniff import read_dates, read_numbers, sniff_csv
from recsys.errors import DataError

_CSV = (".csv", ".txt", ".tsv")
_EXCEL = (".xlsx", ".xlsm")
_PARQUET = (".parquet", ".pq")
_OFFSET = re.compile(r"(?:[+-]\d\d:?\d\d|Z|UTC|GMT)$")
_SAMPLE = 5_000


@dataclass(frozen=True)
class MappedTables:
    """The tables of a mapping, canonical names, values as read (before cleaning).

    Attributes
    ----------
    raw : DataFrame
        Invoice lines: ``invoice_id``, ``invoice_date``, ``customer_id``, ``product_id``,
        ``quantity``, ``unit_price`` and where mapped ``description``, ``country``,
        ``category``.
    products, customers, reviews : DataFrame or None
        The mapped side tables (customers keep every other column as an attribute).
    source : SourceInfo
        The transactions file: name, ``{field: its column}``, separator.
    notes : tuple of str
        What reading chose (time zones, line totals divided by quantities), for the
        cleaning report.
    review_source : SourceInfo or None
        The reviews file's name and columns, for messages.
    """

    raw: pd.DataFrame
    products: pd.DataFrame | None
    customers: pd.DataFrame | None
    reviews: pd.DataFrame | None
    source: SourceInfo
    notes: tuple[str, ...] = ()
    review_source: SourceInfo | None = None


def file_kind(data: Path | bytes, label: str) -> str:
    """``"csv"``, ``"excel"`` or ``"parquet"`` from the first bytes, else the name."""
    suffix = readers.sniff(data) or Path(label).suffix.lower()
    if suffix in _EXCEL or suffix in (".xls", ".ods"):
        return "excel"
    if suffix in _PARQUET:
        return "parquet"
    if suffix in _CSV or suffix == "":
        return "csv"
    raise DataError(
        f"{label} has an unknown file type {suffix!r}: use a CSV (.csv), Excel (.xlsx) or "
        "Parquet (.parquet) file."
    )


def file_header(data: Path | bytes, *, label: str) -> list[str]:
    """The column names of a file, as written (the first sheet of a workbook)."""
    kind = file_kind(data, label)
    if kind == "csv":
        raw = data.read_bytes() if isinstance(data, Path) else data
        return [str(c) for c in sniff_csv(raw, label=label).header]
    handle = data if isinstance(data, Path) else io.BytesIO(data)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.ParquetFile(handle).schema_arrow.names)
        except Exception as exc:  # pyarrow raises several types for a foreign file
            raise DataError(f"{label} could not be read as a Parquet file ({readers.first_line(exc)}).") from exc
    try:
        head = pd.read_excel(handle, sheet_name=0, nrows=0, engine=readers.excel_engine())
    except Exception as exc:  # openpyxl and calamine raise many types
        raise DataError(
            f"{label} could not be read as an Excel workbook ({readers.first_line(exc)}): save it "
            "again as .xlsx or export it as CSV."
        ) from exc
    return [str(c) for c in head.columns]


def read_columns(
    data: Path | bytes,
    *,
    label: str,
    columns: Sequence[str] | None = None,
    max_rows: int | None = None,
) -> tuple[pd.DataFrame, SourceInfo]:
    """Read ``columns`` (default: every named column) of a CSV, Excel or Parquet file.

    Returns the frame, its columns named as in ``columns`` (matched to the file's header
    ignoring case, spaces and underscores) with values as read (CSV: text), and the
    source (name, separator).

    Raises
    ------
    DataError
        When the file cannot be read, has no data, or lacks one of ``columns`` (the
        message lists the file's columns).
    """
    header = file_header(data, label=label)
    wanted = list(dict.fromkeys(columns if columns is not None else [h for h in header if h.strip()]))
    keys = {header_key(h) for h in header}
    missing = [c for c in wanted if header_key(c) not in keys]
    if missing:
        shown = ", ".join(header[:40]) + (", …" if len(header) > 40 else "")
        raise DataError(
            f"{label} has no column {missing[0]!r}; its columns are {shown}. Choose one of "
            "them in the mapping."
        )
    layout = Layout(name="mapping", label=label, columns=tuple((c, c) for c in wanted), optional=frozenset())
    kind = file_kind(data, label)
    if kind == "csv":
        raw = data.read_bytes() if isinstance(data, Path) else data
        frame, _, info = readers.read_csv(raw, label=label, layout=layout, max_rows=max_rows)
    elif kind == "excel":
        frame, _, info = readers.read_excel(data, label=label, max_rows=max_rows, layout=layout)
    else:
        frame, _, info = readers.read_parquet(data, label=label, max_rows=max_rows, layout=layout)
    return frame, info


# --- checks --------------------------------------------------------------------------


_WHAT = {
    S.QUANTITY: "how many units each line sold (whole numbers)",
    S.UNIT_PRICE: "the price of one unit",
    LINE_TOTAL: "each line's total (quantity x price)",
}


def check_content(frame: pd.DataFrame, table: str, columns: Mapping[str, str], *, label: str) -> None:
    """Refuse a mapping whose columns cannot hold their fields.

    Looks at the first values of each mapped column of ``frame`` (columns named as in
    the file): a whole-number or money field needs numbers, an id field no numbers
    with decimals, a date field dates. More than half unreadable is a wrong mapping;
    fewer are counted by cleaning, line by line.

    Raises
    ------
    DataError
        Naming the file, the column, the field and the first bad value.
    """
    for name, column in columns.items():
        fld = field(table, name)
        if fld is None or column not in frame.columns:
            continue
        values = _sample(frame[column])
        if values.empty:
            continue
        if fld.kind in (WHOLE, MONEY, NUMBER):
            if table == REVIEWS:
                continue  # ratings ("4/5", "4 stars") are read by the reviews normaliser
            bad = read_numbers(values).values.isna().to_numpy()
            if bad.mean() > 0.5:
                raise DataError(
                    f"{label}: column {column!r} is mapped to {name} but holds text, not "
                    f"numbers (first: {str(values[bad].iloc[0])!r}); map {name} to the column "
                    f"of {_WHAT.get(name, 'numbers')}."
                )
        elif fld.kind == ID:
            numbers = read_numbers(values).values
            fractional = (numbers.notna() & (np.mod(numbers.fillna(0), 1) != 0)).to_numpy()
            if numbers.notna().mean() >= 0.9 and fractional.any():
                raise DataError(
                    f"{label}: column {column!r} is mapped to {name} but holds numbers with "
                    f"decimals (first: {str(values[fractional].iloc[0])!r}), which are no ids; "
                    f"map {name} to the column that names each {name.removesuffix('_id')}."
                )
        elif fld.kind == DATE:
            read = read_dates(values).values.notna().to_numpy()
            if (~read).mean() > 0.5:
                raise DataError(
                    f"{label}: column {column!r} is mapped to {name} but its values are not "
                    f"dates (first: {str(values[~read].iloc[0])!r}); map {name} to the column "
                    "of dates, written like 2011-12-05 10:00 or 05/12/2011."
                )


def _sample(values: pd.Series) -> pd.Series:
    """The first :data:`_SAMPLE` values present and not blank (looked at, not the column:
    stripping a million strings costs seconds)."""
    values = values.dropna().iloc[: 4 * _SAMPLE]
    if values.dtype == object or isinstance(values.dtype, (pd.CategoricalDtype, pd.StringDtype)):
        text = values.astype(str).str.strip()
        values = values[(text != "").to_numpy()]
    return values.iloc[:_SAMPLE].reset_index(drop=True)


def timezone_note(values: pd.Series, column: str) -> str | None:
    """A sentence saying how times with a time zone were read, or None without one.

    Times are read as written, in the shop's local time (the offset or zone is not
    converted to UTC): an order placed at 10:15 local time counts at 10:15, whatever the
    offset, so hours and days of the week stay those the customers saw.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return (
            f"{column}: times carry the time zone {values.dtype.tz}; read as the local time "
            "there (not converted to UTC)."
        )
    sample = _sample(values)
    if sample.empty or sample.dtype.kind in "iufM":
        return None
    text = sample.astype(str).str.strip()
    offsets = text.str.extract(f"({_OFFSET.pattern})")[0].dropna()
    if offsets.empty:
        return None
    seen = ", ".join(list(dict.fromkeys(offsets))[:3])
    example = text[text.str.contains(_OFFSET)].iloc[0]
    return (
        f"{column}: times carry UTC offsets ({seen}); read as the local time written "
        f"({example!r} counts at its own clock time), not converted to UTC."
    )


# --- conversion ----------------------------------------------------------------------


def mapped_frame(
    frame: pd.DataFrame,
    table: str,
    columns: Mapping[str, str],
    *,
    label: str,
    delimiter: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Rename ``frame``'s mapped columns to canonical names, with the table's conversions.

    Parameters
    ----------
    frame : DataFrame
        The file's columns (named as in ``columns``' values). Not modified.
    table : str
        ``"transactions"``, ``"products"``, ``"customers"`` or ``"reviews"``.
    columns : mapping
        ``{canonical field: the file's column}``.
    label : str
        The file's name, for notes.
    delimiter : str, optional
        The CSV separator (how ``1,250`` is read).

    Returns
    -------
    frame : DataFrame
        Canonical columns. Transactions: ``line_total`` is replaced by ``unit_price`` =
        line total / quantity (the total itself where the quantity is 0, which cleaning
        then removes as a non-positive quantity). Customers: every unmapped column is
        kept, named in snake case (``Marital Status`` -> ``marital_status``).
    notes : list of str
        Time zones read, line totals divided.
    """
    check_content(frame, table, columns, label=label)
    out = pd.DataFrame({name: frame[column].reset_index(drop=True) for name, column in columns.items()})
    notes = []
    for name, column in columns.items():
        fld = field(table, name)
        if fld is not None and fld.kind == DATE:
            note = timezone_note(frame[column], column)
            if note:
                notes.append(note)
    if table == TRANSACTIONS and LINE_TOTAL in out.columns:
        quantity = read_numbers(out[S.QUANTITY], delimiter=delimiter, whole=True).values
        total = read_numbers(out.pop(LINE_TOTAL), delimiter=delimiter).values
        with np.errstate(divide="ignore", invalid="ignore"):
            price = (total / quantity.where(quantity != 0)).round(6)
        out[S.QUANTITY] = quantity
        out[S.UNIT_PRICE] = price.where(quantity != 0, total)
        first = np.flatnonzero((quantity > 0).to_numpy() & total.notna().to_numpy())
        if len(first):
            i = int(first[0])
            notes.append(
                f"{columns[LINE_TOTAL]}: unit prices are line totals divided by quantities "
                f"(first line: {total.iloc[i]:g} / {quantity.iloc[i]:g} = {out[S.UNIT_PRICE].iloc[i]:g})."
            )
    if table == CUSTOMERS:
        for name in out.columns:
            fld = field(table, name)
            if fld is not None and fld.kind == ATTRIBUTE and name != S.AGE:
                out[name] = attribute_values(out[name])
        taken = set(out.columns)
        for column in frame.columns:
            if column in columns.values():
                continue
            name = _snake(column)
            if name and name not in taken:
                out[name] = attribute_values(frame[column].reset_index(drop=True))
                taken.add(name)
    return out, notes


def _snake(name: object) -> str:
    return re.sub(r"_+", "_", re.sub(r"[^0-9a-z]+", "_", name_key_spaced(name))).strip("_")


def name_key_spaced(name: object) -> str:
    """Lower-case ``name`` without accents, camel case split (``"AgeDesc"`` -> ``"age desc"``)."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name))
    return " ".join(name_key(w) for w in re.split(r"[^0-9A-Za-zÀ-ÿ]+", text) if name_key(w))


def read_mapped(
    spec: MappingSpec,
    *,
    files: Mapping[str, bytes] | None = None,
    max_rows: int | None = None,
) -> MappedTables:
    """Read every table of ``spec`` and return them with canonical names.

    Parameters
    ----------
    spec : MappingSpec
        The mapping.
    files : mapping of str to bytes, optional
        Files given in memory (an upload), by name: a table whose path's file name is
        here is read from these bytes, not from disk.
    max_rows : int, optional
        Refuse a transactions file with more lines (see
        :func:`recsys.data.readers.max_rows_limit`).

    Raises
    ------
    DataError
        When a file is missing or unreadable, lacks a mapped column, or a column cannot
        hold its field.
    """
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    infos: dict[str, SourceInfo] = {}
    for name, table in spec.tables.items():
        data, label = _open(spec, name, files)
        wanted = list(dict.fromkeys(table.columns.values()))
        frame, info = read_columns(
            data, label=label, columns=None if name == CUSTOMERS else wanted,
            max_rows=max_rows if name == TRANSACTIONS else None,
        )  # fmt: skip
        mapped, found = mapped_frame(frame, name, table.columns, label=label, delimiter=info.delimiter)
        tables[name] = mapped
        notes += found
        infos[name] = SourceInfo(
            label=label, columns=dict(table.columns), delimiter=info.delimiter, detail=info.detail
        )
    tx = infos[TRANSACTIONS]
    columns = dict(tx.columns)
    if LINE_TOTAL in columns:
        columns[S.UNIT_PRICE] = columns.pop(LINE_TOTAL)
    return MappedTables(
        raw=tables[TRANSACTIONS],
        products=tables.get(PRODUCTS),
        customers=tables.get(CUSTOMERS),
        reviews=tables.get(REVIEWS),
        source=SourceInfo(label=tx.label, columns=columns, delimiter=tx.delimiter,
                          detail=f"{tx.detail}, columns mapped by {spec.label}"),
        notes=tuple(notes),
        review_source=infos.get(REVIEWS),
    )  # fmt: skip


def _open(spec: MappingSpec, table: str, files: Mapping[str, bytes] | None) -> tuple[Path | bytes, str]:
    written = spec.tables[table].path
    name = Path(written).name
    if files and name in files:
        return files[name], name
    if spec.base is None:
        raise DataError(
            f"{spec.label}: the {table} file {written!r} was not given; upload it together "
            "with the mapping, or use the mapping file where its data files lie."
        )
    path = spec.file(table)
    if not path.is_file():
        raise DataError(
            f"{spec.label}: the {table} file {written!r} does not exist (looked for {path}); "
            "paths in a mapping file are relative to the mapping file's folder."
        )
    return path, path.name
