"""Read shop exports (CSV, Excel, Parquet, a folder of canonical CSVs) into a Dataset.

:func:`load_dataset` is the one entry point the app and the CLI use: it reads a file,
a folder or an upload, detects the layout from the header (:mod:`recsys.data.layouts`) and
cleans the lines (:func:`recsys.data.cleaning.clean`). :func:`read_raw` stops before
cleaning. Anything that cannot be used raises :class:`recsys.errors.DataError` with a
message that names the problem and what to do about it.

How a text file is written (UTF-8 with or without a byte-order mark, UTF-16, Latin-1 /
Windows-1252 as the published Online Retail CSV; comma, semicolon, tab or bar; any line
ends) and how its dates and numbers are written are detected by :mod:`recsys.data.sniff`,
the detector the append uses too. Files over a line limit are refused before they are
read (:func:`recsys.data.readers.max_rows_limit`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from recsys.data import readers
from recsys.data.cleaning import clean
from recsys.data.dataset import RULE_LABELS, Dataset, SourceInfo
from recsys.data.layouts import (
    CUSTOMERS_COLUMNS,
    PRODUCTS_COLUMNS,
    REVIEWS_COLUMNS,
)
from recsys.data.sniff import AUTO, DATE_ORDERS
from recsys.errors import DataError

Source = str | os.PathLike | BinaryIO | Sequence[str | os.PathLike]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
FOLDER_FILES = ("transactions.csv", "products.csv", "customers.csv", "reviews.csv")
DATES_ENV = "RECSYS_DATES"
"""Environment variable with the default date order (``auto``, ``day-first``,
``month-first``) for readers given none: the app, the service, the pipeline."""


def dates_setting(dates: str | None = None) -> str:
    """Return ``dates``, else ``RECSYS_DATES``, else ``"auto"``, checked."""
    chosen = dates or os.environ.get(DATES_ENV, "").strip() or AUTO
    if chosen not in DATE_ORDERS:
        raise DataError(
            f"{DATES_ENV} must be one of {', '.join(DATE_ORDERS)}, got {chosen!r}: set it like "
            f"{DATES_ENV}=day-first."
        )
    return chosen


@dataclass(frozen=True)
class RawTables:
    """Tables as read, with canonical column names, before cleaning.

    Attributes
    ----------
    raw : DataFrame
        Invoice lines: ``invoice_id``, ``invoice_date``, ``customer_id``, ``product_id``,
        ``quantity``, ``unit_price`` and, where the source has them, ``description``,
        ``country``, ``category``. Values are as read (text, numbers or timestamps).
    layout : str
        ``"uci"``, ``"uci2"``, ``"canonical"`` or ``"canonical3"``.
    products, customers, reviews : DataFrame or None
        The products, customers and reviews files of the canonical folder layout
        (columns renamed to canonical names, values as read).
    source : SourceInfo
        The file's name, column names and separator (for messages).
    notes : tuple of str
        What reading chose before cleaning (a mapping's time zones and line totals, a
        Shopify export's refunds), for the cleaning report.
    review_source : SourceInfo or None
        The reviews file's name and ``{field: its column}`` when a mapping names them,
        for messages (default: ``reviews.csv`` and canonical names).
    """

    raw: pd.DataFrame
    layout: str
    products: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    source: SourceInfo = SourceInfo()
    reviews: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    review_source: SourceInfo | None = None


def load_dataset(
    source: Source,
    *,
    name: str | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    dates: str | None = None,
) -> Dataset:
    """Read and clean a shop export.

    Parameters
    ----------
    source : path, folder, sequence of paths or binary file-like
        A CSV / Excel (.xlsx, every sheet with an accepted layout) / Parquet file in any
        accepted layout; a folder holding ``transactions.csv`` and optionally
        ``products.csv``, ``customers.csv`` and ``reviews.csv``; those files as a sequence of paths; or
        an open binary file (an upload), whose type ``name`` (or its ``.name``) gives.
    name : str, optional
        File name of a file-like source, for its extension and for messages.
    max_bytes : int, optional
        Refuse sources bigger than this many bytes.
    max_rows : int, optional
        Refuse sources with more lines, before reading them (default
        :func:`recsys.data.readers.max_rows_limit`: ``RECSYS_MAX_ROWS`` or 20 million).
    dates : {"auto", "day-first", "month-first"}, optional
        How to read dates such as ``05/12/2011``: detect the order (the report says when
        nothing proved it, ``report.dates_ambiguous``), or force one. Default
        :func:`dates_setting` (``RECSYS_DATES``, else ``"auto"``).

    Returns
    -------
    Dataset
        Cleaned transactions, products, customers and the cleaning report.

    Raises
    ------
    DataError
        When the source is too big, empty, not a table, of an unknown type, lacks the
        columns of every accepted layout, has a column twice, a column that contradicts
        itself or is mostly unreadable, or has no line left after cleaning; also for any
        unexpected error of a reader or of cleaning (the original is chained).
    OSError
        When a file exists but cannot be opened or read (permissions, a device error).
    """
    dates = dates_setting(dates)
    try:
        tables = read_tables(source, name=name, max_bytes=max_bytes, max_rows=max_rows)
        dataset = clean(
            tables.raw, layout=tables.layout, products=tables.products,
            customers=tables.customers, dates=dates, source=tables.source,
            reviews=tables.reviews, **_review_names(tables.review_source),
        )  # fmt: skip
        if tables.notes:
            report = replace(dataset.report, notes=tables.notes + dataset.report.notes)
            dataset = replace(dataset, report=report)
    except (DataError, OSError, MemoryError):
        raise
    except Exception as exc:
        # A file no rule foresaw (an Arrow or pandas error deep in a reader) must still
        # reach the app and the CLI as a DataError, which they show, not as a traceback.
        raise DataError(
            f"{_source_label(source, name)} could not be read ({type(exc).__name__}: "
            f"{readers.first_line(exc)}): check that it is a shop export in one of the "
            "accepted layouts, or export it again as CSV."
        ) from exc
    if dataset.report.kept_lines == 0:
        counts = {rule: n for rule, n in dataset.report.removed if n}
        removed = "; ".join(f"{_lower_first(RULE_LABELS.get(rule, rule))}: {n:,}" for rule, n in counts.items())
        advice = (
            "Check the file's dates, quantities and prices."
            if max(counts, key=counts.get, default="") == "unparseable"
            else "Check that the file holds sales, not only cancellations, returns or fees."
        )
        raise DataError(
            f"{_source_label(source, name)}: no usable lines: cleaning removed all "
            f"{dataset.report.raw_lines:,} lines ({removed}). {advice}"
        )
    return dataset


def _lower_first(label: str) -> str:
    """``"Cancellations (invoice id starting with C)"`` as inside a sentence (the C stays)."""
    return label[:1].lower() + label[1:]


def read_raw(source: Source, *, name: str | None = None) -> tuple[pd.DataFrame, str]:
    """Return the invoice lines of ``source`` with canonical column names, and the layout.

    See :class:`RawTables` for the columns; nothing is cleaned or converted.
    """
    tables = read_tables(source, name=name)
    return tables.raw, tables.layout


def read_tables(
    source: Source,
    *,
    name: str | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> RawTables:
    """Read every table of ``source`` (see :func:`load_dataset`) without cleaning."""
    from recsys.data import mapping

    if isinstance(source, mapping.MappedUpload):
        return _mapped(mapping.read_mapped(source.spec, files=source.files, max_rows=max_rows))
    if mapping.is_mapping_path(source):
        spec = mapping.read_mapping(source)
        _check_size(sum(spec.file(t).stat().st_size for t in spec.tables if spec.file(t).is_file()),
                    max_bytes, spec.label)  # fmt: skip
        return _mapped(mapping.read_mapped(spec, max_rows=max_rows))
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            return _read_folder(
                _folder_files(path), max_bytes=max_bytes, max_rows=max_rows, label=str(path)
            )
        if not path.exists():
            raise DataError(f"no such file or folder: {path}")
        _check_size(path.stat().st_size, max_bytes, str(path))
        return _read_file(
            path, suffix=_suffix(name or path.name), label=path.name, max_rows=max_rows
        )
    if isinstance(source, (list, tuple)):
        files = {Path(p).name.lower(): Path(p) for p in source}
        return _read_folder(files, max_bytes=max_bytes, max_rows=max_rows, label="the files given")
    label = name or str(getattr(source, "name", "") or "the upload")
    size = getattr(source, "size", None)
    if isinstance(size, int):
        _check_size(size, max_bytes, label)
    if getattr(source, "seekable", lambda: False)():
        source.seek(0)  # an upload may have been read before (a rerun of the page)
    data = source.read(-1 if max_bytes is None else max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    _check_size(len(data), max_bytes, label)
    return _read_file(data, suffix=_suffix(label), label=Path(label).name, max_rows=max_rows)


def _mapped(tables) -> RawTables:
    """RawTables of a :class:`recsys.data.mapping.MappedTables`."""
    return RawTables(
        tables.raw, "mapping", tables.products, tables.customers, source=tables.source,
        reviews=tables.reviews, notes=tables.notes, review_source=tables.review_source,
    )  # fmt: skip


def _review_names(source: SourceInfo | None) -> dict:
    """``review_label`` and ``review_columns`` for cleaning, from a mapping's reviews file."""
    if source is None:
        return {}
    return {"review_label": source.label, "review_columns": dict(source.columns)}


def _source_label(source: Source, name: str | None) -> str:
    if name:
        return Path(name).name
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name or str(source)
    if isinstance(source, (list, tuple)):
        return "the files given"
    return Path(str(getattr(source, "name", "") or "the upload")).name


def _suffix(name: str) -> str:
    return Path(str(name)).suffix.lower()


def _human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} bytes" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} GB"


def _check_size(size: int, max_bytes: int | None, label: str) -> None:
    if max_bytes is not None and size > max_bytes:
        raise DataError(
            f"{label} is {_human_size(size)}, over the limit of {_human_size(max_bytes)}: "
            "use a smaller file (for example one year of data) or raise the limit."
        )


def _read_file(
    path_or_bytes: Path | bytes, *, suffix: str, label: str, max_rows: int | None = None
) -> RawTables:
    size = path_or_bytes.stat().st_size if isinstance(path_or_bytes, Path) else len(path_or_bytes)
    if size == 0:
        raise DataError(f"{label} is empty: choose a file that has a header line and data.")
    suffix = readers.sniff(path_or_bytes) or suffix
    if suffix in CSV_SUFFIXES:
        data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
        frame, layout, info = readers.read_csv(data, label=label, max_rows=max_rows)
    elif suffix in EXCEL_SUFFIXES or (
        suffix in (".xls", ".ods") and readers.excel_engine() == "calamine"
    ):
        frame, layout, info = readers.read_excel(path_or_bytes, label=label, max_rows=max_rows)
    elif suffix in PARQUET_SUFFIXES:
        frame, layout, info = readers.read_parquet(path_or_bytes, label=label, max_rows=max_rows)
    elif suffix == ".xls":
        raise DataError(
            f"{label} is an old Excel 97-2003 workbook (.xls), which cannot be read: "
            "save it as .xlsx or CSV and try again."
        )
    else:
        raise DataError(
            f"{label} has an unknown file type {suffix or '(no extension)'!r}: use a CSV "
            "(.csv), Excel (.xlsx) or Parquet (.parquet) file, or a folder of canonical CSVs."
        )
    notes: tuple[str, ...] = ()
    if layout == "shopify":
        from recsys.data.shopify import order_lines

        frame, found = order_lines(frame, delimiter=info.delimiter)
        notes = tuple(found)
    return RawTables(frame, layout, source=info, notes=notes)


# --- the three-file canonical layout -----------------------------------------------


def _folder_files(folder: Path) -> dict[str, Path]:
    files = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    if "transactions.csv" not in files:
        shown = ", ".join(sorted(files)[:8]) or "nothing"
        raise DataError(
            f"folder {folder} has no transactions.csv (it holds {shown}): a folder must hold "
            "transactions.csv and optionally products.csv and customers.csv; to read one "
            "export, give the path of the file itself."
        )
    return files


def _read_folder(
    files: dict[str, Path], *, max_bytes: int | None, max_rows: int | None, label: str
) -> RawTables:
    if "transactions.csv" not in files:
        raise DataError(
            f"{label} include no transactions.csv: give transactions.csv and optionally "
            "products.csv and customers.csv."
        )
    used = [files[f] for f in FOLDER_FILES if f in files]
    _check_size(sum(p.stat().st_size for p in used), max_bytes, label)
    raw, _, info = readers.read_csv(
        files["transactions.csv"].read_bytes(), label="transactions.csv", max_rows=max_rows
    )
    products = customers = reviews = None
    if "products.csv" in files:
        products = readers.read_side_table(files["products.csv"], PRODUCTS_COLUMNS)
    if "customers.csv" in files:
        customers = readers.read_side_table(files["customers.csv"], CUSTOMERS_COLUMNS)
    if "reviews.csv" in files:
        reviews = readers.read_side_table(files["reviews.csv"], REVIEWS_COLUMNS)
    return RawTables(raw, "canonical3", products, customers, source=info, reviews=reviews)
