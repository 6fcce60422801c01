"""Content-based recommendations: TF-IDF over product descriptions and categories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from recsys.data import schema as S
from recsys.recommend.base import BaseRecommender, check_n
from recsys.recommend.interactions import Histories


def product_texts(
    items: pd.Index, products: pd.DataFrame | None, transactions: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Return the description and the ``description + category`` text of each item.

    Descriptions come from ``products`` (``description``, ``category``) and, for
    products missing there, from a ``description`` column of ``transactions`` when
    present (most frequent text). Unknown text is the empty string.
    """
    desc = pd.Series("", index=items, dtype=object)
    cat = pd.Series("", index=items, dtype=object)
    if S.DESCRIPTION in transactions.columns:
        d = transactions[[S.PRODUCT_ID, S.DESCRIPTION]].dropna().astype(str)
        top = d.groupby([S.PRODUCT_ID, S.DESCRIPTION]).size().rename("n").reset_index()
        top = top.sort_values("n", ascending=False, kind="stable").drop_duplicates(S.PRODUCT_ID)
        desc.update(pd.Series(top[S.DESCRIPTION].to_numpy(), index=top[S.PRODUCT_ID].to_numpy()))
    if products is not None and S.PRODUCT_ID in products.columns:
        ids = products[S.PRODUCT_ID].astype(str)
        p = products.set_index(pd.Index(ids.to_numpy(dtype=object)))
        p = p[~p.index.duplicated()]
        for column, target in ((S.DESCRIPTION, desc), (S.CATEGORY, cat)):
            if column in p.columns:
                values = p[column].dropna().astype(str)
                target.update(values[values.index.isin(items)])
    desc = desc.reindex(items).fillna("").astype(str)
    cat = cat.reindex(items).fillna("").astype(str)
    return desc.to_numpy(dtype=object), (desc + " " + cat).str.strip().to_numpy(dtype=object)


def tfidf_matrix(texts: np.ndarray) -> sp.csr_matrix:
    """Return L2-normalised TF-IDF rows (unigrams and bigrams) of ``texts``.

    Texts without any word give zero rows; with no word at all the matrix has one
    empty column.
    """
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                 dtype=np.float32)
    try:
        return vectorizer.fit_transform(list(texts)).tocsr()
    except ValueError:  # empty vocabulary: no product has text
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)


class ContentRecommender(BaseRecommender):
    """Recommend products whose description resembles what the customer bought.

    Works for products without sales (from the ``products`` table), which is how a
    new product reaches customers before anyone has bought it.

    Parameters
    ----------
    half_life_days : float, optional, default 90
        Weigh the customer's purchases by recency when building the profile.
    max_dense_items : int, default 6000
        Up to this many products, the product × product text similarity is kept as a
        dense float32 matrix (fast scoring); above, it is computed from the sparse
        TF-IDF rows on demand (memory grows with the vocabulary, not the square).
    """

    def __init__(self, *, half_life_days: float | None = 90.0, max_dense_items: int = 6000):
        self.half_life_days = half_life_days
        self.max_dense_items = max_dense_items

    def _fit_model(self, transactions, products, customers, segments) -> None:
        self.descriptions_, texts = product_texts(self.data_.items, products, transactions)
        self.vectors_ = tfidf_matrix(texts)
        self.vectors_t_ = self.vectors_.T.tocsr()
        self.similarity_ = None
        if len(self.data_.items) <= self.max_dense_items:
            self.similarity_ = (self.vectors_ @ self.vectors_t_).toarray().astype(np.float32)

    def score_histories(self, histories: Histories) -> np.ndarray:
        """Return ``(len(histories), n_items)`` scores: the text similarity of every
        product to the customer's purchases, each weighted by its recency."""
        vectors = histories.weighted(self.half_life_days)
        if self.similarity_ is not None:
            return np.asarray(vectors @ self.similarity_)
        profile = vectors @ self.vectors_
        return np.asarray((profile @ self.vectors_t_).toarray(), dtype=np.float32)

    def item_similarity(self, j: int) -> np.ndarray:
        """Return the cosine similarity of item ``j``'s text with every item's text."""
        if self.similarity_ is not None:
            return self.similarity_[j].astype(np.float64)
        return np.asarray((self.vectors_[j] @ self.vectors_t_).toarray()).ravel()

    def explain(self, histories: Histories, position: int,
                items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return, per item, the purchase whose text resembles it most, and that similarity.

        ``position`` is the customer's position in ``histories``; anchors are item
        indices (-1 for a customer without purchases).
        """
        bought = histories.entries(position)[0]
        items = np.asarray(items, dtype=np.int64)
        if not len(bought):
            return np.full(len(items), -1), np.zeros(len(items))
        if self.similarity_ is not None:
            sim = self.similarity_[np.ix_(bought, items)]
        else:
            sim = (self.vectors_[bought] @ self.vectors_[items].T).toarray()
        best = sim.argmax(axis=0)
        return bought[best], sim[best, np.arange(len(items))]

    def similar_items(self, product_id: object, *, n: int = 10) -> pd.DataFrame:
        """Return the ``n`` products whose text is closest to ``product_id``'s.

        Returns
        -------
        DataFrame
            ``product_id``, ``score`` (cosine similarity in [0, 1]), ``reason``.
        """
        n = check_n(n)
        j = self._item_index(product_id)
        sim = self.item_similarity(j)
        sim[j] = -np.inf
        order = np.lexsort((np.arange(len(sim)), -sim))[:n]
        order = order[np.isfinite(sim[order]) & (sim[order] > 0)]
        name = self.descriptions_[j] or str(product_id)
        return pd.DataFrame({
            S.PRODUCT_ID: self.data_.items.to_numpy()[order],
            "score": sim[order].astype(np.float64),
            "reason": [f"similar description to {name}"] * len(order),
        })
