"""Customer figures in Spark SQL and segments by MLlib KMeans for every k.

The line-level work (ten million lines and more) runs on Spark: the customer figures of
:func:`recsys.segments.features.customer_features`, with the same definitions, and the
k-means fits (MLlib's :class:`pyspark.mllib.clustering.KMeans`, from the local engine's
k-means++ starts, the lowest cost kept). The customer-level steps, a row per customer, run on the driver with
the library's own functions: scaling (:func:`recsys.segments.kmeans.prepare_features`),
numbering and naming the segments from MLlib's labels
(:func:`recsys.segments.kmeans.segment_customers`), profiles, RFM scores and the map.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.pipeline.steps import (
    K_MAX,
    K_MIN,
    PipelineParams,
    segment_artifacts,
    segments_for_every_k,
)
from recsys.segments import features as F

N_STARTS: int | None = None
"""MLlib k-means fits per k, from the local engine's starts (None: as many as it makes)."""
MAX_ITER = 300
"""Lloyd iterations at most per fit (scikit-learn's default, as the local engine)."""
EPSILON = 1e-4
"""A fit has converged when no centre moves further than this (standardised units)."""

SWEEP_THREADS = 4
"""k values fitted at once (each fit's jobs are small; the scheduler interleaves them)."""


def customer_features(shop, categories: pd.DataFrame | None, *, gross=None):
    """Return the customer figures as pandas, indexed by ``customer_id`` (see
    :func:`recsys.segments.features.customer_features` for the columns).

    ``shop.transactions`` are the lines net of cancellations; ``gross`` (default: the same)
    the lines as bought, which fix the as-of date and the invoices placed (the base of the
    cancellation rate), as the library does.
    """
    from pyspark.sql import functions as fn

    spark = shop.transactions.sparkSession
    tx = shop.transactions.filter(fn.col(S.CUSTOMER_ID).isNotNull())
    tx = tx.withColumn("_revenue", fn.col(S.QUANTITY) * fn.col(S.UNIT_PRICE)).withColumn(
        "_day", fn.to_date(S.INVOICE_DATE))
    bought = (gross if gross is not None else shop.transactions).filter(fn.col(S.CUSTOMER_ID).isNotNull())
    as_of = bought.agg(fn.date_add(fn.max(fn.to_date(S.INVOICE_DATE)), 1).alias("d")).collect()[0]["d"]
    placed = bought.groupBy(S.CUSTOMER_ID).agg(fn.countDistinct(S.INVOICE_ID).alias("_placed"))
    agg = tx.groupBy(S.CUSTOMER_ID).agg(
        fn.sum("_revenue").alias(F.MONETARY),
        fn.sum(fn.col(S.QUANTITY).cast("double")).alias("_units"),
        fn.min("_day").alias("_first"),
        fn.max("_day").alias("_last"),
        fn.countDistinct(S.INVOICE_ID).alias(F.FREQUENCY),
        fn.countDistinct(S.PRODUCT_ID).alias(F.DISTINCT_PRODUCTS),
    )
    canc = shop.cancellations.filter(fn.col(S.CUSTOMER_ID).isNotNull() & (fn.col(S.INVOICE_DATE) < fn.lit(as_of)))
    cancelled = canc.groupBy(S.CUSTOMER_ID).agg(fn.countDistinct(S.INVOICE_ID).alias("_cancelled"))
    out = (agg.join(cancelled, S.CUSTOMER_ID, "left").join(placed, S.CUSTOMER_ID, "left")
           .toPandas().set_index(S.CUSTOMER_ID).sort_index())
    as_of = pd.Timestamp(as_of)
    first, last = pd.to_datetime(out["_first"]), pd.to_datetime(out["_last"])
    frequency = out[F.FREQUENCY].to_numpy(dtype=np.int64)
    span = (last - first).dt.days.to_numpy(dtype=float)
    cancelled = out["_cancelled"].fillna(0).to_numpy(dtype=float)
    features = pd.DataFrame({
        F.RECENCY_DAYS: (as_of - last).dt.days.to_numpy(dtype=float),
        F.FREQUENCY: frequency,
        F.MONETARY: out[F.MONETARY].to_numpy(dtype=float),
        F.AVG_ORDER_VALUE: out[F.MONETARY].to_numpy(dtype=float) / frequency,
        F.ITEMS_PER_ORDER: out["_units"].to_numpy(dtype=float) / frequency,
        F.DISTINCT_PRODUCTS: out[F.DISTINCT_PRODUCTS].to_numpy(dtype=np.int64),
        F.TENURE_DAYS: (as_of - first).dt.days.to_numpy(dtype=float),
        F.MEAN_DAYS_BETWEEN_ORDERS: np.where(frequency > 1, span / np.maximum(frequency - 1, 1), np.nan),
        F.CANCELLATION_RATE: cancelled / (out["_placed"].to_numpy(dtype=float) + cancelled),
    }, index=pd.Index(out.index.astype(str), name=S.CUSTOMER_ID, dtype="string"))
    shares = _category_shares(spark, tx, categories, features)
    if shares is not None:
        features = features.join(shares)
    country = _main_country(tx)
    if country is not None:
        features[S.COUNTRY] = country.reindex(features.index.astype(str)).to_numpy()
        features[S.COUNTRY] = features[S.COUNTRY].astype("string")
    return features


def _category_shares(spark, tx, categories: pd.DataFrame | None, features: pd.DataFrame):
    from pyspark.sql import functions as fn

    if categories is None or categories.empty:
        return None
    cats = spark.createDataFrame(categories[[S.PRODUCT_ID, S.CATEGORY]].astype(str))
    lines = tx.drop(S.CATEGORY).join(fn.broadcast(cats), S.PRODUCT_ID, "left").fillna(S.MISSING_CATEGORY, [S.CATEGORY])
    totals = lines.groupBy(S.CATEGORY).agg(fn.sum("_revenue").alias("r")).toPandas()
    if len(totals) < 2:
        return None
    totals = totals.sort_values(S.CATEGORY).reset_index(drop=True)
    keep = np.sort(np.argsort(-totals["r"].to_numpy(), kind="stable")[:F.MAX_CATEGORIES])
    names = totals[S.CATEGORY].to_numpy()[keep].tolist()
    pivot = (lines.filter(fn.col(S.CATEGORY).isin(names)).groupBy(S.CUSTOMER_ID)
             .pivot(S.CATEGORY, names).agg(fn.sum("_revenue")).toPandas().set_index(S.CUSTOMER_ID))
    pivot = pivot.reindex(index=features.index.astype(str), columns=names).fillna(0.0)
    monetary = features[F.MONETARY].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(monetary[:, None] > 0, pivot.to_numpy(dtype=float) / monetary[:, None], 0.0)
    return pd.DataFrame(shares, index=features.index,
                        columns=[f"{F.CATEGORY_SHARE_PREFIX}{n}" for n in names])


def _main_country(tx) -> pd.Series | None:
    from recsys.pipeline.spark.clean import _mode

    if S.COUNTRY not in tx.columns:
        return None
    frame = _mode(tx, S.CUSTOMER_ID, S.COUNTRY, S.COUNTRY).toPandas()
    if frame.empty:
        return None
    return frame.set_index(S.CUSTOMER_ID)[S.COUNTRY]


def kmeans_starts(x: np.ndarray, k: int, *, seed: int, n_init: int) -> list[np.ndarray]:
    """Return the ``n_init`` k-means++ starting centres the local engine's fit of ``k``
    clusters draws (:func:`recsys.segments.ksweep.kmeans_model`: scikit-learn's k-means++
    from one ``RandomState(seed)`` stream, on the centred rows), so that MLlib's Lloyd
    iterations set off from the same places and find the same segments."""
    from sklearn.cluster import kmeans_plusplus
    from sklearn.utils import check_random_state

    rng = check_random_state(seed)
    mean = x.mean(axis=0)
    centred = x - mean
    norms = np.einsum("ij,ij->i", centred, centred)
    return [kmeans_plusplus(centred, k, x_squared_norms=norms, random_state=rng)[0] + mean
            for _ in range(n_init)]


def kmeans_sweep(prepared: pd.DataFrame, k_range, *, seed: int,
                 n_init: int | None = None) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """Fit MLlib KMeans for every k on the prepared matrix; return ``(table, labels)``.

    Each k is fitted from the local engine's ``n_init`` starts (:func:`kmeans_starts`;
    default :func:`recsys.segments.ksweep.default_n_init`) by MLlib's Lloyd iterations on
    the customers' RDD, and the lowest cost is kept. ``table`` has ``k``, ``inertia``
    (the cost of MLlib's centres: squared distances to the nearest) and ``silhouette``, computed as the local engine does (on
    the same seeded sample of customers, Euclidean), so both engines suggest k alike;
    ``labels`` the cluster of each row (in ``prepared`` order) per k.
    """
    from pyspark.mllib.clustering import KMeans, KMeansModel
    from pyspark.sql import SparkSession

    from recsys.segments.ksweep import (
        SILHOUETTE_SAMPLE,
        _pairwise_distances,
        _sample_streams,
        _silhouette,
        default_n_init,
    )

    sc = SparkSession.getActiveSession().sparkContext
    x = prepared.to_numpy(dtype=np.float64)
    n_init = default_n_init(len(x)) if n_init is None else int(n_init)
    rows = sc.parallelize(list(x), max(2, sc.defaultParallelism)).cache()

    norms = np.einsum("ij,ij->i", x, x)

    def nearest(centres: np.ndarray) -> tuple[np.ndarray, float]:
        """Each row's nearest centre (as MLlib's ``predict``) and the cost, on the driver
        where the rows already are (rows x k distances, not rows x k x features)."""
        squared = norms[:, None] - 2.0 * (x @ centres.T) + np.einsum("ij,ij->i", centres, centres)[None, :]
        found = squared.argmin(axis=1)
        return found.astype(np.int64), float(np.maximum(squared[np.arange(len(x)), found], 0.0).sum())

    def fit(k: int) -> tuple[int, float, np.ndarray]:
        best = None
        for start in kmeans_starts(x, k, seed=seed, n_init=n_init):
            model = KMeans.train(rows, k, maxIterations=MAX_ITER, epsilon=EPSILON,
                                 initialModel=KMeansModel(list(start)))
            found, cost = nearest(np.asarray(model.clusterCenters, dtype=np.float64))
            if best is None or cost < best[1] - 1e-9:
                best = (found, cost)
        return k, best[1], best[0]

    # The fits are independent: submitted side by side, Spark's scheduler fills the cores
    # while one fit waits on its many small jobs (a job per Lloyd iteration).
    with ThreadPoolExecutor(max_workers=SWEEP_THREADS) as pool:
        results = list(pool.map(fit, list(k_range)))
    rows.unpersist()
    _, rng = _sample_streams(seed)
    sample = (np.sort(rng.choice(len(x), size=SILHOUETTE_SAMPLE, replace=False))
              if len(x) > SILHOUETTE_SAMPLE else np.arange(len(x)))
    distances = _pairwise_distances(x[sample])
    table = [(k, cost, _silhouette(distances, found[sample], k)) for k, cost, found in results]
    labels = {k: found for k, _, found in results}
    return pd.DataFrame(table, columns=["k", "inertia", "silhouette"]), labels


def segment_tables(shop, params: PipelineParams, categories: pd.DataFrame | None, summary: dict,
                   *, gross=None):
    """Return the segment artifacts (the names and columns of the local engine's) and the
    assignments at the chosen k (``gross``: see :func:`customer_features`)."""
    from recsys.segments.kmeans import prepare_features
    from recsys.segments.ksweep import suggest_k
    from recsys.segments.profile import project_2d

    features = customer_features(shop, categories, gross=gross)
    prepared = prepare_features(features, feature_set=params.feature_set)
    k_range = range(K_MIN, min(K_MAX, len(prepared) - 1) + 1)
    table, labels = kmeans_sweep(prepared, k_range, seed=params.seed, n_init=N_STARTS)
    suggested, elbow, best, reason = suggest_k(table)
    by_k, summaries, centers, profiles, chosen = segments_for_every_k(
        features, prepared, labels, k_range, params)
    points, explained = project_2d(prepared, chosen.assignments, random_state=params.seed)
    summary["segments"] = {
        "k": params.k, "k_range": list(k_range), "suggested_k": int(suggested), "reason": reason,
        "elbow_k": int(elbow), "best_silhouette_k": int(best), "sample_size": len(prepared),
        "n_customers": len(prepared),
        "projection_explained": [float(explained[0]), float(explained[1])],
    }
    tables = segment_artifacts(features, chosen.assignments, table, by_k, summaries, centers,
                               profiles, points)
    return tables, chosen.assignments
