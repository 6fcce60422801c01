"""Offline evaluation of top-N recommendations on a time split.

Protocol (the same as ``../shared/tools/recs_eval.py``): the cut is the last invoice
date, normalised to midnight, minus ``test_days``; models learn from the lines strictly
before the cut; a customer's targets are the products bought on or after the cut that
the customer had not bought before and that were sold before the cut ("new items").

The metric functions are pure: two DataFrames and ``k`` in, one float out.
``truth`` has columns ``customer_id, product_id`` (one row per relevant product);
``recs`` has ``customer_id, product_id, rank`` (1 = best). Every customer in ``truth``
counts; a customer without recommendations scores 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from recsys import schema as S

SLICES = ("with history", "no history", "1–2 invoices", "3–9 invoices", "10+ invoices")
"""History slices of :func:`evaluate_models`; "with history" is the referee's population."""

METRIC_COLUMNS = ("model", "slice", "users", "precision", "recall", "ndcg", "hit_rate", "map",
                  "coverage", "novelty")


@dataclass(frozen=True)
class TimeSplit:
    """Lines before and after a cut date.

    Attributes
    ----------
    train : DataFrame
        Lines with ``invoice_date`` strictly before ``cut``.
    test : DataFrame
        Lines on or after ``cut``.
    cut : Timestamp
        Midnight of the last invoice date minus ``test_days``.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    cut: pd.Timestamp


def time_split(transactions: pd.DataFrame, *, test_days: int = 30) -> TimeSplit:
    """Split ``transactions`` at the last ``test_days`` days (as the referee does).

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines with ``invoice_date``.
    test_days : int, default 30
        Days in the test period.
    """
    if isinstance(test_days, bool) or not isinstance(test_days, (int, np.integer)) or test_days < 1:
        raise ValueError(f"test_days must be a positive integer, got {test_days!r}")
    if S.INVOICE_DATE not in transactions.columns or transactions.empty:
        raise ValueError("transactions need at least one line with an invoice_date to split")
    dates = transactions[S.INVOICE_DATE]
    cut = dates.max().normalize() - pd.Timedelta(days=int(test_days))
    train = transactions[dates < cut]
    if train.empty:
        raise ValueError(
            f"no line before the cut {cut:%Y-%m-%d}: the data span {dates.min():%Y-%m-%d} to "
            f"{dates.max():%Y-%m-%d} is not longer than test_days={test_days}; use fewer test days"
        )
    return TimeSplit(train=train, test=transactions[dates >= cut], cut=cut)


def new_item_targets(split: TimeSplit) -> pd.DataFrame:
    """Return the products each customer bought after the cut and not before.

    Only products sold (to a known customer) before the cut count, as in the referee.

    Returns
    -------
    DataFrame
        ``customer_id`` (str), ``product_id`` (str), one row per target; customers
        without history before the cut are included.
    """
    train = _customer_pairs(split.train)
    test = _customer_pairs(split.test)
    test = test[test[S.PRODUCT_ID].isin(set(train[S.PRODUCT_ID]))]
    seen = test.merge(train, on=[S.CUSTOMER_ID, S.PRODUCT_ID], how="left", indicator=True)
    return seen.loc[seen["_merge"] == "left_only", [S.CUSTOMER_ID, S.PRODUCT_ID]].reset_index(
        drop=True)


def _customer_pairs(lines: pd.DataFrame) -> pd.DataFrame:
    lines = lines[lines[S.CUSTOMER_ID].notna()]
    return pd.DataFrame({
        S.CUSTOMER_ID: lines[S.CUSTOMER_ID].astype(str).to_numpy(dtype=object),
        S.PRODUCT_ID: lines[S.PRODUCT_ID].astype(str).to_numpy(dtype=object),
    }).drop_duplicates()


def _per_user(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> pd.DataFrame:
    """Per truth customer: hits@k, number of targets, DCG, ideal DCG and AP@k."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    t = truth[[S.CUSTOMER_ID, S.PRODUCT_ID]].astype(str).drop_duplicates()
    n_truth = t.groupby(S.CUSTOMER_ID).size().rename("n_truth")
    r = recs[[S.CUSTOMER_ID, S.PRODUCT_ID, "rank"]].copy()
    r[S.CUSTOMER_ID] = r[S.CUSTOMER_ID].astype(str)
    r[S.PRODUCT_ID] = r[S.PRODUCT_ID].astype(str)
    r = r[r[S.CUSTOMER_ID].isin(n_truth.index)].sort_values([S.CUSTOMER_ID, "rank"], kind="stable")
    r["pos"] = r.groupby(S.CUSTOMER_ID).cumcount()
    r = r[r["pos"] < k]
    hit = r.merge(t, on=[S.CUSTOMER_ID, S.PRODUCT_ID], how="left", indicator=True)
    hit["hit"] = (hit["_merge"] == "both").to_numpy()
    hit = hit.sort_values([S.CUSTOMER_ID, "pos"], kind="stable")
    hit["gain"] = hit["hit"] / np.log2(hit["pos"] + 2.0)
    hit["cum_hits"] = hit.groupby(S.CUSTOMER_ID)["hit"].cumsum()
    hit["prec_at_hit"] = np.where(hit["hit"], hit["cum_hits"] / (hit["pos"] + 1.0), 0.0)
    agg = hit.groupby(S.CUSTOMER_ID).agg(hits=("hit", "sum"), dcg=("gain", "sum"),
                                         ap=("prec_at_hit", "sum"))
    out = pd.DataFrame(index=n_truth.index).join(n_truth).join(agg).fillna(0.0)
    discount = np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))
    out["idcg"] = discount[np.minimum(out["n_truth"].to_numpy(int), k) - 1]
    out["ap"] = out["ap"] / np.minimum(out["n_truth"], k)
    return out


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else float("nan")


def precision_at_k(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> float:
    """Mean share of the top ``k`` that are relevant, in [0, 1] (NaN without truth)."""
    u = _per_user(truth, recs, k)
    return _mean(u["hits"] / k)


def recall_at_k(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> float:
    """Mean share of a customer's relevant products found in the top ``k``, in [0, 1]."""
    u = _per_user(truth, recs, k)
    return _mean(u["hits"] / u["n_truth"])


def ndcg_at_k(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> float:
    """Mean normalised discounted cumulative gain at ``k`` (binary relevance), in [0, 1].

    DCG = Σ hit_i / log2(i + 1) over positions i = 1..k; the ideal DCG puts
    min(#relevant, k) hits first.
    """
    u = _per_user(truth, recs, k)
    return _mean(u["dcg"] / u["idcg"])


def hit_rate_at_k(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> float:
    """Share of customers with at least one relevant product in the top ``k``, in [0, 1]."""
    u = _per_user(truth, recs, k)
    return _mean(u["hits"] > 0)


def map_at_k(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> float:
    """Mean average precision at ``k``, in [0, 1].

    AP@k = Σ precision@i over relevant positions i ≤ k, divided by min(#relevant, k).
    """
    u = _per_user(truth, recs, k)
    return _mean(u["ap"])


def catalogue_coverage(recs: pd.DataFrame, n_items: int) -> float:
    """Share of the ``n_items`` catalogue that appears in any recommendation, in [0, 1]."""
    if n_items < 1:
        raise ValueError(f"n_items must be positive, got {n_items!r}")
    return float(recs[S.PRODUCT_ID].astype(str).nunique() / n_items)


def novelty(recs: pd.DataFrame, popularity: pd.Series) -> float:
    """Mean self-information ``-log2(p)`` of recommended products, in bits (≥ 0).

    Parameters
    ----------
    recs : DataFrame
        ``product_id`` of every recommendation.
    popularity : Series
        Share of customers who bought each product, in (0, 1], indexed by product id;
        products missing from it count as the least popular one.
    """
    if recs.empty:
        return float("nan")
    p = popularity[popularity > 0]
    if p.empty:
        raise ValueError("popularity needs at least one product with a positive share")
    shares = recs[S.PRODUCT_ID].astype(str).map(p).fillna(p.min()).to_numpy(float)
    return float(np.mean(-np.log2(shares)))


def default_models(random_state: int | None = 0) -> dict[str, object]:
    """Return the compared models: hybrid, popularity, implicit ALS and item-kNN."""
    from recsys.recommend.als import ALSRecommender
    from recsys.recommend.hybrid import HybridRecommender
    from recsys.recommend.itemknn import ItemKNNRecommender
    from recsys.recommend.popularity import PopularityRecommender

    return {
        "hybrid": HybridRecommender(),
        "popularity": PopularityRecommender(),
        "als": ALSRecommender(random_state=random_state),
        "itemknn": ItemKNNRecommender(),
    }


def history_slice(invoices: int) -> str:
    """Return ``"no history"``, ``"1–2 invoices"``, ``"3–9 invoices"`` or ``"10+ invoices"``."""
    if invoices <= 0:
        return "no history"
    if invoices <= 2:
        return "1–2 invoices"
    if invoices <= 9:
        return "3–9 invoices"
    return "10+ invoices"


def as_of_products(products: pd.DataFrame | None, lines: pd.DataFrame) -> pd.DataFrame | None:
    """Return the products that appear in ``lines`` (the catalogue known at the cut)."""
    if products is None:
        return None
    known = set(lines[S.PRODUCT_ID].astype(str))
    return products[products[S.PRODUCT_ID].astype(str).isin(known)]


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

    Returns
    -------
    DataFrame
        ``model``, ``slice`` (see :data:`SLICES`), ``users``, ``precision``,
        ``recall``, ``ndcg``, ``hit_rate``, ``map``, ``coverage`` (share of the
        products sold before the cut), ``novelty`` (bits). Slices without users are
        left out.
    """
    models = default_models() if models is None else models
    split = time_split(transactions, test_days=test_days)
    train = split.train[split.train[S.CUSTOMER_ID].notna()]
    targets = new_item_targets(split)
    pairs = _customer_pairs(train)
    n_items = pairs[S.PRODUCT_ID].nunique()
    popularity = pairs.groupby(S.PRODUCT_ID).size() / pairs[S.CUSTOMER_ID].nunique()
    invoices = train.groupby(train[S.CUSTOMER_ID].astype(str))[S.INVOICE_ID].nunique()
    users = pd.Index(targets[S.CUSTOMER_ID].unique())
    slice_of = pd.Series([history_slice(int(invoices.get(u, 0))) for u in users], index=users)
    catalogue = as_of_products(products, split.train)
    rows = []
    for step, (name, model) in enumerate(models.items()):
        if progress is not None:
            progress(step / len(models), f"fitting {name}")
        fitted = clone(model).fit(train, products=catalogue, customers=customers,
                                  segments=segments)
        recs = fitted.recommend(list(users), n=k)
        for label in SLICES:
            if label == "with history":
                members = slice_of.index[slice_of != "no history"]
            else:
                members = slice_of.index[slice_of == label]
            if not len(members):
                continue
            t = targets[targets[S.CUSTOMER_ID].isin(members)]
            r = recs[recs[S.CUSTOMER_ID].isin(members) & (recs["rank"] <= k)]
            u = _per_user(t, r, k)
            rows.append({
                "model": name, "slice": label, "users": len(u),
                "precision": _mean(u["hits"] / k), "recall": _mean(u["hits"] / u["n_truth"]),
                "ndcg": _mean(u["dcg"] / u["idcg"]), "hit_rate": _mean(u["hits"] > 0),
                "map": _mean(u["ap"]), "coverage": catalogue_coverage(r, n_items),
                "novelty": novelty(r, popularity),
            })
    if progress is not None:
        progress(1.0, "done")
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
