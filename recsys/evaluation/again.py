"""Evaluation of "buy again" lists on a time split.

The targets are repeat purchases: the products a customer bought after the cut that
they had bought before it. Buy-again models are scored on them with the same metrics
as the other recommenders, for the customers who made such a repeat purchase, against
the two rules a marketer would otherwise use: most frequent first and most recent first.
"""

from __future__ import annotations

import pandas as pd
from sklearn.base import clone

from recsys.data import schema as S
from recsys.evaluation.metrics import mean_of, per_user
from recsys.evaluation.split import TimeSplit, customer_pairs, time_split
from recsys.recommend.again import BuyAgainRecommender, RepeatBaseline

AGAIN_COLUMNS = ("model", "users", "precision", "recall", "ndcg", "hit_rate", "map")


def again_models(random_state: int | None = 0) -> dict[str, object]:
    """Return the buy-again model and its two baselines, by name."""
    return {
        "buy again": BuyAgainRecommender(random_state=random_state),
        "most frequent": RepeatBaseline(by="frequency"),
        "most recent": RepeatBaseline(by="recency"),
    }


def repeat_targets(split: TimeSplit) -> pd.DataFrame:
    """Return the products each customer bought after the cut and had bought before.

    Returns
    -------
    DataFrame
        ``customer_id`` (str), ``product_id`` (str), one row per repeat purchase.
    """
    before = customer_pairs(split.train)
    after = customer_pairs(split.test)
    return after.merge(before, on=[S.CUSTOMER_ID, S.PRODUCT_ID], how="inner")


def evaluate_again(
    transactions: pd.DataFrame,
    *,
    models: dict[str, object] | None = None,
    test_days: int = 30,
    k: int = 10,
    products: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Fit each buy-again model before the cut and score its top ``k`` on repeat purchases.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines (``invoice_id``, ``invoice_date``, ``customer_id``, ``product_id``).
    models : dict of str to estimator, optional
        Unfitted buy-again recommenders (cloned); default :func:`again_models`.
    test_days, k : int
        Test period length and list length.
    products : DataFrame, optional
        Catalogue (for product categories).

    Returns
    -------
    DataFrame
        ``model``, ``users`` (customers with a repeat purchase after the cut),
        ``precision``, ``recall``, ``ndcg``, ``hit_rate``, ``map`` (each in [0, 1]).
    """
    models = again_models() if models is None else models
    split = time_split(transactions, test_days=test_days)
    train = split.train[split.train[S.CUSTOMER_ID].notna()]
    targets = repeat_targets(split)
    users = list(targets[S.CUSTOMER_ID].unique())
    rows = []
    for name, model in models.items():
        fitted = clone(model).fit(train, products=products)
        u = per_user(targets, fitted.recommend(users, n=k), k)
        rows.append({"model": name, "users": len(u), "precision": mean_of(u["hits"] / k),
                     "recall": mean_of(u["hits"] / u["n_truth"]),
                     "ndcg": mean_of(u["dcg"] / u["idcg"]), "hit_rate": mean_of(u["hits"] > 0),
                     "map": mean_of(u["ap"])})
    return pd.DataFrame(rows, columns=list(AGAIN_COLUMNS))
