"""Raw columns to typed lines, with what reading repaired or chose said in words.

:func:`typed_lines` converts the columns of raw invoice lines with the readers of
:mod:`recsys.data.sniff` and returns, beside the typed lines, the notes of the cleaning
report (an ambiguous date order and the other reading, thousands separators, repaired
ids, values that could not be read) and the mask of lines whose values are unreadable.
It refuses (:class:`recsys.errors.DataError`, one line naming the file, the column, the
first bad value and what to do) a column that contradicts itself (day-first and
month-first dates, decimal points and decimal commas) or that is mostly unreadable.

Dates far from the others (before 1970, or more than :data:`PLAUSIBLE_YEARS` years from
the middle date) are counted as unreadable and named: one line dated 1900 or 2099 would
otherwise stretch every trend over a century.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import parsing
from recsys.data import schema as S
from recsys.data.dataset import SourceInfo
from recsys.data.sniff import (
    AUTO,
    DateReading,
    IdReading,
    NumberReading,
    read_dates,
    read_ids,
    read_numbers,
)
from recsys.errors import DataError

MAX_UNREADABLE_SHARE = 0.5
"""Above this share of unreadable values in one column the file is refused, not cleaned."""

PLAUSIBLE_YEARS = 10
"""Dates more than this many years from the middle date of the file are implausible."""

EARLIEST_PLAUSIBLE = pd.Timestamp("1970-01-01")

_LINE_TEXT = (S.DESCRIPTION, S.COUNTRY, S.CATEGORY)
_WHAT = {S.INVOICE_DATE: "dates", S.QUANTITY: "quantities", S.UNIT_PRICE: "prices"}
_ADVICE = {
    S.INVOICE_DATE: "Write dates as 2010-12-01 08:26:00 (or 12/1/2010 8:26 month first, "
    "1.12.2010 08:26 day first), one format for the whole column.",
    S.QUANTITY: "Write quantities as whole numbers such as 6 or 1250.",
    S.UNIT_PRICE: "Write prices as plain numbers such as 2.55 or 1250.",
}
_ONE = {"dates": "date", "quantities": "quantity", "prices": "price"}
_ID_WHAT = {S.INVOICE_ID: "invoice ids", S.CUSTOMER_ID: "customer ids", S.PRODUCT_ID: "product ids"}
_NUMERIC_DATES = {
    "excel": "Excel day numbers (days since 1899-12-30)",
    "unix": "Unix times (seconds since 1970-01-01)",
    "unix_ms": "Unix times in milliseconds",
    "yyyymmdd": "numbers of the form YYYYMMDD",
}


def counted(n: int, noun: str) -> str:
    """``"1 line"``, ``"2,345 lines"``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


@dataclass(frozen=True)
class TypedLines:
    """Raw lines converted, and what the conversion found.

    Attributes
    ----------
    lines : DataFrame
        ``invoice_id``, ``customer_id``, ``product_id`` (categoricals of text),
        ``invoice_date`` (datetime64[ns]), ``quantity``, ``unit_price`` (float64) and
        the free-text columns present (categoricals); NaT / NaN where unreadable.
    unreadable : ndarray of bool
        Lines with a date, quantity or price present but unreadable or implausible.
    notes : tuple of str
        One sentence per finding, for the cleaning report.
    date_order : str
        ``"day-first"`` / ``"month-first"`` when dates are written day/month, else ``""``.
    dates_ambiguous : bool
        Whether no date proved that order.
    date_alternative : tuple of str
        When ambiguous, the first and last date the other order gives (``YYYY-MM-DD``).
    date_range : tuple of str
        The first and last date read (``YYYY-MM-DD``); ``()`` if none.
    date_format : str or None
        The ``strftime`` format of the most common written date form (see
        :attr:`recsys.data.sniff.DateReading.format`), for writing new dates alike.
    """

    lines: pd.DataFrame
    unreadable: np.ndarray
    notes: tuple[str, ...]
    date_order: str
    dates_ambiguous: bool
    date_alternative: tuple[str, ...] = ()
    date_range: tuple[str, ...] = ()
    date_format: str | None = None


def typed_lines(raw: pd.DataFrame, *, dates: str = AUTO, source: SourceInfo) -> TypedLines:
    """Convert every known column of ``raw`` (not modified) to its canonical dtype.

    Quantities stay float here so that unreadable and fractional ones can be told apart;
    text becomes categoricals so that rules, duplicates and group-bys work on codes.

    Raises
    ------
    DataError
        When a date, quantity or price column contradicts itself or more than
        :data:`MAX_UNREADABLE_SHARE` of its values cannot be read.
    """
    ids = {
        S.INVOICE_ID: read_ids(raw[S.INVOICE_ID]),
        S.CUSTOMER_ID: read_ids(raw[S.CUSTOMER_ID]),
        S.PRODUCT_ID: read_ids(raw[S.PRODUCT_ID], upper=True),
    }
    when = read_dates(raw[S.INVOICE_DATE], order=dates)
    numbers = {
        S.QUANTITY: read_numbers(raw[S.QUANTITY], delimiter=source.delimiter, whole=True),
        S.UNIT_PRICE: read_numbers(raw[S.UNIT_PRICE], delimiter=source.delimiter),
    }
    check_dates(when, raw[S.INVOICE_DATE], source)
    _refuse_number_conflicts(numbers, source)
    implausible, window = _implausible(when.values)
    notes: list[str] = []
    for col, reading in ids.items():
        notes += _id_notes(reading, source.column(col), _ID_WHAT[col])
    notes += _date_notes(when, implausible, window, raw[S.INVOICE_DATE], source)
    for col, reading in numbers.items():
        notes += _number_notes(
            reading, raw[col], source.column(col), _WHAT[col], delimiter=source.delimiter
        )
    unreadable = implausible.copy()
    for col, values in ((S.INVOICE_DATE, when.values), *((c, r.values) for c, r in numbers.items())):
        present = raw[col].notna().to_numpy()
        bad = values.isna().to_numpy() & present
        if col == S.INVOICE_DATE:
            bad |= implausible
        _refuse_mostly_unreadable(col, bad, raw[col], source)
        unreadable |= bad
    out = {
        S.INVOICE_ID: ids[S.INVOICE_ID].values,
        S.INVOICE_DATE: when.values.mask(implausible),
        S.CUSTOMER_ID: ids[S.CUSTOMER_ID].values,
        S.PRODUCT_ID: ids[S.PRODUCT_ID].values,
        S.QUANTITY: numbers[S.QUANTITY].values,
        S.UNIT_PRICE: numbers[S.UNIT_PRICE].values,
    }
    for col in _LINE_TEXT:
        if col in raw.columns:
            out[col] = parsing.free_text_categorical(raw[col])
    return TypedLines(
        lines=pd.DataFrame(out),
        unreadable=unreadable,
        notes=tuple(notes),
        date_order=when.order,
        dates_ambiguous=when.ambiguous,
        date_alternative=tuple(f"{d:%Y-%m-%d}" for d in when.alternative or ()),
        date_range=_range(out[S.INVOICE_DATE]),
        date_format=when.format,
    )


def _range(dates: pd.Series) -> tuple[str, ...]:
    known = dates.dropna()
    return (f"{known.min():%Y-%m-%d}", f"{known.max():%Y-%m-%d}") if len(known) else ()


# --- refusals ------------------------------------------------------------------------


def check_dates(reading: DateReading, raw: pd.Series, source: SourceInfo) -> None:
    """Refuse a date column that mixes day-first and month-first dates or is mostly
    unreadable (the append checks its file with this too).

    Raises
    ------
    DataError
        Naming the file, the column, the first bad value and what to do.
    """
    if reading.conflict is not None:
        day, month = reading.conflict
        raise DataError(
            f"{source.label}: column {source.column(S.INVOICE_DATE)} mixes day-first and "
            f"month-first dates ({day!r} has the day first, {month!r} the month first), so "
            "dates such as 05/12/2011 cannot be read safely. Export the dates in one format "
            "(best 2011-12-05 10:00), or choose the order (--dates day-first or "
            "month-first) to leave out the dates written the other way."
        )
    bad = reading.values.isna().to_numpy() & raw.notna().to_numpy()
    _refuse_mostly_unreadable(S.INVOICE_DATE, bad, raw, source)


def _refuse_number_conflicts(numbers: dict, source: SourceInfo) -> None:
    for col, reading in numbers.items():
        if reading.conflict is not None:
            point, comma = reading.conflict
            raise DataError(
                f"{source.label}: column {source.column(col)} mixes decimal points and "
                f"decimal commas ({point!r} and {comma!r}), so a value such as 1,250 cannot "
                "be read safely. Export the numbers with one decimal separator."
            )


def _refuse_mostly_unreadable(col: str, bad: np.ndarray, raw: pd.Series, source: SourceInfo) -> None:
    n = int(bad.sum())
    if not n or n <= MAX_UNREADABLE_SHARE * len(bad):
        return
    example = raw[bad].iloc[0]
    raise DataError(
        f"{source.label}: {n:,} of {len(bad):,} {_WHAT[col]} in column {source.column(col)} "
        f"could not be read (first: {str(example)!r}). {_ADVICE[col]}"
    )


# --- notes ---------------------------------------------------------------------------


def _implausible(dates: pd.Series) -> tuple[np.ndarray, tuple[pd.Timestamp, pd.Timestamp] | None]:
    """Lines whose date lies far from the file's middle date, and the plausible window."""
    stamps = dates.to_numpy()
    known = stamps[~np.isnat(stamps)].view("int64")
    if not len(known):
        return np.zeros(len(dates), dtype=bool), None
    k = len(known) // 2
    middle = pd.Timestamp(np.partition(known, k)[k])
    years = pd.DateOffset(years=PLAUSIBLE_YEARS)
    low = max(EARLIEST_PLAUSIBLE, middle - years)
    high = middle + years if middle.year < pd.Timestamp.max.year - PLAUSIBLE_YEARS else pd.Timestamp.max
    with np.errstate(invalid="ignore"):
        out = (stamps < low.to_datetime64()) | (stamps > high.to_datetime64())
    return out, (low, high)


def _date_notes(when: DateReading, implausible, window, raw: pd.Series, source: SourceInfo):
    col = source.column(S.INVOICE_DATE)
    notes = []
    if when.numeric:
        notes.append(f"{col}: dates written as {_NUMERIC_DATES[when.numeric]} were read as such.")
    if when.unreadable:
        notes.append(
            f"{col}: left out {counted(when.unreadable, 'line')} whose date could not be read "
            f"(first: {when.first_unreadable!r})."
        )
    n = int(implausible.sum())
    if n and window is not None:
        example = raw[implausible].iloc[0]
        notes.append(
            f"{col}: left out {counted(n, 'line')} whose date lies far from the others (before "
            f"{window[0]:%Y-%m-%d} or after {window[1]:%Y-%m-%d}; first: {str(example)!r})."
        )
    return notes


def _number_notes(
    reading: NumberReading, raw: pd.Series, col: str, what: str, *, delimiter: str | None
) -> list[str]:
    notes = []
    if reading.example is not None and (reading.guessed or reading.thousands):
        value = reading.values[(raw.astype(object) == reading.example).to_numpy()].iloc[0]
        shown = f"{value:.10g}"
        if reading.guessed:
            char = "," if "," in reading.example else "."
            role = "decimal" if char == reading.decimal else "thousands"
            because = (
                "quantities are whole numbers" if what == "quantities" and role == "thousands"
                else f"the file's separator is {_SEPARATORS.get(delimiter, 'unknown')}"
            )
            notes.append(
                f"{col}: nothing shows whether {char!r} marks decimals or groups thousands; "
                f"values such as {reading.example!r} were read as {shown} ({char!r} as the "
                f"{role} separator, as {because})."
            )
        else:
            notes.append(
                f"{col}: {reading.thousands!r} groups thousands ({reading.example!r} was read "
                f"as {shown})."
            )
    if reading.unreadable:
        notes.append(
            f"{col}: left out {counted(reading.unreadable, 'line')} whose {_ONE[what]} could not "
            f"be read (first: {reading.first_unreadable!r}: not a number, infinite or beyond a "
            "trillion)."
        )
    return notes


_SEPARATORS = {",": "a comma", ";": "a semicolon", "\t": "a tab", "|": "a bar", None: "unknown"}


def _id_notes(reading: IdReading, col: str, what: str) -> list[str]:
    notes = []
    if reading.whitespace_merged:
        notes.append(
            f"{col}: spaces, tabs or line breaks around ids were removed, which made "
            f"{counted(reading.whitespace_merged, 'id')} the same as another (first: "
            f"{reading.whitespace_example!r})."
        )
    if reading.scientific:
        notes.append(
            f"{col}: read {counted(reading.scientific, 'id')} written in scientific notation "
            f"(first: {reading.scientific_example!r}) as whole numbers."
        )
    if reading.lossy:
        notes.append(
            f"{col}: ids stored as floating-point numbers beyond 9,007,199,254,740,992 may have "
            f"lost their last digits, so two may have become one ({counted(reading.lossy, 'id')}, "
            f"first: {reading.lossy_example}): export ids as text."
        )
    return notes
