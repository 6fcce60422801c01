"""The Spark engine against the local engine on the real file: same segments, rules and
recommendations?

Run: ``python -m benchmarks.bench_spark [--data PATH] [--master local[2]] [--budget 600]``.
Both engines run ``python -m recsys pipeline`` on the file, each in a process of its own,
with ``--until`` the referee's cut (the last 30 days held out), then:

- segments: adjusted Rand index of the two engines' segments at k = 5 (target >= 0.9),
  and at every other k of the sweep;
- rules: Jaccard index of the two rule sets, each rule as (antecedents, consequent)
  (target >= 0.95);
- recommendations: NDCG@10 of both under the referee ``../shared/tools/recs_eval.py``
  (target: Spark within 5 % of local);
- the time of each engine's steps, with the load average.

Everything goes to a private folder (``--work``, default a fresh one under
``$RECSYS_BENCH_DIR`` or ``~/.cache/recsys/bench``), Spark's scratch files included
(``spark.local.dir``, not the shared ``/tmp``); it is removed at the end unless ``--keep``.
A run past ``--budget`` seconds is stopped, with a message saying where.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


def run_engine(data: Path, out: Path, engine: str, *, until: str, master: str, deadline: float,
               steps: tuple[str, ...] = STEPS) -> dict:
    """Run ``python -m recsys pipeline`` in a process of its own (stopped past ``deadline``,
    a ``time.perf_counter()`` value); return its manifest."""
    command = [sys.executable, "-m", "recsys", "pipeline", str(data), "--out", str(out),
               "--engine", engine, "--until", until, "--steps", ",".join(steps), "--master", master]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=max(1.0, deadline - time.perf_counter()))
    if done.returncode != 0:
        raise RuntimeError(f"the {engine} engine failed:\n{done.stderr[-3000:]}")
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REAL_DATA))
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--budget", type=float, default=600, help="seconds before the run gives up (default 600)")
    parser.add_argument("--work", default=None, help="folder for the runs (default: a fresh private one)")
    parser.add_argument("--keep", action="store_true", help="keep the artifacts of both engines")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"comma-separated subset of {','.join(STEPS)} to compare (default all)")
    args = parser.parse_args(argv)
    steps = tuple(s.strip() for s in args.steps.split(",") if s.strip())
    data = Path(args.data)
    if not data.exists():
        print(f"skipped: {data} not found")
        return 0
    base = Path(os.environ.get("RECSYS_BENCH_DIR", Path.home() / ".cache" / "recsys" / "bench"))
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="spark-", dir=base))
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.perf_counter() + args.budget
    try:
        compare(data, folder, master=args.master, deadline=deadline, steps=steps)
    except subprocess.TimeoutExpired as exc:
        print(f"stopped: over the budget of {args.budget:.0f} s in `{' '.join(map(str, exc.cmd[1:8]))} …` "
              f"(load {load_average()})", flush=True)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def compare(data: Path, folder: Path, *, master: str, deadline: float, steps: tuple[str, ...] = STEPS) -> None:
    """Run both engines into ``folder`` and print the comparison."""
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score

    from recsys.data import schema as S
    from recsys.data.load import load_dataset
    from recsys.evaluation.split import time_split
    from recsys.pipeline.artifacts import open_artifacts

    started = time.perf_counter()
    cut = time_split(load_dataset(data).customer_transactions, test_days=30).cut
    until = f"{cut:%Y-%m-%d}"
    print(f"{data.name}, cut {until}, load {load_average()} at the start", flush=True)
    manifests = {}
    for engine in ("local", "spark"):
        tick = time.perf_counter()
        manifests[engine] = run_engine(data, folder / engine, engine, until=until, master=master,
                                       deadline=deadline, steps=steps)
        print(f"{engine}: {time.perf_counter() - tick:.1f} s (load {load_average()}): "
              + ", ".join(f"{k} {v:.1f} s" for k, v in manifests[engine]["timings"].items()), flush=True)
    local, spark = open_artifacts(folder / "local"), open_artifacts(folder / "spark")
    print(f"\n{data.name}, cut {until} (last 30 days held out), master {master}:")
    if "segments" in steps:
        k = int(manifests["local"]["parameters"]["k"])
        a = local.table("segments").sort_values(S.CUSTOMER_ID)
        b = spark.table("segments").set_index(S.CUSTOMER_ID).reindex(a[S.CUSTOMER_ID]).reset_index()
        missing = int(b[S.SEGMENT].isna().sum())
        ari = adjusted_rand_score(a[S.SEGMENT], b[S.SEGMENT].fillna(-1))
        by_k = {}
        ours_by_k, theirs_by_k = spark.table("segments_by_k"), local.table("segments_by_k")
        for each, rows in theirs_by_k.groupby("k"):
            other = ours_by_k[ours_by_k["k"] == each].set_index(S.CUSTOMER_ID)[S.SEGMENT]
            by_k[int(each)] = adjusted_rand_score(rows[S.SEGMENT], other.reindex(rows[S.CUSTOMER_ID]).fillna(-1))
        sweeps = local.table("k_sweep").merge(spark.table("k_sweep"), on="k", suffixes=("_local", "_spark"))
        print(f"segments at k = {k}: ARI {ari:.3f} over {len(a)} customers"
              f"{f' ({missing} missing in Spark)' if missing else ''} (target >= 0.9)")
        print("ARI at every k: " + ", ".join(f"{each}: {value:.3f}" for each, value in by_k.items()))
        print("inertia local / Spark: " + ", ".join(
            f"{int(r.k)}: {r.inertia_local:.0f} / {r.inertia_spark:.0f}" for r in sweeps.itertuples()))
        print(f"suggested k: local {manifests['local']['summary']['segments']['suggested_k']}, "
              f"Spark {manifests['spark']['summary']['segments']['suggested_k']}")
    if "rules" in steps:
        def rule_set(artifacts):
            t = artifacts.table("rules")
            return {(tuple(x), tuple(y)) for x, y in zip(t["antecedents"], t["consequents"], strict=True)}

        ours, theirs = rule_set(spark), rule_set(local)
        jaccard = len(ours & theirs) / max(len(ours | theirs), 1)
        print(f"rules: {len(theirs)} local, {len(ours)} Spark, {len(ours & theirs)} shared, "
              f"Jaccard {jaccard:.3f} (target >= 0.95)")
    if "recommendations" in steps:
        csvs = {}
        for name, artifacts in (("local", local), ("spark", spark)):
            csvs[name] = folder / f"{name}.csv"
            recs = artifacts.table("recommendations")[[S.CUSTOMER_ID, S.RANK, S.PRODUCT_ID]]
            pd.DataFrame(recs).to_csv(csvs[name], index=False)
        ndcg = referee_ndcg(data, csvs, timeout=max(1.0, deadline - time.perf_counter()))
        print(f"recommendations, referee NDCG@10: local {ndcg['local']:.4f}, Spark {ndcg['spark']:.4f} "
              f"({ndcg['spark'] / ndcg['local']:.1%} of local; target >= 95 %)")
    print(f"whole benchmark: {time.perf_counter() - started:.0f} s, load {load_average()} at the end")


if __name__ == "__main__":
    sys.exit(main())
