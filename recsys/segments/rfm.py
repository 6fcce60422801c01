"""The classic RFM grid: 1–5 quintile scores and the standard segment map.

Marketers know this view: every customer gets a score from 1 to 5 on recency
(5 = bought most recently), frequency and monetary value, by quintile of the
population, and the pair (R, F) places them in one of ten named cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.segments import features as F

R_QUINTILE = "r"
F_QUINTILE = "f"
M_QUINTILE = "m"
RFM_CODE = "rfm_code"
RFM_SEGMENT = "rfm_segment"

RFM_SEGMENTS: tuple[str, ...] = (
    "Champions",
    "Loyal customers",
    "Potential loyalists",
    "New customers",
    "Promising",
    "Need attention",
    "About to sleep",
    "At risk",
    "Can't lose them",
    "Hibernating",
)
"""The ten cells of the standard RFM map, from most to least valuable."""


def rf_segment(r: int, f: int) -> str:
    """Return the standard RFM-map segment of recency score ``r`` and frequency score ``f``.

    Both scores are 1..5 (5 = best). The map is the one marketers use::

        R\\F   1          2-3                  4-5
        5     New        Potential loyalists  Champions
        4     Promising  Potential loyalists  Loyal customers
        3     About to sleep (F 1-2), Need attention (F 3), Loyal customers (F 4-5)
        1-2   Hibernating (F 1-2), At risk (F 3-4), Can't lose them (F 5)
    """
    if not (1 <= r <= 5 and 1 <= f <= 5):
        raise ValueError(f"RFM scores must be 1..5, got r={r}, f={f}")
    if r <= 2:
        return "Hibernating" if f <= 2 else ("At risk" if f <= 4 else "Can't lose them")
    if r == 3:
        return "About to sleep" if f <= 2 else ("Need attention" if f == 3 else "Loyal customers")
    if f >= 4:
        return "Champions" if r == 5 else "Loyal customers"
    if f >= 2:
        return "Potential loyalists"
    return "New customers" if r == 5 else "Promising"


def quintile_scores(values: pd.Series, *, higher_is_better: bool = True) -> np.ndarray:
    """Return 1..5 scores by quintile of ``values`` (5 = best fifth).

    Equal values always get the same score, whatever the row order: they share their
    average rank, so a block of ties lands in the quintile holding its middle (quintiles
    are then only as even as the ties allow).

    Parameters
    ----------
    values : Series of numbers
    higher_is_better : bool, default True
        Whether the highest values score 5 (``False``: the lowest do, as for recency).

    Returns
    -------
    ndarray of int64, shape (len(values),), values in 1..5, in the order of ``values``.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    keyed = values if higher_is_better else -values
    pct = keyed.rank(method="average").to_numpy() / len(values)
    return np.clip(np.ceil(pct * 5).astype(np.int64), 1, 5)


def rfm_scores(features: pd.DataFrame) -> pd.DataFrame:
    """Return the RFM quintile scores and the standard segment of each customer.

    Parameters
    ----------
    features : DataFrame
        Indexed by ``customer_id``, with ``recency_days``, ``frequency``, ``monetary``
        (see :func:`recsys.segments.features.customer_features`).

    Returns
    -------
    DataFrame
        Same index; columns ``r``, ``f``, ``m`` (int 1..5, 5 = best: most recent,
        most frequent, highest spend), ``rfm_code`` (str such as ``"545"``) and
        ``rfm_segment`` (one of :data:`RFM_SEGMENTS`, from R and F).
    """
    r = quintile_scores(features[F.RECENCY_DAYS], higher_is_better=False)
    # Frequency has heavy ties (many one-order customers); rank ties by spend so that
    # equal frequencies do not land in different quintiles at random.
    f_key = features[F.FREQUENCY].astype(float) + _tie_break(features[F.MONETARY])
    f = quintile_scores(f_key)
    m = quintile_scores(features[F.MONETARY])
    out = pd.DataFrame({R_QUINTILE: r, F_QUINTILE: f, M_QUINTILE: m}, index=features.index)
    out[RFM_CODE] = [f"{a}{b}{c}" for a, b, c in zip(r, f, m, strict=True)]
    out[RFM_SEGMENT] = [rf_segment(int(a), int(b)) for a, b in zip(r, f, strict=True)]
    return out


def rfm_grid(scores: pd.DataFrame) -> pd.DataFrame:
    """Return the 5 × 5 grid of customers by R and F score, with the map's segment names.

    Parameters
    ----------
    scores : DataFrame
        As returned by :func:`rfm_scores`.

    Returns
    -------
    DataFrame
        25 rows, columns ``r``, ``f`` (1..5), ``customers`` (int), ``share``
        (of all customers, in [0, 1]) and ``rfm_segment``.
    """
    counts = scores.groupby([R_QUINTILE, F_QUINTILE]).size()
    cells = pd.MultiIndex.from_product([range(1, 6), range(1, 6)], names=[R_QUINTILE, F_QUINTILE])
    grid = counts.reindex(cells, fill_value=0).rename("customers").reset_index()
    grid["share"] = grid["customers"] / max(len(scores), 1)
    grid[RFM_SEGMENT] = [rf_segment(a, b) for a, b in zip(grid[R_QUINTILE], grid[F_QUINTILE], strict=True)]
    return grid


def rfm_segment_summary(features: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Return customers, revenue share and median figures per standard RFM segment.

    Returns
    -------
    DataFrame
        One row per segment of :data:`RFM_SEGMENTS` that has customers, in that order;
        columns ``rfm_segment``, ``customers``, ``customer_share``, ``revenue_share``,
        ``recency_days``, ``frequency``, ``monetary`` (medians).
    """
    joined = features[[F.RECENCY_DAYS, F.FREQUENCY, F.MONETARY]].join(scores[RFM_SEGMENT])
    groups = joined.groupby(RFM_SEGMENT)
    out = groups[[F.RECENCY_DAYS, F.FREQUENCY, F.MONETARY]].median()
    out.insert(0, "customers", groups.size())
    out.insert(1, "customer_share", out["customers"] / max(len(joined), 1))
    total = joined[F.MONETARY].sum()
    out.insert(2, "revenue_share", groups[F.MONETARY].sum() / total if total else 0.0)
    order = [s for s in RFM_SEGMENTS if s in out.index]
    return out.loc[order].rename_axis(RFM_SEGMENT).reset_index()


def _tie_break(monetary: pd.Series) -> pd.Series:
    """A value in [0, 0.5) increasing with spend, to order equal frequencies."""
    ranked = monetary.rank(method="average")
    return ranked / (2 * (len(ranked) + 1))

