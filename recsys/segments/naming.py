"""Names for customer segments from where their typical member stands on R, F and M.

A k-means cluster id means nothing (it changes with the seed), so names are never a
table from id to name. Instead each segment is placed by the **median** of its members
on recency, frequency and spend — the same medians the pages show as "Typically: …" —
relative to all customers: for each figure, whether the median is better than, equal to
or worse than the population median (``side``), and its percentile position among all
customers (``position``, 0–1, 1 = best).

Every marketer name (Champions, Loyal, Can't lose them, …) states the conditions its
segment must meet (e.g. Champions: more recent, more frequent and higher spend than the
median customer) and a typical position. Segments are matched one-to-one to names they
qualify for, closest first (Hungarian algorithm), so names are unique within one
segmentation. A segment that qualifies for no free name gets a plain description of
where it stands ("Recent low spenders") instead of a misleading classic name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

R_SCORE = "r_score"
F_SCORE = "f_score"
M_SCORE = "m_score"
R_SIDE = "r_side"
F_SIDE = "f_side"
M_SIDE = "m_side"
T_SIDE = "t_side"
NAME = "segment_name"
DESCRIPTION = "description"

HIGH = "high"
"""Condition: the segment's median is strictly better than the population median."""
LOW = "low"
"""Condition: strictly worse than the population median."""
NOT_HIGH = "not_high"
"""Condition: at or worse than the population median."""
ANY = "any"

_SIDE_OK = {HIGH: {1}, LOW: {-1}, NOT_HIGH: {0, -1}, ANY: {-1, 0, 1}}


@dataclass(frozen=True)
class Archetype:
    """A marketer's segment name, the conditions it requires and its typical position.

    Attributes
    ----------
    name : str
        The name shown to users.
    recency, frequency, monetary : float
        Typical percentile position (0–1) of the members' median on recency (1 = bought
        most recently), frequency (1 = buys most often) and spend (1 = spends most).
    description : str
        One line on who they are and what to do.
    r, f, m : str
        Required side of the median against the population median: ``"high"``,
        ``"low"``, ``"not_high"`` or ``"any"``.
    r_range, f_range, m_range : tuple of float
        Required percentile position ``[low, high)`` of the median.
    short_tenure : bool
        Also require the median tenure (days since the first order) to be below the
        population median: the members are new.
    """

    name: str
    recency: float
    frequency: float
    monetary: float
    description: str
    r: str = ANY
    f: str = ANY
    m: str = ANY
    r_range: tuple[float, float] = (0.0, 1.01)
    f_range: tuple[float, float] = (0.0, 1.01)
    m_range: tuple[float, float] = (0.0, 1.01)
    short_tenure: bool = False

    def admits(self, row: pd.Series) -> bool:
        """Return whether a row of :func:`segment_standing` meets this name's conditions."""
        sides = ((self.r, R_SIDE), (self.f, F_SIDE), (self.m, M_SIDE))
        if any(int(row[col]) not in _SIDE_OK[need] for need, col in sides):
            return False
        ranges = ((self.r_range, R_SCORE), (self.f_range, F_SCORE), (self.m_range, M_SCORE))
        if any(not lo <= row[col] < hi for (lo, hi), col in ranges):
            return False
        return not self.short_tenure or int(row[T_SIDE]) < 0


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("Champions", 0.85, 0.9, 0.9, "Bought recently, buy often and spend the most.",
              r=HIGH, f=HIGH, m=HIGH),
    Archetype("Loyal", 0.6, 0.75, 0.75, "Buy regularly and spend well; keep them engaged.",
              f=HIGH, m=HIGH, r_range=(0.4, 1.01)),
    Archetype("Can't lose them", 0.2, 0.82, 0.85, "Used to buy often and spend a lot, but not lately.",
              r=LOW, f=HIGH, m=HIGH),
    Archetype("At risk", 0.28, 0.6, 0.6, "Good customers who have not bought for a while.",
              r=LOW, m=HIGH),
    Archetype("Big spenders", 0.5, 0.35, 0.8, "Few but large orders.",
              f=NOT_HIGH, m=HIGH, m_range=(0.75, 1.01)),
    Archetype("Potential loyalists", 0.75, 0.5, 0.5, "Recent customers with a few orders; could become loyal.",
              r=HIGH, f_range=(0.25, 1.01)),
    Archetype("Need attention", 0.5, 0.5, 0.45, "Average on recency, frequency and spend; slipping.",
              r_range=(0.3, 0.7), f_range=(0.3, 0.7), m_range=(0.3, 0.7)),
    Archetype("Promising", 0.68, 0.28, 0.35, "Recent shoppers who have not spent much yet.",
              r=HIGH, f=NOT_HIGH, m=NOT_HIGH),
    Archetype("New customers", 0.88, 0.15, 0.2, "Bought for the first time very recently.",
              r=HIGH, f=NOT_HIGH, r_range=(0.65, 1.01), short_tenure=True),
    Archetype("About to sleep", 0.42, 0.3, 0.3, "Below average recency and frequency; will be lost without a nudge.",
              r=LOW, f=NOT_HIGH, r_range=(0.25, 0.5)),
    Archetype("Hibernating", 0.25, 0.25, 0.25, "Last bought long ago, few orders, low spend.",
              r=LOW, f=NOT_HIGH, m=NOT_HIGH),
    Archetype("Lost", 0.08, 0.12, 0.12, "Lowest recency, frequency and spend.",
              r=LOW, f=NOT_HIGH, m=NOT_HIGH, r_range=(0.0, 0.25)),
)
"""The vocabulary of segment names, each with its conditions and typical position."""

_WEIGHTS = np.array([1.2, 1.0, 1.0])
"""Recency weighs a little more: it separates "active" from "lapsing" names."""


def archetype(name: str) -> Archetype | None:
    """Return the archetype called ``name``, or None for a descriptive name."""
    for arch in ARCHETYPES:
        if name == arch.name:
            return arch
    return None


def _position(population: np.ndarray, value: float) -> float:
    """Share of ``population`` below ``value``, counting ties as half (the mid-ECDF)."""
    below = np.searchsorted(population, value, side="left")
    upto = np.searchsorted(population, value, side="right")
    return float((below + upto) / 2 / max(len(population), 1))


def segment_standing(
    recency: pd.Series, frequency: pd.Series, monetary: pd.Series, tenure: pd.Series, segment: np.ndarray
) -> pd.DataFrame:
    """Return where each segment's median customer stands against all customers.

    Parameters
    ----------
    recency, frequency, monetary, tenure : Series
        Per customer: days since the last order, orders, spend, days since the first
        order (aligned with each other).
    segment : array of int
        The segment of each customer.

    Returns
    -------
    DataFrame
        Indexed by segment (sorted). ``r_score``, ``f_score``, ``m_score``: percentile
        position (0–1, 1 = best: most recent, most orders, most spend) of the members'
        median among all customers; ``r_side``, ``f_side``, ``m_side``, ``t_side``
        (int): +1 when the median is above the population median (for recency: more
        recent, i.e. fewer days), 0 when equal, -1 below (tenure: +1 = longer).
    """
    figures = pd.DataFrame(
        {"r": -np.asarray(recency, dtype=float), "f": np.asarray(frequency, dtype=float),
         "m": np.asarray(monetary, dtype=float), "t": np.asarray(tenure, dtype=float)}
    )
    medians = figures.groupby(np.asarray(segment)).median().sort_index()
    out = pd.DataFrame(index=medians.index)
    for key, score, side in (("r", R_SCORE, R_SIDE), ("f", F_SCORE, F_SIDE), ("m", M_SCORE, M_SIDE)):
        population = np.sort(figures[key].to_numpy())
        out[score] = [_position(population, v) for v in medians[key]]
        out[side] = np.sign(medians[key] - figures[key].median()).astype(int)
    out[T_SIDE] = np.sign(medians["t"] - figures["t"].median()).astype(int)
    return out


def name_segments(standing: pd.DataFrame) -> pd.DataFrame:
    """Return a unique name and a one-line description for each row of ``standing``.

    Parameters
    ----------
    standing : DataFrame
        As from :func:`segment_standing`: ``r_score``, ``f_score``, ``m_score``,
        ``r_side``, ``f_side``, ``m_side``, ``t_side``.

    Returns
    -------
    DataFrame
        Same index; ``segment_name`` (str, all different) and ``description`` (str).
        Each segment gets a name whose conditions it meets, under a one-to-one matching
        that first names as many segments as possible and then minimises the distance
        to the names' typical positions. The others get a descriptive name from their
        sides ("Recent low spenders", "Lapsed frequent low spenders").
    """
    points = standing[[R_SCORE, F_SCORE, M_SCORE]].to_numpy(dtype=float)
    protos = np.array([[a.recency, a.frequency, a.monetary] for a in ARCHETYPES])
    gap = points[:, None, :] - protos[None, :, :]
    # Standing above a name's typical position on a figure it requires high never makes a
    # segment fit that name less (the biggest spenders are no less Champions).
    required_high = np.array([[need == HIGH for need in (a.r, a.f, a.m)] for a in ARCHETYPES])
    gap = np.where(required_high[None, :, :] & (gap > 0), 0.0, gap)
    cost = np.sqrt(((gap * _WEIGHTS) ** 2).sum(axis=2))
    admits = np.array([[a.admits(row) for a in ARCHETYPES] for _, row in standing.iterrows()]).reshape(cost.shape)
    # An inadmissible pair costs more than all admissible ones together (each costs under
    # 2): the matching names as many segments as it can, and only then prefers the
    # closest names.
    penalty = 2.0 * (len(points) + 1)
    rows, cols = linear_sum_assignment(np.where(admits, cost, penalty))
    names: list[str | None] = [None] * len(points)
    descriptions: list[str] = [""] * len(points)
    for r, c in zip(rows, cols, strict=True):
        if admits[r, c]:
            names[r], descriptions[r] = ARCHETYPES[c].name, ARCHETYPES[c].description
    plain = [i for i, n in enumerate(names) if n is None]
    for i in plain:
        row = standing.iloc[i]
        names[i], descriptions[i] = _descriptive(int(row[R_SIDE]), int(row[F_SIDE]), int(row[M_SIDE]))
    for i in plain:
        twins = [j for j in plain if j != i and names[j] == names[i]]
        if twins:
            names[i] = f"{names[i]} ({_qualifier(points[i], points[twins[0]])})"
    return pd.DataFrame(
        {NAME: _deduplicate([str(n) for n in names]), DESCRIPTION: descriptions}, index=standing.index
    )


def _descriptive(r_side: int, f_side: int, m_side: int) -> tuple[str, str]:
    """A plain name and description from the sides (+1, 0, -1) of the median on R, F and M."""
    recent = {1: "Recent", 0: "Mid-recency", -1: "Lapsed"}[r_side]
    spenders = {1: "high spenders", 0: "average spenders", -1: "low spenders"}[m_side]
    name = f"{recent} {spenders}"
    if f_side != 0 and (f_side > 0) != (m_side > 0):
        name = f"{recent} {'frequent' if f_side > 0 else 'occasional'} {spenders}"
    when = {1: "more recently than", 0: "as recently as", -1: "less recently than"}[r_side]
    often = {1: "more often", 0: "as often", -1: "less often"}[f_side]
    spend = {1: "spend more", 0: "spend about as much", -1: "spend less"}[m_side]
    return name, f"Typically ordered {when} the median customer, {often}, and {spend}."


def _qualifier(point: np.ndarray, other: np.ndarray) -> str:
    """Say in words how ``point`` differs most from ``other`` (R, F, M positions)."""
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
