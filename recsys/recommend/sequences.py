"""Customers' purchases as sequences of baskets, the input of the sequence recommender.

A customer's history (:class:`~recsys.recommend.interactions.Histories`) holds each
product once, with the age of its latest purchase. Products bought at the same moment
form a basket; ordered from the oldest to the newest, the baskets are the sequence the
network reads. Training sequences are built the same way from the fitted index, so the
network learns on exactly the kind of input it scores (a product bought again sits at
its latest purchase).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recsys.recommend.interactions import Histories

GAP_BUCKETS = 12
"""Buckets of the days since the customer's previous basket (0: first basket)."""


@dataclass(frozen=True)
class BasketSequences:
    """The last baskets of some customers, flattened.

    Attributes
    ----------
    items : ndarray of int64
        Item indices of every basket, basket after basket.
    item_start : ndarray of int64
        ``len(baskets) + 1`` offsets: basket ``b`` holds ``items[item_start[b]:item_start[b + 1]]``.
    customer : ndarray of int64
        Position of the basket's customer in the histories.
    position : ndarray of int64
        Position of the basket in the customer's sequence (0 = oldest kept).
    gap : ndarray of int64
        Bucket of the days since the customer's previous basket (0 for the first).
    day : ndarray of float64
        Time of the basket in days (larger is later; only differences matter).
    lengths : ndarray of int64
        Baskets per customer (0 for a customer without purchases).
    """

    items: np.ndarray
    item_start: np.ndarray
    customer: np.ndarray
    position: np.ndarray
    gap: np.ndarray
    day: np.ndarray
    lengths: np.ndarray

    @property
    def n_baskets(self) -> int:
        return len(self.customer)


def gap_bucket(days: np.ndarray) -> np.ndarray:
    """Return the bucket of gaps in days: 1 + floor(log2(1 + days)), capped."""
    days = np.maximum(np.asarray(days, dtype=np.float64), 0.0)
    return np.minimum(1 + np.floor(np.log2(1.0 + days)).astype(np.int64), GAP_BUCKETS - 1)


def basket_sequences(histories: Histories, *, max_baskets: int,
                     n_items: int | None = None) -> BasketSequences:
    """Return each customer's last ``max_baskets`` baskets, oldest first.

    Parameters
    ----------
    histories : Histories
        Purchases of some customers.
    max_baskets : int
        Keep at most this many of the latest baskets per customer.
    n_items : int, optional
        Leave out items with an index at or above this (products the network has no
        embedding for).

    Returns
    -------
    BasketSequences
        Baskets grouped by customer (in histories order), each basket's items sorted.
    """
    b = histories.bought
    n = len(histories)
    items = b.indices.astype(np.int64)
    age = np.asarray(histories.age_days, dtype=np.float64)
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(b.indptr))
    if n_items is not None:
        keep = items < n_items
        items, age, owner = items[keep], age[keep], owner[keep]
    # by customer, then oldest first, then item: one deterministic order
    order = np.lexsort((items, -age, owner))
    items, age, owner = items[order], age[order], owner[order]
    new = np.ones(len(items), dtype=bool)
    new[1:] = (owner[1:] != owner[:-1]) | (age[1:] != age[:-1])
    starts = np.flatnonzero(new)
    basket_owner = owner[starts]
    basket_day = -age[starts]
    per_customer = np.bincount(basket_owner, minlength=n)
    first = np.concatenate([[0], np.cumsum(per_customer)[:-1]])
    position = np.arange(len(starts)) - np.repeat(first, per_customer)
    kept_from = np.maximum(per_customer - max_baskets, 0)
    keep = position >= np.repeat(kept_from, per_customer)
    previous = np.concatenate([[0.0], basket_day[:-1]])
    gap = np.where(position == 0, 0, gap_bucket(basket_day - previous))
    # after truncation the oldest kept basket keeps its gap to the dropped one
    ends = np.concatenate([starts[1:], [len(items)]])
    starts, ends = starts[keep], ends[keep]
    lengths = ends - starts
    flat = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    flat = flat + np.arange(lengths.sum())
    return BasketSequences(
        items=items[flat],
        item_start=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        customer=basket_owner[keep],
        position=(position - np.repeat(kept_from, per_customer))[keep],
        gap=gap[keep],
        day=basket_day[keep],
        lengths=np.minimum(per_customer, max_baskets).astype(np.int64),
    )


def next_items(seqs: BasketSequences, *, horizon_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Return, for each basket, the items its customer bought next (the training targets).

    The targets of basket ``j`` are the items of the customer's following baskets up to
    ``horizon_days`` after it, and at least those of the next basket. The last basket of
    each customer has none.

    Returns
    -------
    basket : ndarray of int64
        Basket index of each target pair.
    item : ndarray of int64
        The target item.
    """
    nb = seqs.n_baskets
    if nb == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # order baskets on one axis: customer first, then time
    span = float(seqs.day.max() - seqs.day.min()) + 2.0 * horizon_days + 1.0
    key = seqs.customer * span + (seqs.day - seqs.day.min())
    last = np.searchsorted(key, key + horizon_days, side="right") - 1
    same = np.concatenate([seqs.customer[1:] == seqs.customer[:-1], [False]])
    nxt = np.arange(nb) + 1
    last = np.where(same, np.maximum(last, nxt), np.arange(nb))
    lo = np.where(same, seqs.item_start[np.minimum(nxt, nb)], 0)
    hi = np.where(same, seqs.item_start[last + 1], 0)
    counts = hi - lo
    basket = np.repeat(np.arange(nb, dtype=np.int64), counts)
    flat = np.repeat(lo - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    flat = flat + np.arange(counts.sum())
    return basket, seqs.items[flat]
