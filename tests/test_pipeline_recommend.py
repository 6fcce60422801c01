"""The pipeline's recommender for large shops (recsys.pipeline.recommend): settings chosen
by validation on a seeded sample of customers, then fitted on every line."""

from __future__ import annotations

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.pipeline.recommend import fit_shop_recommender
from recsys.pipeline.sampling import lines_of_customers, sample_customer_ids
from recsys.recommend.ratings import RatedRecommender, fit_recommender


@pytest.fixture(scope="module")
def train(sample_dataset):
    return sample_dataset.customer_transactions


def _hybrid(model):
    return model.model_ if isinstance(model, RatedRecommender) else model


def test_fit_shop_recommender_small_shop_is_the_dashboards_model(train, sample_dataset):
    model, info = fit_shop_recommender(train, reviews=sample_dataset.reviews,
                                       products=sample_dataset.products, tune_customers=10_000)
    assert info["sampled"] is False and info["customers"] == train[S.CUSTOMER_ID].nunique()
    reference = fit_recommender(train, reviews=sample_dataset.reviews, products=sample_dataset.products)
    ids = sorted(train[S.CUSTOMER_ID].astype(str).unique())[:40]
    pd.testing.assert_frame_equal(model.recommend(ids, n=5), reference.recommend(ids, n=5))


def test_fit_shop_recommender_settings_from_a_sample_same_seed_same_lists(train, sample_dataset):
    n = 60
    before = train.copy()
    first, info = fit_shop_recommender(train, reviews=sample_dataset.reviews,
                                       products=sample_dataset.products, tune_customers=n, seed=4)
    again, _ = fit_shop_recommender(train, reviews=sample_dataset.reviews,
                                    products=sample_dataset.products, tune_customers=n, seed=4)
    total = train[S.CUSTOMER_ID].nunique()
    assert info == {"sampled": True, "customers": n, "of_customers": total, "seed": 4,
                    "l2_scale": round(total / n, 4)}
    ids = sorted(train[S.CUSTOMER_ID].astype(str).unique())
    recs = first.recommend(ids, n=10)
    pd.testing.assert_frame_equal(recs, again.recommend(ids, n=10))
    assert set(recs[S.CUSTOMER_ID]) == set(ids)  # every customer served, not only the sample
    pd.testing.assert_frame_equal(train, before)  # input unchanged
    # the settings are the sample's, EASE's penalty scaled by customers / sampled customers
    sample = sample_customer_ids(train, n, 4)
    reviews = lines_of_customers(sample_dataset.reviews, sample)
    tuner = _hybrid(fit_recommender(lines_of_customers(train, sample), reviews=reviews,
                                    products=sample_dataset.products))
    chosen = _hybrid(first).blend_
    assert chosen.l2 == pytest.approx(tuner.blend_.l2 * total / n)
    assert (chosen.half_life_days, chosen.light, chosen.rich, chosen.cap) == (
        tuner.blend_.half_life_days, tuner.blend_.light, tuner.blend_.rich, tuner.blend_.cap)
    assert _hybrid(first).tuning_.empty  # no validation of its own on every line


def test_hybrid_with_given_settings_skips_validation(train):
    from recsys.recommend import blend as B
    from recsys.recommend.hybrid import HybridRecommender

    settings = B.Blend(123.0, 30.0, 7.0, ((B.TREND, 0.2), (B.CONTENT, 0.0), (B.PROFILE, 0.0)),
                       ((B.TREND, 0.1), (B.CONTENT, 0.0), (B.PROFILE, 0.0)))
    model = HybridRecommender(settings=settings).fit(train)
    assert model.blend_ == settings and model.tuning_.empty
    assert model.collaborative_.l2 == 123.0 and model.collaborative_.half_life_days == 30.0
