"""Choosing the hybrid's blend by validation inside the training period.

The last ``validation_days`` of the training lines play the role of the future: the
parts are fitted on the lines before, every candidate blend ranks products for the
customers who bought something new afterwards, and the blend with the best mean
NDCG@k wins, separately for customers with little and with rich history. Nothing
here looks at data after the training period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.data import schema as S
from recsys.recommend.base import top_n
from recsys.recommend.interactions import Interactions

HALF_LIVES = (30.0, 60.0, 120.0)
TREND_HALF_LIVES = (3.0, 7.0, 14.0)
TREND_WEIGHTS = (0.0, 0.15, 0.3, 0.5, 0.8)
CONTENT_WEIGHTS = (0.05, 0.1, 0.2, 0.4)
"""Candidate values. Content weight never drops to 0, so products without sales
(reachable only through their description) can still be recommended."""

MIN_USERS = 30
"""Fewer validation customers than this (per slice) keep the defaults."""

MAX_CELLS = 4_000_000
"""Validation customers × products scored at once (bounds memory for large catalogues)."""


@dataclass(frozen=True)
class Blend:
    """Weights of the hybrid's parts (collaborative weight is 1).

    Attributes
    ----------
    half_life_days : float
        Recency half-life of the customer's purchases in the collaborative part.
    trend_half_life_days : float
        Half-life of the "popular right now" prior.
    light_trend, light_content : float
        Trend and content weights for customers with at most ``LIGHT_INVOICES``.
    rich_trend, rich_content : float
        The same for customers with more history.
    validation_ndcg : float
        Mean NDCG@k of the chosen blend on the inner validation (NaN: not validated).
    validation_users : int
        Customers the validation scored (0: defaults kept).
    """

    half_life_days: float
    trend_half_life_days: float
    light_trend: float
    light_content: float
    rich_trend: float
    rich_content: float
    validation_ndcg: float = float("nan")
    validation_users: int = 0


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
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits * discount).sum(axis=1)
    ideal = np.cumsum(discount)[np.minimum(truth.sum(axis=1), k) - 1]
    return dcg / ideal


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


def choose_blend(
    collaborative: dict[float, np.ndarray],
    content: np.ndarray,
    trends: dict[float, np.ndarray],
    truth: np.ndarray,
    excluded: np.ndarray,
    light: np.ndarray,
    *,
    default: Blend,
    k: int = 10,
) -> Blend:
    """Return the blend with the best validation NDCG@k, per history slice.

    Parameters
    ----------
    collaborative : dict of float to ndarray
        Row-normalised collaborative scores per candidate half-life.
    content : ndarray
        Row-normalised content scores.
    trends : dict of float to ndarray
        Trend vector (max 1) per candidate trend half-life.
    truth, excluded : ndarray of bool
        Relevant products, and products to leave out (already bought).
    light : ndarray of bool
        Rows of customers with little history.
    default : Blend
        Starting point of the coordinate search.
    """

    def score(cf, tr, tw, cw):
        s = cf + np.float32(cw) * content + np.float32(tw) * tr[None, :]
        s[excluded] = -np.inf
        return ndcg_per_user(top_n(s, k)[0], truth, k)

    def best(results, mask):
        return max(results, key=lambda key: results[key][mask].mean()) if mask.any() else None

    every = np.ones(len(truth), bool)
    d = default
    by_hl = {hl: score(cf, trends[d.trend_half_life_days], d.rich_trend, d.rich_content)
             for hl, cf in collaborative.items()}
    hl = best(by_hl, every)
    cf = collaborative[hl]
    by_th = {th: score(cf, tr, d.rich_trend, d.rich_content) for th, tr in trends.items()}
    th = best(by_th, every)
    grid = {(tw, cw): score(cf, trends[th], tw, cw)
            for tw in TREND_WEIGHTS for cw in CONTENT_WEIGHTS}
    rich_key = best(grid, ~light) or best(grid, every)
    light_key = best(grid, light) if light.sum() >= MIN_USERS else rich_key
    per_user = np.where(light, grid[light_key], grid[rich_key])
    return Blend(
        half_life_days=hl,
        trend_half_life_days=th,
        light_trend=light_key[0],
        light_content=light_key[1],
        rich_trend=rich_key[0],
        rich_content=rich_key[1],
        validation_ndcg=float(per_user.mean()),
        validation_users=len(truth),
    )
