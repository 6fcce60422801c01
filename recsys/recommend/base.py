"""The contract every recommender follows.

A recommender is a scikit-learn style estimator: ``__init__`` stores keyword
arguments, :meth:`BaseRecommender.fit` validates the input and learns state ending in
``_``, :meth:`BaseRecommender.recommend` returns a long DataFrame of top-N products
per customer. Subclasses implement ``_fit_model`` and :meth:`~BaseRecommender.score_histories`
(a dense block of scores for customers with purchases); ranking, exclusion of
already-bought products, cold-start fallback and validation live here once, and a
subclass adds a reason to each recommendation through one hook (``_reasons``).

A blend composes recommenders through the public part of this contract:
:meth:`~BaseRecommender.fit_interactions` (fit on a shared index),
:meth:`~BaseRecommender.score_histories` (score any purchases, including ones folded in
after the fit) and, for models that can say why, ``explain``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.recommend.interactions import (
    Histories,
    Interactions,
    build_interactions,
    fold_in,
    validate_transactions,
)

BLOCK_ROWS = 512
"""Customers scored at once in batch calls (bounds memory at 512 × products floats)."""

def as_id_list(customer_ids: object) -> list[str]:
    """Return ``customer_ids`` (one id or an iterable of ids) as a list of str."""
    if isinstance(customer_ids, (str, int, np.integer)):
        return [str(customer_ids)]
    if isinstance(customer_ids, Iterable):
        return [str(c) for c in customer_ids]
    raise TypeError(f"customer_ids must be an id or an iterable of ids, got {customer_ids!r}")


def check_n(n: object) -> int:
    """Return ``n`` as an int, or raise ParameterError if it is not a positive integer."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n must be a positive integer (number of products), got {n!r}")
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


def minmax_rows(scores: np.ndarray) -> np.ndarray:
    """Scale each row of finite ``scores`` to [0, 1] (constant rows become 0)."""
    lo = scores.min(axis=1, keepdims=True)
    span = scores.max(axis=1, keepdims=True) - lo
    span[span == 0] = 1.0
    return (scores - lo) / span


class BaseRecommender(BaseEstimator):
    """Shared ``fit``/``recommend`` logic; subclasses score customers.

    Subclasses implement ``_fit_model(self, transactions, products, customers,
    segments)`` and ``score_histories(self, histories) -> ndarray (len(histories),
    n_items)``. Customers without purchases get ``_cold_scores`` (global popularity
    unless a subclass knows better). Hooks a subclass may override: ``_score_known``
    (a faster path for customers of the fitted index), ``_scores_with_evidence`` and
    ``_reasons`` (a reason per recommendation).
    """

    score_dtype: type = np.float64
    """Precision of the score block ranked in :meth:`recommend`."""

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
        return self.fit_interactions(data, lines, products=products, customers=customers,
                                     segments=segments)

    def fit_interactions(
        self,
        interactions: Interactions,
        transactions: pd.DataFrame,
        *,
        products: pd.DataFrame | None = None,
        customers: pd.DataFrame | None = None,
        segments: pd.DataFrame | None = None,
    ) -> BaseRecommender:
        """Learn from a prebuilt index and return ``self`` (parts of a blend share one).

        Parameters
        ----------
        interactions : Interactions
            ``build_interactions(transactions, products=products)``.
        transactions : DataFrame
            The lines the index was built from (those with a customer).
        products, customers, segments : DataFrame, optional
            As in :meth:`fit`.
        """
        self.data_ = interactions
        self.row_of_ = {u: i for i, u in enumerate(interactions.users)}
        self.popularity_ = interactions.item_popularity()
        self._fit_model(transactions, products, customers, segments)
        return self

    def _fit_model(self, transactions, products, customers, segments) -> None:  # pragma: no cover
        raise NotImplementedError

    def score_histories(self, histories: Histories) -> np.ndarray:  # pragma: no cover
        """Return the scores of customers with the given purchases.

        Parameters
        ----------
        histories : Histories
            Purchases over this model's items (from ``data_.histories(rows)`` or
            folded in from new lines); every customer has at least one.

        Returns
        -------
        ndarray
            ``(len(histories), n_items)``, higher is better, comparable within a row.
        """
        raise NotImplementedError

    def _score_known(self, rows: np.ndarray, histories: Histories) -> np.ndarray:
        """Scores of customers of the fitted index (``rows``); a subclass may cache them."""
        return self.score_histories(histories)

    def _cold_scores(self, ids: list[str]) -> np.ndarray:
        """Scores for customers without history: global popularity by default."""
        return np.tile(self.popularity_, (len(ids), 1))

    def _scores_with_evidence(self, histories: Histories,
                              rows: np.ndarray | None) -> tuple[np.ndarray, object]:
        """Scores of customers with purchases, and what ``_reasons`` needs to explain them.

        ``rows`` are the customers' rows in the fitted index, or None for folded-in
        histories.
        """
        if rows is None:
            return self.score_histories(histories), None
        return self._score_known(rows, histories), None

    def _reasons(self, ids: list[str], histories: Histories, warm: np.ndarray,
                 top: np.ndarray, evidence: object) -> list[str] | None:
        """Return one reason per recommendation in ``top`` (row-major, valid entries
        only), or None for a model without reasons.

        ``warm`` marks the customers with purchases; ``evidence`` is what
        ``_scores_with_evidence`` returned for them.
        """
        return None

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
            better, comparable within one customer only), ``rank`` (int, 1 = best),
            and ``reason`` (str) for models that explain themselves.
        """
        if not hasattr(self, "data_"):  # cheaper than check_is_fitted on the hot path
            check_is_fitted(self, "data_")
        n = check_n(n)
        ids = list(dict.fromkeys(as_id_list(customer_ids)))
        frames = []
        for start in range(0, len(ids), BLOCK_ROWS):
            block = ids[start : start + BLOCK_ROWS]
            rows = self._rows(block)
            frames.append(self._ranked(block, self.data_.histories(rows), n,
                                       exclude_purchased, rows=rows))
        if not frames:
            return self._ranked([], self.data_.histories(np.empty(0, np.int64)), n,
                                exclude_purchased, rows=np.empty(0, np.int64))
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    def recommend_lines(
        self,
        customer_id: str,
        lines: pd.DataFrame,
        *,
        n: int = 10,
        exclude_purchased: bool = True,
    ) -> pd.DataFrame:
        """Return the top ``n`` products of a customer after new purchases, without a refit.

        The lines are added to what the model knew of the customer at fit time; for a
        customer unknown at fit they are the whole history, so one purchase is enough
        to personalise them. The fitted model is never changed, so concurrent calls
        are safe.

        Parameters
        ----------
        customer_id : str
            The customer (known at fit or not).
        lines : DataFrame
            New purchase lines: ``invoice_id``, ``invoice_date``, ``product_id``,
            ``quantity``, optionally ``unit_price``. Returns (quantity <= 0) and
            products the model does not know are left out.
        n : int, default 10
            Products to return.
        exclude_purchased : bool, default True
            Leave out everything the customer bought, the new lines included.

        Returns
        -------
        DataFrame
            As :meth:`recommend`: ``customer_id``, ``product_id``, ``score``, ``rank``
            (and ``reason`` for models that explain themselves).
        """
        if not hasattr(self, "data_"):
            check_is_fitted(self, "data_")
        n = check_n(n)
        customer_id = as_id_list(customer_id)[0]
        row = self.row_of_.get(customer_id, -1)
        history = fold_in(self.data_, row, lines)
        rows = None
        if row >= 0:
            known = self.data_.histories(np.array([row]))
            if (np.array_equal(known.bought.indices, history.bought.indices)
                    and np.array_equal(known.age_days, history.age_days)
                    and known.invoices[0] == history.invoices[0]):
                rows = np.array([row])  # nothing new: the fitted customer, as recommend()
        return self._ranked([customer_id], history, n, exclude_purchased, rows=rows)

    def _ranked(self, ids: list[str], histories: Histories, n: int, exclude_purchased: bool,
                *, rows: np.ndarray | None = None) -> pd.DataFrame:
        """Rank products for customers with these histories (the one ranking path).

        ``rows`` are the customers' rows in the fitted index (-1: unknown), or None
        when the histories were folded in from new lines.
        """
        warm = histories.counts > 0
        scores = np.empty((len(ids), len(self.data_.items)), dtype=self.score_dtype)
        evidence = None
        if warm.any():
            part = histories if warm.all() else histories.take(warm)
            scores[warm], evidence = self._scores_with_evidence(
                part, None if rows is None else rows[warm])
        if not warm.all():
            scores[~warm] = self._cold_scores([i for i, w in zip(ids, warm, strict=True)
                                               if not w])
        if exclude_purchased:
            histories.exclude_from(scores)
        idx, vals = top_n(scores, n)
        return self._frame(ids, idx, vals, self._reasons(ids, histories, warm, idx, evidence))

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
            raise ParameterError(
                f"unknown product {product_id!r}: not in the transactions or the product "
                "table this recommender was fitted on"
            )
        return int(j)
