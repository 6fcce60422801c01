"""EASE: a closed-form linear item-item model (Steck, WWW 2019).

``W = I - P / diag(P)`` with ``P = (XᵀX + λI)⁻¹`` over the binary customer × product
matrix, zero diagonal. It needs a dense product × product inverse, so it refuses
catalogues above ``max_items`` (the hybrid then uses item-kNN, whose memory grows
with ``n_products × k``).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import lapack
from threadpoolctl import threadpool_limits

from recsys.errors import ParameterError
from recsys.recommend.base import BaseRecommender
from recsys.recommend.itemknn import ItemItemMixin

MAX_DENSE_ITEMS = 6000
"""Largest catalogue for the dense inverse (6000² float32 ≈ 144 MB, about 3 copies at peak)."""


def ease_weights(bought, *, l2: float, threads: int | None = 1) -> np.ndarray:
    """Return the EASE item-item weights of a binary customer × product matrix.

    The inverse is taken in float32 through a Cholesky factorisation (the Gram matrix
    plus ``l2`` on the diagonal is symmetric positive definite), which is several times
    faster than a general float64 inverse and accurate enough for ranking.

    Parameters
    ----------
    bought : sparse matrix
        ``(n_users, n_items)`` binary purchases.
    l2 : float
        Ridge penalty λ added to the Gram matrix diagonal.
    threads : int, optional, default 1
        BLAS threads for the factorisation (one thread is the fastest on a busy
        2-core machine; None leaves the library default).

    Returns
    -------
    ndarray
        ``(n_items, n_items)`` float32, row ``i`` = weight of a purchase of ``i``
        towards each product; zero diagonal.
    """
    return ease_from_gram((bought.T @ bought).toarray(), l2=l2, threads=threads)


def ease_from_gram(gram: np.ndarray, *, l2: float, threads: int | None = 1) -> np.ndarray:
    """Return the EASE weights of a Gram matrix ``XᵀX`` (see :func:`ease_weights`).

    For callers that add up the Gram matrix themselves (the Spark engine sums it over
    partitions of customers). ``gram`` is not modified.
    """
    gram = np.array(gram, dtype=np.float32)
    gram[np.diag_indices_from(gram)] += np.float32(l2)
    with threadpool_limits(threads, user_api="blas"):
        factor, info = lapack.spotrf(gram, lower=False, overwrite_a=True, clean=True)
        if info != 0:
            raise ValueError(f"EASE Gram matrix is not positive definite (LAPACK info {info})")
        upper, info = lapack.spotri(factor, lower=False, overwrite_c=True)
    del gram, factor
    # clean=True zeroed the lower triangle and spotri fills only the upper one
    precision = upper + upper.T
    del upper
    precision[np.diag_indices_from(precision)] /= 2.0
    diag = np.diag(precision).copy()
    precision /= -diag
    precision[np.diag_indices_from(precision)] = 0.0
    return precision


class EASERecommender(ItemItemMixin, BaseRecommender):
    """Linear item-item recommender with a recency-weighted customer row.

    Parameters
    ----------
    l2 : float, default 300
        Ridge penalty λ (chosen by inner time-split validation on the real and
        generated shops; larger λ favours popular products).
    half_life_days : float, optional, default 60
        Weigh each purchase by ``0.5 ** (age_days / half_life_days)`` when scoring.
    max_items : int, default 6000
        Refuse larger catalogues (dense memory grows with the square).
    """

    def __init__(self, *, l2: float = 300.0, half_life_days: float | None = 60.0,
                 max_items: int = MAX_DENSE_ITEMS):
        self.l2 = l2
        self.half_life_days = half_life_days
        self.max_items = max_items

    def _fit_model(self, transactions, products, customers, segments) -> None:
        if not self.l2 > 0:
            raise ParameterError(f"l2 must be positive, got {self.l2!r}")
        data = self.data_
        if data.n_sold > self.max_items:
            raise ParameterError(
                f"EASE needs a dense {data.n_sold} × {data.n_sold} matrix, above max_items="
                f"{self.max_items}; use ItemKNNRecommender for catalogues this large"
            )
        self.weights_ = ease_weights(data.bought[:, : data.n_sold], l2=self.l2)

    def fit_gram(self, interactions, gram: np.ndarray) -> EASERecommender:
        """Learn from a prebuilt index and its Gram matrix; return ``self``.

        For trying several ridge penalties on one index: the Gram matrix
        (:func:`gram_matrix`) is computed once and only the factorisation is repeated.
        """
        if not self.l2 > 0:
            raise ParameterError(f"l2 must be positive, got {self.l2!r}")
        self.data_ = interactions
        self.row_of_ = {u: i for i, u in enumerate(interactions.users)}
        self.popularity_ = interactions.item_popularity()
        self.weights_ = ease_from_gram(gram, l2=self.l2)
        return self


def gram_matrix(interactions) -> np.ndarray:
    """Return ``XᵀX`` (float32) of an index's purchases over its products with sales."""
    bought = interactions.bought[:, : interactions.n_sold]
    return (bought.T @ bought).toarray().astype(np.float32)
