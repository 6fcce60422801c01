"""Item-based nearest neighbours over the customer × product matrix.

Memory stays bounded for large catalogues: the similarity is computed in column
blocks and only the ``k`` strongest neighbours of each product are kept, so the model
holds ``n_products × k`` weights, never a dense product × product matrix.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recsys.errors import ParameterError
from recsys.recommend.base import BaseRecommender
from recsys.recommend.interactions import Histories

DENSE_ITEMS = 20_000
"""Up to this many products, similarity blocks are computed densely (fastest)."""

BLOCK_CELLS = 8_000_000
"""Dense similarity cells computed at once (about 32 MB of float32)."""

BLOCK_ROWS = 2000
"""Products per sparse block above ``DENSE_ITEMS``."""


class ItemItemMixin:
    """Scoring and explanation shared by item-item models (kNN, EASE).

    Needs ``self.data_`` (:class:`~recsys.recommend.interactions.Interactions`),
    ``self.half_life_days`` and ``self.weights_``: an ``(n_sold, n_sold)`` dense
    array or sparse matrix, row ``i`` = how much buying ``i`` supports each product.
    """

    def _sold_vectors(self, histories: Histories) -> sp.csr_matrix:
        """Recency-weighted purchases restricted to the products with sales."""
        n_sold = self.data_.n_sold
        vectors = histories.weighted(self.half_life_days)
        if vectors.nnz and vectors.indices.max() >= n_sold:
            # a folded-in purchase of a product that had no sales at fit: no weights
            vectors = vectors[:, :n_sold].tocsr()
        return sp.csr_matrix((vectors.data, vectors.indices, vectors.indptr),
                             shape=(vectors.shape[0], n_sold))

    def score_histories(self, histories: Histories) -> np.ndarray:
        """Return ``(len(histories), n_items)`` float32 scores: each purchase's weights,
        summed with the purchase's recency weight (products without sales score 0)."""
        data = self.data_
        vectors = self._sold_vectors(histories)
        if sp.issparse(self.weights_):
            sold = (vectors @ self.weights_).toarray()
        else:
            sold = np.asarray(vectors @ self.weights_)
        out = np.zeros((len(histories), len(data.items)), dtype=np.float32)
        out[:, : data.n_sold] = sold
        return out

    def explain(self, histories: Histories, position: int,
                items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return, for each item, the customer's purchase that supports it most.

        Parameters
        ----------
        histories : Histories
            Purchases of some customers.
        position : int
            The customer's position in ``histories``.
        items : ndarray of int
            Item indices to explain.

        Returns
        -------
        anchors : ndarray of int
            Item index of the supporting purchase (-1 when nothing supports it).
        strength : ndarray of float
            Its contribution to the score (``<= 0`` means no real support).
        """
        data = self.data_
        bought, weight = histories.row_weights(position, self.half_life_days)
        sold = bought < data.n_sold
        bought, weight = bought[sold], weight[sold].astype(np.float64)
        items = np.asarray(items, dtype=np.int64)
        anchors = np.full(len(items), -1)
        strength = np.zeros(len(items))
        in_sold = items < data.n_sold
        if not len(bought) or not in_sold.any():
            return anchors, strength
        if sp.issparse(self.weights_):
            block = self.weights_[bought][:, items[in_sold]].toarray()
        else:
            block = self.weights_[np.ix_(bought, items[in_sold])]
        contrib = block * weight[:, None]
        best = contrib.argmax(axis=0)
        anchors[in_sold] = bought[best]
        strength[in_sold] = contrib[best, np.arange(contrib.shape[1])]
        return anchors, strength


def topk_similarity(
    left: sp.csr_matrix, right: sp.csr_matrix, *, k: int, norms: np.ndarray | None = None
) -> sp.csr_matrix:
    """Return the top-``k`` columns per row of ``right.T @ left`` (self-pairs removed).

    Rows are computed in sparse blocks, so memory follows the co-purchase pairs of one
    block plus the ``n_items × k`` result, never ``n_items²``.

    Parameters
    ----------
    left, right : sparse matrix
        ``(n_users, n_items)`` customer × product matrices.
    k : int
        Neighbours kept per product.
    norms : ndarray, optional
        Divide cell ``(i, j)`` by ``norms[i] * norms[j]`` (cosine).

    Returns
    -------
    csr_matrix
        ``(n_items, n_items)`` float32 with at most ``k`` stored entries per row.
    """
    n_items = left.shape[1]
    left = left.tocsr().astype(np.float32)
    right_t = right.T.tocsr().astype(np.float32)
    dense = n_items <= DENSE_ITEMS
    step = max(1, BLOCK_CELLS // max(n_items, 1)) if dense else BLOCK_ROWS
    rows, cols, vals = [], [], []
    for start in range(0, n_items, step):
        stop = min(start + step, n_items)
        # row i: how strongly buying product i points at each product j
        block = right_t[start:stop] @ left
        r, c, v = (_top_dense if dense else _top_sparse)(block, start, k, norms)
        rows.append(r)
        cols.append(c)
        vals.append(v)
    return sp.csr_matrix(
        (np.concatenate(vals) if vals else np.empty(0, np.float32),
         (np.concatenate(rows) if rows else np.empty(0, int),
          np.concatenate(cols) if cols else np.empty(0, int))),
        shape=(n_items, n_items),
        dtype=np.float32,
    )


def _top_dense(block, start, k, norms):
    """Top ``k`` per row of a block computed densely (small catalogues: fastest)."""
    block = block.toarray()
    n_rows, n_items = block.shape
    if norms is not None:
        block /= norms[start : start + n_rows, None] * norms[None, :]
    block[np.arange(n_rows), np.arange(start, start + n_rows)] = 0.0
    kk = min(k, n_items)
    part = np.argpartition(-block, kk - 1, axis=1)[:, :kk]
    v = np.take_along_axis(block, part, 1)
    keep = v > 0
    r = np.broadcast_to(np.arange(start, start + n_rows)[:, None], part.shape)
    return r[keep], part[keep], v[keep]


def _top_sparse(block, start, k, norms):
    """Top ``k`` per row of a sparse block (large catalogues: memory follows the pairs)."""
    block = block.tocsr()
    block.setdiag(0.0, k=start)
    block.eliminate_zeros()
    counts = np.diff(block.indptr)
    r = np.repeat(np.arange(block.shape[0]), counts)
    c, v = block.indices, block.data
    if norms is not None:
        v = v / (norms[r + start] * norms[c])
    keep = v > 0
    for i in np.flatnonzero(counts > k):
        lo, hi = block.indptr[i], block.indptr[i + 1]
        drop = np.argpartition(-v[lo:hi], k - 1)[k:]
        keep[lo + drop] = False
    return r[keep] + start, c[keep], v[keep]


def bm25_item_weights(bought: sp.csr_matrix, *, k1: float = 1.2, b: float = 0.75) -> sp.csr_matrix:
    """Return ``bought`` with BM25 weights, products as documents and customers as terms.

    Customers who buy few products count more (idf); products with many buyers are
    length-normalised, which tempers the pull of best sellers.
    """
    x = sp.csr_matrix(bought, dtype=np.float64)
    n_items = x.shape[1]
    buyers_per_user = np.diff(x.indptr)
    idf = np.log(n_items) - np.log1p(buyers_per_user)
    item_len = np.asarray(x.sum(axis=0)).ravel()
    norm = (1.0 - b) + b * item_len / max(item_len.mean(), 1e-12)
    coo = x.tocoo()
    data = coo.data * (k1 + 1.0) / (k1 * norm[coo.col] + coo.data) * idf[coo.row]
    return sp.csr_matrix((data, (coo.row, coo.col)), shape=x.shape)


class ItemKNNRecommender(ItemItemMixin, BaseRecommender):
    """Recommend products bought by the same customers as the customer's purchases.

    Parameters
    ----------
    k : int, default 100
        Neighbours kept per product.
    similarity : {"bm25", "cosine"}, default "bm25"
        ``"cosine"`` on the binary matrix, or BM25-weighted co-purchase counts.
    half_life_days : float, optional
        Weigh the customer's purchases by recency when scoring (None: all equal).
    """

    def __init__(self, *, k: int = 100, similarity: str = "bm25",
                 half_life_days: float | None = None):
        self.k = k
        self.similarity = similarity
        self.half_life_days = half_life_days

    def _fit_model(self, transactions, products, customers, segments) -> None:
        if self.similarity not in ("bm25", "cosine"):
            raise ParameterError(f"similarity must be 'bm25' or 'cosine', got {self.similarity!r}")
        if isinstance(self.k, bool) or not isinstance(self.k, (int, np.integer)) or self.k < 1:
            raise ParameterError(f"k must be a positive integer, got {self.k!r}")
        data = self.data_
        x = data.bought[:, : data.n_sold]
        if self.similarity == "cosine":
            norms = np.sqrt(np.asarray(x.sum(axis=0)).ravel())
            norms[norms == 0] = 1.0
            self.weights_ = topk_similarity(x, x, k=self.k, norms=norms)
        else:
            self.weights_ = topk_similarity(bm25_item_weights(x), x, k=self.k)
