"""Reading a CSV for an append, and writing new rows in that file's own format.

:func:`read_csv_file` keeps every field as the text the file holds (so a new line can
copy a sampled line's text exactly) and records how the file is written: encoding,
separator, line ends, whether it ends with a line end, its date format (including
whether days and hours are zero-padded) and how customer ids look ("17850" or
"17850.0").
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from recsys.data import schema as S
from recsys.data.layouts import detect_layout, header_key, rename_map
from recsys.errors import DataError

DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%d/%m/%y %H:%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
)
"""Date formats an appended file may use (the first that reads most values wins)."""

_SAMPLE = 2000
_CUSTOMER_COLUMNS = {header_key(c): c for c in S.CUSTOMER_COLUMNS}


@dataclass(frozen=True)
class CsvFile:
    """A CSV read as text, with how it is written and its parsed key columns."""

    path: Path
    layout: str
    encoding: str
    delimiter: str
    newline: str
    ends_with_newline: bool
    header: list[str]
    column_of: dict[str, str]
    frame: pd.DataFrame
    date_format: str | None
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

    @property
    def parse_format(self) -> str | None:
        """The date format for reading (``%-d`` padding flags dropped)."""
        return None if self.date_format is None else self.date_format.replace("%-", "%")

    def format_customer_id(self, number: str) -> str:
        """Return a new customer id written like the file's ids."""
        return f"{number}.0" if self.float_ids else number


def read_csv_file(path: Path, *, table: str = "transactions") -> CsvFile:
    """Read ``path`` as text and describe it; ``table`` is "transactions" or "customers".

    Raises
    ------
    DataError
        When the file is empty, binary, not CSV, or (for transactions) not a table of
        invoice lines in an accepted layout.
    """
    data = path.read_bytes()
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if b"\x00" in body[:65536]:
        raise DataError(f"{path.name} is not a text CSV file (it holds binary data)")
    if not body.strip():
        raise DataError(f"{path.name} is empty: nothing to learn from")
    first = body.split(b"\n", 1)[0]
    newline = "\r\n" if first.endswith(b"\r") else "\n"
    encoding = "utf-8"
    try:
        first_text = first.decode("utf-8")
    except UnicodeDecodeError:
        encoding = "cp1252"
        first_text = first.decode("cp1252", errors="replace")
    delimiter = max(",;\t|", key=first_text.count)
    header = [h.strip() for h in next(csv.reader([first_text.rstrip("\r")], delimiter=delimiter))]
    if table == "transactions":
        layout = detect_layout(header, source=path.name)
        column_of = {canonical: col for col, canonical in rename_map(layout, header).items()}
        layout_name = layout.name
    else:
        column_of = {_CUSTOMER_COLUMNS[header_key(h)]: h for h in header
                     if header_key(h) in _CUSTOMER_COLUMNS}
        if S.CUSTOMER_ID not in column_of:
            raise DataError(f"{path.name} has no {S.CUSTOMER_ID} column")
        layout_name = "customers"
    frame, encoding = _read_text(body, header, delimiter, encoding, path.name)
    ends = data.endswith(b"\n")

    if table != "transactions":
        date_format = None
        if S.SIGNUP_DATE in column_of:
            date_format, _ = detect_date_format(frame[column_of[S.SIGNUP_DATE]])
        return CsvFile(path, layout_name, encoding, delimiter, newline, ends, header,
                       column_of, frame, date_format)

    def col(name):
        return frame[column_of[name]] if name in column_of else None

    date_format, when = detect_date_format(col(S.INVOICE_DATE))
    if date_format is None:
        raise DataError(f"{path.name}: the invoice dates cannot be read (e.g. "
                        f"{col(S.INVOICE_DATE).iloc[0]!r})")
    from recsys.data.parsing import numbers

    raw_customer = categorical(col(S.CUSTOMER_ID))
    customer = normalise_ids(raw_customer)
    ids = pd.Series(raw_customer.cat.categories.astype(str)).str.strip()
    ids = ids[ids != ""]
    float_ids = bool(len(ids)) and bool(ids.str.fullmatch(r"\d+\.0").mean() > 0.5)
    invoice = categorical(col(S.INVOICE_ID))
    country = col(S.COUNTRY)
    return CsvFile(
        path, layout_name, encoding, delimiter, newline, ends, header, column_of, frame,
        date_format, float_ids,
        invoice=invoice, when=when, customer=customer, product=categorical(col(S.PRODUCT_ID)),
        quantity=numbers(col(S.QUANTITY)), price=numbers(col(S.UNIT_PRICE)),
        country=None if country is None else categorical(country),
        max_invoice_number=max_id_number(invoice.cat.categories),
        max_customer_number=max_id_number(customer.cat.categories),
    )


def categorical(values: pd.Series) -> pd.Series:
    """Return text ``values`` as a categorical of str (cheap string work on distinct values)."""
    codes, uniques = pd.factorize(values)
    cats = pd.Index(np.asarray(uniques, dtype=object).astype(str), dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats), index=values.index)


def _read_text(body: bytes, header, delimiter, encoding, label) -> tuple[pd.DataFrame, str]:
    names = [f"c{i}" for i in range(len(header))]
    for enc in dict.fromkeys((encoding, "cp1252", "latin-1")):
        try:
            table = pa_csv.read_csv(
                io.BytesIO(body),
                read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1, encoding=enc),
                parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=False
                ),
            )
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) or "decode" in str(exc).lower():
                continue
            raise DataError(
                f"{label} could not be read as CSV: {str(exc).splitlines()[0]}"
            ) from exc
        if table.num_rows == 0:
            raise DataError(f"{label} has a header but no lines: nothing to learn from")
        frame = table.rename_columns(header).to_pandas(types_mapper=pd.ArrowDtype)
        return frame, enc
    raise DataError(f"{label}: unknown text encoding")


def normalise_ids(values: pd.Series) -> pd.Series:
    """Return ids as a categorical of text: stripped, "17850.0" -> "17850", empty -> NaN."""
    codes, uniques = pd.factorize(values)
    text = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.strip()
    text = text.str.replace(r"^(\d+)\.0*$", r"\1", regex=True)
    new_codes, cats = pd.factorize(text.where(text != "", None))
    mapped = np.append(new_codes, -1)[np.where(codes < 0, len(new_codes), codes)]
    cats = pd.Index(np.asarray(cats, dtype=object), dtype=object)
    return pd.Series(pd.Categorical.from_codes(mapped, categories=cats), index=values.index)


def max_id_number(values: pd.Index) -> int:
    """The largest number inside the ids (``"C536379"`` counts as 536379); 0 if none."""
    text = pd.Series(np.asarray(values, dtype=object)).astype(str)
    plain = pd.to_numeric(text, errors="coerce")
    best = int(plain.max()) if plain.notna().any() else 0
    rest = text[plain.isna()]
    digits = rest.str.extract(r"(\d+)", expand=False).dropna()
    return max(best, int(digits.astype("int64").max()) if len(digits) else 0)


def detect_date_format(values: pd.Series | None) -> tuple[str | None, pd.Series | None]:
    """Return the strftime format of a text date column and the parsed dates.

    The format includes the file's padding: ``"%-m/%-d/%Y %-H:%M"`` for "12/1/2010 8:26".
    """
    if values is None:
        return None, None
    codes, uniques = pd.factorize(values)
    text = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.strip()
    sample = text.iloc[:: max(1, len(text) // _SAMPLE)]
    scores = [pd.to_datetime(sample, format=f, errors="coerce").notna().sum() for f in DATE_FORMATS]
    if not len(sample) or max(scores) == 0:
        return None, None
    fmt = DATE_FORMATS[int(np.argmax(scores))]
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    unpadded = fmt.replace("%m", "%-m").replace("%d", "%-d").replace("%H", "%-H")
    ok = parsed.notna().to_numpy()
    sample_ok = sample[ok[sample.index]]
    as_padded = (pd.DatetimeIndex(parsed[sample_ok.index]).strftime(fmt) == sample_ok).mean()
    as_unpadded = (pd.DatetimeIndex(parsed[sample_ok.index]).strftime(unpadded) == sample_ok).mean()
    if as_unpadded > as_padded:
        fmt = unpadded
    full = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    when = pd.Series(full[np.where(codes < 0, len(parsed), codes)], index=values.index)
    return fmt, when


def format_dates(dates: np.ndarray, fmt: str) -> np.ndarray:
    """Return ``dates`` (datetime64) as text in ``fmt``, formatting each distinct value once."""
    codes, uniques = pd.factorize(np.asarray(dates, dtype="datetime64[ns]"))
    text = pd.DatetimeIndex(uniques).strftime(fmt).to_numpy(dtype=object)
    return text[codes]


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
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=f.delimiter, lineterminator=f.newline)
    writer.writerows(zip(*[columns[h] for h in f.header], strict=True))
    return buf.getvalue()
