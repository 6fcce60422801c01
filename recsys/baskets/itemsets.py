"""What sells together: basket matrix, frequent itemsets and association rules.

A basket is one invoice; an item is a product. Itemsets are counted exactly, level by
level, with sparse matrix products: the indicator columns of the frequent itemsets of
length ``k - 1`` times the basket matrix give the count of every extension by one
item at once. The result is the same as mlxtend's ``fpgrowth`` followed by
``association_rules`` (``method="mlxtend"`` runs those instead), but faster because
infrequent products and baskets that cannot hold a frequent itemset are dropped
before anything is counted.

Guardrails keep a careless setting from running away: a support floor
(:data:`MIN_SUPPORT_FLOOR`, and at least :data:`MIN_BASKETS` baskets), a maximum
itemset length (:data:`MAX_LEN_LIMIT`), a cap on basket size (huge wholesale orders
are left out), and an estimate before each level that raises :class:`DataError`
with a support that would work, instead of exhausting memory.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from recsys.baskets.rules import association_rules
from recsys.data import schema as S
from recsys.errors import DataError

MIN_SUPPORT_FLOOR = 0.001
"""Lowest accepted ``min_support`` (0.1% of baskets)."""

MIN_BASKETS = 3
"""An itemset must be in at least this many baskets, whatever the support says."""

MAX_LEN_LIMIT = 10
"""Longest itemset that may be asked for (the default of the arules package)."""

MAX_ITEMSETS = 200_000
"""Most frequent itemsets one run may produce before it stops with a DataError."""

MAX_WORK = 3e8
"""Most multiply-adds one counting step may take (a few seconds on one core)."""

MAX_FREQUENT_ITEMS = 3_000
"""Most frequent single products one run may count pairs over."""

DEFAULT_MAX_BASKET_ITEMS = 500
"""Baskets with more distinct products than this are left out (wholesale orders)."""

ITEMSET_COLUMNS = ("support", "itemsets", "count", "length")


class TooManySets(DataError):
    """The settings would give more product sets than one run may count (a guardrail)."""


@dataclass(frozen=True)
class BasketMatrix:
    """Invoices × products indicator matrix.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix of bool, shape (n_baskets, n_items)
        ``matrix[i, j]`` is True when basket ``i`` holds product ``j``.
    baskets : Index
        Invoice id of each row.
    items : Index
        Product id of each column.
    dropped_baskets : int
        Baskets left out for holding more than ``max_basket_items`` products.
    """

    matrix: sparse.csr_matrix
    baskets: pd.Index
    items: pd.Index
    dropped_baskets: int = 0

    @property
    def n_baskets(self) -> int:
        """Number of baskets (rows): the denominator of every support."""
        return int(self.matrix.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """Return the matrix as a sparse boolean DataFrame (mlxtend's input format)."""
        return _sparse_frame(self.matrix, index=self.baskets, columns=self.items)


def _sparse_frame(matrix, *, index=None, columns=None) -> pd.DataFrame:
    with warnings.catch_warnings():
        # pandas warns about the fill value it picks itself for boolean sparse input.
        warnings.simplefilter("ignore", FutureWarning)
        return pd.DataFrame.sparse.from_spmatrix(
            matrix.astype(bool), index=index, columns=columns
        )


def basket_matrix(
    transactions: pd.DataFrame, *, max_basket_items: int | None = DEFAULT_MAX_BASKET_ITEMS
) -> BasketMatrix:
    """Return the invoices × products indicator matrix of ``transactions``.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines with ``invoice_id`` and ``product_id``.
    max_basket_items : int or None, default 500
        Leave out baskets with more distinct products than this (None keeps all).

    Returns
    -------
    BasketMatrix
    """
    inv_codes, baskets = pd.factorize(transactions[S.INVOICE_ID], sort=True)
    item_codes, items = pd.factorize(transactions[S.PRODUCT_ID], sort=True)
    keep = (inv_codes >= 0) & (item_codes >= 0)
    inv_codes, item_codes = inv_codes[keep], item_codes[keep]
    data = np.ones(len(inv_codes), dtype=bool)
    matrix = sparse.csr_matrix(
        (data, (inv_codes, item_codes)), shape=(len(baskets), len(items)), dtype=bool
    )
    matrix.sum_duplicates()
    dropped = 0
    if max_basket_items is not None:
        sizes = np.diff(matrix.indptr)
        small = sizes <= max_basket_items
        dropped = int((~small).sum())
        if dropped:
            matrix, baskets = matrix[small], baskets[small]
    return BasketMatrix(matrix.tocsr(), pd.Index(baskets), pd.Index(items), dropped)


def _check_settings(min_support: float, max_len: int) -> None:
    if not (isinstance(min_support, int | float) and MIN_SUPPORT_FLOOR <= min_support <= 1):
        raise DataError(
            f"`min_support` must be between {MIN_SUPPORT_FLOOR} ({MIN_SUPPORT_FLOOR:.1%} of "
            f"baskets) and 1; got {min_support!r}. Lower supports find combinations too rare "
            "to act on and can take very long."
        )
    if not (isinstance(max_len, int | np.integer) and 1 <= max_len <= MAX_LEN_LIMIT):
        raise DataError(f"`max_len` must be an integer from 1 to {MAX_LEN_LIMIT}; got {max_len!r}")


def min_count(n_baskets: int, min_support: float) -> int:
    """Fewest of ``n_baskets`` baskets whose share is at least ``min_support``."""
    # Same float comparison as mlxtend (count / n >= min_support), then the floor.
    count = math.ceil(min_support * n_baskets)
    while count > 0 and (count - 1) / n_baskets >= min_support:
        count -= 1
    while count / n_baskets < min_support:
        count += 1
    return count


def basket_threshold(n_baskets: int, min_support: float, *, min_baskets: int = MIN_BASKETS) -> int:
    """Fewest baskets a frequent itemset must be in: ``min_support`` of ``n_baskets``, and at
    least ``min_baskets`` (so with few baskets the floor, not the support, decides)."""
    return max(min_count(n_baskets, min_support) if n_baskets else 0, int(min_baskets), 1)


def _suggest_support(counts: np.ndarray, limit: int, n_baskets: int) -> float:
    """Support at which no more than ``limit`` of ``counts`` would stay frequent."""
    top = np.sort(counts)[::-1]
    cut = top[min(limit, len(top) - 1)] + 1
    return math.ceil(1000 * cut / n_baskets) / 1000


def frequent_itemsets(
    baskets: BasketMatrix,
    *,
    min_support: float = 0.01,
    max_len: int = 3,
    min_baskets: int = MIN_BASKETS,
    method: str = "sparse",
) -> pd.DataFrame:
    """Return the itemsets held by at least ``min_support`` of the baskets.

    Parameters
    ----------
    baskets : BasketMatrix
        From :func:`basket_matrix`.
    min_support : float, default 0.01
        Share of baskets, from :data:`MIN_SUPPORT_FLOOR` to 1. An itemset must also be
        in at least :data:`MIN_BASKETS` baskets.
    max_len : int, default 3
        Longest itemset, 1 to :data:`MAX_LEN_LIMIT`.
    min_baskets : int, default :data:`MIN_BASKETS`
        Fewest baskets an itemset must be in, whatever ``min_support`` says.
    method : {"sparse", "mlxtend"}, default "sparse"
        Exact level-wise counting with sparse products, or mlxtend's ``fpgrowth`` on a
        sparse DataFrame. Both give the same itemsets and supports.

    Returns
    -------
    DataFrame
        One row per frequent itemset, by length then support (descending):
        ``support`` (float, share of baskets), ``itemsets`` (frozenset of product ids),
        ``count`` (int, baskets holding it), ``length`` (int).

    Raises
    ------
    DataError
        On settings out of range, or when the settings would produce more than
        TooManySets
        When the settings would produce more than :data:`MAX_ITEMSETS` itemsets or take
        too long (the message suggests a support that would work); a ``DataError``.
    """
    _check_settings(min_support, max_len)
    n = baskets.n_baskets
    if n == 0:
        raise DataError("no baskets to analyse: the filters left no invoices")
    threshold = basket_threshold(n, min_support, min_baskets=min_baskets)
    x = baskets.matrix
    item_counts = np.asarray(x.sum(axis=0)).ravel().astype(np.int64)
    frequent = np.flatnonzero(item_counts >= threshold)
    if len(frequent) > MAX_FREQUENT_ITEMS and max_len > 1:
        raise TooManySets(
            f"{len(frequent):,} products are in at least {min_support:.2%} of baskets: too many "
            f"to combine. Raise the minimum support to at least "
            f"{_suggest_support(item_counts, MAX_FREQUENT_ITEMS, n):.1%}."
        )
    if method == "mlxtend":
        levels = _mlxtend_itemsets(baskets, frequent, threshold, max_len)
    elif method == "sparse":
        levels = _sparse_itemsets(x, frequent, item_counts, threshold, max_len, min_support)
    else:
        raise DataError(f"`method` must be 'sparse' or 'mlxtend'; got {method!r}")
    item_ids = baskets.items.to_numpy(dtype=object)
    sets: list[frozenset] = []
    counts, lengths = [], []
    for columns, level_counts in levels:
        sets.extend(map(frozenset, item_ids[columns].tolist()))
        counts.append(np.asarray(level_counts, dtype=np.int64))
        lengths.append(np.full(len(columns), columns.shape[1], dtype=np.int64))
    count = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
    out = pd.DataFrame(
        {
            "support": count / float(n),
            "itemsets": pd.Series(sets, dtype=object),
            "count": count,
            "length": np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64),
        }
    )
    return out.sort_values(["length", "count"], ascending=[True, False], kind="stable").reset_index(
        drop=True
    )


def _too_many(min_support: float, length: int, counts: np.ndarray, room: int, n: int):
    return TooManySets(
        f"support {min_support:.2%} gives more than {MAX_ITEMSETS:,} frequent itemsets of "
        f"up to {length} products. Raise the minimum support to at least "
        f"{_suggest_support(counts, max(room, 1), n):.1%} or lower the maximum length to "
        f"{length - 1}."
    )


def _sparse_itemsets(x, frequent, item_counts, threshold, max_len, min_support):
    """Level-wise exact counting.

    Returns a list with one ``(columns, counts)`` per length: ``columns`` an int array
    (n_sets, length) of column indices of ``x``, ``counts`` the baskets holding each set.
    """
    # Most frequent products first: a set is only extended by products after its last
    # one, which are then the rarer ones, so the products below touch few nonzeros.
    # Baskets with fewer than two frequent products can hold no frequent pair.
    order, xf = frequent_item_matrix(x, frequent, item_counts)
    levels = [(order[:, None], item_counts[order])]
    if max_len == 1 or len(order) < 2:
        return levels
    n = x.shape[0]
    level = np.arange(len(order))[:, None]  # sets of this length, as local column indices
    indicator = xf  # baskets x sets of this length (here: single products)
    found = len(order)
    for length in range(2, max_len + 1):
        rows, cols, vals = _extensions(indicator, xf, level[:, -1], threshold,
                                       min_support=min_support, length=length, max_len=max_len)
        if found + len(rows) > MAX_ITEMSETS:
            raise _too_many(min_support, length, vals, MAX_ITEMSETS - found, n)
        if len(rows) == 0:
            break
        sort = np.lexsort((cols, rows))
        rows, cols, vals = rows[sort], cols[sort], vals[sort]
        level = np.column_stack([level[rows], cols])
        levels.append((order[level], vals))
        found += len(rows)
        if length == max_len:
            break
        # Only products in a set of this length can extend one, and only baskets with
        # more than `length` such products can hold a longer set.
        in_level = np.zeros(xf.shape[1], dtype=np.int32)
        in_level[np.unique(level)] = 1
        xf = (xf @ sparse.diags(in_level, dtype=np.int32)).tocsc()
        xf.eliminate_zeros()
        alive = np.bincount(xf.indices, minlength=xf.shape[0]) > length
        xf = xf[alive].tocsc()
        # Indicator of each new set: its parent's column AND the added product's column.
        indicator = indicator[alive][:, rows].multiply(xf[:, cols]).tocsc()
    return levels


def extension_plan(indicator, xf, last, *, chunks: int = 16) -> tuple[list, float]:
    """Return how the sets of ``indicator`` will be extended, and what it costs.

    Sets are taken in chunks of similar last product, each to be multiplied only with
    the products after that. Returns ``(plan, work)``: ``plan`` a list of
    ``(chunk, lo, part, later)`` and ``work`` the multiply-adds the products take.
    """
    n_rows, n_items = xf.shape
    plan, work = [], 0.0
    for chunk in np.array_split(np.argsort(last, kind="stable"), min(chunks, len(last))):
        lo = int(last[chunk].min()) + 1
        if len(chunk) == 0 or lo >= n_items:
            continue
        part = indicator[:, chunk]
        later = xf[:, lo:]
        # Cost of the product: per basket, its sets in the chunk times its later products.
        work += float(np.dot(np.bincount(part.indices, minlength=n_rows).astype(float),
                             np.bincount(later.indices, minlength=n_rows).astype(float)))
        plan.append((chunk, lo, part, later))
    return plan, work


def frequent_item_matrix(x, frequent, item_counts):
    """Return ``(order, xf)``: the frequent products, most frequent first, and the baskets ×
    those products as int32 CSC, without baskets holding fewer than two of them."""
    order = frequent[np.argsort(-item_counts[frequent], kind="stable")]
    xf = x[:, order].astype(np.int32).tocsr()
    return order, xf[np.diff(xf.indptr) >= 2].tocsc()


def _extensions(indicator, xf, last, threshold, *, min_support, length, max_len, chunks=16):
    """Count every set of ``indicator`` extended by one later product of ``xf``.

    Sets are taken in chunks of similar last product, each multiplied only with the
    products after that; returns ``(set_index, product, count)`` of the extensions in at
    least ``threshold`` baskets.
    """
    plan, work = extension_plan(indicator, xf, last, chunks=chunks)
    if work > MAX_WORK:
        raise TooManySets(
            f"support {min_support:.2%} with sets of up to {max_len} products would take too "
            f"long (about {work:.1e} steps to count the sets of {length}). Raise the minimum "
            f"support, lower the maximum length to {length - 1}, or leave out large baskets."
        )
    rows, cols, vals = [], [], []
    for chunk, lo, part, later in plan:
        co = (part.T.tocsr() @ later).tocoo()
        col = co.col.astype(np.int64) + lo
        keep = (col > last[chunk][co.row]) & (co.data >= threshold)
        rows.append(chunk[co.row[keep]])
        cols.append(col[keep])
        vals.append(co.data[keep].astype(np.int64))
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


def _mlxtend_itemsets(baskets, frequent, threshold, max_len):
    from mlxtend.frequent_patterns import fpgrowth

    n = baskets.n_baskets
    frame = _sparse_frame(baskets.matrix[:, frequent])
    # fpgrowth compares count / n with min_support; a support just under the count
    # threshold selects exactly the itemsets with count >= threshold.
    support = (threshold - 0.5) / n
    found = fpgrowth(frame, min_support=support, max_len=max_len)
    counts = np.rint(found["support"].to_numpy() * n).astype(np.int64)
    by_length: dict[int, list] = {}
    for items, count in zip(found["itemsets"], counts, strict=True):
        by_length.setdefault(len(items), []).append((sorted(int(frequent[i]) for i in items), count))
    return [
        (np.array([c for c, _ in rows], dtype=np.int64).reshape(len(rows), size),
         np.array([v for _, v in rows], dtype=np.int64))
        for size, rows in sorted(by_length.items())
    ]


def basket_rules(
    transactions: pd.DataFrame,
    *,
    min_support: float = 0.01,
    min_confidence: float = 0.2,
    max_len: int = 3,
    max_basket_items: int | None = DEFAULT_MAX_BASKET_ITEMS,
    min_baskets: int = MIN_BASKETS,
    method: str = "sparse",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(itemsets, rules)`` of ``transactions`` in one call.

    See :func:`basket_matrix`, :func:`frequent_itemsets` and :func:`association_rules`
    (:func:`recsys.baskets.rules.association_rules`) for the parameters and the columns of the
    two frames.
    """
    matrix = basket_matrix(transactions, max_basket_items=max_basket_items)
    itemsets = frequent_itemsets(
        matrix, min_support=min_support, max_len=max_len, min_baskets=min_baskets, method=method
    )
    rules = association_rules(itemsets, min_confidence=min_confidence)
    return itemsets, rules
