"""Buy again: the products a customer bought before and is due to buy again.

Replenishment is how most repeat revenue happens in a shop like this. For each product
a customer has bought, the model looks at their own rhythm for it (how often, how long
ago, how regularly), how much of their buying it takes, and how often the product's
buyers come back for it, and learns from the shop's own recent past which of these
predict a repeat purchase: the features are taken ``horizon_days`` before the end of
the training lines and the label is whether the customer bought the product again
within those days. A logistic regression on the logged features weighs them; with too
few repeat purchases to learn from, the customer's most frequent products come first.

:class:`RepeatBaseline` gives the two rules buy-again is measured against: most
frequent first and most recent first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from recsys.data import schema as S
from recsys.data.cancellations import CANCELLED_QUANTITY
from recsys.errors import ParameterError
from recsys.recommend import reasons as R
from recsys.recommend.base import BaseRecommender
from recsys.recommend.interactions import Histories, Interactions

FEATURES = ("count", "since", "interval", "span", "age", "rate", "recent", "share",
            "due", "customer_days", "customer_since", "customer_rate", "product_repeat",
            "product_buyers", "product_recent", "last_year", "category_share")
"""Features of a (customer, product) pair, all at the reference day: distinct purchase
days of the pair, days since the last, mean days between purchases, days from first to
last, days since the first, purchases per day since the first, purchase days in the last
90 days, the pair's share of the customer's purchase days, days since the last over the
mean interval ("due"); the customer's purchase days, days since their last, purchases
per day; the share of the product's buyers who bought it more than once, its buyers,
its buyers in the last 30 days; the pair's purchases in the same 30 days a year before;
the share of the customer's purchases in the product's category."""

MIN_POSITIVES = 30
"""Fewer repeat purchases than this in the learning window keep the frequency rule."""

NO_INTERVAL = 10_000.0
"""Days standing in for the interval of a product bought once."""


def pair_features(lines: pd.DataFrame, reference: pd.Timestamp,
                  categories: pd.Series | None = None) -> pd.DataFrame:
    """Return the features of every (customer, product) pair bought before ``reference``.

    Parameters
    ----------
    lines : DataFrame
        ``customer_id``, ``product_id``, ``invoice_date`` of lines before ``reference``.
    reference : Timestamp
        The day the features describe (midnight).
    categories : Series, optional
        Category per product id (for ``category_share``).

    Returns
    -------
    DataFrame
        ``customer_id``, ``product_id`` (str), ``first``, ``last`` (days) and the columns
        of :data:`FEATURES`, one row per pair, sorted by customer and product.
    """
    day = lines[S.INVOICE_DATE].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    ref = np.datetime64(reference.normalize(), "D")
    ago = (ref - day).astype("timedelta64[D]").astype(np.int64).astype(np.float64)
    per = pd.DataFrame({S.CUSTOMER_ID: lines[S.CUSTOMER_ID].astype(str).to_numpy(),
                        S.PRODUCT_ID: lines[S.PRODUCT_ID].astype(str).to_numpy(),
                        "ago": ago}).drop_duplicates()
    g = per.groupby([S.CUSTOMER_ID, S.PRODUCT_ID], sort=True)["ago"].agg(
        count="size", since="min", age="max").reset_index()
    g["recent"] = per.assign(r=per["ago"] <= 90).groupby(
        [S.CUSTOMER_ID, S.PRODUCT_ID], sort=True)["r"].sum().to_numpy()
    g["last_year"] = per.assign(r=(per["ago"] > 335) & (per["ago"] <= 365)).groupby(
        [S.CUSTOMER_ID, S.PRODUCT_ID], sort=True)["r"].sum().to_numpy()
    g["span"] = g["age"] - g["since"]
    g["interval"] = np.where(g["count"] > 1, g["span"] / np.maximum(g["count"] - 1, 1),
                             NO_INTERVAL)
    g["rate"] = g["count"] / (g["age"] + 30.0)
    g["due"] = g["since"] / g["interval"]
    days = per.drop_duplicates([S.CUSTOMER_ID, "ago"]).groupby(S.CUSTOMER_ID)["ago"].agg(
        ["size", "min", "max"])
    customer = g[S.CUSTOMER_ID]
    g["customer_days"] = customer.map(days["size"]).to_numpy()
    g["customer_since"] = customer.map(days["min"]).to_numpy()
    g["customer_rate"] = g["customer_days"] / (customer.map(days["max"]).to_numpy() + 30.0)
    g["share"] = g["count"] / g["customer_days"]
    by_product = g.groupby(S.PRODUCT_ID)
    repeat = by_product["count"].agg(lambda c: ((c > 1).sum() + 1.0) / (len(c) + 2.0))
    g["product_repeat"] = g[S.PRODUCT_ID].map(repeat).to_numpy()
    g["product_buyers"] = g[S.PRODUCT_ID].map(by_product.size()).to_numpy()
    recent = per[per["ago"] <= 30].groupby(S.PRODUCT_ID)[S.CUSTOMER_ID].nunique()
    g["product_recent"] = g[S.PRODUCT_ID].map(recent).fillna(0.0).to_numpy()
    g["category_share"] = 0.0
    if categories is not None and len(categories):
        cat = g[S.PRODUCT_ID].map(categories).fillna("").to_numpy()
        totals = g.groupby([customer, cat])["count"].transform("sum")
        g["category_share"] = totals / g.groupby(S.CUSTOMER_ID)["count"].transform("sum")
    return g


def feature_matrix(pairs: pd.DataFrame) -> np.ndarray:
    """Return ``log1p`` of the :data:`FEATURES` columns (the model's input)."""
    return np.log1p(np.clip(pairs[list(FEATURES)].to_numpy(dtype=np.float64), 0.0, None))


def repeat_labels(pairs: pd.DataFrame, later: pd.DataFrame) -> np.ndarray:
    """Return 1 for the pairs bought again in ``later`` (``customer_id``, ``product_id``)."""
    again = pd.MultiIndex.from_arrays([later[S.CUSTOMER_ID].astype(str),
                                       later[S.PRODUCT_ID].astype(str)]).unique()
    keys = pd.MultiIndex.from_arrays([pairs[S.CUSTOMER_ID], pairs[S.PRODUCT_ID]])
    return keys.isin(again).astype(np.int64)


def kept_purchases(transactions: pd.DataFrame) -> pd.DataFrame:
    """Return the lines not cancelled in full (all of them without ``cancelled_quantity``).

    A purchase cancelled in full was not a purchase: it neither counts in a customer's
    rhythm nor is named in a reason (:func:`recsys.data.cancellations.with_cancelled_quantity`
    adds the column).
    """
    if CANCELLED_QUANTITY not in transactions.columns:
        return transactions
    keep = (transactions[CANCELLED_QUANTITY] < transactions[S.QUANTITY]).to_numpy()
    return transactions[keep]


def _categories(products: pd.DataFrame | None) -> pd.Series | None:
    if products is None or S.CATEGORY not in products.columns:
        return None
    known = products.dropna(subset=[S.CATEGORY]).drop_duplicates(S.PRODUCT_ID)
    return pd.Series(known[S.CATEGORY].astype(str).to_numpy(),
                     index=known[S.PRODUCT_ID].astype(str).to_numpy())


class _RepeatBase(BaseRecommender):
    """Shared by buy-again models: only products the customer bought can be listed."""

    score_dtype = np.float64

    def recommend(self, customer_ids: object, *, n: int = 10,
                  exclude_purchased: bool = False) -> pd.DataFrame:
        """Return up to ``n`` products per customer from what they bought before.

        Same columns as :meth:`BaseRecommender.recommend`, with a ``reason``;
        customers without purchases get no rows. ``exclude_purchased`` is accepted for
        the shared contract; True leaves nothing to list.
        """
        return super().recommend(customer_ids, n=n, exclude_purchased=exclude_purchased)

    def _fit_pairs(self, transactions: pd.DataFrame, products) -> pd.DataFrame:
        """Features of the pairs bought before the end, purchases cancelled in full left out
        (a product whose every purchase was cancelled is never listed)."""
        data: Interactions = self.data_
        pairs = pair_features(kept_purchases(transactions),
                              data.now.normalize() + pd.Timedelta(days=1), _categories(products))
        rows = data.users.get_indexer(pairs[S.CUSTOMER_ID])
        cols = data.items.get_indexer(pairs[S.PRODUCT_ID])
        # 1-based position of each pair's row in ``pairs_``, in the shape of ``bought``
        self.pair_index_ = sp.csr_matrix(
            (np.arange(1, len(pairs) + 1, dtype=np.float64), (rows, cols)), shape=data.bought.shape)
        self.pair_index_.sort_indices()
        return pairs

    def _pair_values(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Dense ``(len(rows), n_items)`` of a per-pair value, -inf where never bought."""
        out = np.full((len(rows), len(self.data_.items)), -np.inf)
        m = self.pair_index_
        for k, row in enumerate(rows):
            lo, hi = m.indptr[row], m.indptr[row + 1]
            out[k, m.indices[lo:hi]] = values[m.data[lo:hi].astype(np.int64) - 1]
        return out

    def score_histories(self, histories: Histories) -> np.ndarray:
        """Scores of customers folded in from new lines: their products, latest first."""
        out = np.full((len(histories), len(self.data_.items)), -np.inf)
        for k in range(len(histories)):
            items, ages = histories.entries(k)
            out[k, items] = -ages
        return out

    def _score_known(self, rows, histories) -> np.ndarray:
        return self._pair_values(rows, self.pair_scores_)

    def _scores_with_evidence(self, histories, rows):
        return super()._scores_with_evidence(histories, rows)[0], rows

    def _reasons(self, ids, histories, warm, top, evidence) -> list[str]:
        m, pairs = self.pair_index_, self.pairs_
        out = []
        rows = np.full(len(ids), -1)
        if evidence is not None:
            rows[np.flatnonzero(warm)] = evidence
        for pos in range(len(ids)):
            items = top[pos][top[pos] >= 0]
            if not len(items):
                continue
            if rows[pos] < 0:  # folded in from new lines: only the last purchase is known
                for item in items:
                    age = histories.entries(pos)[1][np.searchsorted(histories.entries(pos)[0],
                                                                    item)]
                    last = self.data_.now - pd.Timedelta(days=float(age))
                    out.append(R.bought_before(R.when(last, self.data_.now)))
                continue
            lo, hi = m.indptr[rows[pos]], m.indptr[rows[pos] + 1]
            at = m.data[lo:hi].astype(np.int64)[np.searchsorted(m.indices[lo:hi], items)] - 1
            for p in at:
                count = int(pairs["count"].iat[p])
                interval = float(pairs["interval"].iat[p]) if count > 1 else None
                last = self.data_.now.normalize() + pd.Timedelta(days=1) - pd.Timedelta(
                    days=float(pairs["since"].iat[p]))
                out.append(R.buy_again(count, interval, R.when(last, self.data_.now)))
        return out


class BuyAgainRecommender(_RepeatBase):
    """Rank each customer's past products by how likely they are to buy them again soon.

    Parameters
    ----------
    horizon_days : int, default 30
        The period ahead the model learns to predict (the last ``horizon_days`` of the
        training lines are its labels).
    regularization : float, default 1.0
        Inverse strength ``C`` of the logistic regression's L2 penalty.
    max_pairs : int, default 200000
        Customer-product pairs sampled to learn from (bounds the fit time).
    random_state : int, optional, default 0
        Seed of that sample.
    """

    def __init__(self, *, horizon_days: int = 30, regularization: float = 1.0,
                 max_pairs: int = 200_000, random_state: int | None = 0):
        self.horizon_days = horizon_days
        self.regularization = regularization
        self.max_pairs = max_pairs
        self.random_state = random_state

    def _fit_model(self, transactions, products, customers, segments) -> None:
        if not self.horizon_days >= 1:
            raise ParameterError(f"horizon_days must be at least 1, got {self.horizon_days!r}")
        rng = np.random.default_rng(self.random_state)
        pairs = self._fit_pairs(transactions, products)
        reference = self.data_.now.normalize() + pd.Timedelta(days=1)
        cut = reference - pd.Timedelta(days=int(self.horizon_days))
        kept = kept_purchases(transactions)
        dates = kept[S.INVOICE_DATE]
        before = kept[dates < cut]
        self.learned_ = False
        if not before.empty:
            train = pair_features(before, cut, _categories(products))
            labels = repeat_labels(train, kept[dates >= cut])
            if MIN_POSITIVES <= labels.sum() < len(labels):
                take = np.arange(len(train))
                if len(take) > self.max_pairs:
                    take = np.sort(rng.choice(len(train), self.max_pairs, replace=False))
                self.model_ = make_pipeline(
                    StandardScaler(),
                    LogisticRegression(C=float(self.regularization), max_iter=1000))
                self.model_.fit(feature_matrix(train.iloc[take]), labels[take])
                self.learned_ = True
        if self.learned_:
            scores = self.model_.decision_function(feature_matrix(pairs))
        else:  # too little to learn from: most frequent first, the latest breaking ties
            scores = pairs["count"].to_numpy(float) - pairs["since"].to_numpy(float) / 1e6
        self.pairs_ = pairs
        self.pair_scores_ = np.asarray(scores, dtype=np.float64)


class RepeatBaseline(_RepeatBase):
    """The customer's own products, most frequent first or most recent first.

    Parameters
    ----------
    by : {"frequency", "recency"}, default "frequency"
        Distinct purchase days (latest breaking ties), or days since the last purchase
        (more purchase days breaking ties).
    """

    def __init__(self, *, by: str = "frequency"):
        self.by = by

    def _fit_model(self, transactions, products, customers, segments) -> None:
        if self.by not in ("frequency", "recency"):
            raise ParameterError(f"by must be 'frequency' or 'recency', got {self.by!r}")
        pairs = self._fit_pairs(transactions, products)
        count, since = pairs["count"].to_numpy(float), pairs["since"].to_numpy(float)
        self.pairs_ = pairs
        self.pair_scores_ = (count - since / 1e6 if self.by == "frequency"
                             else -since + count / 1e6)
