"""Compare recommenders on a time split, overall and by history band.

:func:`evaluate_models` fits each model on the lines before the cut of
:func:`recsys.evaluation.split.time_split` and scores its top ``k`` with the metrics of
:mod:`recsys.evaluation.metrics`, for every customer and per history band.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from sklearn.base import clone

from recsys.data import schema as S
from recsys.evaluation.metrics import catalogue_coverage, mean_of, novelty, per_user
from recsys.evaluation.split import as_of_products, customer_pairs, new_item_targets, time_split
from recsys.recommend.als import ALSRecommender
from recsys.recommend.ease import EASERecommender
from recsys.recommend.exposure import concentration
from recsys.recommend.history import HISTORY_BANDS, NO_HISTORY, history_band
from recsys.recommend.hybrid import HybridRecommender
from recsys.recommend.itemknn import ItemKNNRecommender
from recsys.recommend.popularity import PopularityRecommender

WITH_HISTORY = "with history"
SLICES: tuple[str, ...] = (WITH_HISTORY, *HISTORY_BANDS)
"""History slices of :func:`evaluate_models`; "with history" is the referee's population."""

METRIC_COLUMNS = ("model", "slice", "users", "precision", "recall", "ndcg", "hit_rate", "map",
                  "coverage", "novelty", "top_share", "gini")


def default_models(random_state: int | None = 0) -> dict[str, object]:
    """Return the compared models: hybrid, EASE with recency (the strongest plain model,
    the referee's settings), popularity, implicit ALS and item-kNN."""
    return {
        "hybrid": HybridRecommender(),
        "ease": EASERecommender(l2=300.0, half_life_days=60.0),
        "popularity": PopularityRecommender(),
        "als": ALSRecommender(random_state=random_state),
        "itemknn": ItemKNNRecommender(),
    }


def evaluate_models(
    transactions: pd.DataFrame,
    *,
    models: dict[str, object] | None = None,
    test_days: int = 30,
    k: int = 10,
    products: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
    progress: Callable[[float, str], None] | None = None,
    fitted: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Fit each model before the cut and score its top ``k`` after it, by history slice.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines (``invoice_id``, ``invoice_date``, ``customer_id``,
        ``product_id``); lines without a customer count only for the catalogue.
    models : dict of str to estimator, optional
        Unfitted recommenders (cloned, never modified); default :func:`default_models`.
    test_days, k : int
        Test period length and list length.
    products, customers, segments : DataFrame, optional
        Passed to ``fit``; products are limited to those sold before the cut.
    progress : callable, optional
        Called as ``progress(fraction_done, message)``.
    fitted : dict, optional
        Filled with each fitted model by name (e.g. the hybrid's chosen settings,
        ``fitted["hybrid"].tuning_``).

    Returns
    -------
    DataFrame
        ``model``, ``slice`` (see :data:`SLICES`), ``users``, ``precision``,
        ``recall``, ``ndcg``, ``hit_rate``, ``map``, ``coverage`` (share of the
        products sold before the cut), ``novelty`` (bits), ``top_share`` (share of the
        slice's customers whose top 5 holds the product recommended most), ``gini``
        (of how often each product is recommended; 0 even, 1 all on one). Slices
        without users are left out.
    """
    models = default_models() if models is None else models
    split = time_split(transactions, test_days=test_days)
    train = split.train[split.train[S.CUSTOMER_ID].notna()]
    targets = new_item_targets(split)
    pairs = customer_pairs(train)
    n_items = pairs[S.PRODUCT_ID].nunique()
    popularity = pairs.groupby(S.PRODUCT_ID).size() / pairs[S.CUSTOMER_ID].nunique()
    invoices = train.groupby(train[S.CUSTOMER_ID].astype(str))[S.INVOICE_ID].nunique()
    users = pd.Index(targets[S.CUSTOMER_ID].unique())
    slice_of = pd.Series([history_band(int(invoices.get(u, 0))) for u in users], index=users)
    catalogue = as_of_products(products, split.train)
    rows = []
    for step, (name, model) in enumerate(models.items()):
        if progress is not None:
            progress(step / len(models), f"fitting {name}")
        model_fit = clone(model).fit(train, products=catalogue, customers=customers,
                                  segments=segments)
        if fitted is not None:
            fitted[name] = model_fit
        recs = model_fit.recommend(list(users), n=k)
        for label in SLICES:
            if label == WITH_HISTORY:
                members = slice_of.index[slice_of != NO_HISTORY]
            else:
                members = slice_of.index[slice_of == label]
            if not len(members):
                continue
            t = targets[targets[S.CUSTOMER_ID].isin(members)]
            r = recs[recs[S.CUSTOMER_ID].isin(members) & (recs["rank"] <= k)]
            u = per_user(t, r, k)
            spread = concentration(r, max(n_items, 1))
            rows.append({
                "model": name, "slice": label, "users": len(u),
                "precision": mean_of(u["hits"] / k), "recall": mean_of(u["hits"] / u["n_truth"]),
                "ndcg": mean_of(u["dcg"] / u["idcg"]), "hit_rate": mean_of(u["hits"] > 0),
                "map": mean_of(u["ap"]), "coverage": catalogue_coverage(r, n_items),
                "novelty": novelty(r, popularity),
                "top_share": spread.top_share, "gini": spread.gini,
            })
    if progress is not None:
        progress(1.0, "done")
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def customers_per_slice(table: pd.DataFrame) -> pd.Series:
    """Return how many customers were scored in each slice of an evaluation table.

    Parameters
    ----------
    table : DataFrame
        :func:`evaluate_models` output: ``slice``, ``users`` (one row per model and slice).

    Returns
    -------
    Series of int
        Indexed by slice, in order of first appearance: the most customers any model
        was scored on in that slice.
    """
    return table.groupby("slice", sort=False)["users"].max()
