"""The contract every recommender follows, and the shared customer × product index.

A recommender is a scikit-learn style estimator: ``__init__`` stores keyword
arguments, :meth:`BaseRecommender.fit` validates the input and learns state ending in
``_``, :meth:`BaseRecommender.recommend` returns a long DataFrame of top-N products
per customer. Subclasses implement ``_fit_model`` and ``_score_rows`` (a dense block of
scores for some known customers); ranking, exclusion of already-bought products,
cold-start fallback and validation live here once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from recsys.data import schema as S

BLOCK_ROWS = 512
"""Customers scored at once in batch calls (bounds memory at 512 × products floats)."""

_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class Interactions:
    """Customer × product purchase index built from transactions.

    Attributes
    ----------
    users : Index
        Customer ids (str), sorted; row ``u`` of every matrix is ``users[u]``.
    items : Index
        Product ids (str): products bought in the transactions, then catalogue
        products without sales (so content models can recommend them).
    n_sold : int
        The first ``n_sold`` items have sales; the rest are catalogue-only.
    bought : csr_matrix
        ``(n_users, n_items)`` float32, 1.0 where the customer bought the product.
    age_days : ndarray
        Days between each stored entry of ``bought`` (in CSR order) and ``now``,
        measured from the customer's last purchase of that product.
    invoices : ndarray
        Number of distinct invoices per customer.
    now : Timestamp
        The last invoice date of the transactions.
    """

    users: pd.Index
    items: pd.Index
    n_sold: int
    bought: sp.csr_matrix
    age_days: np.ndarray
    invoices: np.ndarray
    now: pd.Timestamp

    def recency_weights(self, half_life_days: float | None) -> sp.csr_matrix:
        """Return ``bought`` with each entry weighted ``0.5 ** (age / half_life)``.

        ``None`` returns the binary matrix unchanged.
        """
        if half_life_days is None:
            return self.bought
        weighted = self.bought.copy()
        weighted.data = np.power(0.5, self.age_days / float(half_life_days)).astype(np.float32)
        return weighted

    def item_popularity(self, half_life_days: float | None = None) -> np.ndarray:
        """Return, per item, the (recency-weighted) number of customers who bought it."""
        weighted = self.recency_weights(half_life_days)
        return np.asarray(weighted.sum(axis=0)).ravel().astype(np.float64)


def validate_transactions(transactions: pd.DataFrame) -> pd.DataFrame:
    """Check the columns a recommender needs and drop lines without a customer.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines with at least ``customer_id``, ``product_id``,
        ``invoice_id``, ``invoice_date``.

    Returns
    -------
    DataFrame
        The lines that have a customer id (a view, never modified).
    """
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(f"transactions must be a DataFrame, got {type(transactions).__name__}")
    needed = (S.CUSTOMER_ID, S.PRODUCT_ID, S.INVOICE_ID, S.INVOICE_DATE)
    missing = [c for c in needed if c not in transactions.columns]
    if missing:
        raise ValueError(f"transactions lack the column(s) {missing}; expected {list(needed)}")
    lines = transactions[transactions[S.CUSTOMER_ID].notna()]
    if lines.empty:
        raise ValueError("transactions have no line with a customer id; nothing to learn from")
    return lines


def build_interactions(
    transactions: pd.DataFrame, *, products: pd.DataFrame | None = None
) -> Interactions:
    """Return the :class:`Interactions` index of validated ``transactions``.

    Parameters
    ----------
    transactions : DataFrame
        Lines with ``customer_id``, ``product_id``, ``invoice_id``, ``invoice_date``.
    products : DataFrame, optional
        Catalogue with ``product_id``; products without sales are appended to
        ``items`` after the sold ones.
    """
    lines = validate_transactions(transactions)
    u_idx, users = pd.factorize(lines[S.CUSTOMER_ID].astype(str), sort=True)
    i_idx, sold = pd.factorize(lines[S.PRODUCT_ID].astype(str), sort=True)
    users, sold = users.to_numpy(dtype=object), sold.to_numpy(dtype=object)
    dates = lines[S.INVOICE_DATE].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    extra = np.empty(0, dtype=object)
    if products is not None and S.PRODUCT_ID in products.columns:
        catalogue = pd.Index(products[S.PRODUCT_ID].dropna().astype(str).unique())
        extra = np.sort(catalogue.difference(pd.Index(sold)).to_numpy(dtype=object))
    items = pd.Index(np.concatenate([sold, extra]), dtype=object)
    n_users, n_items = len(users), len(items)
    pair = u_idx.astype(np.int64) * n_items + i_idx
    last = pd.Series(dates).groupby(pair, sort=True).max()
    keys = last.index.to_numpy(dtype=np.int64)
    last = last.to_numpy()
    now = int(dates.max())
    rows, cols = np.divmod(keys, n_items)
    bought = sp.csr_matrix(
        (np.ones(len(keys), np.float32), (rows, cols)), shape=(n_users, n_items)
    )
    # keys are sorted by (row, col), which is CSR order, so ages align with .data
    age = (now - last) / _NS_PER_DAY
    inv_idx = pd.factorize(lines[S.INVOICE_ID].astype(str))[0]
    per_user = np.unique(u_idx.astype(np.int64) * (inv_idx.max() + 1) + inv_idx)
    invoices = np.bincount(per_user // (inv_idx.max() + 1), minlength=n_users)
    return Interactions(
        users=pd.Index(users, dtype=object),
        items=items,
        n_sold=len(sold),
        bought=bought,
        age_days=age.astype(np.float64),
        invoices=invoices,
        now=pd.Timestamp(now),
    )


def as_id_list(customer_ids: object) -> list[str]:
    """Return ``customer_ids`` (one id or an iterable of ids) as a list of str."""
    if isinstance(customer_ids, (str, int, np.integer)):
        return [str(customer_ids)]
    if isinstance(customer_ids, Iterable):
        return [str(c) for c in customer_ids]
    raise TypeError(f"customer_ids must be an id or an iterable of ids, got {customer_ids!r}")


def check_n(n: object) -> int:
    """Return ``n`` as an int, or raise ValueError if it is not a positive integer."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer (number of products), got {n!r}")
    return int(n)


def top_n(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return per row the indices and scores of the ``n`` best finite scores.

    Ties are broken by the lower item index, so results are deterministic.
    Rows with fewer than ``n`` finite scores are padded with index -1.
    """
    n_items = scores.shape[1]
    k = min(n, n_items)
    if k < n_items:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(n_items), scores.shape).copy()
    vals = np.take_along_axis(scores, part, 1)
    order = np.lexsort((part, -vals), axis=1)
    idx = np.take_along_axis(part, order, 1)
    vals = np.take_along_axis(vals, order, 1)
    idx = np.where(np.isfinite(vals), idx, -1)
    return idx, vals


def rows_dot(matrix: sp.csr_matrix, rows: np.ndarray, dense: np.ndarray) -> np.ndarray:
    """Return ``matrix[rows] @ dense`` as a dense array.

    SciPy accumulates each output row over that row's stored entries in order, so one
    customer and a batch get bit-identical scores; a single row is sliced straight
    from the CSR arrays, avoiding fancy-indexing overhead on the hot path.
    """
    if len(rows) == 1:
        lo, hi = matrix.indptr[rows[0]], matrix.indptr[rows[0] + 1]
        sub = sp.csr_matrix(
            (matrix.data[lo:hi], matrix.indices[lo:hi], np.array([0, hi - lo])),
            shape=(1, matrix.shape[1]),
        )
    else:
        sub = matrix[rows]
    return np.asarray(sub @ dense)


def row_entries(matrix: sp.csr_matrix, row: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the column indices and values stored in one CSR row (views, no copy)."""
    lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
    return matrix.indices[lo:hi], matrix.data[lo:hi]


def minmax_rows(scores: np.ndarray) -> np.ndarray:
    """Scale each row of finite ``scores`` to [0, 1] (constant rows become 0)."""
    lo = scores.min(axis=1, keepdims=True)
    span = scores.max(axis=1, keepdims=True) - lo
    span[span == 0] = 1.0
    return (scores - lo) / span


def exclude_bought(scores: np.ndarray, bought: sp.csr_matrix, rows: np.ndarray) -> None:
    """Set ``scores[k, j] = -inf`` where customer ``rows[k]`` bought product ``j``.

    ``scores`` is a block this module allocated; unknown rows (-1) are left alone.
    """
    for k, row in enumerate(rows):
        if row >= 0:
            scores[k, row_entries(bought, row)[0]] = -np.inf


class BaseRecommender(BaseEstimator):
    """Shared ``fit``/``recommend`` logic; subclasses score customers.

    Subclasses implement ``_fit_model(self, transactions, products, customers,
    segments)`` and ``_score_rows(self, rows) -> ndarray (len(rows), n_items)``.
    Customers not seen in training get the global popularity ranking.
    """

    def fit(
        self,
        transactions: pd.DataFrame,
        *,
        products: pd.DataFrame | None = None,
        customers: pd.DataFrame | None = None,
        segments: pd.DataFrame | None = None,
    ) -> BaseRecommender:
        """Learn from ``transactions`` and return ``self``.

        Parameters
        ----------
        transactions : DataFrame
            Canonical lines: ``invoice_id``, ``invoice_date``, ``customer_id``,
            ``product_id`` (others ignored); lines without a customer are dropped.
        products : DataFrame, optional
            ``product_id``, ``description``, ``category``.
        customers : DataFrame, optional
            ``customer_id``, ``country`` and demographics.
        segments : DataFrame, optional
            ``customer_id``, ``segment``, ``segment_name``.
        """
        lines = validate_transactions(transactions)
        data = build_interactions(lines, products=products)
        return self._fit_from(data, lines, products, customers, segments)

    def _fit_from(self, data: Interactions, lines, products, customers, segments):
        """Fit on a prebuilt index (lets the hybrid share one index among its parts)."""
        self.data_ = data
        self.row_of_ = {u: i for i, u in enumerate(data.users)}
        self.popularity_ = data.item_popularity()
        self._fit_model(lines, products, customers, segments)
        return self

    def _fit_model(self, transactions, products, customers, segments) -> None:  # pragma: no cover
        raise NotImplementedError

    def _score_rows(self, rows: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _cold_scores(self, ids: list[str]) -> np.ndarray:
        """Scores for customers without history: global popularity by default."""
        return np.tile(self.popularity_, (len(ids), 1))

    def recommend(
        self, customer_ids: object, *, n: int = 10, exclude_purchased: bool = True
    ) -> pd.DataFrame:
        """Return the top ``n`` products for each customer.

        Parameters
        ----------
        customer_ids : str or iterable of str
            Customers to serve, in output order (duplicates served once).
        n : int, default 10
            Products per customer.
        exclude_purchased : bool, default True
            Leave out products the customer already bought (False keeps them,
            for replenishment).

        Returns
        -------
        DataFrame
            ``customer_id`` (str), ``product_id`` (str), ``score`` (float, higher is
            better, comparable within one customer only), ``rank`` (int, 1 = best).
        """
        check_is_fitted(self, "data_")
        n = check_n(n)
        ids = list(dict.fromkeys(as_id_list(customer_ids)))
        parts = []
        for start in range(0, len(ids), BLOCK_ROWS):
            block = ids[start : start + BLOCK_ROWS]
            idx, vals = self._rank_block(block, n, exclude_purchased)
            parts.append(self._frame(block, idx, vals))
        if not parts:
            return self._frame([], np.empty((0, n), int), np.empty((0, n)))
        return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    def _rank_block(
        self, ids: list[str], n: int, exclude_purchased: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        data = self.data_
        rows = self._rows(ids)
        known = rows >= 0
        scores = np.empty((len(ids), len(data.items)), dtype=np.float64)
        if known.any():
            scores[known] = self._score_rows(rows[known])
        if (~known).any():
            scores[~known] = self._cold_scores([i for i, k in zip(ids, known, strict=True) if not k])
        if exclude_purchased:
            exclude_bought(scores, data.bought, rows)
        return top_n(scores, n)

    def _rows(self, ids: list[str]) -> np.ndarray:
        """Row of each id in ``data_.users`` (-1 when unknown)."""
        get = self.row_of_.get
        return np.fromiter((get(i, -1) for i in ids), dtype=np.int64, count=len(ids))

    def _frame(self, ids: list[str], idx: np.ndarray, vals: np.ndarray,
               reasons: list[str] | None = None) -> pd.DataFrame:
        valid = idx >= 0
        counts = valid.sum(axis=1)
        columns = {
            S.CUSTOMER_ID: np.repeat(np.asarray(ids, dtype=object), counts),
            S.PRODUCT_ID: self.data_.items.to_numpy()[idx[valid]],
            "score": vals[valid].astype(np.float64),
            "rank": (np.nonzero(valid)[1] + 1).astype(np.int64),
        }
        if reasons is not None:
            columns["reason"] = np.asarray(reasons, dtype=object)
        return pd.DataFrame(columns)

    def purchased(self, customer_id: str) -> np.ndarray:
        """Return the item indices the customer bought (empty when unknown)."""
        check_is_fitted(self, "data_")
        row = self.row_of_.get(str(customer_id), -1)
        if row < 0:
            return np.empty(0, dtype=np.int64)
        b = self.data_.bought
        return b.indices[b.indptr[row] : b.indptr[row + 1]].astype(np.int64)

    def _item_index(self, product_id: object) -> int:
        check_is_fitted(self, "data_")
        j = self.data_.items.get_indexer([str(product_id)])[0]
        if j < 0:
            raise ValueError(
                f"unknown product {product_id!r}: not in the transactions or the product "
                "table this recommender was fitted on"
            )
        return int(j)
