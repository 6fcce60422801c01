"""Recommendations on Spark: the hybrid's collaborative part (EASE) computed distributedly.

1. Spark SQL turns the training lines into customer × product purchases with the day of
   the last one (the recency of :class:`recsys.recommend.base.Interactions`).
2. The item-item co-occurrence (Gram) matrix ``XᵀX`` is summed over partitions of
   customers (``treeReduce``, as MLlib's ``RowMatrix.computeGramianMatrix`` does); the
   EASE weights are solved from it on the driver with
   :func:`recsys.recommend.ease.ease_from_gram` (a products × products matrix).
3. Each partition scores its customers against the broadcast weights, as the hybrid does
   (recency-weighted purchases × weights, scaled to [0, 1] per customer, plus the "popular
   right now" prior of :func:`recsys.recommend.blend.recent_popularity`, with the hybrid's
   default blend), leaves out what they bought, and explains each product with the
   purchase that supports it most, in the words of :mod:`recsys.recommend.reasons`.

The content part of the hybrid (descriptions) and its inner tuning of the blend are left
to the local engine; customers without a purchase get the products popular right now.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.pipeline.steps import PipelineParams

_NS_PER_DAY = 86_400 * 10**9


def _defaults() -> dict:
    from recsys.recommend.hybrid import HybridRecommender

    model = HybridRecommender()
    return {"l2": model.l2, "half_life": model.half_life_days,
            "trend_half_life": model.trend_half_life_days, "trend_weight": model.trend_weight}


def recommendation_tables(shop, params: PipelineParams, summary: dict) -> dict:
    """Return ``{"recommendations": Spark DataFrame}`` with ``customer_id, rank, product_id,
    score, reason`` (top ``params.n_recommendations`` per customer)."""
    from pyspark.sql import functions as fn

    from recsys.recommend import reasons as R
    from recsys.recommend.ease import ease_from_gram

    spark = shop.transactions.sparkSession
    sc = spark.sparkContext
    blend = _defaults()
    lines = shop.transactions.filter(fn.col(S.CUSTOMER_ID).isNotNull())
    if params.until is not None:
        lines = lines.filter(fn.col(S.INVOICE_DATE) < fn.lit(pd.Timestamp(params.until)))
    pairs = (lines.groupBy(S.CUSTOMER_ID, S.PRODUCT_ID)
             .agg(fn.max(S.INVOICE_DATE).alias("_last")).cache())
    now = pairs.agg(fn.max("_last")).collect()[0][0]
    if now is None:
        from recsys.errors import ParameterError

        raise ParameterError(f"no purchase by a known customer before {params.until}; pick a later date")
    now = pd.Timestamp(now)
    items = sorted(r[0] for r in pairs.select(S.PRODUCT_ID).distinct().collect())
    index = spark.createDataFrame(pd.DataFrame({S.PRODUCT_ID: items, "_item": np.arange(len(items))}))
    coded = pairs.join(fn.broadcast(index), S.PRODUCT_ID).withColumn(
        "_age", (fn.lit(now).cast("long") - fn.col("_last").cast("long")) / 86400.0)
    month = fn.year("_last") * 12 + fn.month("_last") - 1
    rows = (coded.groupBy(S.CUSTOMER_ID)
            .agg(fn.collect_list(fn.struct("_item", "_age", month.alias("_month"))).alias("bought"))
            .cache())
    n = len(items)

    def partial_gram(partition):
        from scipy import sparse

        users, cols = [], []
        for u, row in enumerate(partition):
            cols.extend(entry["_item"] for entry in row["bought"])
            users.extend([u] * len(row["bought"]))
        x = sparse.csr_matrix((np.ones(len(cols), np.float32), (users, cols)),
                              shape=(max(users, default=-1) + 1, n))
        yield (x.T @ x).toarray().astype(np.float32)

    gram = rows.select("bought").rdd.mapPartitions(partial_gram).treeReduce(np.add, depth=2)
    weights = ease_from_gram(gram, l2=blend["l2"])
    del gram
    trend = (coded.withColumn("_w", fn.pow(fn.lit(0.5), fn.col("_age") / blend["trend_half_life"]))
             .groupBy("_item").agg(fn.sum("_w").alias("w")).toPandas())
    popular = np.zeros(n, dtype=np.float32)
    popular[trend["_item"].to_numpy()] = trend["w"].to_numpy()
    popular /= max(float(popular.max()), 1e-12)
    names_of = dict(zip(shop.products[S.PRODUCT_ID].astype(str), shop.products[S.DESCRIPTION], strict=False))
    names = [R.product_name(names_of.get(p) if isinstance(names_of.get(p), str) else "", p) for p in items]
    months = {int(code): R.when(pd.Timestamp(year=code // 12, month=code % 12 + 1, day=1), now)
              for code in range(now.year * 12 - 120, now.year * 12 + 12)}
    shared = sc.broadcast({"weights": weights, "trend": popular, "items": items, "names": names,
                           "months": months})
    top_n, half_life, trend_weight = params.n_recommendations, blend["half_life"], blend["trend_weight"]

    def score(partition):
        data = shared.value
        w, trend_, ids = data["weights"], data["trend"], data["items"]
        for row in partition:
            bought = np.array([e["_item"] for e in row["bought"]], dtype=np.int64)
            ages = np.array([e["_age"] for e in row["bought"]], dtype=np.float64)
            month = {int(e["_item"]): int(e["_month"]) for e in row["bought"]}
            x = np.power(0.5, ages / half_life).astype(np.float32)
            cf = x @ w[bought]
            lo, span = cf.min(), cf.max() - cf.min()
            cf = (cf - lo) / (span if span > 0 else 1.0)
            scores = cf + trend_weight * trend_
            scores[bought] = -np.inf
            best = np.argsort(-scores, kind="stable")[:top_n]
            best = best[np.isfinite(scores[best])]
            contrib = w[np.ix_(bought, best)] * x[:, None]
            anchor = bought[contrib.argmax(axis=0)]
            strength = contrib.max(axis=0)
            for rank, (item, a, s) in enumerate(zip(best, anchor, strength, strict=True), start=1):
                if s > 0 and cf[item] >= trend_weight * trend_[item]:
                    reason = R.bought_with(data["names"][a], data["months"].get(month[int(a)], ""))
                else:
                    reason = R.POPULAR_NOW
                yield (row[S.CUSTOMER_ID], rank, ids[item], float(scores[item]), reason)

    schema = f"{S.CUSTOMER_ID} string, {S.RANK} int, {S.PRODUCT_ID} string, {S.SCORE} double, {S.REASON} string"
    known = rows.rdd.mapPartitions(score).toDF(schema)
    out = known
    if params.until is None:
        out = known.unionByName(_cold(spark, shop, rows, popular, items, top_n, schema))
    summary["recommendations"] = {"customers": rows.count(), "items": n,
                                  "blend": {k: float(v) for k, v in blend.items()}}
    pairs.unpersist()
    # Range-partitioned and sorted within parts: the files, read in name order, are sorted
    # by customer and rank (the same bytes for the same data).
    parts = max(1, sc.defaultParallelism)
    ordered = out.repartitionByRange(parts, S.CUSTOMER_ID).sortWithinPartitions(S.CUSTOMER_ID, S.RANK)
    return {"recommendations": ordered, "_cache": rows}


def _cold(spark, shop, rows, popular: np.ndarray, items: list[str], n: int, schema: str):
    """Registered customers without a purchase: the products popular right now."""
    from recsys.recommend import reasons as R

    known = {r[0] for r in rows.select(S.CUSTOMER_ID).collect()}
    others = [c for c in shop.customers[S.CUSTOMER_ID].astype(str) if c not in known]
    best = np.argsort(-popular, kind="stable")[:n]
    frame = pd.DataFrame([(c, rank, items[i], float(popular[i]), R.POPULAR_NOW)
                          for c in others for rank, i in enumerate(best, start=1)],
                         columns=[S.CUSTOMER_ID, S.RANK, S.PRODUCT_ID, S.SCORE, S.REASON])
    return spark.createDataFrame(frame, schema=schema)
