"""Propose which column of a file holds which canonical field, by name and by content.

:func:`profile_columns` reads a sample of every column with the readers of
:mod:`recsys.data.sniff` (what share reads as dates, as numbers, whole numbers, e-mail
addresses, free text); :func:`suggest_columns` scores every (field, column) pair by the
column's name (a synonym of the field, exactly or as a part: ``Order Date`` holds
``date``) and keeps only pairs whose content fits the field's kind (a date field needs
dates, a quantity whole numbers, a price numbers). Pairs are then taken best first, each
field and each column once. A field no name points to may still be found by content
alone (the only date column, the only e-mail column). The result is a proposal: the
marketer confirms or edits it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.mapping.fields import (
    ATTRIBUTE,
    DATE,
    ID,
    LINE_TOTAL,
    MONEY,
    NUMBER,
    TEXT_KIND,
    WHOLE,
    Field,
    name_key,
    table_fields,
    words,
)
from recsys.data.sniff import read_dates, read_numbers

SAMPLE_ROWS = 5_000
"""Values of each column looked at to tell its content."""

_DATE_SHAPE = re.compile(r"\d[-/.]\d|\d{4}-\d\d|[A-Za-z]{3,}\.? ?\d|\d ?[A-Za-z]{3,}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ColumnProfile:
    """What a column's sampled values are.

    Attributes
    ----------
    column : str
        The column's name as in the file.
    filled : int
        Non-missing values in the sample.
    dates : float
        Share of values read as dates written as dates (not plain numbers).
    numbers : float
        Share of values read as numbers.
    whole : float
        Share of the numbers that are whole.
    emails : float
        Share of values that are e-mail addresses.
    words : float
        Share of values with a space between letters (free text: names, descriptions).
    distinct : float
        Distinct values over filled values.
    order_names : float
        Share of values written like an order's name (``#1001``).
    example : str or None
        The first value, as written.
    """

    column: str
    filled: int
    dates: float
    numbers: float
    whole: float
    emails: float
    words: float
    distinct: float
    example: str | None
    order_names: float = 0.0

    def fits(self, kind: str) -> bool:
        """Whether the column's content can be of ``kind`` (see :mod:`.fields`)."""
        if self.filled == 0:
            return False
        if kind == DATE:
            return self.dates >= 0.9
        if kind == WHOLE:
            return self.numbers >= 0.9 and self.whole >= 0.95
        if kind in (MONEY, NUMBER):
            return self.numbers >= 0.9
        if kind == ID:
            fractional = self.numbers >= 0.9 and self.whole < 0.95
            return not fractional and self.dates < 0.9 and self.words < 0.5
        if kind == TEXT_KIND:
            return self.numbers < 0.5 and self.dates < 0.9
        return kind == ATTRIBUTE


@dataclass(frozen=True)
class Suggestion:
    """A proposed mapping of one table.

    Attributes
    ----------
    columns : dict of str to str
        ``{canonical field: the file's column}``, fields in the table's order.
    reasons : dict of str to str
        ``{canonical field: "name"}`` when the column's name gave the field, ``"content"``
        when only its values did.
    """

    columns: dict[str, str]
    reasons: dict[str, str]


def profile_columns(frame: pd.DataFrame, *, sample: int = SAMPLE_ROWS) -> dict[str, ColumnProfile]:
    """Return a :class:`ColumnProfile` of every column of ``frame`` (not modified),
    looking at its first ``sample`` non-missing values."""
    return {str(col): _profile(str(col), frame[col]) for col in frame.columns}


def _profile(name: str, values: pd.Series) -> ColumnProfile:
    values = values.dropna().iloc[: 4 * SAMPLE_ROWS]  # a sample: stripping every value costs seconds
    if values.dtype == object or isinstance(values.dtype, (pd.CategoricalDtype, pd.StringDtype)):
        text = values.astype(str).str.strip()
        values = values[(text != "").to_numpy()]
    values = values.iloc[:SAMPLE_ROWS].reset_index(drop=True)
    n = len(values)
    if n == 0:
        return ColumnProfile(name, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, None)
    example = str(values.iloc[0])
    if isinstance(values.dtype, pd.DatetimeTZDtype) or values.dtype.kind == "M":
        return ColumnProfile(name, n, 1.0, 0.0, 0.0, 0.0, 0.0, _share_distinct(values), example)
    typed_numbers = values.dtype.kind in "iufb"
    text = values.astype(str)
    numbers = read_numbers(values).values
    read = numbers.notna().to_numpy()
    number_share = float(read.mean())
    whole = float((np.mod(numbers[read], 1) == 0).mean()) if read.any() else 0.0
    date_share = 0.0
    if not typed_numbers:
        shaped = text.str.contains(_DATE_SHAPE).to_numpy(dtype=bool)
        if shaped.mean() >= 0.9:
            dated = read_dates(values).values.notna().to_numpy()
            date_share = float((dated & shaped).mean())
    emails = float(text.str.fullmatch(_EMAIL).mean()) if not typed_numbers else 0.0
    spaced = float(text.str.contains(r"[A-Za-z]\s+[A-Za-z]").mean()) if not typed_numbers else 0.0
    numbered = float(text.str.fullmatch(r"#\d+").mean()) if not typed_numbers else 0.0
    return ColumnProfile(
        column=name, filled=n, dates=date_share, numbers=number_share, whole=whole,
        emails=emails, words=spaced, distinct=_share_distinct(values), example=example,
        order_names=numbered,
    )  # fmt: skip


def _share_distinct(values: pd.Series) -> float:
    return float(values.nunique(dropna=True) / max(len(values), 1))


def name_score(column: str, fld: Field) -> float:
    """How well a column's name names ``fld``: 1 for a synonym, 0.5-0.8 for a name that
    holds a synonym's words in a row (``Order Date`` holds ``date``), else 0."""
    if name_key(column) in fld.keys:
        return 1.0
    col_words = words(column)
    if not col_words:
        return 0.0
    best = 0.0
    for synonym in (fld.name, *fld.synonyms):
        syn = words(synonym)
        if not syn or len(syn) > len(col_words):
            continue
        for start in range(len(col_words) - len(syn) + 1):
            if col_words[start:start + len(syn)] == syn:
                best = max(best, 0.5 + 0.3 * len(syn) / len(col_words))
    return best


def suggest_columns(
    frame: pd.DataFrame, table: str, *, profiles: dict[str, ColumnProfile] | None = None
) -> Suggestion:
    """Propose ``{field: column}`` for the columns of ``frame`` onto ``table``'s fields.

    Parameters
    ----------
    frame : DataFrame
        The file's columns as read (any names, values as text, numbers or timestamps).
        Not modified.
    table : {"transactions", "products", "customers", "reviews"}
        Which table's fields to map onto.
    profiles : dict, optional
        :func:`profile_columns` of ``frame``, when already computed.

    Returns
    -------
    Suggestion
        Fields no column fits are left out; ``unit_price`` and ``line_total`` are never
        both proposed (the better-named wins, ``unit_price`` on a tie).
    """
    profiles = profiles if profiles is not None else profile_columns(frame)
    fields = table_fields(table)
    order = {f.name: i for i, f in enumerate(fields)}
    candidates: list[tuple[float, int, int, str, str, str]] = []
    for position, column in enumerate(map(str, frame.columns)):
        profile = profiles[column]
        for fld in fields:
            if not profile.fits(fld.kind):
                continue
            score = name_score(column, fld)
            if score > 0:
                score += _content_bonus(fld, profile)
                candidates.append((score, -order[fld.name], -position, fld.name, column, "name"))
    for fld, score, column in _by_content(fields, profiles, frame):
        candidates.append((score, -order[fld.name], 0, fld.name, column, "content"))
    chosen: dict[str, str] = {}
    reasons: dict[str, str] = {}
    used: set[str] = set()
    for _, _, _, name, column, why in sorted(candidates, reverse=True):
        if name in chosen or column in used:
            continue
        if name in (S.UNIT_PRICE, LINE_TOTAL) and ({S.UNIT_PRICE, LINE_TOTAL} & set(chosen)):
            continue
        chosen[name] = column
        reasons[name] = why
        used.add(column)
    ordered = {f.name: chosen[f.name] for f in fields if f.name in chosen}
    return Suggestion(columns=ordered, reasons={k: reasons[k] for k in ordered})


def _content_bonus(fld: Field, profile: ColumnProfile) -> float:
    """A little more for a name match whose values look the part (words for a
    description, e-mail addresses for a customer), to break ties between names."""
    if fld.name == S.DESCRIPTION and profile.words >= 0.5:
        return 0.1
    if fld.name == S.CUSTOMER_ID and profile.emails >= 0.9:
        return 0.05
    return 0.0


def _by_content(fields, profiles: dict[str, ColumnProfile], frame: pd.DataFrame):
    """(field, score, column) for fields that content alone can point to: the only date
    column for a date field, the only e-mail column for a customer id."""
    names = {f.name: f for f in fields}
    dated = [c for c, p in profiles.items() if p.fits(DATE)]
    for name in (S.INVOICE_DATE, "review_date", S.SIGNUP_DATE):
        if name in names and len(dated) == 1:
            yield names[name], 0.4, dated[0]
    emails = [c for c, p in profiles.items() if p.emails >= 0.9]
    if S.CUSTOMER_ID in names and len(emails) == 1:
        yield names[S.CUSTOMER_ID], 0.45, emails[0]
    numbered = [c for c, p in profiles.items() if p.order_names >= 0.9]
    if S.INVOICE_ID in names and len(numbered) == 1:
        yield names[S.INVOICE_ID], 0.45, numbered[0]
