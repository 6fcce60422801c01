"""Names for customer segments from where they stand on recency, frequency and spend.

A k-means cluster id means nothing (it changes with the seed), so names are never a
table from id to name. Instead every segment is placed by the mean percentile of its
members on recency (recent = high), frequency and spend, and matched one-to-one to
the closest of a vocabulary of marketer names (Champions, Loyal, At risk, …), each
defined by a typical position. The one-to-one match (Hungarian algorithm) makes the
names unique within one segmentation; beyond the vocabulary, a qualifier that says
how a segment differs from its namesake keeps them unique.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

R_SCORE = "r_score"
F_SCORE = "f_score"
M_SCORE = "m_score"


@dataclass(frozen=True)
class Archetype:
    """A marketer's segment name and the typical percentiles (0–1) of its members.

    Attributes
    ----------
    name : str
        The name shown to users.
    recency, frequency, monetary : float
        Typical mean percentile of members on recency (1 = bought most recently),
        frequency (1 = buys most often) and spend (1 = spends most).
    description : str
        One line on who they are and what to do.
    """

    name: str
    recency: float
    frequency: float
    monetary: float
    description: str


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("Champions", 0.85, 0.85, 0.85, "Bought recently, buy often and spend the most."),
    Archetype("Loyal", 0.62, 0.75, 0.72, "Buy regularly and spend well; keep them engaged."),
    Archetype("Can't lose them", 0.2, 0.82, 0.85, "Used to buy often and spend a lot, but not lately."),
    Archetype("At risk", 0.28, 0.6, 0.6, "Good customers who have not bought for a while."),
    Archetype("Big spenders", 0.5, 0.35, 0.8, "Few but large orders."),
    Archetype("Potential loyalists", 0.75, 0.5, 0.5, "Recent customers with a few orders; could become loyal."),
    Archetype("Need attention", 0.5, 0.5, 0.45, "Average on recency, frequency and spend; slipping."),
    Archetype("Promising", 0.68, 0.28, 0.35, "Recent shoppers who have not spent much yet."),
    Archetype("New customers", 0.88, 0.15, 0.2, "Bought for the first time very recently."),
    Archetype("About to sleep", 0.42, 0.3, 0.3, "Below average recency and frequency; will be lost without a nudge."),
    Archetype("Hibernating", 0.25, 0.25, 0.25, "Last bought long ago, few orders, low spend."),
    Archetype("Lost", 0.08, 0.12, 0.12, "Lowest recency, frequency and spend."),
)
"""The vocabulary of segment names, each with the typical position of its members."""

_WEIGHTS = np.array([1.2, 1.0, 1.0])
"""Recency weighs a little more: it separates "active" from "lapsing" names."""


def archetype(name: str) -> Archetype | None:
    """Return the archetype whose name ``name`` starts with, or None."""
    for arch in ARCHETYPES:
        if name == arch.name or name.startswith(arch.name + " ("):
            return arch
    return None


def name_segments(scores: pd.DataFrame) -> list[str]:
    """Return a unique name for each row of ``scores``.

    Parameters
    ----------
    scores : DataFrame
        One row per segment, columns ``r_score``, ``f_score``, ``m_score``: the mean
        percentile (0–1) of the members on recency (1 = most recent), frequency and
        spend.

    Returns
    -------
    list of str
        Names in row order, all different. Each segment gets the closest archetype
        under a one-to-one matching that minimises the total distance; when there are
        more segments than archetypes, the extra ones reuse their closest archetype's
        name with a qualifier such as ``"(higher spend)"``.
    """
    points = scores[[R_SCORE, F_SCORE, M_SCORE]].to_numpy(dtype=float)
    protos = np.array([[a.recency, a.frequency, a.monetary] for a in ARCHETYPES])
    cost = np.sqrt((((points[:, None, :] - protos[None, :, :]) * _WEIGHTS) ** 2).sum(axis=2))
    rows, cols = linear_sum_assignment(cost)
    names: list[str | None] = [None] * len(points)
    owner: dict[int, int] = {}
    for r, c in zip(rows, cols, strict=True):
        names[r] = ARCHETYPES[c].name
        owner[c] = r
    for r in range(len(points)):
        if names[r] is None:
            c = int(np.argmin(cost[r]))
            names[r] = f"{ARCHETYPES[c].name} ({_qualifier(points[r], points[owner[c]])})"
    return _deduplicate([str(n) for n in names])


def _qualifier(point: np.ndarray, other: np.ndarray) -> str:
    """Say in words how ``point`` differs most from ``other`` (R, F, M percentiles)."""
    diff = point - other
    axis = int(np.argmax(np.abs(diff)))
    higher = diff[axis] > 0
    return [
        ("more recent" if higher else "less recent"),
        ("more frequent" if higher else "less frequent"),
        ("higher spend" if higher else "lower spend"),
    ][axis]


def _deduplicate(names: list[str]) -> list[str]:
    """Append a running number to any name that still occurs twice."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return out
