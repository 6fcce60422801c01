"""Implicit-feedback matrix factorisation (ALS, Hu, Koren & Volinsky 2008) via ``implicit``."""

from __future__ import annotations

import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from recsys.recommend.base import BaseRecommender
from recsys.recommend.interactions import Histories


class ALSRecommender(BaseRecommender):
    """Alternating least squares on BM25-weighted purchase counts.

    Parameters
    ----------
    factors : int, default 64
        Latent dimensions.
    regularization : float, default 0.05
        L2 penalty on the factors.
    iterations : int, default 20
        ALS sweeps.
    bm25_k1, bm25_b : float, default 100, 0.8
        BM25 confidence weighting of the matrix (as the reference evaluation uses).
    random_state : int, optional, default 0
        Seed of the factor initialisation; the same seed gives the same output.
    """

    def __init__(self, *, factors: int = 64, regularization: float = 0.05, iterations: int = 20,
                 bm25_k1: float = 100.0, bm25_b: float = 0.8, random_state: int | None = 0):
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.bm25_k1 = bm25_k1
        self.bm25_b = bm25_b
        self.random_state = random_state

    def _fit_model(self, transactions, products, customers, segments) -> None:
        from implicit.cpu.als import AlternatingLeastSquares
        from implicit.nearest_neighbours import bm25_weight

        data = self.data_
        x = data.bought[:, : data.n_sold]
        weighted = bm25_weight(x, K1=self.bm25_k1, B=self.bm25_b).tocsr()
        with threadpool_limits(1, user_api="blas"), warnings.catch_warnings():
            # implicit checks the process-wide BLAS setting; the limit above applies here
            warnings.filterwarnings("ignore", message="OpenBLAS is configured",
                                    category=RuntimeWarning)
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                iterations=self.iterations,
                random_state=self.random_state,
                num_threads=1,
            )
            model.fit(weighted.astype(np.float32), show_progress=False)
        # float64 so that one customer and a batch get bit-identical scores
        self.user_factors_ = np.asarray(model.user_factors, dtype=np.float64)
        self.item_factors_ = np.asarray(model.item_factors, dtype=np.float64)
        # mean confidence per product, to fold in customers unknown at fit
        counts = np.maximum(np.diff(weighted.tocsc().indptr), 1)
        self.item_confidence_ = np.asarray(weighted.sum(axis=0)).ravel() / counts

    def score_histories(self, histories: Histories) -> np.ndarray:
        """Return scores of customers folded in from their purchases.

        Each customer's factors solve the ALS least-squares step against the fitted
        product factors, with each purchase's confidence the product's mean confidence.
        """
        y = self.item_factors_
        gram = y.T @ y
        n_sold = self.data_.n_sold
        factors = np.zeros((len(histories), y.shape[1]))
        for k in range(len(histories)):
            items = histories.entries(k)[0]
            items = items[items < n_sold]
            conf, yb = self.item_confidence_[items], y[items]
            a = gram + (yb.T * (conf - 1.0)) @ yb + self.regularization * np.eye(y.shape[1])
            factors[k] = np.linalg.solve(a, yb.T @ conf)
        return self._scores_of(factors)

    def _score_known(self, rows: np.ndarray, histories: Histories) -> np.ndarray:
        return self._scores_of(self.user_factors_[rows])

    def _scores_of(self, user_factors: np.ndarray) -> np.ndarray:
        data = self.data_
        out = np.zeros((len(user_factors), len(data.items)))
        out[:, : data.n_sold] = user_factors @ self.item_factors_.T
        # catalogue-only products have no factors: rank them below every sold one
        if data.n_sold < len(data.items) and data.n_sold:
            out[:, data.n_sold :] = out[:, : data.n_sold].min(axis=1, keepdims=True) - 1.0
        return out
