"""The hybrid's blend: the settings it is made of, and how a setting is scored.

:class:`Blend` holds every setting of the hybrid that validation chooses (see
:mod:`recsys.recommend.tuning`): the collaborative part's ridge penalty and recency
half-life, the half-life of "popular right now", the weights of the other parts for
customers with little and with rich history, and the concentration cap. The grids of
candidate values are here; they are small on purpose, so that a choice made on a few
weeks of a shop's own history is not noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.data import schema as S
from recsys.recommend.base import top_n
from recsys.recommend.exposure import exposure_offsets, top_share
from recsys.recommend.interactions import Interactions

COLLABORATIVE = "collaborative"
CONTENT = "content"
TREND = "trend"
PROFILE = "profile"
"""Names of the hybrid's own parts (further parts go by their registry name)."""

L2_FACTORS = (1 / 3, 1.0, 3.0)
"""EASE ridge penalty candidates, as multiples of the hybrid's ``l2``."""
NEIGHBOUR_FACTORS = (0.5, 1.0, 2.0)
"""Item-kNN neighbour candidates (large catalogues), as multiples of ``neighbours``."""
HALF_LIVES = (20.0, 60.0, 180.0)
TREND_HALF_LIVES = (3.0, 7.0, 14.0, 30.0)
TREND_WEIGHTS = (0.0, 0.15, 0.3, 0.5, 0.8)
CONTENT_WEIGHTS = (0.05, 0.1, 0.2, 0.4)
"""Content weight never drops to 0, so products without sales (reachable only through
their description) can still be recommended."""
PROFILE_WEIGHTS = (0.0, 0.15, 0.3, 0.6, 1.0)
EXTRA_WEIGHTS = (0.0, 0.15, 0.3, 0.6)
CAPS = (0.5, 0.35, 0.25)
"""Concentration caps tried: the largest share of customers whose top 5 may hold one
product."""

TARGET_SHARE = 0.25
"""The cap aimed at: no product in more than a quarter of the customers' top 5 …"""
MAX_NDCG_COST = 0.02
"""… unless it costs more than this share of the validation NDCG; then the tightest cap
that costs less is kept (or none)."""

MIN_USERS = 30
"""Fewer validation customers than this in a window leave that window out."""

MAX_CELLS = 4_000_000
"""Validation customers × products scored at once per window (bounds memory)."""

WINDOW_DECAY = 0.5
"""Weight of each validation window relative to the next more recent one: the latest
weeks say most about the weeks to come (seasons move), the earlier ones steady the
choice."""

CANDIDATES = 40
"""Best products per part kept as a customer's candidates when weights are searched."""


@dataclass(frozen=True)
class Blend:
    """Settings of the hybrid (the collaborative part's weight is 1).

    Attributes
    ----------
    l2 : float
        Ridge penalty of EASE (neighbours of item-kNN on large catalogues).
    half_life_days : float
        Recency half-life of the customer's purchases in the collaborative part.
    trend_half_life_days : float
        Half-life of the "popular right now" prior.
    light, rich : tuple of (str, float)
        Weights of the other parts (``trend``, ``content``, ``profile`` and any further
        part by registry name) for customers with at most ``LIGHT_INVOICES`` invoices
        and for the others.
    cap : float, optional
        Largest share of customers whose top 5 may hold one product (None: no cap).
    validation_ndcg : float
        Mean NDCG@10 of the chosen settings over the validation windows (NaN: defaults).
    validation_users : int
        Customer-windows the validation scored (0: defaults kept).
    validation_windows : int
        Validation windows used.
    """

    l2: float
    half_life_days: float
    trend_half_life_days: float
    light: tuple[tuple[str, float], ...]
    rich: tuple[tuple[str, float], ...]
    cap: float | None = None
    validation_ndcg: float = float("nan")
    validation_users: int = 0
    validation_windows: int = 0

    def weights(self, light: bool) -> dict[str, float]:
        """Return the part weights of light (True) or rich (False) customers."""
        return dict(self.light if light else self.rich)

    @property
    def parts(self) -> tuple[str, ...]:
        """Parts with a positive weight for someone (besides the collaborative one)."""
        return tuple(n for n, _ in self.rich
                     if self.weights(True)[n] > 0 or self.weights(False)[n] > 0)


def ndcg_per_user(top: np.ndarray, truth: np.ndarray, k: int) -> np.ndarray:
    """Return NDCG@k per row for top-k item indices and a boolean truth matrix.

    Parameters
    ----------
    top : ndarray of int
        ``(n_users, >= k)`` ranked item indices (-1 = no item).
    truth : ndarray of bool
        ``(n_users, n_items)``, True for relevant items; every row has one.

    Returns
    -------
    ndarray
        Per-user NDCG@k in [0, 1].
    """
    top = top[:, :k]
    hits = np.take_along_axis(truth, np.maximum(top, 0), 1) & (top >= 0)
    return dcg(hits, k) / ideal_dcg(truth.sum(axis=1), k)


def dcg(hits: np.ndarray, k: int) -> np.ndarray:
    """Return the DCG of ranked boolean hits (first ``k`` columns)."""
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    return (hits[:, :k] * discount[: hits[:, :k].shape[1]]).sum(axis=1)


def ideal_dcg(relevant: np.ndarray, k: int) -> np.ndarray:
    """Return the best possible DCG@k of rows with ``relevant`` (>= 1) relevant items."""
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    return np.cumsum(discount)[np.minimum(relevant, k) - 1]


def recent_popularity(data: Interactions, half_life_days: float) -> np.ndarray:
    """Return buyers per item weighted by recency, scaled to a maximum of 1."""
    pop = data.item_popularity(half_life_days)
    return (pop / max(pop.max(), 1e-12)).astype(np.float32)


def validation_targets(
    before: Interactions, after: pd.DataFrame, *, max_users: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return validation rows and their truth: new products bought after the cut.

    Parameters
    ----------
    before : Interactions
        Index of the lines before the inner cut.
    after : DataFrame
        Lines on or after the inner cut (``customer_id``, ``product_id``).
    max_users : int
        Keep at most this many customers (evenly spaced in id order).

    Returns
    -------
    rows : ndarray of int
        Rows in ``before.users``.
    truth : ndarray of bool
        ``(len(rows), n_items)``: products sold before the cut, bought after it, not
        bought by the customer before.
    """
    u = before.users.get_indexer(after[S.CUSTOMER_ID].astype(str))
    i = before.items.get_indexer(after[S.PRODUCT_ID].astype(str))
    keep = (u >= 0) & (i >= 0) & (i < before.n_sold)
    later = sp.csr_matrix(
        (np.ones(keep.sum(), bool), (u[keep], i[keep])), shape=before.bought.shape, dtype=bool
    )
    new = later > (before.bought > 0)
    rows = np.flatnonzero(np.diff(new.indptr) > 0)
    if len(rows) > max_users:
        rows = rows[np.linspace(0, len(rows) - 1, max_users).astype(int)]
    return rows, new[rows].toarray()


@dataclass(frozen=True)
class Candidates:
    """Validation customers (of every window) and the few products each could get.

    Searching weights over a customer's best few dozen products per part instead of
    the whole catalogue gives the same top 10 and is an order of magnitude faster.

    Attributes
    ----------
    items : ndarray of int
        ``(n, m)`` candidate item indices (-1: none), per validation customer.
    parts : dict of str to ndarray
        ``(n, m)`` each part's score of the candidates, scaled to [0, 1] per customer.
    trends : dict of float to ndarray
        ``(n, m)`` "popular right now" of the candidates, per trend half-life.
    hits : ndarray of bool
        ``(n, m)`` whether the candidate is one the customer went on to buy.
    ideal : ndarray
        ``(n,)`` best possible DCG@k (from all the customer's targets).
    light : ndarray of bool
        ``(n,)`` customers with little history.
    n_items : int
        Size of the item index (for concentration caps).
    weight : ndarray
        ``(n,)`` weight of each customer in means (recent windows count more).
    """

    items: np.ndarray
    parts: dict[str, np.ndarray]
    trends: dict[float, np.ndarray]
    hits: np.ndarray
    ideal: np.ndarray
    light: np.ndarray
    n_items: int
    weight: np.ndarray

    def mean(self, values: np.ndarray, mask: np.ndarray | None = None) -> float:
        """Weighted mean of per-customer ``values`` (of the customers in ``mask``)."""
        w = self.weight if mask is None else np.where(mask, self.weight, 0.0)
        return float((values * w).sum() / w.sum()) if w.sum() > 0 else float("nan")

    def scores(self, light: dict[str, float], rich: dict[str, float],
               trend_half_life: float) -> np.ndarray:
        """Return the blended score of every candidate (``-inf`` where there is none)."""
        out = self.parts[COLLABORATIVE].copy()
        for name, values in self.parts.items():
            if name == COLLABORATIVE:
                continue
            out += np.where(self.light, light[name], rich[name])[:, None] * values
        tw = np.where(self.light, light[TREND], rich[TREND])
        out += tw[:, None] * self.trends[trend_half_life]
        out[self.items < 0] = -np.inf
        return out

    def ndcg(self, scores: np.ndarray, *, k: int = 10,
             offsets: np.ndarray | None = None) -> np.ndarray:
        """Return per-customer NDCG@k of ranking the candidates by ``scores``."""
        if offsets is not None:
            scores = scores - offsets[np.maximum(self.items, 0)]
        top = top_n(scores, k)[0]
        hits = np.take_along_axis(self.hits, np.maximum(top, 0), 1) & (top >= 0)
        return dcg(hits, k) / self.ideal

    def capped(self, scores: np.ndarray, cap: float) -> np.ndarray:
        """Return the item offsets that hold every product to ``cap`` of the top 5."""
        return exposure_offsets(self.items, scores, self.n_items, cap=cap)

    def top_share(self, scores: np.ndarray, offsets: np.ndarray | None = None) -> float:
        """Share of customers whose top 5 holds the most-recommended candidate."""
        if offsets is not None:
            scores = scores - offsets[np.maximum(self.items, 0)]
        return top_share(self.items, scores)


def candidates(parts: dict[str, np.ndarray], trends: dict[float, np.ndarray],
               truth: np.ndarray, excluded: np.ndarray, light: np.ndarray, *,
               item_ids: np.ndarray, n_items: int, weight: float = 1.0, k: int = 10,
               per_part: int = CANDIDATES) -> Candidates:
    """Return the :class:`Candidates` of one validation window.

    Parameters
    ----------
    parts : dict of str to ndarray
        ``(n, n_items)`` scores of each part (the collaborative one included), each
        scaled to [0, 1] per customer.
    trends : dict of float to ndarray
        ``(n_items,)`` "popular right now" per half-life (max 1).
    truth, excluded : ndarray of bool
        ``(n, n_items)`` products bought after the cut, and products bought before.
    light : ndarray of bool
        ``(n,)`` customers with little history.
    item_ids : ndarray of int
        Position of each of the window's items in a common item index of ``n_items``
        (windows index their own products; caps count products across windows).
    """
    n, n_local = truth.shape
    per_part = min(per_part, n_local)
    picks = []
    for values in [*parts.values(), *(np.broadcast_to(t, (n, n_local)) for t in trends.values())]:
        masked = np.where(excluded, -np.inf, values)
        picks.append(top_n(masked, per_part)[0])
    items = np.sort(np.concatenate(picks, axis=1), axis=1)
    items[:, 1:][items[:, 1:] == items[:, :-1]] = -1
    valid = items >= 0
    safe = np.maximum(items, 0)
    rows = np.arange(n)[:, None]
    gather = {name: np.where(valid, values[rows, safe], 0.0).astype(np.float32)
              for name, values in parts.items()}
    trend = {h: np.where(valid, t[safe], 0.0).astype(np.float32) for h, t in trends.items()}
    hits = truth[rows, safe] & valid
    shared = np.where(valid, np.asarray(item_ids)[safe], -1)
    return Candidates(shared, gather, trend, hits, ideal_dcg(truth.sum(axis=1), k), light,
                      n_items, np.full(n, weight))


def pooled(windows: list[Candidates]) -> Candidates:
    """Return the candidates of several windows as one (rows stacked, columns padded)."""
    if len(windows) == 1:
        return windows[0]
    width = max(w.items.shape[1] for w in windows)

    def pad(a, fill):
        return np.pad(a, ((0, 0), (0, width - a.shape[1])), constant_values=fill)

    first = windows[0]
    return Candidates(
        items=np.vstack([pad(w.items, -1) for w in windows]),
        parts={p: np.vstack([pad(w.parts[p], 0.0) for w in windows]) for p in first.parts},
        trends={h: np.vstack([pad(w.trends[h], 0.0) for w in windows]) for h in first.trends},
        hits=np.vstack([pad(w.hits, False) for w in windows]),
        ideal=np.concatenate([w.ideal for w in windows]),
        light=np.concatenate([w.light for w in windows]),
        n_items=max(w.n_items for w in windows),
        weight=np.concatenate([w.weight for w in windows]),
    )
