"""The Spark engine against the local engine on the real file: same segments, rules and
recommendations?

Run: ``python -m benchmarks.bench_spark [--data PATH] [--master local[2]]``. Both engines run
the pipeline on the file with ``--until`` the referee's cut (the last 30 days held out), then:

- segments: adjusted Rand index of the two engines' segments at k = 5 (target >= 0.9);
- rules: Jaccard index of the two rule sets, each rule as (antecedents, consequent)
  (target >= 0.95);
- recommendations: NDCG@10 of both under the referee ``../shared/tools/recs_eval.py``
  (target: Spark within 5 % of local);
- the time of each engine's steps.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "online_retail.parquet"
REFEREE = ROOT.parent / "shared" / "tools" / "recs_eval.py"
STEPS = ("segments", "rules", "recommendations", "trends")


def referee_ndcg(data: Path, recs_csv: Path) -> float:
    """NDCG@10 of a recommendations CSV under the referee."""
    out = subprocess.run([sys.executable, str(REFEREE), str(data), "--project-csv", f"p={recs_csv}",
                          "--anchors", "pop", "--json"], capture_output=True, text=True, check=True)
    report = json.loads(out.stdout[out.stdout.index("{"):])
    return float(report["results"]["p"]["NDCG@10"])


def main(argv: list[str] | None = None) -> None:
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score

    from recsys.data import schema as S
    from recsys.data.load import load_dataset
    from recsys.evaluation.split import time_split
    from recsys.pipeline.artifacts import open_artifacts
    from recsys.pipeline.run import run_pipeline
    from recsys.pipeline.steps import PipelineParams

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REAL_DATA))
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not data.exists():
        print(f"skipped: {data} not found")
        return
    cut = time_split(load_dataset(data).customer_transactions, test_days=30).cut
    params = PipelineParams(until=f"{cut:%Y-%m-%d}", steps=STEPS)
    folder = Path(tempfile.mkdtemp(prefix="bench-spark-"))
    manifests = {
        "local": run_pipeline(data, folder / "local", params=params),
        "spark": run_pipeline(data, folder / "spark", params=params, engine="spark", spark_master=args.master),
    }
    local, spark = open_artifacts(folder / "local"), open_artifacts(folder / "spark")
    a = local.table("segments").sort_values(S.CUSTOMER_ID)
    b = spark.table("segments").set_index(S.CUSTOMER_ID).reindex(a[S.CUSTOMER_ID]).reset_index()
    ari = adjusted_rand_score(a[S.SEGMENT], b[S.SEGMENT].fillna(0))

    def rule_set(artifacts):
        t = artifacts.table("rules")
        return {(tuple(x), tuple(y)) for x, y in zip(t["antecedents"], t["consequents"], strict=True)}

    ours, theirs = rule_set(spark), rule_set(local)
    jaccard = len(ours & theirs) / max(len(ours | theirs), 1)
    ndcg = {}
    for name, artifacts in (("local", local), ("spark", spark)):
        csv = folder / f"{name}.csv"
        recs = artifacts.table("recommendations")[[S.CUSTOMER_ID, S.RANK, S.PRODUCT_ID]]
        pd.DataFrame(recs).to_csv(csv, index=False)
        ndcg[name] = referee_ndcg(data, csv)
    print(f"{data.name}, cut {cut:%Y-%m-%d}:")
    print(f"segments at k = 5: ARI {ari:.3f} (target >= 0.9)")
    print(f"rules: {len(theirs)} local, {len(ours)} Spark, Jaccard {jaccard:.3f} (target >= 0.95)")
    print(f"recommendations, referee NDCG@10: local {ndcg['local']:.4f}, Spark {ndcg['spark']:.4f} "
          f"({ndcg['spark'] / ndcg['local']:.1%} of local; target >= 95 %)")
    for name, manifest in manifests.items():
        print(f"{name} steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in manifest["timings"].items()))


if __name__ == "__main__":
    main()
