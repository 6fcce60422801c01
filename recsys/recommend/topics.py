"""Tastes and seasons: a topic model of purchases, weighted by what is in season now.

Customers buy from a few groups of products (a kitchen, a Christmas, a garden
shelf …), in proportions of their own, and the groups rise and fall with the season.
The model learns the groups from the purchases alone (no catalogue needed): a
non-negative factorisation of the customer × product matrix under the Kullback–Leibler
loss (pLSA), ``X ≈ W H`` with ``n_topics`` groups. A customer's tastes are read from
their (recency-weighted) purchases in one step, each purchase spread over the groups in
proportion to how much each group holds it, so any purchase history is scored the same
way, fitted customers and folded-in ones alike:

``theta(u) ∝ Σ_i w_ui · H[:, i] / Σ_k H[k, i]``,
``score(u, j) = Σ_k theta_k(u) · season_k · H[k, j] / Σ_j' H[k, j']``,

with ``season_k`` the group's share of the purchases of the last ``season_days`` days
over its share of all purchases (steadied by ``SEASON_PRIOR`` pseudo-purchases). Products of a
customer's groups rank by their popularity within the group.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

from recsys.errors import ParameterError
from recsys.recommend.base import BaseRecommender
from recsys.recommend.interactions import Histories, Interactions

SEASON_PRIOR = 100.0
"""Pseudo-purchases, spread over the groups as in the whole history, added to the
recent ones: a group's season factor moves away from 1 only on real evidence."""


class TopicRecommender(BaseRecommender):
    """Recommend products of the groups a customer buys from, in season.

    Parameters
    ----------
    n_topics : int, default 10
        Groups of products learnt (fewer when the shop sells fewer products).
    half_life_days : float, optional, default 180
        Recency half-life of the customer's purchases when reading their tastes.
    season_days : int, default 30
        The recent period whose purchases say which groups are in season.
    max_iter : int, default 60
        Iterations of the factorisation.
    random_state : int, default 0
        Seed of the factorisation's start.
    """

    def __init__(self, *, n_topics: int = 10, half_life_days: float | None = 180.0,
                 season_days: int = 30, max_iter: int = 60, random_state: int = 0):
        self.n_topics = n_topics
        self.half_life_days = half_life_days
        self.season_days = season_days
        self.max_iter = max_iter
        self.random_state = random_state

    def _check(self) -> None:
        if not (isinstance(self.n_topics, (int, np.integer)) and self.n_topics >= 1):
            raise ParameterError(f"n_topics must be a positive integer, got {self.n_topics!r}")
        if not self.season_days >= 1:
            raise ParameterError(f"season_days must be at least 1, got {self.season_days!r}")

    def _fit_model(self, transactions, products, customers, segments) -> None:
        self._check()
        self._learn()

    def _learn(self) -> None:
        """Factorise the purchases and read the season."""
        data = self.data_
        x = data.bought[:, : data.n_sold].astype(np.float64)
        k = int(max(1, min(self.n_topics, data.n_sold - 1, x.shape[0] - 1)))
        if data.n_sold < 2 or x.shape[0] < 2:
            h = np.ones((1, max(data.n_sold, 1)))
        else:
            nmf = NMF(n_components=k, beta_loss="kullback-leibler", solver="mu",
                      max_iter=int(self.max_iter), init="nndsvda",
                      random_state=self.random_state)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                nmf.fit(x)
            h = nmf.components_ + 1e-12
        # how much each group holds each product, and each group's products as shares
        self.holds_ = (h / h.sum(axis=0, keepdims=True)).T.astype(np.float32)
        self.shares_ = (h / h.sum(axis=1, keepdims=True)).astype(np.float32)
        self.season_ = self._season(data, np.arange(data.n_sold))

    def _season(self, data: Interactions, columns: np.ndarray) -> np.ndarray:
        """Season factor of each group from the purchases of ``data``.

        ``columns[j]`` is the position in this model of ``data``'s sold product ``j``
        (-1: a product this model does not know).
        """
        bought = data.bought[:, : data.n_sold]
        everyone = np.asarray(bought.sum(axis=0)).ravel()
        recent = data.bought.copy()
        recent.data = (data.age_days <= self.season_days).astype(np.float32)
        now = np.asarray(recent.sum(axis=0)).ravel()[: data.n_sold]
        known = columns >= 0
        holds = self.holds_[columns[known]]
        everyone, now = everyone[known] @ holds, now[known] @ holds
        share = everyone / max(everyone.sum(), 1e-12)
        # SEASON_PRIOR purchases spread as over the whole history steady a thin season
        season = (now + SEASON_PRIOR * share) / (now.sum() + SEASON_PRIOR) / np.maximum(
            share, 1e-12)
        return season.astype(np.float32)

    def score_histories(self, histories: Histories) -> np.ndarray:
        """Return ``(len(histories), n_items)`` float32 scores (products without sales 0)."""
        n_sold = self.data_.n_sold
        vectors = histories.weighted(self.half_life_days)[:, :n_sold]
        tastes = np.asarray(vectors @ self.holds_, dtype=np.float32)
        tastes /= np.maximum(tastes.sum(axis=1, keepdims=True), 1e-12)
        out = np.zeros((len(histories), len(self.data_.items)), dtype=np.float32)
        out[:, :n_sold] = (tastes * self.season_) @ self.shares_
        return out
