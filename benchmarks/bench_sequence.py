"""The neural sequence recommender against the hybrid and EASE-recency, scored by the referee.

Run: ``python -m benchmarks.bench_sequence`` (needs the neural extra,
``requirements-neural.txt``). On the real Online Retail file (or the bundled sample
where it is absent), split at the last 30 days exactly as ``../shared/tools/recs_eval.py``
does, then:

* fit :class:`~recsys.recommend.sequence.SequenceRecommender` with its defaults on the
  lines before the cut (wall and CPU seconds, PyTorch threads = the cores available);
* fit the hybrid on the same lines;
* write both top-10 lists of every customer with history to CSV and let the referee score
  them beside its own EASE-recency (NDCG@10, hit rate, coverage on new items).

Targets (issue 11): fit <= 90 s on the real file on 2 cores; the hybrid blends the model in
only where its own validation says it helps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from recsys.data import schema as S

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "online_retail.parquet"
REFEREE = ROOT.parent / "shared" / "tools" / "recs_eval.py"


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(fn):
    """Return ``(result, wall seconds, CPU seconds of this process)``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def referee(source: Path, csvs: dict[str, Path]) -> dict[str, dict[str, float]]:
    """Return the referee's results by name (its EASE-recency anchor and the given CSVs)."""
    cmd = [sys.executable, str(REFEREE), str(source), "--anchors", "ease", "--json"]
    for name, path in csvs.items():
        cmd += ["--project-csv", f"{name}={path}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout[out.stdout.index("{"):])["results"]


def main() -> None:
    """Print fit times and the referee's scores."""
    from recsys.data.load import load_dataset
    from recsys.evaluation.split import as_of_products, time_split
    from recsys.recommend.hybrid import HybridRecommender
    from recsys.recommend.sequence import SequenceRecommender, require_torch

    require_torch()
    source = REAL if REAL.exists() else ROOT / "data"
    dataset = load_dataset(source)
    split = time_split(dataset.transactions, test_days=30)
    train = split.train[split.train[S.CUSTOMER_ID].notna()]
    products = as_of_products(dataset.products, split.train)
    users = sorted(train[S.CUSTOMER_ID].astype(str).unique())
    print(f"load average before: {load_average()} on {os.cpu_count()} cores")
    print(f"data: {source.name}, {len(train):,} training lines before {split.cut:%Y-%m-%d}, "
          f"{len(users):,} customers, {train[S.PRODUCT_ID].nunique():,} products")

    sequence, seq_wall, seq_cpu = timed(lambda: SequenceRecommender().fit(train, products=products))
    print(f"load average after the neural fit: {load_average()}")
    hybrid, hyb_wall, hyb_cpu = timed(lambda: HybridRecommender().fit(
        train, products=products, customers=dataset.customers))
    rows = [("neural sequence", seq_wall, seq_cpu, sequence.threads_),
            ("hybrid", hyb_wall, hyb_cpu, None)]
    print(pd.DataFrame(rows, columns=["fit", "wall s", "CPU s", "torch threads"])
          .to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    print(f"neural training loss by epoch: {[round(x, 3) for x in sequence.losses_]}")

    if not REFEREE.exists() or source != REAL:
        print("the referee or the real file is absent: no quality figures")
        return
    with tempfile.TemporaryDirectory() as tmp:
        csvs = {}
        for name, model in (("sequence", sequence), ("hybrid", hybrid)):
            recs, seconds, _ = timed(lambda m=model: m.recommend(users, n=10))
            print(f"{name}: top 10 of {len(users):,} customers in {seconds:.1f} s")
            csvs[name] = Path(tmp) / f"{name}.csv"
            recs[[S.CUSTOMER_ID, "rank", S.PRODUCT_ID]].to_csv(csvs[name], index=False)
        results = referee(source, csvs)
    table = pd.DataFrame(results).T[["NDCG@10", "HR@10", "R@10", "coverage"]]
    print("\nreferee (recs_eval.py, new items after the cut, k = 10):")
    print(table.to_string(float_format=lambda v: f"{v:.4f}"))


if __name__ == "__main__":
    main()
