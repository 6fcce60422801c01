"""Read shop exports (CSV, Excel, Parquet, a folder of canonical CSVs) into a Dataset.

:func:`load_dataset` is the one entry point the app and the CLI use: it reads a file,
a folder or an upload, detects the layout from the header (:mod:`recsys.layouts`) and
cleans the lines (:func:`recsys.cleaning.clean`). :func:`read_raw` stops before
cleaning. Anything that cannot be used raises :class:`recsys.errors.DataError` with a
message that names the problem and what to do about it.

Text files may be UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order
mark, or Latin-1 / Windows-1252 (the published Online Retail CSV is ISO-8859-1); the
separator is a comma, semicolon, tab or bar, whichever the header uses.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from recsys import schema as S
from recsys.cleaning import clean
from recsys.dataset import Dataset
from recsys.errors import DataError
from recsys.layouts import (
    CUSTOMERS_COLUMNS,
    PRODUCTS_COLUMNS,
    Layout,
    accepted_layouts,
    check_columns,
    detect_layout,
    header_key,
    rename_map,
)

Source = str | os.PathLike | BinaryIO | Sequence[str | os.PathLike]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
FOLDER_FILES = ("transactions.csv", "products.csv", "customers.csv")

_TEXT_COLUMNS = (S.INVOICE_ID, S.PRODUCT_ID, S.CUSTOMER_ID, S.DESCRIPTION, S.COUNTRY, S.CATEGORY)


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
    products, customers : DataFrame or None
        The products and customers files of the three-file canonical layout.
    """

    raw: pd.DataFrame
    layout: str
    products: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None


def load_dataset(
    source: Source, *, name: str | None = None, max_bytes: int | None = None
) -> Dataset:
    """Read and clean a shop export.

    Parameters
    ----------
    source : path, folder, sequence of paths or binary file-like
        A CSV / Excel (.xlsx, every sheet with an accepted layout) / Parquet file in any
        accepted layout; a folder holding ``transactions.csv`` and optionally
        ``products.csv`` and ``customers.csv``; those files as a sequence of paths; or
        an open binary file (an upload), whose type ``name`` (or its ``.name``) gives.
    name : str, optional
        File name of a file-like source, for its extension and for messages.
    max_bytes : int, optional
        Refuse sources bigger than this many bytes.

    Returns
    -------
    Dataset
        Cleaned transactions, products, customers and the cleaning report.

    Raises
    ------
    DataError
        When the source is too big, empty, not a table, of an unknown type, lacks the
        columns of every accepted layout, or has no line left after cleaning.
    """
    tables = read_tables(source, name=name, max_bytes=max_bytes)
    dataset = clean(
        tables.raw, layout=tables.layout, products=tables.products, customers=tables.customers
    )
    if dataset.report.kept_lines == 0:
        removed = ", ".join(f"{rule} {n:,}" for rule, n in dataset.report.removed if n)
        raise DataError(
            f"no usable lines: cleaning removed all {dataset.report.raw_lines:,} lines "
            f"({removed}). Check that the file holds sales, not only cancellations or fees."
        )
    return dataset


def read_raw(source: Source, *, name: str | None = None) -> tuple[pd.DataFrame, str]:
    """Return the invoice lines of ``source`` with canonical column names, and the layout.

    See :class:`RawTables` for the columns; nothing is cleaned or converted.
    """
    tables = read_tables(source, name=name)
    return tables.raw, tables.layout


def read_tables(
    source: Source, *, name: str | None = None, max_bytes: int | None = None
) -> RawTables:
    """Read every table of ``source`` (see :func:`load_dataset`) without cleaning."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            return _read_folder(_folder_files(path), max_bytes=max_bytes, label=str(path))
        if not path.exists():
            raise DataError(f"no such file or folder: {path}")
        _check_size(path.stat().st_size, max_bytes, str(path))
        return _read_file(path, suffix=_suffix(name or path.name), label=path.name)
    if isinstance(source, (list, tuple)):
        files = {Path(p).name.lower(): Path(p) for p in source}
        return _read_folder(files, max_bytes=max_bytes, label="the files given")
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
    return _read_file(data, suffix=_suffix(label), label=Path(label).name)


def _suffix(name: str) -> str:
    return Path(str(name)).suffix.lower()


def _human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} bytes" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} GB"


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message (messages stay one line)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _check_size(size: int, max_bytes: int | None, label: str) -> None:
    if max_bytes is not None and size > max_bytes:
        raise DataError(
            f"{label} is {_human_size(size)}, over the limit of {_human_size(max_bytes)}: "
            "use a smaller file (for example one year of data) or raise the limit."
        )


def _read_file(path_or_bytes: Path | bytes, *, suffix: str, label: str) -> RawTables:
    size = path_or_bytes.stat().st_size if isinstance(path_or_bytes, Path) else len(path_or_bytes)
    if size == 0:
        raise DataError(f"{label} is empty: choose a file that has a header line and data.")
    suffix = _sniff(path_or_bytes) or suffix
    if suffix in CSV_SUFFIXES:
        data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
        frame, layout = _read_csv(data, label=label)
    elif suffix in EXCEL_SUFFIXES or (suffix in (".xls", ".ods") and _excel_engine() == "calamine"):
        frame, layout = _read_excel(path_or_bytes, label=label)
    elif suffix in PARQUET_SUFFIXES:
        frame, layout = _read_parquet(path_or_bytes, label=label)
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
    return RawTables(frame, layout)


# --- CSV ---------------------------------------------------------------------------


def _decode(data: bytes, *, label: str) -> bytes:
    """Return ``data`` as UTF-8 bytes without a byte-order mark."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16").encode("utf-8")
    if b"\x00" in data[:65536]:
        raise DataError(
            f"{label} is not a text table (it holds binary data): export the data as CSV, "
            "Excel (.xlsx) or Parquet and check the file extension."
        )
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1").encode("utf-8")


def _csv_header(data: bytes, *, label: str) -> tuple[list[str], str]:
    """Return the header names and the separator of UTF-8 CSV ``data``."""
    if not data.strip():
        raise DataError(f"{label} is empty: choose a file that has a header line and data.")
    first = data.lstrip(b"\r\n").split(b"\n", 1)[0].decode("utf-8", errors="replace")
    delimiter = max(",;\t|", key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    return [h.strip() for h in header], delimiter


def _parse_csv(data: bytes, *, delimiter: str, columns: dict[str, str], label: str) -> pd.DataFrame:
    """Parse CSV ``data`` keeping ``columns`` (``{as read: canonical}``), renamed."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header, _ = _csv_header(data, label=label)
    # Read by position (autogenerated names) so that headers with stray spaces or
    # duplicate names still parse; text columns stay text ("00123" keeps its zeros).
    names = [f"c{i}" for i in range(len(header))]
    keep = {names[header.index(col)]: canonical for col, canonical in columns.items()}
    types = {n: pa.string() for n, c in keep.items() if c in _TEXT_COLUMNS}
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(keep), column_types=types, strings_can_be_null=True
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise DataError(
            f"{label} could not be read as a CSV table: {_first_line(exc)}. "
            "Check that every line has the same number of columns as the header."
        ) from exc
    if table.num_rows == 0:
        raise DataError(f"{label} has a header but no lines of data.")
    return _to_pandas(table).rename(columns=keep)


def _read_csv(data: bytes, *, label: str, layout: Layout | None = None) -> tuple[pd.DataFrame, str]:
    data = _decode(data, label=label).lstrip(b"\r\n")  # blank lines before the header
    header, delimiter = _csv_header(data, label=label)
    if layout is None:
        layout = detect_layout(header, source=label)
        columns = rename_map(layout, header)
    else:
        columns = check_columns(layout, header, source=label)
    frame = _parse_csv(data, delimiter=delimiter, columns=columns, label=label)
    return frame, layout.name


# --- Excel and Parquet -------------------------------------------------------------


def _read_excel(path_or_bytes: Path | bytes, *, label: str) -> tuple[pd.DataFrame, str]:
    """Read every sheet that has an accepted layout and stack them (Online Retail II has
    one sheet per year)."""
    handle = path_or_bytes if isinstance(path_or_bytes, Path) else io.BytesIO(path_or_bytes)
    try:
        sheets = pd.read_excel(handle, sheet_name=None, engine=_excel_engine())
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise DataError(
            f"{label} could not be read as an Excel workbook ({type(exc).__name__}: {_first_line(exc)}): "
            "save it again as .xlsx or export it as CSV."
        ) from exc
    frames, layouts, first_error = [], [], None
    for sheet, frame in sheets.items():
        try:
            layout = detect_layout(frame.columns, source=f"{label} (sheet {sheet!r})")
        except DataError as exc:
            first_error = first_error or exc
            continue
        columns = rename_map(layout, frame.columns)
        frames.append(frame[list(columns)].rename(columns=columns))
        layouts.append(layout.name)
    if not frames:
        raise first_error or DataError(f"{label} has no sheets. {accepted_layouts()}")
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if raw.empty:
        raise DataError(f"{label} has a header but no lines of data.")
    return raw, layouts[0]


_MAGIC = ((b"PAR1", ".parquet"), (b"PK\x03\x04", ".xlsx"), (b"\xd0\xcf\x11\xe0", ".xls"))


def _sniff(path_or_bytes: Path | bytes) -> str | None:
    """The file type its first bytes prove (a Parquet file or workbook saved or uploaded
    under a wrong extension), or None for text and anything unknown."""
    if isinstance(path_or_bytes, Path):
        with path_or_bytes.open("rb") as handle:
            head = handle.read(8)
    else:
        head = path_or_bytes[:8]
    return next((suffix for magic, suffix in _MAGIC if head.startswith(magic)), None)


def _excel_engine() -> str:
    """``"calamine"`` (Rust, several times faster on a 500,000-line workbook) when
    python-calamine is installed, else ``"openpyxl"``."""
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return "openpyxl"
    return "calamine"


def _read_parquet(path_or_bytes: Path | bytes, *, label: str) -> tuple[pd.DataFrame, str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    handle = path_or_bytes if isinstance(path_or_bytes, Path) else io.BytesIO(path_or_bytes)
    try:
        parquet = pq.ParquetFile(handle)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(
            f"{label} could not be read as a Parquet file ({_first_line(exc)}): check the file extension "
            "or export the data again."
        ) from exc
    schema = parquet.schema_arrow
    layout = detect_layout(schema.names, source=label)
    columns = rename_map(layout, schema.names)
    text = [
        name
        for name in columns
        if pa.types.is_string(schema.field(name).type)
        or pa.types.is_large_string(schema.field(name).type)
    ]
    if text:  # reopen, reading text columns straight into dictionaries (categoricals)
        if isinstance(handle, io.BytesIO):
            handle.seek(0)
        parquet = pq.ParquetFile(handle, read_dictionary=text)
    table = parquet.read(columns=list(columns))
    if table.num_rows == 0:
        raise DataError(f"{label} has columns but no lines of data.")
    return _to_pandas(table).rename(columns=columns), layout.name


def _to_pandas(table) -> pd.DataFrame:
    """Convert an Arrow table to pandas with text columns as categoricals.

    Dictionary-encoding in Arrow is much cheaper than building one Python string per
    line, and cleaning works on the categories (distinct values) anyway.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            table = table.set_column(i, field.name, pc.dictionary_encode(table.column(i)))
    return table.to_pandas()


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


def _read_folder(files: dict[str, Path], *, max_bytes: int | None, label: str) -> RawTables:
    if "transactions.csv" not in files:
        raise DataError(
            f"{label} include no transactions.csv: give transactions.csv and optionally "
            "products.csv and customers.csv."
        )
    used = [files[f] for f in FOLDER_FILES if f in files]
    _check_size(sum(p.stat().st_size for p in used), max_bytes, label)
    raw, _ = _read_csv(files["transactions.csv"].read_bytes(), label="transactions.csv")
    products = customers = None
    if "products.csv" in files:
        products = _read_side_table(files["products.csv"], PRODUCTS_COLUMNS)
    if "customers.csv" in files:
        customers = _read_side_table(files["customers.csv"], CUSTOMERS_COLUMNS)
    return RawTables(raw, "canonical3", products, customers)


def _read_side_table(path: Path, layout: Layout) -> pd.DataFrame:
    """Read products.csv or customers.csv; known columns get canonical names, other
    columns keep theirs (a customers file may carry more demographics)."""
    data = _decode(path.read_bytes(), label=path.name)
    header, delimiter = _csv_header(data, label=path.name)
    columns = check_columns(layout, header, source=path.name)
    id_key = header_key(layout.columns[0][0])
    dtype = {c: "string" for c in header if header_key(c) == id_key or c not in columns}
    frame = pd.read_csv(io.BytesIO(data), sep=delimiter, dtype=dtype, skipinitialspace=True)
    frame.columns = [c.strip() for c in frame.columns]
    return frame.rename(columns=columns)
