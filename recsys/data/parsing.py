"""Vectorised conversion of raw column values (text, numbers, dates) to canonical dtypes.

Exports repeat the same few values many times (25,900 invoices over 541,909 lines),
so every conversion here works on the distinct values of a column and maps the
result back by position: the cost grows with the number of distinct values, not
with the number of lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DATE_FORMATS: tuple[str, ...] = (
    "ISO8601",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%d/%m/%y %H:%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
)
"""Date formats tried, in order, on a sample of the distinct values of a date column.

ISO 8601 (``2010-12-01 08:26:00``, as in the Parquet file) comes first, then the
month-first format of the published UCI CSV (``12/1/2010 8:26``), then day-first and
two-digit-year variants. The format that reads the most of the sample wins; a tie goes
to the earlier format, so month-first wins for a sample whose days are all <= 12.
"""

_DATE_SAMPLE = 500


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, pd.Index(uniques)


def _strings(uniques: pd.Index, *, whole_numbers: bool = False, upper: bool = False):
    """Return distinct values as stripped text (object array), with Arrow's vectorised
    string kernels: per-value Python calls would dominate the load time."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if uniques.dtype.kind == "f":
        values = uniques.to_numpy()
        whole = np.isfinite(values) & (np.mod(values, 1) == 0)
        text = np.asarray(uniques.astype(str), dtype=object)
        text[whole] = values[whole].astype(np.int64).astype(str).astype(object)
        return text
    # type=pa.string(): without it a column with no value at all (every line blank)
    # gives an Arrow null array, which the string kernels refuse.
    arr = pa.array(np.asarray(uniques.astype(str), dtype=object), type=pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    if whole_numbers:
        arr = pc.replace_substring_regex(arr, pattern=r"^([+-]?\d+)\.0*$", replacement=r"\1")
    if upper:
        arr = pc.utf8_upper(arr)
    return arr.to_numpy(zero_copy_only=False)


def _categorical(text: np.ndarray, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Map per-distinct-value ``text`` back onto the lines as a categorical.

    Distinct raw values that normalise to the same text (``"85123a"``, ``"85123A"``)
    share one category; empty text is missing.
    """
    text = np.where(text == "", None, text)
    new_codes, categories = pd.factorize(text, use_na_sentinel=True)
    mapped = new_codes[codes] if len(new_codes) else np.zeros_like(codes)
    line_codes = np.where(codes < 0, -1, mapped).astype(np.int32, copy=False)
    categories = pd.Index(categories, dtype=object)
    return pd.Series(pd.Categorical.from_codes(line_codes, categories=categories), index=index)


def text_categorical(values: pd.Series, *, upper: bool = False) -> pd.Series:
    """Return ids (invoices, customers, products) as a categorical of stripped text.

    Whole-number floats lose their ``.0`` (a spreadsheet turns customer 17850 into
    17850.0; it comes out as ``"17850"``); ``upper=True`` upper-cases (stock codes);
    empty text is missing.
    """
    codes, uniques = _factorize(values)
    text = _strings(uniques, whole_numbers=True, upper=upper)
    return _categorical(text, codes, values.index)


def text_ids(values: pd.Series, *, upper: bool = False) -> pd.Series:
    """Return :func:`text_categorical` as pandas ``"string"``."""
    return text_categorical(values, upper=upper).astype("string")


def free_text_categorical(values: pd.Series) -> pd.Series:
    """Return free text (descriptions, countries) as a categorical of stripped text."""
    codes, uniques = _factorize(values)
    return _categorical(_strings(uniques), codes, values.index)


def plain_text(values: pd.Series) -> pd.Series:
    """Return free text as stripped pandas ``"string"``; empty text is missing."""
    return free_text_categorical(values).astype("string")


def numbers(values: pd.Series) -> pd.Series:
    """Return ``values`` as float64; unreadable values become NaN.

    Text may carry a currency sign or spaces (``"£2.55"``) or a decimal comma
    (``"2,55"``).
    """
    if values.dtype.kind in "iufb":
        return values.astype("float64")
    codes, uniques = _factorize(values)
    text = pd.Series(uniques.astype(str), dtype=object)
    text = text.str.replace(r"[\s£$€]", "", regex=True)
    text = text.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    parsed = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64")
    return pd.Series(
        np.append(parsed, np.nan)[np.where(codes < 0, len(parsed), codes)], index=values.index
    )


def dates(values: pd.Series) -> pd.Series:
    """Return ``values`` as datetime64[ns] (time-zone naive); unreadable values -> NaT.

    Text dates are read with the best of :data:`DATE_FORMATS` on a sample of distinct
    values; the few values that format cannot read get a second, mixed-format pass.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    if values.dtype.kind == "M":
        return values.astype("datetime64[ns]")
    codes, uniques = _factorize(values)
    if len(uniques) == 0:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if uniques.inferred_type in ("datetime", "datetime64", "date"):
        parsed = pd.to_datetime(uniques, errors="coerce")
    else:
        text = pd.Series(uniques.astype(str), dtype=object).str.strip()
        parsed = _parse_text_dates(text)
    if getattr(parsed, "tz", None) is not None:
        parsed = parsed.tz_localize(None)
    parsed = np.append(np.asarray(parsed, dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    return pd.Series(parsed[np.where(codes < 0, len(parsed) - 1, codes)], index=values.index)


def _parse_text_dates(text: pd.Series) -> pd.DatetimeIndex:
    step = max(1, len(text) // _DATE_SAMPLE)
    sample = text.iloc[::step]
    scores = []
    for fmt in DATE_FORMATS:
        scores.append(int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum()))
        if scores[-1] == len(sample):  # no later format can do better
            break
    best = DATE_FORMATS[int(np.argmax(scores))]
    parsed = pd.to_datetime(text, format=best, errors="coerce")
    missing = parsed.isna().to_numpy()
    if missing.any():
        dayfirst = best.startswith("%d")
        retry = pd.to_datetime(text[missing], format="mixed", dayfirst=dayfirst, errors="coerce")
        parsed = parsed.copy()
        parsed[missing] = retry
    return pd.DatetimeIndex(parsed)
