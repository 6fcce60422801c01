"""Reading a quantity or price column: decimal and thousands separators, signs, currency.

:func:`read_numbers` decides the separators from the whole column, not value by value:
a value such as ``2.55`` or ``1,234.5`` proves a decimal point (commas then group
thousands: ``"1,250"`` is 1250), ``2,55`` or ``1.234,5`` a decimal comma (points then
group thousands). A column with proof of both is a :attr:`NumberReading.conflict`. A
column with no proof (only whole numbers and values like ``1,250`` or ``1.250``) is read
by the file's separator, and the reading is marked :attr:`NumberReading.guessed`:

- a comma inside a number of a comma-separated file was quoted on purpose, so it groups
  thousands (a spreadsheet's ``"1,250"``); in a semicolon-, tab- or bar-separated file a
  comma is a decimal comma (a European export's ``1,250``);
- a point groups thousands in a semicolon-separated file and is a decimal point
  otherwise;
- in a column of whole numbers (``whole=True``: quantities) both group thousands.

Currency signs and codes (``£ $ € ¥ GBP EUR USD``), spaces and apostrophes inside a
number (``1 250``, ``1'250``), a Unicode minus and accounting brackets (``(2.50)`` is
-2.5) are read. Infinite, not-a-number and overflowing values (beyond
:data:`MAX_MAGNITUDE`) are unreadable, never kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data.sniff.ids import distinct

MAX_MAGNITUDE = 1e12
"""Numbers beyond this (in absolute value) are unreadable: no invoice line has a trillion
units or a trillion-pound unit price, but an overflow or a pasted id does."""

_SIGN = r"^[+-]?"
_PLAIN = _SIGN + r"\d+$"
_DOT_DEC = _SIGN + r"\d*\.\d+$"
_COMMA_DEC = _SIGN + r"\d*,\d+$"
_COMMA_GROUPS = _SIGN + r"[1-9]\d{0,2}(?:,\d{3})+$"
_DOT_GROUPS = _SIGN + r"[1-9]\d{0,2}(?:\.\d{3})+$"
_COMMA_GROUPS_DOT_DEC = _SIGN + r"[1-9]\d{0,2}(?:,\d{3})+\.\d+$"
_DOT_GROUPS_COMMA_DEC = _SIGN + r"[1-9]\d{0,2}(?:\.\d{3})+,\d+$"
_SCIENTIFIC = _SIGN + r"(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$"


@dataclass(frozen=True)
class NumberReading:
    """A number column as read, and how.

    Attributes
    ----------
    values : Series
        float64 with the input's index; NaN where missing or unreadable.
    unreadable : int
        Values present but not read (counted per line): text that is no number,
        infinite or beyond :data:`MAX_MAGNITUDE`.
    first_unreadable : str or None
        The first such value in line order, as written.
    decimal : str
        ``"."`` or ``","``.
    thousands : str or None
        The separator read as grouping thousands where one was seen (``","`` or ``"."``).
    guessed : bool
        Whether no value proved the separators (values like ``1,250`` only): the
        reading follows the file's separator (see the module notes).
    example : str or None
        A value whose reading the separators decided (``"1,250"``), for a note.
    conflict : tuple of str or None
        A value proving a decimal point and one proving a decimal comma, when the column
        has both (the values contrary to :attr:`decimal` are unreadable).
    """

    values: pd.Series
    unreadable: int = 0
    first_unreadable: str | None = None
    decimal: str = "."
    thousands: str | None = None
    guessed: bool = False
    example: str | None = None
    conflict: tuple[str, str] | None = None


def read_numbers(
    values: pd.Series, *, delimiter: str | None = None, whole: bool = False
) -> NumberReading:
    """Read a quantity or price column as float64.

    Parameters
    ----------
    values : Series
        The column as read (numbers or text). Not modified.
    delimiter : str, optional
        The field separator of the CSV file it came from (None for Excel, Parquet).
    whole : bool, default False
        Whether the column holds whole numbers (quantities): ``1,250`` and ``1.250``
        then both group thousands when nothing proves otherwise.

    Returns
    -------
    NumberReading
    """
    if values.dtype.kind in "iufb":
        return _typed(values)
    codes, uniques = distinct(values)
    if len(uniques) == 0:  # every value missing (a blank optional column)
        return NumberReading(values=pd.Series(np.nan, index=values.index, dtype="float64"))
    uniques = np.asarray(uniques, dtype=object)
    parsed, how = _read_distinct(uniques, delimiter=delimiter, whole=whole)
    full = np.append(parsed, np.nan)
    out = pd.Series(full[np.where(codes < 0, len(parsed), codes)], index=values.index)
    bad = np.append(np.isnan(parsed), False)
    line_bad = bad[np.where(codes < 0, len(parsed), codes)]
    first = str(uniques[codes[int(np.argmax(line_bad))]]) if line_bad.any() else None
    return NumberReading(values=out, unreadable=int(line_bad.sum()), first_unreadable=first, **how)


def _typed(values: pd.Series) -> NumberReading:
    as_float = values.astype("float64")
    arr = as_float.to_numpy()
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(arr) & ~(np.abs(arr) <= MAX_MAGNITUDE)
    if not bad.any():
        return NumberReading(values=as_float)
    first = values.iloc[int(np.argmax(bad))]
    return NumberReading(
        values=as_float.mask(bad), unreadable=int(bad.sum()), first_unreadable=str(first)
    )


def _read_distinct(uniques: np.ndarray, *, delimiter: str | None, whole: bool):
    import pyarrow as pa
    import pyarrow.compute as pc

    parsed = np.full(len(uniques), np.nan)
    is_number = np.array(
        [isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
         for v in uniques], dtype=bool,
    ) if uniques.dtype == object else np.zeros(len(uniques), dtype=bool)  # fmt: skip
    if is_number.any():  # an Excel column mixing number cells and text cells
        parsed[is_number] = uniques[is_number].astype("float64")
    text = np.asarray([str(v) for v in uniques], dtype=object)
    arr = pa.array(text, type=pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    arr = pc.replace_substring_regex(arr, r"[£$€¥]|\b(?:GBP|EUR|USD)\b", "")
    arr = pc.replace_substring_regex(arr, r"[\s\x{00a0}\x{202f}\x{2009}'’]", "")
    arr = pc.replace_substring(arr, "\u2212", "-")
    arr = pc.replace_substring_regex(arr, r"^\((.*)\)$", r"-\1")

    def match(pattern: str) -> np.ndarray:
        return pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False) & ~is_number

    comma_groups, dot_groups = match(_COMMA_GROUPS), match(_DOT_GROUPS)
    comma_dot, dot_comma = match(_COMMA_GROUPS_DOT_DEC), match(_DOT_GROUPS_COMMA_DEC)
    dot_dec = (match(_DOT_DEC) & ~dot_groups) | comma_dot
    comma_dec = (match(_COMMA_DEC) & ~comma_groups) | dot_comma
    plain_text = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)

    how: dict = {}
    if dot_dec.any() and comma_dec.any():
        how["conflict"] = (str(text[np.argmax(dot_dec)]), str(text[np.argmax(comma_dec)]))
    if dot_dec.sum() >= comma_dec.sum() and dot_dec.any():
        decimal = "."
    elif comma_dec.any():
        decimal = ","
    else:  # no proof: the file's separator decides (see the module notes)
        if comma_groups.any() or dot_groups.any():
            how["guessed"] = True
            how["example"] = str(text[np.argmax(comma_groups | dot_groups)])
        comma_thousands = whole or delimiter in (None, ",")
        if comma_groups.any():
            decimal = "." if comma_thousands else ","
        else:
            decimal = "," if (whole or delimiter == ";") and dot_groups.any() else "."
    thousands = "," if decimal == "." else "."
    if decimal == ".":
        groups, decimals = comma_groups | comma_dot, match(_DOT_DEC) | comma_dot
    else:
        groups, decimals = dot_groups | dot_comma, match(_COMMA_DEC) | dot_comma
    if groups.any():
        how["thousands"] = thousands
        how.setdefault("example", str(text[np.argmax(groups)]))
    readable = match(_PLAIN) | match(_SCIENTIFIC) | groups | decimals
    candidate = plain_text[readable]
    if len(candidate):
        cleaned = pd.Series(candidate, dtype=object)
        cleaned = cleaned.str.replace(thousands, "", regex=False)
        if decimal == ",":
            cleaned = cleaned.str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype="float64")
        parsed[readable] = numbers
    with np.errstate(invalid="ignore"):
        parsed[~(np.abs(parsed) <= MAX_MAGNITUDE)] = np.nan
    how["decimal"] = decimal
    return parsed, how
