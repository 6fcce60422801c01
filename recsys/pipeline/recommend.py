"""The pipeline's recommender for large shops: settings chosen on a sample of customers.

The dashboard's recommender (:func:`recsys.recommend.ratings.fit_recommender`) chooses its
settings by rolling-origin validation on the shop's own history (and, with reviews, the
weight of the rating boost on a further inner fit): on a shop of 200,000 customers those
validation fits cost several times the final fit. Choosing settings is a statistical
question that a seeded sample of customers answers as well, so when the training lines
have more than ``tune_customers`` customers the pipeline:

1. fits the same recommender on the lines (and reviews) of a seeded sample of
   ``tune_customers`` customers (:func:`recsys.pipeline.sampling.sample_customer_ids`),
   which chooses the blend and the rating weight there;
2. fits the final model on every line with those settings and no validation of its own.
   EASE's ridge penalty is scaled by customers / sampled customers: its Gram matrix sums
   over customers, so the penalty that balances it grows with them.

With fewer customers (or ``tune_customers`` None or 0) it is
:func:`~recsys.recommend.ratings.fit_recommender` itself: the dashboard's model, unchanged.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from recsys.data import schema as S
from recsys.pipeline.sampling import lines_of_customers, sample_customer_ids


def fit_shop_recommender(train: pd.DataFrame, *, reviews: pd.DataFrame | None = None,
                         products: pd.DataFrame | None = None,
                         customers: pd.DataFrame | None = None,
                         segments: pd.DataFrame | None = None,
                         tune_customers: int | None = None, seed: int | None = 0):
    """Return ``(model, info)``: the fitted recommender and how its settings were chosen.

    Parameters
    ----------
    train : DataFrame
        Training lines with a customer (as ``fit_recommender`` takes them).
    reviews, products, customers, segments : DataFrame, optional
        As :func:`recsys.recommend.ratings.fit_recommender`.
    tune_customers : int, optional
        Largest number of customers whose lines choose the settings (None or 0: all).
    seed : int, optional
        Seed of the sample.

    Returns
    -------
    model : recommender
        As ``fit_recommender`` returns it (``recommend(ids, n=)``).
    info : dict
        ``sampled`` (bool), ``customers`` (whose lines chose the settings),
        ``of_customers``, ``seed`` and, when sampled, ``l2_scale``.
    """
    from recsys.recommend.ease import EASERecommender
    from recsys.recommend.hybrid import HybridRecommender
    from recsys.recommend.ratings import RatedRecommender, fit_recommender

    context = {"products": products, "customers": customers, "segments": segments}
    total = int(train[S.CUSTOMER_ID].nunique())
    ids = sample_customer_ids(train, tune_customers, seed)
    if ids is None:
        model = fit_recommender(train, reviews=reviews, **context)
        return model, {"sampled": False, "customers": total, "of_customers": total, "seed": seed}
    rated = reviews is not None and len(reviews) > 0
    sample_reviews = lines_of_customers(reviews, ids) if rated else reviews
    tuner = fit_recommender(lines_of_customers(train, ids), reviews=sample_reviews, **context)
    hybrid = tuner.model_ if isinstance(tuner, RatedRecommender) else tuner
    blend, scale = hybrid.blend_, total / len(ids)
    if isinstance(hybrid.collaborative_, EASERecommender):  # item-kNN's k needs no scaling
        blend = dataclasses.replace(blend, l2=float(blend.l2) * scale)
    final = HybridRecommender(settings=blend)
    if isinstance(tuner, RatedRecommender):
        model = RatedRecommender(final, boost_weights=(tuner.boost_weight_,)).fit(
            train, reviews=reviews, **context)
    else:
        model = final.fit(train, **context)
    fitted = model.model_ if isinstance(model, RatedRecommender) else model
    if type(fitted.collaborative_) is not type(hybrid.collaborative_):
        # the sample's catalogue and the shop's fall on either side of EASE's size limit:
        # the settings do not carry over, so the shop chooses its own
        model = fit_recommender(train, reviews=reviews, **context)
        return model, {"sampled": False, "customers": total, "of_customers": total, "seed": seed}
    return model, {"sampled": True, "customers": len(ids), "of_customers": total, "seed": seed,
                   "l2_scale": round(scale, 4)}
