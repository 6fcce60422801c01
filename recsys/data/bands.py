"""Customer attributes written as numbers or as bands ("45-54", "50-74K", "5+").

Household panels and loyalty schemes publish age, income and household size as bands.
:func:`read_band` reads one value into its lower and upper bound; :func:`band_values`
gives a number per customer (a band's middle) so that bands and plain numbers of one
column can be compared, scaled and averaged; :func:`band_categories` gives an ordered
categorical (lowest band first) for mixes and groups.

Forms read (case and spaces do not matter; "K" is thousands, "M" millions, and a unit
written on one bound applies to both: "50-74K" is 50,000 to 74,999; currency signs and
thousands separators are ignored):

* ``45``, ``45.5``, ``50K`` (a number);
* ``45-54``, ``45–54``, ``45 to 54``, ``$50,000-$74,999`` (a closed band);
* ``Under 15K``, ``<15K``, ``Less than 15K``, ``Up to 15K`` (open below, from 0);
* ``150K+``, ``65+``, ``65 and over``, ``Over 65``, ``>65``, ``150K or more`` (open above);
* the same in German, French and Spanish exports (``18 bis 24``, ``unter 15K``, ``über 65``,
  ``moins de 25``, ``plus de 65``, ``18 à 24``, ``más de 65``).

Anything else ("Unknown", "Single", "") is missing.

:func:`attribute_values` is how a customers table's attribute column is read at load time:
numbers stay numbers, bands become an ordered categorical.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from recsys.data.sniff import read_numbers

_NUM = r"(\d+(?:\.\d+)?)\s*([km])?"
_UNITS = {None: 1.0, "": 1.0, "k": 1e3, "m": 1e6}
_CLOSED = re.compile(rf"^{_NUM}\s*(?:-|–|—|to|bis|à|a)\s*{_NUM}$")
_BELOW = re.compile(rf"^(?:under|below|less than|up to|<=?|unter|bis|moins de|menos de)\s*{_NUM}$")
_ABOVE = re.compile(rf"^(?:over|above|more than|>=?|über|uber|ab|plus de|más de|mas de)\s*{_NUM}$"
                    rf"|^{_NUM}\s*(?:\+|and over|and above|or more|and up|plus)$")
_SINGLE = re.compile(rf"^{_NUM}$")
OPEN_TOP = 1.25
"""An open top band ("65+") counts as its lower bound times this, as its middle."""


def read_band(value: object) -> tuple[float, float] | None:
    """Return ``(low, high)`` of a number or band (``high`` is inf for "65+"), else None.

    A plain number is a band of one value: ``(45.0, 45.0)``; "50-74K" is ``(50000.0,
    74000.0)`` (the upper bound as written).
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        return (v, v) if np.isfinite(v) else None
    text = re.sub(r"\b(?:years|yrs|jahre|ans|años)\b", " ", str(value).lower())
    text = re.sub(r"[£$€,\s]+", " ", text).strip()
    text = re.sub(r"(\d) (?=\d)", r"\1", text)
    if not text:
        return None
    match = _CLOSED.match(text)
    if match:
        lo, lo_unit, hi, hi_unit = match.groups()
        unit = _UNITS[hi_unit or lo_unit]
        low = float(lo) * (_UNITS[lo_unit] if lo_unit else unit)
        high = float(hi) * unit
        return (low, high) if low <= high else None
    match = _BELOW.match(text)
    if match:
        return (0.0, float(match.group(1)) * _UNITS[match.group(2)])
    match = _ABOVE.match(text)
    if match:
        number, unit = (match.group(1), match.group(2)) if match.group(1) else (
            match.group(3), match.group(4))
        return (float(number) * _UNITS[unit], np.inf)
    match = _SINGLE.match(text)
    if match:
        v = float(match.group(1)) * _UNITS[match.group(2)]
        return (v, v)
    return None


def band_values(values: pd.Series) -> pd.Series:
    """Return one number per value: the number itself, or its band's middle.

    ``"45-54"`` is 49.5, ``"Under 15K"`` 7,500, ``"150K+"`` 187,500 (:data:`OPEN_TOP`
    times the lower bound); unreadable values are NaN. Each distinct value is read once.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mids = np.full(len(uniques), np.nan)
    for i, u in enumerate(uniques):
        band = read_band(u)
        if band is not None:
            low, high = band
            mids[i] = low * OPEN_TOP if np.isinf(high) else (low + high) / 2.0
    return pd.Series(np.append(mids, np.nan)[np.where(codes < 0, len(mids), codes)],
                     index=values.index, dtype=np.float64)


MAX_OWN_BANDS = 10
"""Up to this many distinct plain numbers in a column are each a band of their own."""

AGE_BANDS: tuple[tuple[float, str], ...] = (
    (0, "Under 25"), (25, "25-34"), (35, "35-44"), (45, "45-54"), (55, "55-64"), (65, "65+"))
"""Bands that plain ages are put in for mixes (lower bound, label)."""


def band_categories(values: pd.Series, *, bins: tuple[tuple[float, str], ...] | None = None
                    ) -> pd.Series:
    """Return the values as an ordered categorical, lowest band first.

    Band labels are kept as written (``"50-74K"``), ordered by their bounds. Plain
    numbers are put into ``bins`` (``(lower bound, label)`` pairs, e.g. :data:`AGE_BANDS`);
    without bins, up to :data:`MAX_OWN_BANDS` distinct numbers (household sizes) are
    bands of their own ("2"), more are put into four bands at the quartiles ("20-34").
    Unreadable values are missing.
    """
    bands = {u: read_band(u) for u in pd.unique(values.dropna())}
    numeric = {u for u, b in bands.items() if b is not None and b[0] == b[1]}
    labels: dict[object, str] = {}
    order: dict[str, tuple[float, float]] = {}
    for u, b in bands.items():
        if b is None or u in numeric:
            continue
        labels[u] = str(u).strip()
        order[labels[u]] = b
    if numeric:
        nums = pd.Series({u: bands[u][0] for u in numeric}, dtype=np.float64)
        if bins is None and len(nums) <= MAX_OWN_BANDS:
            bins = tuple((float(v), f"{v:g}") for v in sorted(nums.unique()))
        if bins is None:
            edges = np.unique(np.quantile(values[values.isin(list(numeric))].map(
                lambda u: bands[u][0]).astype(float), [0.0, 0.25, 0.5, 0.75]))
            bins = tuple((float(e), "") for e in edges)
            names = []
            for i, (low, _) in enumerate(bins):
                high = bins[i + 1][0] if i + 1 < len(bins) else None
                names.append(f"{low:g}+" if high is None else f"{low:g}-{high:g}")
            bins = tuple((low, name) for (low, _), name in zip(bins, names, strict=True))
        lows = np.array([b[0] for b in bins])
        for u, v in nums.items():
            i = max(int(np.searchsorted(lows, v, side="right")) - 1, 0)
            low, name = bins[i]
            high = bins[i + 1][0] if i + 1 < len(bins) else np.inf
            labels[u] = name
            order[name] = (low, high)
    categories = sorted(order, key=lambda name: (order[name][0], order[name][1], name))
    mapped = pd.Series([labels.get(v) if not pd.isna(v) else None for v in values],
                       index=values.index, dtype=object)
    return pd.Series(pd.Categorical(mapped, categories=categories, ordered=True),
                     index=values.index)


NUMERIC_SHARE = 0.9
"""A column whose values read as plain numbers at least this often is kept as numbers."""


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
        categories sorted by :func:`read_band` (bands by their lower bound, then text that
        is no band, alphabetically). Same index as ``values``.
    """
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
    distinct = sorted(set(filled), key=_band_order)
    return pd.Series(
        pd.Categorical(text.astype(object), categories=distinct, ordered=True), index=values.index
    )


def _band_order(text: str) -> tuple:
    bounds = read_band(text)
    return (0, bounds[0], bounds[1], text) if bounds else (1, 0.0, 0.0, text)
