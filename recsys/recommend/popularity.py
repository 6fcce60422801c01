"""Popularity: global, per segment, per country, optionally time-decayed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.recommend.base import BaseRecommender
from recsys.recommend.interactions import Histories, Interactions

GROUPINGS = ("global", "segment", "country")


def group_popularity(
    data: Interactions,
    groups: pd.Series,
    *,
    half_life_days: float | None = None,
) -> tuple[pd.Index, np.ndarray]:
    """Return the (decayed) number of buyers of each item within each group.

    Parameters
    ----------
    data : Interactions
        The purchase index.
    groups : Series
        Group label (str) indexed by customer id; customers not in it are ignored.

    Returns
    -------
    labels : Index
        Group labels, one per row of ``counts``.
    counts : ndarray
        ``(n_groups, n_items)`` float64.
    """
    labels = groups.reindex(data.users).to_numpy(dtype=object)
    has = pd.notna(labels)
    names = pd.Index(sorted({str(x) for x in labels[has]}), dtype=object)
    counts = np.zeros((len(names), len(data.items)))
    if len(names):
        code = np.full(len(labels), -1)
        code[has] = names.get_indexer([str(x) for x in labels[has]])
        weighted = data.recency_weights(half_life_days).tocoo()
        g = code[weighted.row]
        keep = g >= 0
        np.add.at(counts, (g[keep], weighted.col[keep]), weighted.data[keep])
    return names, counts


class PopularityRecommender(BaseRecommender):
    """Recommend what most customers bought (within the customer's group).

    Parameters
    ----------
    by : {"global", "segment", "country"}, default "global"
        Count buyers over all customers, within the customer's segment (needs
        ``segments`` in ``fit``) or within the customer's country (from
        ``customers`` or the transactions' ``country``). Customers outside any
        group get the global ranking.
    half_life_days : float, optional
        Weigh each purchase by ``0.5 ** (age_days / half_life_days)``; None counts
        every buyer once (the classic baseline).
    shrinkage : float, default 10
        Pseudo-count pulling a small group's ranking towards the global one.
    """

    def __init__(self, *, by: str = "global", half_life_days: float | None = None,
                 shrinkage: float = 10.0):
        self.by = by
        self.half_life_days = half_life_days
        self.shrinkage = shrinkage

    def _fit_model(self, transactions, products, customers, segments) -> None:
        if self.by not in GROUPINGS:
            raise ParameterError(f"by must be one of {GROUPINGS}, got {self.by!r}")
        if self.half_life_days is not None and not self.half_life_days > 0:
            raise ParameterError(f"half_life_days must be positive or None, got {self.half_life_days!r}")
        data = self.data_
        pop = data.item_popularity(self.half_life_days)
        self.global_scores_ = pop / max(pop.max(), 1e-12)
        groups = customer_groups(self.by, transactions, customers, segments)
        self.group_labels_, counts = group_popularity(
            data, groups, half_life_days=self.half_life_days
        )
        totals = counts.max(axis=1, keepdims=True) if len(counts) else counts
        self.group_scores_ = (counts + self.shrinkage * self.global_scores_) / (
            np.maximum(totals, 1e-12) + self.shrinkage
        )
        self.customer_group_ = groups

    def _group_rows(self, ids) -> np.ndarray:
        labels = self.customer_group_.reindex(pd.Index(ids, dtype=object)).to_numpy(dtype=object)
        out = np.full(len(ids), -1)
        has = pd.notna(labels)
        if has.any() and len(self.group_labels_):
            out[has] = self.group_labels_.get_indexer([str(x) for x in labels[has]])
        return out

    def _scores_for(self, ids) -> np.ndarray:
        g = self._group_rows(ids)
        scores = np.tile(self.global_scores_, (len(ids), 1))
        if (g >= 0).any():
            scores[g >= 0] = self.group_scores_[g[g >= 0]]
        return scores

    def score_histories(self, histories: Histories) -> np.ndarray:
        """Return the global ranking for each customer (purchases do not change it)."""
        return np.tile(self.global_scores_, (len(histories), 1))

    def _score_known(self, rows: np.ndarray, histories: Histories) -> np.ndarray:
        return self._scores_for(self.data_.users[rows])

    def _cold_scores(self, ids) -> np.ndarray:
        return self._scores_for(ids)


def customer_groups(
    by: str,
    transactions: pd.DataFrame,
    customers: pd.DataFrame | None,
    segments: pd.DataFrame | None,
) -> pd.Series:
    """Return the group label (str) of each customer for grouping ``by``.

    ``"segment"`` reads ``segment_name`` from ``segments``; ``"country"`` reads
    ``country`` from ``customers`` and, for customers missing there, their most
    frequent country in ``transactions``. ``"global"`` (or no source) returns an empty Series.
    """
    empty = pd.Series(dtype=object)
    if by == "segment":
        if segments is None or "segment_name" not in segments.columns:
            return empty
        return _labels(segments, "segment_name")
    if by == "country":
        labels = empty
        if customers is not None and S.COUNTRY in customers.columns:
            labels = _labels(customers, S.COUNTRY)
        if S.COUNTRY in transactions.columns:
            tx = transactions[[S.CUSTOMER_ID, S.COUNTRY]].dropna().astype(str)
            counts = tx.groupby([S.CUSTOMER_ID, S.COUNTRY]).size().rename("n").reset_index()
            top = counts.sort_values(["n", S.COUNTRY], ascending=[False, True], kind="stable")
            from_lines = _labels(top.drop_duplicates(S.CUSTOMER_ID), S.COUNTRY)
            labels = pd.concat([labels, from_lines[~from_lines.index.isin(labels.index)]])
        return labels
    return empty


def _labels(frame: pd.DataFrame, column: str) -> pd.Series:
    part = frame[[S.CUSTOMER_ID, column]].dropna()
    out = pd.Series(
        part[column].astype(str).to_numpy(dtype=object),
        index=pd.Index(part[S.CUSTOMER_ID].astype(str).to_numpy(dtype=object)),
    )
    return out[~out.index.duplicated()]
