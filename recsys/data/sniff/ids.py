"""Reading an id column (invoices, customers, products) as text, undoing what spreadsheets do.

:func:`read_ids` returns ids as a categorical of text:

- numbers become their whole-number text: a float id ``17850.0`` (a spreadsheet turns
  a column with blanks into floats) is ``"17850"``; floats beyond 2**53 keep every digit
  they still hold (``1e19`` is ``"10000000000000000000"``), so different ids never merge
  into one, and they are counted (:attr:`IdReading.lossy`): such a float may already
  have lost the id's last digits;
- text ``"17850.0"`` is ``"17850"``; scientific notation ``"1.785E+04"`` (a spreadsheet's
  display of 17850) is ``"17850"`` when it is a whole number, and counted;
- leading and trailing spaces, tabs, line breaks, non-breaking and zero-width spaces are
  removed; ids that differ only by them become one (counted, with an example);
- leading zeros stay (``"00123"`` is not ``"123"``), and so do signs (``"-5"``);
- empty text, and the words exports write for "no value" (``NA``, ``N/A``, ``null``,
  ``None``, ``nan``, ``#N/A``), are missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

_EXACT_FLOAT = 2.0**53
_TRIM = " \t\r\n\v\f\u00a0\u2007\u202f\u200b\ufeff"
_SCIENTIFIC = r"^[+-]?\d+(?:\.\d+)?[eE]\+?\d+$"
MISSING_WORDS: frozenset[str] = frozenset({"na", "n/a", "nan", "null", "none", "#n/a"})
"""Ids that mean "no value" (compared in lower case)."""


@dataclass(frozen=True)
class IdReading:
    """An id column as read, and what was repaired.

    Attributes
    ----------
    values : Series
        Categorical of str with the input's index; missing where empty.
    whitespace_merged : int
        Distinct ids as written that became another id once spaces, tabs or line
        breaks around them were removed (``"\\t17850"`` and ``"17850"``).
    whitespace_example : str or None
        One such id as written.
    scientific : int
        Distinct ids written in scientific notation and read as whole numbers.
    scientific_example : str or None
        One such id as written (``"1.785E+04"``).
    lossy : int
        Distinct float ids beyond 2**53, which a float cannot hold exactly.
    lossy_example : str or None
        One such id as read.
    """

    values: pd.Series
    whitespace_merged: int = 0
    whitespace_example: str | None = None
    scientific: int = 0
    scientific_example: str | None = None
    lossy: int = 0
    lossy_example: str | None = None


def read_ids(values: pd.Series, *, upper: bool = False) -> IdReading:
    """Read an id column (numbers or text) as a categorical of text (see the module notes).

    Parameters
    ----------
    values : Series
        The column as read. Not modified.
    upper : bool, default False
        Upper-case the ids (stock codes: ``85123a`` is ``85123A``).

    Returns
    -------
    IdReading
    """
    codes, uniques = distinct(values)
    uniques = pd.Index(uniques)
    how: dict = {}
    if uniques.dtype.kind == "f":
        text, how = _float_ids(uniques.to_numpy())
    elif uniques.dtype.kind in "iub":
        text = np.asarray(uniques.astype(str), dtype=object)
    else:
        text, how = _text_ids(uniques, upper=upper)
    return IdReading(values=map_distinct(text, codes, values.index), **how)


def distinct(values: pd.Series) -> tuple[np.ndarray, np.ndarray | pd.Index]:
    """Codes per line (-1 where missing) and the distinct values: a categorical's own
    codes and categories (no hashing), else :func:`pandas.factorize`'s."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if isinstance(uniques.dtype, pd.CategoricalDtype):
        uniques = np.asarray(uniques)
    return codes, uniques


def _float_ids(values: np.ndarray) -> tuple[np.ndarray, dict]:
    text = np.asarray(pd.Index(values).astype(str), dtype=object)
    whole = np.isfinite(values) & (np.mod(values, 1) == 0)
    small = whole & (np.abs(values) < 2.0**63)
    text[small] = values[small].astype(np.int64).astype(str).astype(object)
    for i in np.flatnonzero(whole & ~small):
        text[i] = str(int(values[i]))
    lossy = np.isfinite(values) & (np.abs(values) >= _EXACT_FLOAT)
    how = {}
    if lossy.any():
        how = {"lossy": int(lossy.sum()), "lossy_example": str(text[np.argmax(lossy)])}
    return text, how


def _text_ids(uniques: pd.Index, *, upper: bool) -> tuple[np.ndarray, dict]:
    import pyarrow as pa
    import pyarrow.compute as pc

    raw = pa.array(np.asarray(uniques.astype(str), dtype=object), type=pa.string())
    arr = pc.utf8_trim(raw, characters=_TRIM)
    trimmed = pc.not_equal(arr, raw).to_numpy(zero_copy_only=False)
    arr = pc.replace_substring_regex(arr, pattern=r"^([+-]?\d+)\.0*$", replacement=r"\1")
    scientific = pc.match_substring_regex(arr, _SCIENTIFIC).to_numpy(zero_copy_only=False)
    missing = pc.is_in(pc.utf8_lower(arr), value_set=pa.array(sorted(MISSING_WORDS)))
    arr = pc.if_else(missing, "", arr)
    if upper:
        arr = pc.utf8_upper(arr)
    text = arr.to_numpy(zero_copy_only=False).astype(object)
    how: dict = {}
    if scientific.any():
        converted = 0
        for i in np.flatnonzero(scientific):
            whole = _whole_number(text[i])
            if whole is not None:
                how.setdefault("scientific_example", str(uniques[i]))
                text[i] = whole
                converted += 1
        if converted:
            how["scientific"] = converted
    if trimmed.any():
        merged = _merged(text, trimmed)
        if merged.any():
            how["whitespace_merged"] = int(merged.sum())
            how["whitespace_example"] = str(uniques[int(np.argmax(merged))])
    return text, how


def _whole_number(text: str) -> str | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if number != number.to_integral_value():
        return None
    return str(int(number))


def _merged(text: np.ndarray, trimmed: np.ndarray) -> np.ndarray:
    """Trimmed ids whose text another distinct id also has."""
    counts = pd.Series(text).value_counts()
    shared = pd.Series(text).map(counts).to_numpy() > 1
    return trimmed & shared & (text != "")


def map_distinct(text: np.ndarray, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Map per-distinct-value ``text`` back onto the lines as a categorical.

    Distinct raw values that read as the same text share one category; empty text is
    missing.
    """
    text = np.where(text == "", None, text)
    new_codes, categories = pd.factorize(text, use_na_sentinel=True)
    mapped = new_codes[codes] if len(new_codes) else np.zeros_like(codes)
    line_codes = np.where(codes < 0, -1, mapped).astype(np.int32, copy=False)
    categories = pd.Index(categories, dtype=object)
    return pd.Series(pd.Categorical.from_codes(line_codes, categories=categories), index=index)
