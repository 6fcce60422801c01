"""Ratings in recommendations: disliked purchases are no seed nor reason, a validated boost."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.recommend.hybrid import HybridRecommender
from recsys.recommend.ratings import (
    RatedRecommender,
    low_rated_pairs,
    rating_prior,
    rerank,
    reviews_until,
    without_low_rated,
)

REVIEWS = pd.DataFrame({
    S.CUSTOMER_ID: ["a", "a", "b", "c", None],
    S.PRODUCT_ID: ["X", "Y", "X", "Y", "Z"],
    S.RATING: [1.0, 5.0, 2.0, 4.0, 5.0],
    S.TEXT: [None] * 5,
    S.REVIEW_DATE: pd.to_datetime(["2011-01-05", "2011-01-06", "2011-02-01", "2011-03-01",
                                   None]),
})


def test_low_rated_pairs_and_the_lines_they_remove():
    low = low_rated_pairs(REVIEWS)
    assert sorted(map(tuple, low.to_numpy())) == [("a", "X"), ("b", "X")]
    lines = pd.DataFrame({S.CUSTOMER_ID: ["a", "a", "b", "c"], S.PRODUCT_ID: ["X", "Y", "X", "X"]})
    kept = without_low_rated(lines, low)
    assert list(zip(kept[S.CUSTOMER_ID], kept[S.PRODUCT_ID], strict=True)) == [("a", "Y"),
                                                                               ("c", "X")]


def test_reviews_until_keeps_earlier_and_undated():
    kept = reviews_until(REVIEWS, pd.Timestamp("2011-02-01"))
    assert list(kept[S.PRODUCT_ID]) == ["X", "Y", "Z"]


def test_rating_prior_by_hand():
    # shop mean 17/5 = 3.4; X: (1 + 2 + 5 * 3.4) / 7 = 20/7; half scale 2
    prior = rating_prior(REVIEWS)
    assert prior["X"] == pytest.approx((20 / 7 - 3.4) / 2)
    assert prior["Y"] > 0 > prior["X"] and prior.between(-1, 1).all()


def test_rerank_boosts_and_drops_disliked():
    recs = pd.DataFrame({S.CUSTOMER_ID: ["a", "a", "a", "b"], S.PRODUCT_ID: ["P", "Q", "X", "P"],
                         S.SCORE: [1.0, 0.95, 0.9, 1.0], S.RANK: [1, 2, 3, 1],
                         S.REASON: ["r1", "r2", "r3", "r4"]})
    prior = pd.Series({"Q": 1.0, "X": 1.0})
    out = rerank(recs, prior, 0.1, n=2, low={"a": {"X"}})
    assert list(out[S.PRODUCT_ID]) == ["Q", "P", "P"]
    assert list(out[S.RANK]) == [1, 2, 1]
    assert list(out[S.REASON]) == ["r2", "r1", "r4"]
    same = rerank(recs, prior, 0.0, n=3)
    assert list(same[S.PRODUCT_ID]) == ["P", "Q", "X", "P"]


@pytest.fixture(scope="module")
def rated(synthetic_dataset):
    ds = synthetic_dataset
    model = RatedRecommender(boost_weights=(0.0,)).fit(
        ds.customer_transactions, reviews=ds.reviews, products=ds.products,
        customers=ds.customers)
    return model


def _disliked_reasons(recs, low, names):
    hits = []
    for customer, reason in zip(recs[S.CUSTOMER_ID], recs[S.REASON], strict=True):
        for product in low.get(customer, ()):
            if f"with {names[product]}, which" in reason or f"to {names[product]}, which" in reason:
                hits.append((customer, product))
    return hits


def test_low_rated_purchase_is_never_a_reason_nor_a_seed(rated, synthetic_dataset):
    ds = synthetic_dataset
    low = rated.low_rated_
    customers = sorted(low)
    assert len(customers) > 50
    names = ds.products.set_index(S.PRODUCT_ID)[S.DESCRIPTION].str.slice(0, 59).to_dict()
    recs = rated.recommend(customers, n=10)
    assert not _disliked_reasons(recs, low, names)
    # not a seed: the fitted model does not hold the disliked purchases
    items = rated.model_.data_.items
    for customer in customers[:100]:
        held = set(items[rated.model_.purchased(customer)])
        assert not held & low[customer]
    # never recommended back, even when purchases may be recommended again
    again = rated.recommend(customers, n=20, exclude_purchased=False)
    pairs = set(zip(again[S.CUSTOMER_ID], again[S.PRODUCT_ID], strict=True))
    assert not {(c, p) for c in customers for p in low[c]} & pairs
    # the rule matters: the plain hybrid gives some of those reasons
    plain = HybridRecommender().fit(ds.customer_transactions, products=ds.products,
                                    customers=ds.customers)
    assert _disliked_reasons(plain.recommend(customers, n=10), low, names)


class _Stub(BaseEstimator):
    """A recommender ranking products in a fixed order, the well-rated ones last."""

    def __init__(self, order=("P1", "P2", "P3", "G1", "G2")):
        self.order = order

    def fit(self, transactions, **_):
        self.customers_ = sorted(transactions[S.CUSTOMER_ID].astype(str).unique())
        return self

    def recommend(self, ids, n=10, exclude_purchased=True):
        rows = [(c, p, 1.0 - 0.01 * i, i + 1) for c in ids for i, p in enumerate(self.order[:n])]
        return pd.DataFrame(rows, columns=[S.CUSTOMER_ID, S.PRODUCT_ID, S.SCORE, S.RANK])


def _shop_where_the_well_rated_sell():
    rng = np.random.default_rng(0)
    customers = [f"c{i}" for i in range(60)]
    dates = pd.date_range("2011-01-01", periods=120, freq="D")
    rows = [(c, "OLD", dates[int(rng.integers(0, 80))]) for c in customers]
    rows += [(c, "G1" if i % 2 else "G2", dates[100]) for i, c in enumerate(customers)]
    lines = pd.DataFrame(rows, columns=[S.CUSTOMER_ID, S.PRODUCT_ID, S.INVOICE_DATE])
    lines[S.INVOICE_ID] = [str(i) for i in range(len(lines))]
    reviews = pd.DataFrame({
        S.CUSTOMER_ID: [f"r{i}" for i in range(40)],
        S.PRODUCT_ID: ["G1", "G2", "P1", "P2"] * 10,
        S.RATING: [5.0, 5.0, 2.0, 3.0] * 10,
        S.TEXT: [None] * 40,
        S.REVIEW_DATE: [dates[10]] * 40,
    })
    return lines, reviews


def test_boost_weight_chosen_by_validation_when_ratings_predict_purchases():
    lines, reviews = _shop_where_the_well_rated_sell()
    model = RatedRecommender(_Stub(), candidates=3).fit(lines, reviews=reviews)
    assert model.boost_weight_ > 0
    assert model.validation_["ndcg"].max() > model.validation_.set_index("weight").loc[0.0, "ndcg"]
    top = model.recommend(["c1"], n=2)
    assert list(top[S.PRODUCT_ID]) == ["G1", "G2"]


def test_boost_weight_stays_zero_when_reviews_come_after_training():
    lines, reviews = _shop_where_the_well_rated_sell()
    later = reviews.assign(**{S.REVIEW_DATE: pd.Timestamp("2012-01-01")})
    model = RatedRecommender(_Stub(), candidates=1).fit(lines, reviews=later)
    assert model.boost_weight_ == 0.0 and model.prior_.empty


def test_rated_recommender_refuses_bad_settings():
    lines, reviews = _shop_where_the_well_rated_sell()
    with pytest.raises(ParameterError, match="boost_weights"):
        RatedRecommender(_Stub(), boost_weights=(-1.0,)).fit(lines, reviews=reviews)
