"""Not everyone gets the same few products: concentration of recommendation lists.

:func:`concentration` measures it on any recommendation table (the share of customers
whose top 5 hold the most-recommended product, catalogue coverage, the Gini index of
how often each product is recommended). :func:`exposure_offsets` controls it: per
product, the smallest amount to subtract from its score so that no product sits in the
top 5 of more than a given share of customers. The offsets are learnt once, at fit
time, on the shop's customers and then applied to every list, so one customer's list
never depends on who else is served in the same call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import ParameterError

TOP = 5
"""List length whose concentration is measured and controlled ("top 5")."""


@dataclass(frozen=True)
class Concentration:
    """How concentrated a set of recommendation lists is.

    Attributes
    ----------
    top_product : str or None
        The product in the most customers' top 5.
    top_share : float
        Share of customers whose top 5 holds it, in [0, 1].
    coverage : float
        Share of the catalogue recommended to anyone, in [0, 1].
    gini : float
        Gini index of the number of recommendations per catalogue product, in [0, 1]
        (0: every product equally often; 1: all on one product).
    customers : int
        Customers with at least one recommendation.
    """

    top_product: str | None
    top_share: float
    coverage: float
    gini: float
    customers: int


def gini(counts: np.ndarray) -> float:
    """Return the Gini index of non-negative ``counts``, in [0, 1] (0 when all are 0)."""
    x = np.sort(np.asarray(counts, dtype=np.float64))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0.0
    return float((2.0 * np.arange(1, n + 1) - n - 1).dot(x) / (n * x.sum()))


def concentration(recs: pd.DataFrame, n_items: int, *, top: int = TOP) -> Concentration:
    """Return the concentration of recommendation lists.

    Parameters
    ----------
    recs : DataFrame
        ``customer_id``, ``product_id``, ``rank`` (1 = best).
    n_items : int
        Products in the catalogue (for coverage and Gini; products never recommended
        count as zeros).
    top : int, default 5
        List length looked at for the top product's share.
    """
    if n_items < 1:
        raise ParameterError(f"n_items must be positive, got {n_items!r}")
    customers = recs[S.CUSTOMER_ID].nunique()
    if customers == 0:
        return Concentration(None, 0.0, 0.0, 0.0, 0)
    head = recs[recs[S.RANK] <= top]
    per_product = head.drop_duplicates([S.CUSTOMER_ID, S.PRODUCT_ID])[S.PRODUCT_ID].value_counts()
    counts = recs[S.PRODUCT_ID].value_counts().to_numpy()
    zeros = np.zeros(max(n_items - len(counts), 0))
    return Concentration(
        top_product=str(per_product.index[0]) if len(per_product) else None,
        top_share=float(per_product.iloc[0] / customers) if len(per_product) else 0.0,
        coverage=float(min(len(counts), n_items) / n_items),
        gini=gini(np.concatenate([counts, zeros])),
        customers=int(customers),
    )


def top_share(candidates: np.ndarray, values: np.ndarray, *, top: int = TOP) -> float:
    """Return the largest share of rows whose best ``top`` candidates hold one item.

    ``candidates`` are item indices per row (-1 = none) and ``values`` their scores.
    """
    heads = _heads(candidates, values, top)[0]
    heads = heads[heads >= 0]
    if not len(heads):
        return 0.0
    return float(np.bincount(heads).max() / len(candidates))


def _heads(candidates, values, top):
    """Per row, the ``top`` best candidates (item indices) and the next best value."""
    k = min(top, values.shape[1] - 1)
    part = np.argpartition(-values, k, axis=1)[:, : k + 1]
    vals = np.take_along_axis(values, part, 1)
    order = np.argsort(-vals, axis=1, kind="stable")
    part = np.take_along_axis(part, order, 1)
    vals = np.take_along_axis(vals, order, 1)
    items = np.take_along_axis(candidates, part[:, :k], 1)
    items = np.where(np.isfinite(vals[:, :k]), items, -1)
    return items, vals[:, :k], vals[:, k]


def exposure_offsets(
    candidates: np.ndarray,
    values: np.ndarray,
    n_items: int,
    *,
    cap: float,
    top: int = TOP,
    iterations: int = 30,
) -> np.ndarray:
    """Return per-item amounts to subtract so no item is in more than ``cap`` of the top lists.

    Parameters
    ----------
    candidates : ndarray of int
        ``(n_customers, m)`` item indices each customer's list is drawn from (-1 = none);
        the best few dozen per customer are enough, since offsets only push items down.
    values : ndarray of float
        Their scores (``-inf`` for none).
    n_items : int
        Size of the item index.
    cap : float
        Largest share of customers whose top ``top`` may hold one item, in (0, 1].

    Returns
    -------
    ndarray
        ``(n_items,)`` float32 offsets, 0 for items within the cap. Each round lowers
        every over-exposed item just enough to drop it from the lists where it leads
        the next candidate by least; items that move up in its place are checked in
        the next round (offsets only grow, so the rounds settle).
    """
    if not 0 < cap <= 1:
        raise ParameterError(f"cap must be in (0, 1], got {cap!r}")
    offsets = np.zeros(n_items, dtype=np.float64)
    if not len(candidates):
        return offsets.astype(np.float32)
    limit = max(1, int(np.floor(cap * len(candidates))))
    safe = np.maximum(candidates, 0)
    for _ in range(iterations):
        shifted = np.where(candidates >= 0, values - offsets[safe], -np.inf)
        heads, head_vals, next_val = _heads(candidates, shifted, top)
        counts = np.bincount(heads[heads >= 0], minlength=n_items)
        over = np.flatnonzero(counts > limit)
        if not len(over):
            break
        for item in over:
            rows, cols = np.nonzero(heads == item)
            margin = head_vals[rows, cols] - next_val[rows]
            evict = counts[item] - limit
            offsets[item] += np.partition(margin, evict - 1)[evict - 1] + 1e-6
    return offsets.astype(np.float32)
