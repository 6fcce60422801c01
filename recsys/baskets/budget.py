"""Which minimum supports a basket matrix can be counted at, found without counting.

:func:`recsys.baskets.itemsets.frequent_itemsets` refuses settings that would give more
than :data:`~recsys.baskets.itemsets.MAX_FREQUENT_ITEMS` frequent products,
:data:`~recsys.baskets.itemsets.MAX_ITEMSETS` sets or :data:`~recsys.baskets.itemsets.MAX_WORK`
multiply-adds in one step, and on a large shop it may find that out only after seconds of
counting. :func:`lowest_workable_support` tells beforehand, from product and pair
frequencies, the lowest support on a grid at which none of those limits is reached, so
that a page can offer only supports that work.

Products and pairs are checked exactly (the same counts and cost as the counting itself);
sets of three are bounded from above (every triangle of frequent pairs, every pair times
every product of its basket), so the answer may be a step higher than strictly needed,
never lower. Sets of four or more are not estimated.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

from recsys.baskets import itemsets
from recsys.baskets.itemsets import (
    MAX_LEN_LIMIT,
    MIN_SUPPORT_FLOOR,
    BasketMatrix,
    basket_threshold,
    extension_plan,
    frequent_item_matrix,
)
from recsys.errors import ParameterError


def support_grid(*, step: float = 0.001, max_support: float = 0.1) -> list[float]:
    """Return the supports ``MIN_SUPPORT_FLOOR, MIN_SUPPORT_FLOOR + step, …`` up to ``max_support``."""
    if not (step > 0 and MIN_SUPPORT_FLOOR <= max_support <= 1):
        raise ParameterError(
            f"`step` must be positive and `max_support` from {MIN_SUPPORT_FLOOR} to 1; got "
            f"step={step!r}, max_support={max_support!r}"
        )
    # Never past max_support (a tolerance for float steps such as 0.1 / 0.001).
    n_steps = math.floor((max_support - MIN_SUPPORT_FLOOR) / step + 1e-9)
    return [round(MIN_SUPPORT_FLOOR + i * step, 6) for i in range(n_steps + 1)]


class _Budget:
    """The checks of one basket matrix at any basket threshold (pair counts made once)."""

    def __init__(self, baskets: BasketMatrix, max_len: int, lowest_threshold: int):
        self.x = baskets.matrix
        self.max_len = max_len
        self.item_counts = np.asarray(self.x.sum(axis=0)).ravel().astype(np.int64)
        # Pair counts over the products that can be frequent at the lowest threshold asked.
        self.base = np.flatnonzero(self.item_counts >= lowest_threshold)
        xb = self.x[:, self.base].astype(np.int32).tocsc()
        together = sparse.triu(xb.T @ xb, k=1).tocoo()
        self.xb = xb.tocsr()
        self.pair_rows, self.pair_cols = together.row, together.col
        self.pair_counts = together.data.astype(np.int64)

    def works(self, threshold: int) -> bool:
        frequent = np.flatnonzero(self.item_counts >= threshold)
        if self.max_len == 1 or len(frequent) < 2:
            return True
        if len(frequent) > itemsets.MAX_FREQUENT_ITEMS:
            return False
        pairs = self.pair_counts >= threshold
        found = len(frequent) + int(pairs.sum())
        if found > itemsets.MAX_ITEMSETS:
            return False
        # Pairs: the very plan (and cost) the counting would make.
        _, xf = frequent_item_matrix(self.x, frequent, self.item_counts)
        if extension_plan(xf, xf, np.arange(len(frequent)))[1] > itemsets.MAX_WORK:
            return False
        if self.max_len == 2 or not pairs.any():
            return True
        return self._triples_work(threshold, pairs, found)

    def _triples_work(self, threshold: int, pairs: np.ndarray, found: int) -> bool:
        n = len(self.base)
        rows, cols = self.pair_rows[pairs], self.pair_cols[pairs]
        linked = sparse.coo_matrix(
            (np.ones(2 * len(rows), dtype=np.int32),
             (np.concatenate([rows, cols]), np.concatenate([cols, rows]))), shape=(n, n),
        ).tocsr()
        # Every frequent set of three is a triangle of frequent pairs.
        triangles = int((linked @ linked).multiply(linked).sum()) // 6
        if found + triangles > itemsets.MAX_ITEMSETS:
            return False
        keep = sparse.diags((self.item_counts[self.base] >= threshold).astype(np.int32), dtype=np.int32)
        xf = self.xb @ keep
        pairs_in = np.asarray((xf @ linked).multiply(xf).sum(axis=1)).ravel() / 2
        items_in = np.asarray(xf.sum(axis=1)).ravel()
        # Counting the sets of three multiplies each basket's pairs by its later products.
        return float(np.dot(pairs_in, items_in)) <= itemsets.MAX_WORK


def lowest_workable_support(
    baskets: BasketMatrix,
    *,
    max_len: int,
    step: float = 0.001,
    max_support: float = 0.1,
) -> float | None:
    """Return the lowest support on :func:`support_grid` at which counting gets through.

    Parameters
    ----------
    baskets : BasketMatrix
    max_len : int
        Largest set, 1 to :data:`~recsys.baskets.itemsets.MAX_LEN_LIMIT`.
    step, max_support : float
        The grid of supports, as :func:`support_grid`.

    Returns
    -------
    float or None
        A support of the grid, at which :func:`recsys.baskets.itemsets.frequent_itemsets`
        does not raise :class:`~recsys.baskets.itemsets.TooManySets` for sets of up to
        three products (larger sets are not estimated); every higher support works too.
        None when there is no basket, or when not even ``max_support`` works.
    """
    if not (isinstance(max_len, int | np.integer) and 1 <= max_len <= MAX_LEN_LIMIT):
        raise ParameterError(f"`max_len` must be an integer from 1 to {MAX_LEN_LIMIT}; got {max_len!r}")
    grid = support_grid(step=step, max_support=max_support)
    n = baskets.n_baskets
    if n == 0:
        return None
    thresholds = [basket_threshold(n, s) for s in grid]
    item_counts = np.asarray(baskets.matrix.sum(axis=0)).ravel()
    # Below this threshold the products alone are too many: no pair needs counting there.
    lo = next((i for i, t in enumerate(thresholds)
               if max_len == 1 or (item_counts >= t).sum() <= itemsets.MAX_FREQUENT_ITEMS), None)
    if lo is None:
        return None
    budget = _Budget(baskets, int(max_len), thresholds[lo])
    if not budget.works(thresholds[-1]):
        return None
    # Fewer sets and less work at every higher threshold: the first one that works. The
    # low thresholds cost the most to check, so they are reached last, if at all.
    bad, good = lo - 1, len(grid) - 1
    while good - bad > 1:
        middle = (good + bad) // 2
        if budget.works(thresholds[middle]):
            good = middle
        else:
            bad = middle
    return grid[good]
