"""What the customer tends to buy: categories and price bands, times what sells now.

A naive-Bayes profile: for each product attribute (the category, where the catalogue
has one, and the price band), how much more often than the shop as a whole the customer
buys products with that value; the score of a product is its recent popularity times
those ratios,

``score(u, j) = log pop(j) + Σ_a log(P(a_j | u) / P(a_j))``,

with ``P(a | u)`` the customer's recency-weighted purchases per value, smoothed towards
the shop's share ``P(a)``. It reaches what co-purchases miss: a bargain hunter's taste
for cheap products, a customer's categories in their season.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.recommend.base import BaseRecommender
from recsys.recommend.interactions import Histories, Interactions


def price_bands(prices: np.ndarray, bands: int) -> np.ndarray:
    """Return the band (0 = cheapest) of each price, by quantiles of ``log(price)``.

    Prices that are missing or not positive go to the middle band.
    """
    prices = np.asarray(prices, dtype=np.float64)
    valid = np.isfinite(prices) & (prices > 0)
    out = np.full(len(prices), bands // 2, dtype=np.int64)
    if valid.sum() < bands or bands < 2:
        return out
    logs = np.log(prices[valid])
    edges = np.unique(np.quantile(logs, np.linspace(0, 1, bands + 1)[1:-1]))
    out[valid] = np.searchsorted(edges, logs, side="right")
    return out


def item_prices(items: pd.Index, products: pd.DataFrame | None,
                transactions: pd.DataFrame) -> np.ndarray:
    """Return each item's price: the median paid in ``transactions``, else the catalogue's."""
    price = pd.Series(np.nan, index=items, dtype=np.float64)
    if S.UNIT_PRICE in transactions.columns:
        paid = transactions[[S.PRODUCT_ID, S.UNIT_PRICE]].dropna()
        paid = paid.groupby(paid[S.PRODUCT_ID].astype(str))[S.UNIT_PRICE].median()
        price.update(paid[paid.index.isin(items)])
    if products is not None and {S.PRODUCT_ID, S.UNIT_PRICE} <= set(products.columns):
        listed = products.dropna(subset=[S.UNIT_PRICE]).drop_duplicates(S.PRODUCT_ID)
        listed = pd.Series(listed[S.UNIT_PRICE].to_numpy(dtype=np.float64),
                           index=listed[S.PRODUCT_ID].astype(str).to_numpy())
        missing = price.isna()
        price[missing] = listed.reindex(price.index[missing]).to_numpy()
    return price.to_numpy()


def item_categories(items: pd.Index, products: pd.DataFrame | None) -> np.ndarray | None:
    """Return each item's category code, or None when the catalogue has no category."""
    if products is None or S.CATEGORY not in products.columns:
        return None
    known = products.dropna(subset=[S.CATEGORY]).drop_duplicates(S.PRODUCT_ID)
    if known.empty:
        return None
    category = pd.Series(known[S.CATEGORY].astype(str).to_numpy(),
                         index=known[S.PRODUCT_ID].astype(str).to_numpy())
    labels = category.reindex(items).fillna("").to_numpy(dtype=object)
    return pd.factorize(labels, sort=True)[0].astype(np.int64)


class ProfileRecommender(BaseRecommender):
    """Recommend popular products of the categories and price bands the customer buys.

    Parameters
    ----------
    half_life_days : float, optional, default 90
        Recency half-life of the customer's purchases in their profile.
    popularity_half_life_days : float, optional, default 30
        Half-life of the popularity the profile multiplies ("what sells now").
    smoothing : float, default 2
        Pseudo-purchases pulling a thin profile towards the shop's shares.
    bands : int, default 5
        Price bands (quantiles of the log price); 0 or 1 leaves prices out.
    """

    def __init__(self, *, half_life_days: float | None = 90.0,
                 popularity_half_life_days: float | None = 30.0, smoothing: float = 2.0,
                 bands: int = 5):
        self.half_life_days = half_life_days
        self.popularity_half_life_days = popularity_half_life_days
        self.smoothing = smoothing
        self.bands = bands

    def _fit_model(self, transactions, products, customers, segments) -> None:
        if not self.smoothing > 0:
            raise ParameterError(f"smoothing must be positive, got {self.smoothing!r}")
        data: Interactions = self.data_
        attributes = []
        categories = item_categories(data.items, products)
        if categories is not None and categories.max(initial=0) > 0:
            attributes.append(categories)
        if self.bands and self.bands > 1:
            attributes.append(price_bands(item_prices(data.items, products, transactions),
                                          int(self.bands)))
        pop = data.item_popularity(self.popularity_half_life_days)
        floor = max(pop.max(), 1.0) * 1e-4
        self.log_popularity_ = np.log(pop + floor).astype(np.float32)
        everyone = data.item_popularity()
        self.attributes_ = []
        for codes in attributes:
            n_values = int(codes.max()) + 1
            onehot = sp.csr_matrix((np.ones(len(codes), np.float32),
                                    (np.arange(len(codes)), codes)),
                                   shape=(len(codes), n_values))
            share = np.bincount(codes, weights=everyone, minlength=n_values)
            share = (share + 1.0) / (share.sum() + n_values)
            self.attributes_.append((codes, onehot, share))

    def score_histories(self, histories: Histories) -> np.ndarray:
        """Return ``(len(histories), n_items)`` float32 log-scores (higher is better)."""
        vectors = histories.weighted(self.half_life_days)
        out = np.broadcast_to(self.log_popularity_, (len(histories), len(self.data_.items)))
        out = out.copy()
        alpha = float(self.smoothing)
        for codes, onehot, share in self.attributes_:
            counts = np.asarray((vectors @ onehot).todense(), dtype=np.float64)
            mine = (counts + alpha * share) / (counts.sum(axis=1, keepdims=True) + alpha)
            out += np.log(mine / share)[:, codes].astype(np.float32)
        return out
