"""Recommenders: fit time, single-customer latency, batch time, peak memory, quality.

Run: ``python -m benchmarks.bench_recommend``. Times are wall seconds without tracing;
peak memory comes from a second, traced run (tracemalloc, NumPy buffers included). On the real Online Retail file (or the
bundled sample where it is absent), split at the last 30 days exactly as
``../shared/tools/recs_eval.py`` does, then:

* fit the hybrid on the training lines (wall seconds, tracemalloc peak);
* one customer's top 10 with reasons, 300 random customers (p50 / p95 milliseconds,
  wall clock and the thread's CPU time, which a busy machine does not inflate);
* every customer with history in one batch call (seconds);
* a synthetic 50,000-product catalogue (memory bound: item-kNN replaces EASE);
* quality: new-item metrics at k = 10 of the hybrid and its baselines ("with history"
  is the referee's population), beside the referee's reference numbers.

Targets (issue 5, 2-core machine): fit <= 10 s, p95 <= 5 ms, batch <= 10 s, new-item
NDCG@10 >= 0.110.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from recsys.data import schema as S

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "online_retail.parquet"

REFEREE_ANCHORS = {
    "popularity": 0.0341,
    "implicit-ALS-64": 0.0906,
    "implicit-BM25-kNN": 0.0784,
    "tfidf-content": 0.0664,
    "EASE-recency(l=300,hl=60d)": 0.1029,
}
"""NDCG@10 printed by ``recs_eval.py online_retail.parquet`` (cut 2011-11-09, 1,287 users)."""


def measured(fn):
    """Return ``(result, seconds, peak MB)`` of one call under tracemalloc."""
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def large_catalogue(n_products: int = 50_000, n_customers: int = 20_000,
                    lines: int = 600_000, rng=0) -> pd.DataFrame:
    """Return random transactions over ``n_products`` (Zipf-like popularity)."""
    rng = np.random.default_rng(rng)
    weights = 1.0 / np.arange(1, n_products + 1) ** 0.8
    products = rng.choice(n_products, size=lines, p=weights / weights.sum())
    customers = rng.integers(0, n_customers, size=lines)
    days = rng.integers(0, 365, size=lines)
    return pd.DataFrame({
        S.INVOICE_ID: [f"I{c}-{d}" for c, d in zip(customers, days // 7, strict=True)],
        S.INVOICE_DATE: pd.Timestamp("2011-01-01") + pd.to_timedelta(days, unit="D"),
        S.CUSTOMER_ID: [f"C{c}" for c in customers],
        S.PRODUCT_ID: [f"P{p}" for p in products],
    })


def large_catalogue_fit() -> tuple[float, float, str]:
    """Fit the hybrid on :func:`large_catalogue` in a fresh process.

    Returns seconds, the process's peak resident memory in MB (interpreter and
    libraries included) and the collaborative part used.
    """
    code = (
        "import resource, time\n"
        "from benchmarks.bench_recommend import large_catalogue\n"
        "from recsys.recommend.hybrid import HybridRecommender\n"
        "big = large_catalogue()\n"
        "t = time.perf_counter(); m = HybridRecommender().fit(big)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,"
        " type(m.collaborative_).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    seconds, rss, kind = out.stdout.split()
    return float(seconds), float(rss), kind


def main() -> None:
    """Print the speed, memory and quality tables."""
    from recsys.data.load import load_dataset
    from recsys.evaluation.compare import default_models, evaluate_models
    from recsys.evaluation.split import as_of_products, time_split
    from recsys.recommend.hybrid import HybridRecommender

    source = REAL if REAL.exists() else ROOT / "data"
    dataset = load_dataset(source)
    split = time_split(dataset.transactions, test_days=30)
    train = split.train[split.train[S.CUSTOMER_ID].notna()]
    products = as_of_products(dataset.products, split.train)
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"data: {source.name}, {len(train):,} training lines before {split.cut:%Y-%m-%d}, "
          f"{train[S.CUSTOMER_ID].nunique():,} customers, {train[S.PRODUCT_ID].nunique():,} products")

    def fit():
        return HybridRecommender().fit(train, products=products, customers=dataset.customers)

    start, start_cpu = time.perf_counter(), time.process_time()
    model = fit()
    fit_s, fit_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    fit_mb = measured(fit)[2]  # tracemalloc slows Python code: memory from a second fit
    users = sorted(train[S.CUSTOMER_ID].astype(str).unique())
    rng = np.random.default_rng(0)
    sample = rng.choice(users, size=min(300, len(users)), replace=False)
    model.recommend(sample[0], n=10)  # warm-up
    times, cpu = [], []
    for cid in sample:
        start, start_cpu = time.perf_counter(), time.thread_time()
        model.recommend(cid, n=10)
        times.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
    times_ms, cpu_ms = 1000 * np.array(times), 1000 * np.array(cpu)
    start, start_cpu = time.perf_counter(), time.process_time()
    batch = model.recommend(users, n=10)
    batch_s, batch_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    batch_mb = measured(lambda: model.recommend(users, n=10))[2]

    big_s, big_mb, big_kind = large_catalogue_fit()
    rows = [
        ("fit hybrid (real, incl. inner validation)", f"{fit_s:.2f} s (CPU {fit_cpu:.2f} s)",
         f"{fit_mb:.0f} MB"),
        ("one customer, top 10 + reasons: p50", f"{np.percentile(times_ms, 50):.2f} ms", ""),
        ("one customer, top 10 + reasons: p95", f"{np.percentile(times_ms, 95):.2f} ms", ""),
        ("  same, CPU time of the thread: p50 / p95",
         f"{np.percentile(cpu_ms, 50):.2f} / {np.percentile(cpu_ms, 95):.2f} ms", ""),
        (f"batch, {len(users):,} customers × 10", f"{batch_s:.2f} s (CPU {batch_cpu:.2f} s)",
         f"{batch_mb:.0f} MB"),
        (f"fit hybrid, 50,000 products, 600,000 lines ({big_kind})",
         f"{big_s:.2f} s", f"{big_mb:.0f} MB RSS"),
    ]
    print(pd.DataFrame(rows, columns=["step", "time", "peak memory"]).to_string(index=False))
    print(f"chosen blend: {model.blend_}")
    print(f"every customer with history served: {batch[S.CUSTOMER_ID].nunique() == len(users)}")

    table = evaluate_models(dataset.transactions, models=default_models(0), test_days=30, k=10,
                            products=dataset.products, customers=dataset.customers)
    print("\nquality, new items at k = 10 (project):")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if source == REAL:
        print("\nreferee anchors, NDCG@10 on the same split:")
        for name, value in REFEREE_ANCHORS.items():
            print(f"  {name:<28} {value:.4f}")


if __name__ == "__main__":
    main()
