"""The Spark engine's run: the same artifacts as the local engine, from Spark DataFrames.

Writes ``store/`` (the cleaned lines as Parquet parts, products, customers, ``store.json``),
the segment tables (MLlib KMeans), ``itemsets`` and ``rules`` (MLlib FPGrowth),
``recommendations`` (EASE from a distributed co-occurrence matrix), ``trends_month`` and
``trends_week`` (Spark SQL), then ``manifest.json``. The other tables of the local engine
(overview, category trends, evaluation) are left to it: the dashboard computes what a
manifest does not list.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.pipeline.artifacts import STORE_DIR, package_versions
from recsys.pipeline.spark.session import artifact_writer, is_remote, run_session
from recsys.pipeline.steps import PipelineParams
from recsys.pipeline.store import STORE_FORMAT, source_fingerprint

SPARK_STEPS = ("segments", "trends", "rules", "recommendations")
"""Steps the Spark engine runs (others in ``params.steps`` are skipped and reported)."""


def data_fingerprint(frame) -> str:
    """Order-independent digest of a Spark DataFrame's rows (count and sum of row hashes)."""
    from pyspark.sql import functions as fn

    row = frame.agg(fn.count(fn.lit(1)).alias("n"),
                    fn.sum(fn.xxhash64(*frame.columns).cast("decimal(38,0)")).alias("h")).collect()[0]
    return f"spark-{int(row['n']):x}-{int(row['h'] or 0) % (1 << 64):016x}"


def period_totals(transactions, freq: str) -> pd.DataFrame:
    """Spark SQL version of :func:`recsys.insights.trends.period_totals` (same columns)."""
    from pyspark.sql import functions as fn

    unit = "month" if freq == "M" else "week"  # date_trunc("week") starts on Monday
    totals = (transactions.withColumn("period", fn.date_trunc(unit, S.INVOICE_DATE))
              .groupBy("period").agg(
                  fn.sum(fn.col(S.QUANTITY) * fn.col(S.UNIT_PRICE)).alias("revenue"),
                  fn.countDistinct(S.INVOICE_ID).alias("orders"),
                  fn.countDistinct(S.CUSTOMER_ID).alias("customers"),
                  fn.sum(S.QUANTITY).alias("units"))
              .toPandas())
    totals["period"] = pd.to_datetime(totals["period"]).astype("datetime64[ns]")
    full = pd.date_range(totals["period"].min(), totals["period"].max(),
                         freq="MS" if freq == "M" else "W-MON", name="period")
    out = totals.set_index("period").reindex(full, fill_value=0).reset_index()
    out["revenue"] = out["revenue"].astype("float64")
    for col in ("orders", "customers", "units"):
        out[col] = out[col].astype(np.int64)
    return out[["period", "revenue", "orders", "customers", "units"]]


def run_spark(source, out, *, params: PipelineParams, progress: Callable | None = None,
              master: str | None = None) -> dict:
    """Run the pipeline on Spark; see :func:`recsys.pipeline.run.run_pipeline`.

    Started here (no active session), the session keeps its scratch files in a private
    folder beside ``out`` and is stopped at the end (:func:`~recsys.pipeline.spark.session.run_session`).
    """
    with run_session(master, out=out) as spark:
        return _run(spark, source, out, params=params, progress=progress or (lambda done, message: None))


def _run(spark, source, out, *, params: PipelineParams, progress: Callable) -> dict:
    from recsys.data.categories import product_categories
    from recsys.pipeline.spark import clean, recommend, rules, segments

    started = time.perf_counter()
    timings: dict[str, float] = {}
    steps = [s for s in params.steps if s in SPARK_STEPS]
    summary: dict = {"skipped_steps": [s for s in params.steps if s not in SPARK_STEPS]}
    with artifact_writer(spark, out) as writer:
        progress(0.0, "Reading and cleaning the data on Spark")
        tick = time.perf_counter()
        shop = clean.read_source(spark, str(source))
        shop.transactions = shop.transactions.cache()
        fingerprint = data_fingerprint(shop.transactions.drop(S.DESCRIPTION, S.CATEGORY))
        store = f"{writer.staging}/{STORE_DIR}"
        columns = [c for c in S.TRANSACTION_COLUMNS]
        shop.transactions.select(*columns).write.mode("overwrite").parquet(f"{store}/transactions.parquet")
        shop.cancellations.select(*columns).write.mode("overwrite").parquet(f"{store}/cancellations.parquet")
        for name, frame in (("products", shop.products), ("customers", shop.customers)):
            spark.createDataFrame(frame.astype({c: "object" for c in frame.columns if str(frame[c].dtype) == "string"})) \
                .coalesce(1).write.mode("overwrite").parquet(f"{store}/{name}.parquet")
        local_source = not is_remote(source)
        info = {"format": STORE_FORMAT,
                "source_fingerprint": source_fingerprint(source) if local_source else None,
                "data_fingerprint": fingerprint, "report": shop.report,
                "rows": {"transactions": shop.report["kept_lines"]}}
        _write_json(spark, writer, f"{STORE_DIR}/store.json", info)
        timings["import"] = round(time.perf_counter() - tick, 3)

        given = shop.products[S.CATEGORY].notna().any()
        categories = (shop.products[[S.PRODUCT_ID, S.CATEGORY]].fillna({S.CATEGORY: S.MISSING_CATEGORY})
                      if given else product_categories(shop.products))
        # Net of cancellations, as the local engine and the pages count (recommendations
        # learn from every purchase, as the local engine's do).
        net = clean.net_transactions(shop).cache()
        gross, assignments = shop.transactions, None
        for i, step in enumerate(steps):
            progress((i + 1) / (len(steps) + 1), f"Computing {step} on Spark")
            tick = time.perf_counter()
            shop.transactions = gross if step == "recommendations" else net
            if step == "segments":
                tables, assignments = segments.segment_tables(shop, params, categories, summary,
                                                              gross=gross)
            elif step == "trends":
                tables = {"trends_month": period_totals(net, "M"),
                          "trends_week": period_totals(net, "W"),
                          "categories": categories.assign(derived=not given)}
            elif step == "rules":
                tables = rules.rule_tables(shop, params)
            else:
                tables = recommend.recommendation_tables(shop, params, summary)
            cached = tables.pop("_cache", None)
            for name, table in tables.items():
                if isinstance(table, pd.DataFrame):
                    writer.write(name, table)
                else:
                    writer.write_spark(name, table, parts=None)
            if cached is not None:
                cached.unpersist()
            timings[step] = round(time.perf_counter() - tick, 3)
        del assignments
        timings["total"] = round(time.perf_counter() - started, 3)
        manifest = {
            "engine": "spark",
            "spark": {"master": spark.sparkContext.master, "version": spark.version},
            "source": {"path": str(source), "fingerprint": info["source_fingerprint"]},
            "data_fingerprint": fingerprint,
            "parameters": params.as_dict(),
            "versions": package_versions("pyspark"),
            "timings": timings,
            "store": {"reused": False, "rows": info["rows"], "report": shop.report},
            "summary": summary,
        }
        writer.commit(manifest)
    net.unpersist()
    gross.unpersist()
    progress(1.0, "Done")
    return {**manifest, "artifacts": writer.entries}


def _write_json(spark, writer, relative: str, data: dict) -> None:
    text = json.dumps(data, indent=2, default=str)
    if hasattr(writer, "write_text"):
        writer.write_text(relative, text)
        return
    path = writer.staging / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
