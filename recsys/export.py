"""CSV exports that open safely in a spreadsheet.

:func:`to_csv_bytes` is the one CSV writer for downloads and the CLI: UTF-8 with a
byte-order mark (so Excel reads accents and the pound sign correctly) and text cells
neutralised against formula injection, following the OWASP "CSV Injection" guidance:
a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading single quote, so a spreadsheet shows it as text instead of running it.
Numbers are data, not formulas: numeric columns are written as numbers, and a text cell
that is a plain number (a customer id ``-5``, ``+44``) is written as it is, so a campaign
tool joining on ids finds it. A text id that had to be neutralised (``=1``) is written
``'=1``: strip one leading ``'`` before joining on such ids.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP)."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_cell(value: object) -> object:
    """Return ``value`` with a leading ``'`` when it is text that a spreadsheet would run.

    Non-text values (numbers, dates, missing values) and text that is a plain number
    (``"-5"``, ``"+1.5"``) are returned unchanged.
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def sanitise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells and column names are neutralised.

    Only object, string and categorical columns are touched; numeric, boolean and
    datetime columns keep their values and dtypes. The input is not changed.
    """
    out = frame.copy()
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        series = out.iloc[:, i]
        if (
            pd.api.types.is_object_dtype(series)
            or pd.api.types.is_string_dtype(series)
            or isinstance(series.dtype, pd.CategoricalDtype)
        ):
            cleaned = series.astype(object).map(neutralise_cell)
            out.isetitem(i, cleaned)
    return out


def to_csv_bytes(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """Return ``frame`` as CSV bytes: UTF-8 with BOM, formula-looking text neutralised.

    Parameters
    ----------
    frame : DataFrame
        Any table; text cells starting with ``= + - @``, tab or carriage return get a
        leading ``'`` (see :data:`FORMULA_PREFIXES`), numbers are written as numbers.
    index : bool, default False
        Whether to write the index as the first column (its name and values are
        neutralised too).

    Returns
    -------
    bytes
        The CSV text, encoded ``utf-8-sig`` (starts with ``b"\\xef\\xbb\\xbf"``),
        lines ending in ``\\r\\n`` as spreadsheets expect.
    """
    data = frame.reset_index() if index else frame
    safe = sanitise_frame(data)
    text = safe.to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


HASHED_SUFFIX = "_sha256"
"""Suffix of a column whose ids were replaced by their SHA-256 (``customer_id_sha256``)."""


def hashed_ids(values: pd.Series) -> pd.Series:
    """Return each id as the SHA-256 hex digest of its trimmed, lower-case text.

    The form advertising platforms ask for when matching customer lists by e-mail
    (``" Alice@Example.com"`` and ``"alice@example.com"`` hash alike), so an export can
    leave the shop without the addresses themselves. Missing ids stay missing.
    """
    import hashlib

    text = values.astype("string").str.strip().str.lower()
    uniques = text.dropna().unique()
    digests = {v: hashlib.sha256(str(v).encode("utf-8")).hexdigest() for v in uniques}
    return text.map(digests).astype("string")


def with_hashed_ids(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return ``frame`` (not modified) with ``column`` replaced, in place of it, by
    ``column + "_sha256"`` (:func:`hashed_ids`)."""
    out = frame.copy()
    position = list(out.columns).index(column)
    values = hashed_ids(out.pop(column))
    out.insert(position, column + HASHED_SUFFIX, values)
    return out
