"""The Spark engine against the local engine on the real file: same segments, rules and
recommendations?

Run: ``python -m benchmarks.bench_spark [--data PATH] [--master local[2]] [--budget 600]``.
Both engines run the pipeline on the file with ``--until`` the referee's cut (the last 30
days held out), then:

- segments: adjusted Rand index of the two engines' segments at k = 5 (target >= 0.9);
- rules: Jaccard index of the two rule sets, each rule as (antecedents, consequent)
  (target >= 0.95);
- recommendations: NDCG@10 of both under the referee ``../shared/tools/recs_eval.py``
  (target: Spark within 5 % of local);
- the time of each engine's steps, with the load average.

Everything goes to a private folder (``--work``, default a fresh one under
``$RECSYS_BENCH_DIR`` or ``~/.cache/recsys/bench``), Spark's scratch files included
(``spark.local.dir``, not the shared ``/tmp``); it is removed at the end unless ``--keep``.
The run stops with a message when it exceeds ``--budget`` seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "online_retail.parquet"
REFEREE = ROOT.parent / "shared" / "tools" / "recs_eval.py"
STEPS = ("segments", "rules", "recommendations", "trends")


def load_average() -> str:
    """The 1-minute load average, as /proc/loadavg prints it."""
    return open("/proc/loadavg").read().split()[0]


def referee_ndcg(data: Path, csvs: dict[str, Path], *, timeout: float) -> dict[str, float]:
    """NDCG@10 of each recommendations CSV (name -> path) under the referee, in one run."""
    command = [sys.executable, str(REFEREE), str(data), "--anchors", "pop", "--json"]
    for name, csv in csvs.items():
        command += ["--project-csv", f"{name}={csv}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=timeout)
    report = json.loads(out.stdout[out.stdout.index("{"):])
    return {name: float(report["results"][name]["NDCG@10"]) for name in csvs}


class OverBudget(Exception):
    """The benchmark ran longer than its budget."""


def _alarm(signum, frame):
    raise OverBudget


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REAL_DATA))
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--budget", type=float, default=600, help="seconds before the run gives up (default 600)")
    parser.add_argument("--work", default=None, help="folder for the runs (default: a fresh private one)")
    parser.add_argument("--keep", action="store_true", help="keep the artifacts of both engines")
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not data.exists():
        print(f"skipped: {data} not found")
        return 0
    base = Path(os.environ.get("RECSYS_BENCH_DIR", Path.home() / ".cache" / "recsys" / "bench"))
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="spark-", dir=base))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(args.budget))
    try:
        _compare(data, folder, args.master, started, args.budget)
    except OverBudget:
        print(f"stopped: over the budget of {args.budget:.0f} s (load {load_average()})", flush=True)
        return 1
    finally:
        signal.alarm(0)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def _compare(data: Path, folder: Path, master: str, started: float, budget: float) -> None:
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score

    from recsys.data import schema as S
    from recsys.data.load import load_dataset
    from recsys.evaluation.split import time_split
    from recsys.pipeline.artifacts import open_artifacts
    from recsys.pipeline.run import run_pipeline
    from recsys.pipeline.steps import PipelineParams

    cut = time_split(load_dataset(data).customer_transactions, test_days=30).cut
    params = PipelineParams(until=f"{cut:%Y-%m-%d}", steps=STEPS)
    print(f"{data.name}, cut {cut:%Y-%m-%d}, load {load_average()} at the start", flush=True)
    manifests, loads = {}, {}
    for engine in ("local", "spark"):
        tick = time.perf_counter()
        manifests[engine] = run_pipeline(data, folder / engine, params=params, engine=engine,
                                         spark_master=master)
        loads[engine] = load_average()
        print(f"{engine}: {time.perf_counter() - tick:.1f} s (load {loads[engine]}): "
              + ", ".join(f"{k} {v:.1f} s" for k, v in manifests[engine]["timings"].items()), flush=True)
    local, spark = open_artifacts(folder / "local"), open_artifacts(folder / "spark")
    a = local.table("segments").sort_values(S.CUSTOMER_ID)
    b = spark.table("segments").set_index(S.CUSTOMER_ID).reindex(a[S.CUSTOMER_ID]).reset_index()
    missing = int(b[S.SEGMENT].isna().sum())
    ari = adjusted_rand_score(a[S.SEGMENT], b[S.SEGMENT].fillna(-1))

    def rule_set(artifacts):
        t = artifacts.table("rules")
        return {(tuple(x), tuple(y)) for x, y in zip(t["antecedents"], t["consequents"], strict=True)}

    ours, theirs = rule_set(spark), rule_set(local)
    jaccard = len(ours & theirs) / max(len(ours | theirs), 1)
    csvs = {}
    for name, artifacts in (("local", local), ("spark", spark)):
        csvs[name] = folder / f"{name}.csv"
        recs = artifacts.table("recommendations")[[S.CUSTOMER_ID, S.RANK, S.PRODUCT_ID]]
        pd.DataFrame(recs).to_csv(csvs[name], index=False)
    left = max(30.0, budget - (time.perf_counter() - started))
    ndcg = referee_ndcg(data, csvs, timeout=left)
    print(f"\n{data.name}, cut {cut:%Y-%m-%d} (last 30 days held out), master {master}:")
    print(f"segments at k = {params.k}: ARI {ari:.3f} over {len(a)} customers"
          f"{f' ({missing} missing in Spark)' if missing else ''} (target >= 0.9)")
    print(f"rules: {len(theirs)} local, {len(ours)} Spark, {len(ours & theirs)} shared, "
          f"Jaccard {jaccard:.3f} (target >= 0.95)")
    print(f"recommendations, referee NDCG@10: local {ndcg['local']:.4f}, Spark {ndcg['spark']:.4f} "
          f"({ndcg['spark'] / ndcg['local']:.1%} of local; target >= 95 %)")
    print(f"whole benchmark: {time.perf_counter() - started:.0f} s, load {load_average()} at the end")


if __name__ == "__main__":
    sys.exit(main())
