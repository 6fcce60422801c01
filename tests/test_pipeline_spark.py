"""The Spark engine (pyspark, ``local[2]``) against the local engine on the bundled sample.

One Spark run and one local run per module (Spark's start-up costs tens of seconds on a
busy machine); skipped, with the reason, where pyspark or Java is missing.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.pipeline.artifacts import open_artifacts
from recsys.pipeline.run import run_pipeline
from recsys.pipeline.steps import PipelineParams

pytest.importorskip("pyspark", reason="pyspark is not installed (requirements-dev.txt)")
if shutil.which("java") is None:
    pytest.skip("Java is missing: `make test` installs openjdk-17-jre-headless as root",
                allow_module_level=True)

STEPS = ("segments", "trends", "rules", "recommendations")


@pytest.fixture(scope="module")
def runs(sample_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark")
    params = PipelineParams(k=5, seed=0, steps=STEPS)
    spark_manifest = run_pipeline(sample_dir, folder / "spark", params=params, engine="spark",
                                  spark_master="local[2]")
    local_manifest = run_pipeline(sample_dir, folder / "local", params=params)
    yield open_artifacts(folder / "spark"), open_artifacts(folder / "local"), spark_manifest, local_manifest
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def test_spark_run_writes_the_artifacts_with_a_manifest(runs):
    spark, local, manifest, _ = runs
    assert manifest["engine"] == "spark" and manifest["spark"]["master"] == "local[2]"
    assert "pyspark" in manifest["versions"]
    for name in ("segments", "segments_by_k", "k_sweep", "rules", "itemsets", "recommendations",
                 "trends_month", "trends_week"):
        assert spark.has(name), name
        assert list(spark.table(name).columns) == list(local.table(name).columns), name
    assert (spark.store_folder / "store.json").exists()


def test_spark_cleaning_report_is_the_local_one(runs):
    spark, local, manifest, local_manifest = runs
    assert manifest["store"]["report"] == local_manifest["store"]["report"]


def test_spark_trends_equal_local(runs):
    spark, local, _, _ = runs
    for name in ("trends_month", "trends_week"):
        pd.testing.assert_frame_equal(spark.table(name), local.table(name), check_dtype=False)


def test_spark_rules_are_the_local_rules(runs):
    spark, local, _, _ = runs

    def rules(artifacts):
        table = artifacts.table("rules")
        return {(tuple(a), tuple(c)) for a, c in zip(table["antecedents"], table["consequents"], strict=True)}

    ours, theirs = rules(spark), rules(local)
    assert len(theirs) > 0
    assert len(ours & theirs) / len(ours | theirs) >= 0.95


def test_spark_segments_agree_with_local(runs):
    from sklearn.metrics import adjusted_rand_score

    spark, local, _, _ = runs
    a = spark.table("segments").sort_values(S.CUSTOMER_ID)
    b = local.table("segments").sort_values(S.CUSTOMER_ID)
    assert a[S.CUSTOMER_ID].tolist() == b[S.CUSTOMER_ID].tolist()
    np.testing.assert_allclose(a["monetary"], b["monetary"], rtol=1e-9)
    np.testing.assert_allclose(a["recency_days"], b["recency_days"])
    assert adjusted_rand_score(a[S.SEGMENT], b[S.SEGMENT]) >= 0.9
    assert sorted(spark.table("segments_by_k")["k"].unique()) == list(range(2, 13))


def test_spark_recommendations_are_complete_new_and_explained(runs, sample_dataset):
    spark, _, _, _ = runs
    recs = spark.table("recommendations")
    assert set(recs[S.CUSTOMER_ID]) == set(sample_dataset.customers[S.CUSTOMER_ID].astype(str))
    # The files are in customer and rank order.
    assert recs[[S.CUSTOMER_ID, S.RANK]].equals(
        recs[[S.CUSTOMER_ID, S.RANK]].sort_values([S.CUSTOMER_ID, S.RANK]))
    assert (recs.groupby(S.CUSTOMER_ID)[S.RANK].apply(list).map(lambda r: r == list(range(1, 11)))).all()
    bought = set(zip(sample_dataset.customer_transactions[S.CUSTOMER_ID].astype(str),
                     sample_dataset.customer_transactions[S.PRODUCT_ID].astype(str), strict=True))
    assert not bought & set(zip(recs[S.CUSTOMER_ID], recs[S.PRODUCT_ID], strict=True))
    assert recs[S.REASON].str.len().gt(0).all()
    assert recs[S.REASON].str.startswith("bought with").mean() > 0.5
