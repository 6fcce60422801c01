"""Top-N metrics as pure functions.

Each takes two DataFrames and ``k`` and returns one float whose range it states.
``truth`` has columns ``customer_id, product_id`` (one row per relevant product);
``recs`` has ``customer_id, product_id, rank`` (1 = best). Every customer in ``truth``
counts; a customer without recommendations scores 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import DataError, ParameterError


def per_user(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> pd.DataFrame:
    """Per truth customer: hits@k, number of targets, DCG, ideal DCG and AP@k."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ParameterError(f"k must be a positive integer (products scored per customer), got {k!r}")
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


def mean_of(values: pd.Series) -> float:
    """Mean of ``values`` as a float (NaN when empty)."""
    return float(values.mean()) if len(values) else float("nan")


def precision_at_k(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> float:
    """Mean share of the top ``k`` that are relevant, in [0, 1] (NaN without truth)."""
    u = per_user(truth, recs, k)
    return mean_of(u["hits"] / k)


def recall_at_k(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> float:
    """Mean share of a customer's relevant products found in the top ``k``, in [0, 1]."""
    u = per_user(truth, recs, k)
    return mean_of(u["hits"] / u["n_truth"])


def ndcg_at_k(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> float:
    """Mean normalised discounted cumulative gain at ``k`` (binary relevance), in [0, 1].

    DCG = Σ hit_i / log2(i + 1) over positions i = 1..k; the ideal DCG puts
    min(#relevant, k) hits first.
    """
    u = per_user(truth, recs, k)
    return mean_of(u["dcg"] / u["idcg"])


def hit_rate_at_k(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> float:
    """Share of customers with at least one relevant product in the top ``k``, in [0, 1]."""
    u = per_user(truth, recs, k)
    return mean_of(u["hits"] > 0)


def map_at_k(truth: pd.DataFrame, recs: pd.DataFrame, k: int) -> float:
    """Mean average precision at ``k``, in [0, 1].

    AP@k = Σ precision@i over relevant positions i ≤ k, divided by min(#relevant, k).
    """
    u = per_user(truth, recs, k)
    return mean_of(u["ap"])


def catalogue_coverage(recs: pd.DataFrame, n_items: int) -> float:
    """Share of the ``n_items`` catalogue that appears in any recommendation, in [0, 1]."""
    if n_items < 1:
        raise ParameterError(f"n_items must be positive (the number of products in the catalogue), got {n_items!r}")
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
        raise DataError("popularity needs at least one product with a positive share: score against lines with purchases")
    shares = recs[S.PRODUCT_ID].astype(str).map(p).fillna(p.min()).to_numpy(float)
    return float(np.mean(-np.log2(shares)))
