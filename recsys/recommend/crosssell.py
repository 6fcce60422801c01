"""Product to product: "customers who bought this also bought", for one product or a cart.

Two signals, as a shop's product or cart page shows them: how often the products were
bought by the same customers (cosine of their buyer sets, scaled so the strongest
related product scores 1) and how alike their descriptions are (TF-IDF cosine). The
co-purchase signal weighs :data:`CO_PURCHASE_WEIGHT`, the text :data:`TEXT_WEIGHT`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

CO_PURCHASE_WEIGHT = 0.7
"""Weight of co-purchases in the score."""

TEXT_WEIGHT = 0.3
"""Weight of description similarity in the score."""


@dataclass(frozen=True)
class CrossSell:
    """Scores of every product against a set of anchor products (a product or a cart).

    Attributes
    ----------
    anchors : ndarray of int
        Item indices of the anchor products.
    together : ndarray
        ``(len(anchors), n_items)`` number of customers who bought both.
    co_purchase, text : ndarray
        ``(n_items,)`` weighted co-purchase and description parts of the score.
    co_anchor, text_anchor : ndarray of int
        Per item, the position in ``anchors`` of the strongest co-purchase and of the
        most alike description.
    """

    anchors: np.ndarray
    together: np.ndarray
    co_purchase: np.ndarray
    text: np.ndarray
    co_anchor: np.ndarray
    text_anchor: np.ndarray

    @property
    def score(self) -> np.ndarray:
        """Total score per item in [0, 1]; the anchors themselves score ``-inf``."""
        score = self.co_purchase + self.text
        score[self.anchors] = -np.inf
        return score

    def top(self, n: int) -> np.ndarray:
        """Item indices of the ``n`` best related products (score > 0), best first."""
        score = self.score
        order = np.lexsort((np.arange(len(score)), -score))[:n]
        return order[np.isfinite(score[order]) & (score[order] > 0)]


def cross_sell(
    bought: sp.csr_matrix,
    bought_csc: sp.csc_matrix,
    anchors: np.ndarray,
    text_similarity: Callable[[int], np.ndarray],
) -> CrossSell:
    """Return how strongly every product relates to the ``anchors``.

    Parameters
    ----------
    bought, bought_csc : csr_matrix, csc_matrix
        ``(n_customers, n_items)`` binary purchases, in both layouts.
    anchors : ndarray of int
        Item indices of the product (one) or the cart (several), distinct.
    text_similarity : callable
        ``text_similarity(j)`` returns the description cosine of item ``j`` with every
        item.

    Returns
    -------
    CrossSell
        The co-purchase part is the sum over anchors of the buyer-set cosine, scaled so
        that the best non-anchor product gets :data:`CO_PURCHASE_WEIGHT`; the text part
        is the mean description similarity to the anchors, clipped to [0, 1], times
        :data:`TEXT_WEIGHT`.
    """
    anchors = np.asarray(anchors, dtype=np.int64)
    buyers_of = bought_csc[:, anchors].T.tocsr()
    together = np.asarray((buyers_of @ bought).toarray(), dtype=np.float64)
    buyers = np.diff(bought_csc.indptr).astype(np.float64)
    cosine = together / np.sqrt(np.maximum(buyers[anchors][:, None] * buyers[None, :], 1.0))
    total = cosine.sum(axis=0)
    others = np.ones(len(total), bool)
    others[anchors] = False
    co = CO_PURCHASE_WEIGHT * total / max(total[others].max(initial=0.0), 1e-12)
    texts = np.vstack([np.clip(text_similarity(int(j)), 0.0, 1.0) for j in anchors])
    text = TEXT_WEIGHT * texts.mean(axis=0)
    return CrossSell(anchors, together, co, text, cosine.argmax(axis=0), texts.argmax(axis=0))
