"""Recommendations that listen to ratings: a disliked purchase is no evidence, a
well-rated product rises.

:class:`RatedRecommender` wraps a recommender (the hybrid by default) for a shop with
reviews:

* **Low-rated purchases are no reason.** A purchase its customer rated low (a complaint:
  1-2 of 5 stars, :func:`recsys.insights.reviews.complaint_mask`) is left out of what the
  wrapped model learns from: it is never a seed of the customer's recommendations nor the
  "bought with X, which you bought in May" of a reason. The product itself is never
  recommended back to that customer.
* **Well-rated products get a boost.** Each product has a rating prior in [-1, 1]: its
  mean rating pulled towards the shop's average by
  :data:`recsys.insights.reviews.PRIOR_REVIEWS` reviews, minus that average, over half
  the scale (0 for a product without reviews). A recommendation's score becomes
  ``score + weight * prior``, re-ranking the wrapped model's top
  ``candidates * n`` products.
* **The weight is chosen by validation**, like every other weight: the last
  ``validation_days`` of the training lines play the future; the wrapped model is fitted
  on the lines (and reviews) before them, and the weight of :data:`BOOST_WEIGHTS` whose
  re-ranking gives the best NDCG@10 on what customers bought next wins (ties: the
  smaller weight, so 0 when ratings do not help). Reviews written after the training
  period are never read.

Only reviews dated up to the last training line count (undated reviews always count).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from recsys.data import schema as S
from recsys.data.reviews import RATING_SCALE
from recsys.errors import ParameterError
from recsys.insights.reviews import ADJUSTED_RATING, complaint_mask, rating_summary
from recsys.recommend.base import as_id_list, check_n

BOOST_WEIGHTS: tuple[float, ...] = (0.0, 0.05, 0.1, 0.2, 0.4)
"""Candidate weights of the rating prior (the hybrid's parts are each scaled to [0, 1])."""
MIN_VALIDATION_USERS = 20
"""Fewer customers buying something new in the validation period: the weight stays 0."""
VALIDATION_K = 10


def reviews_until(reviews: pd.DataFrame, until: pd.Timestamp | None) -> pd.DataFrame:
    """Reviews dated before ``until`` (all when None; undated reviews always count)."""
    if until is None or reviews.empty:
        return reviews
    dates = reviews[S.REVIEW_DATE]
    return reviews[dates.isna() | (dates < until)]


def low_rated_pairs(reviews: pd.DataFrame, *, scale: tuple[float, float] = RATING_SCALE
                    ) -> pd.DataFrame:
    """Return the ``customer_id``, ``product_id`` pairs whose review complains (1-2 of 5)."""
    named = reviews[reviews[S.CUSTOMER_ID].notna()]
    low = named[complaint_mask(named[S.RATING], scale=scale)]
    return pd.DataFrame({S.CUSTOMER_ID: low[S.CUSTOMER_ID].astype(str).to_numpy(),
                         S.PRODUCT_ID: low[S.PRODUCT_ID].astype(str).to_numpy()}
                        ).drop_duplicates().reset_index(drop=True)


def without_low_rated(transactions: pd.DataFrame, low: pd.DataFrame) -> pd.DataFrame:
    """Return ``transactions`` without the lines of the ``low`` (customer, product) pairs."""
    if low.empty or transactions.empty:
        return transactions
    pairs = pd.MultiIndex.from_frame(low[[S.CUSTOMER_ID, S.PRODUCT_ID]])
    lines = pd.MultiIndex.from_arrays([transactions[S.CUSTOMER_ID].astype(str).to_numpy(),
                                       transactions[S.PRODUCT_ID].astype(str).to_numpy()])
    return transactions[~lines.isin(pairs)]


def rating_prior(reviews: pd.DataFrame, *, scale: tuple[float, float] = RATING_SCALE
                 ) -> pd.Series:
    """Return each reviewed product's rating prior in [-1, 1], indexed by product id.

    ``(adjusted rating - shop's mean rating) / (half the scale)``, clipped to [-1, 1];
    see :func:`recsys.insights.reviews.rating_summary` for the adjusted rating.
    """
    if reviews.empty:
        return pd.Series(dtype=np.float64)
    summary = rating_summary(reviews, scale=scale,
                             sentiment=pd.Series(np.nan, index=reviews.index))
    mean = float(reviews[S.RATING].mean())
    half = (scale[1] - scale[0]) / 2.0
    prior = ((summary[ADJUSTED_RATING] - mean) / half).clip(-1.0, 1.0)
    return pd.Series(prior.to_numpy(), index=summary[S.PRODUCT_ID].astype(str).to_numpy(),
                     dtype=np.float64)


def rerank(recs: pd.DataFrame, prior: pd.Series, weight: float, *, n: int,
           low: dict[str, set[str]] | None = None) -> pd.DataFrame:
    """Re-rank a recommendation list with the rating prior and drop disliked products.

    Parameters
    ----------
    recs : DataFrame
        ``customer_id``, ``product_id``, ``score``, ``rank`` (and ``reason``), several
        candidates per customer.
    prior : Series
        :func:`rating_prior` (products without one get 0).
    weight : float
        Weight of the prior added to ``score``.
    n : int
        Products kept per customer.
    low : dict of str to set of str, optional
        Per customer, the products they rated low: left out.

    Returns
    -------
    DataFrame
        The columns of ``recs``, ``score`` with the boost, ``rank`` 1..n per customer in
        the order of the customers of ``recs``.
    """
    if recs.empty:
        return recs
    out = recs.copy()
    if low:
        customer = out[S.CUSTOMER_ID].astype(str).to_numpy()
        product = out[S.PRODUCT_ID].astype(str).to_numpy()
        disliked = np.fromiter((p in low.get(c, ()) for c, p in zip(customer, product,
                                                                     strict=True)),
                               dtype=bool, count=len(out))
        out = out[~disliked]
    boost = out[S.PRODUCT_ID].astype(str).map(prior).fillna(0.0).to_numpy(dtype=np.float64)
    out[S.SCORE] = out[S.SCORE].to_numpy(dtype=np.float64) + weight * boost
    order = pd.Series(pd.factorize(out[S.CUSTOMER_ID])[0], index=out.index)
    out = out.assign(_c=order.to_numpy(), _r=out[S.RANK].to_numpy())
    out = out.sort_values(["_c", S.SCORE, "_r"], ascending=[True, False, True], kind="stable")
    out[S.RANK] = out.groupby("_c").cumcount() + 1
    out = out[out[S.RANK] <= n]
    return out.drop(columns=["_c", "_r"]).reset_index(drop=True)


def _ndcg(recs: pd.DataFrame, truth: dict[str, set[str]], k: int) -> float:
    """Mean NDCG@k of ``recs`` over the customers of ``truth`` (binary relevance)."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    lists = recs[recs[S.RANK] <= k].groupby(S.CUSTOMER_ID, sort=False)[S.PRODUCT_ID].agg(list)
    scores = []
    for customer, wanted in truth.items():
        got = lists.get(customer, [])
        gain = sum(discounts[i] for i, p in enumerate(got[:k]) if p in wanted)
        ideal = discounts[: min(len(wanted), k)].sum()
        scores.append(gain / ideal if ideal else 0.0)
    return float(np.mean(scores)) if scores else 0.0


class RatedRecommender(BaseEstimator):
    """A recommender whose seeds, reasons and ranking follow the customers' ratings.

    Parameters
    ----------
    base : recommender, optional
        An unfitted recommender with ``fit(transactions, products=, customers=,
        segments=)`` and ``recommend(ids, n=, exclude_purchased=)`` (default
        :class:`recsys.recommend.hybrid.HybridRecommender`); cloned for every fit.
    boost_weights : tuple of float, default :data:`BOOST_WEIGHTS`
        Candidate weights of the rating prior; validation picks one.
    validation_days : int, default 30
        Length of the validation period at the end of the training lines.
    candidates : int, default 3
        The wrapped model's top ``candidates * n`` products are re-ranked.
    scale : (float, float), default (1, 5)
        The rating scale.

    Attributes
    ----------
    model_ : recommender
        The wrapped model fitted on the lines without low-rated purchases.
    boost_weight_ : float
        The chosen weight.
    validation_ : DataFrame
        ``weight``, ``ndcg``: validation NDCG@10 of each candidate weight (empty when
        there was too little to validate on).
    prior_ : Series
        :func:`rating_prior` of the reviews up to the end of the training lines.
    low_rated_ : dict of str to set of str
        Per customer, the products they rated low (never recommended to them).
    """

    def __init__(self, base=None, *, boost_weights: tuple[float, ...] = BOOST_WEIGHTS,
                 validation_days: int = 30, candidates: int = 3,
                 scale: tuple[float, float] = RATING_SCALE):
        self.base = base
        self.boost_weights = boost_weights
        self.validation_days = validation_days
        self.candidates = candidates
        self.scale = scale

    def _template(self):
        if self.base is not None:
            return self.base
        from recsys.recommend.hybrid import HybridRecommender

        return HybridRecommender()

    def fit(self, transactions: pd.DataFrame, *, reviews: pd.DataFrame,
            products: pd.DataFrame | None = None, customers: pd.DataFrame | None = None,
            segments: pd.DataFrame | None = None) -> RatedRecommender:
        """Fit the wrapped model without low-rated purchases and choose the boost weight.

        Parameters
        ----------
        transactions : DataFrame
            Canonical lines (``customer_id``, ``product_id``, ``invoice_date``, …).
        reviews : DataFrame
            ``customer_id``, ``product_id``, ``rating``, ``review_date`` (see
            :mod:`recsys.data.reviews`); those dated after the last line are not read.
        products, customers, segments : DataFrame, optional
            Passed to the wrapped model.
        """
        weights = tuple(float(w) for w in self.boost_weights)
        if not weights or any(not np.isfinite(w) or w < 0 for w in weights):
            raise ParameterError(f"boost_weights must be numbers of at least 0, got {weights!r}")
        if not int(self.validation_days) >= 1 or not int(self.candidates) >= 1:
            raise ParameterError("validation_days and candidates must be at least 1, got "
                                 f"{self.validation_days!r} and {self.candidates!r}")
        lines = transactions[transactions[S.CUSTOMER_ID].notna()]
        end = lines[S.INVOICE_DATE].max() if len(lines) else None
        known = reviews_until(reviews, None if end is None else end + pd.Timedelta(seconds=1))
        context = {"products": products, "customers": customers, "segments": segments}
        self.boost_weight_, self.validation_ = self._choose_weight(lines, known, weights,
                                                                   context)
        low = low_rated_pairs(known, scale=self.scale)
        self.low_rated_ = low.groupby(S.CUSTOMER_ID)[S.PRODUCT_ID].agg(set).to_dict()
        self.prior_ = rating_prior(known, scale=self.scale)
        self.model_ = clone(self._template()).fit(without_low_rated(lines, low), **context)
        return self

    def _choose_weight(self, lines, reviews, weights, context) -> tuple[float, pd.DataFrame]:
        empty = pd.DataFrame({"weight": pd.Series(dtype=float), "ndcg": pd.Series(dtype=float)})
        if len(weights) == 1 or lines.empty or reviews.empty:
            return min(weights), empty
        dates = lines[S.INVOICE_DATE]
        cut = dates.max().normalize() - pd.Timedelta(days=int(self.validation_days))
        before, after = lines[dates < cut], lines[dates >= cut]
        known = reviews_until(reviews, cut)
        if before.empty or known.empty:
            return min(weights), empty
        bought = before.groupby(before[S.CUSTOMER_ID].astype(str))[S.PRODUCT_ID].agg(
            lambda p: set(p.astype(str)))
        later = after.groupby(after[S.CUSTOMER_ID].astype(str))[S.PRODUCT_ID].agg(
            lambda p: set(p.astype(str)))
        truth = {c: later[c] - bought[c] for c in later.index
                 if c in bought.index and later[c] - bought[c]}
        if len(truth) < MIN_VALIDATION_USERS:
            return min(weights), empty
        low = low_rated_pairs(known, scale=self.scale)
        inner = clone(self._template()).fit(without_low_rated(before, low), **context)
        disliked = low.groupby(S.CUSTOMER_ID)[S.PRODUCT_ID].agg(set).to_dict()
        recs = inner.recommend(list(truth), n=VALIDATION_K * int(self.candidates))
        prior = rating_prior(known, scale=self.scale)
        table = pd.DataFrame({
            "weight": weights,
            "ndcg": [_ndcg(rerank(recs, prior, w, n=VALIDATION_K, low=disliked), truth,
                           VALIDATION_K) for w in weights],
        })
        best = table.sort_values(["ndcg", "weight"], ascending=[False, True], kind="stable")
        return float(best["weight"].iloc[0]), table

    def recommend(self, customer_ids: object, *, n: int = 10,
                  exclude_purchased: bool = True) -> pd.DataFrame:
        """Return the top ``n`` products per customer, re-ranked with the rating prior.

        As the wrapped model's ``recommend`` (``customer_id``, ``product_id``, ``score``,
        ``rank`` and its ``reason``); a product the customer rated low never appears.
        """
        check_is_fitted(self, "model_")
        n = check_n(n)
        ids = list(dict.fromkeys(as_id_list(customer_ids)))
        wide = self.model_.recommend(ids, n=n * int(self.candidates),
                                     exclude_purchased=exclude_purchased)
        return rerank(wide, self.prior_, self.boost_weight_, n=n, low=self.low_rated_)

    def recommend_lines(self, customer_id: str, lines: pd.DataFrame, *, n: int = 10,
                        exclude_purchased: bool = True) -> pd.DataFrame:
        """The wrapped model's ``recommend_lines`` (new purchases folded in, no refit),
        re-ranked like :meth:`recommend`."""
        check_is_fitted(self, "model_")
        n = check_n(n)
        wide = self.model_.recommend_lines(customer_id, lines, n=n * int(self.candidates),
                                           exclude_purchased=exclude_purchased)
        return rerank(wide, self.prior_, self.boost_weight_, n=n, low=self.low_rated_)

    def __getattr__(self, name: str):
        # everything else (similar items, cart suggestions, history bands, …) is the
        # wrapped model's, once fitted
        if name.startswith("__") or name in ("model_",) or "model_" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["model_"], name)


def fit_recommender(lines: pd.DataFrame, *, reviews: pd.DataFrame | None = None,
                    products: pd.DataFrame | None = None, customers: pd.DataFrame | None = None,
                    segments: pd.DataFrame | None = None):
    """Return the recommender the dashboard, the commands, the pipeline and the service
    share: the hybrid, wrapped in a :class:`RatedRecommender` when there are reviews.

    Parameters
    ----------
    lines : DataFrame
        Training lines with a customer (as ``HybridRecommender.fit`` takes them).
    reviews : DataFrame, optional
        The shop's reviews (``Dataset.reviews``); those after the last line are not read.
    products, customers, segments : DataFrame, optional
        As ``HybridRecommender.fit``.
    """
    from recsys.recommend.hybrid import HybridRecommender

    context = {"products": products, "customers": customers, "segments": segments}
    if reviews is not None and len(reviews):
        return RatedRecommender(HybridRecommender()).fit(lines, reviews=reviews, **context)
    return HybridRecommender().fit(lines, **context)
