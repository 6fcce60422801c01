"""Customer attributes given as numbers or as bands (``"45-54"``, ``"50-74K"``, ``"65+"``).

Shops and panel data often give age, income or household size as bands rather than
numbers. :func:`attribute_values` keeps a column of numbers as numbers and a column of
bands as bands, ordered by where each band starts (``"Under 15K"`` before ``"15-24K"``
before ``"250K+"``), so that profiles and charts list them in their natural order;
:func:`band_bounds` gives a band's lower and upper bound for code that needs a number.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from recsys.data.sniff import read_numbers

NUMERIC_SHARE = 0.9
"""A column whose values read as plain numbers at least this often is kept as numbers."""

_NUM = r"\$?£?€?\s*(\d+(?:[.,]\d+)?)\s*([kKmM])?"
_RANGE = re.compile(rf"^{_NUM}\s*(?:-|–|—|to|bis|à|a)\s*{_NUM}$")
_BELOW = re.compile(rf"^(?:under|below|less than|up to|<|<=|bis|moins de|unter)\s*{_NUM}$", re.I)
_ABOVE = re.compile(rf"^(?:over|above|more than|>|>=|ab|plus de|uber|über)\s*{_NUM}$", re.I)
_PLUS = re.compile(rf"^{_NUM}\s*(?:\+|and over|and above|or more|plus|\+ years)$", re.I)
_SCALE = {"k": 1_000.0, "m": 1_000_000.0}


def _value(number: str, suffix: str | None) -> float:
    return float(number.replace(",", ".")) * _SCALE.get((suffix or "").lower(), 1.0)


def band_bounds(text: object) -> tuple[float, float] | None:
    """Return ``(low, high)`` of a band, or None for text that is no band.

    ``"45-54"`` -> (45, 54); ``"50-74K"`` -> (50000, 74000) (a suffix on the upper
    bound applies to both); ``"Under 15K"`` -> (0, 15000); ``"65+"`` and ``"250K+"`` ->
    (65, inf) and (250000, inf); ``"35"`` -> (35, 35).
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    value = str(text).strip().lower().replace("years", "").replace("yrs", "").strip()
    found = _RANGE.match(value)
    if found:
        low_n, low_s, high_n, high_s = found.groups()
        suffix = low_s or high_s
        return _value(low_n, low_s or suffix), _value(high_n, high_s or suffix)
    found = _BELOW.match(value)
    if found:
        return 0.0, _value(*found.groups())
    found = _ABOVE.match(value) or _PLUS.match(value)
    if found:
        return _value(*found.groups()), math.inf
    found = re.fullmatch(_NUM, value)
    if found:
        number = _value(*found.groups())
        return number, number
    return None


def attribute_values(values: pd.Series) -> pd.Series:
    """Return a customer attribute as numbers (float64) or as ordered bands.

    Parameters
    ----------
    values : Series
        The column as read (numbers or text). Not modified.

    Returns
    -------
    Series
        float64 when at least :data:`NUMERIC_SHARE` of the given values are plain numbers
        (others become NaN); otherwise an ordered categorical of the stripped text, its
        categories sorted by :func:`band_bounds` (bands by their lower bound, then text
        that is no band, alphabetically). Same index as ``values``.
    """
    filled = values.dropna()
    if values.dtype.kind in "iufb":
        return values.astype("float64")
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    filled = text.dropna()
    if filled.empty:
        return pd.Series(np.nan, index=values.index, dtype="float64")
    numbers = read_numbers(filled).values
    if numbers.notna().mean() >= NUMERIC_SHARE and not filled.str.contains(r"\d\s*[-–+]|[kK]$").any():
        return read_numbers(text.astype(object)).values.astype("float64")
    distinct = sorted(set(filled), key=_band_key)
    return pd.Series(
        pd.Categorical(text.astype(object), categories=distinct, ordered=True), index=values.index
    )


def _band_key(text: str) -> tuple:
    bounds = band_bounds(text)
    return (0, bounds[0], bounds[1], text) if bounds else (1, 0.0, 0.0, text)
