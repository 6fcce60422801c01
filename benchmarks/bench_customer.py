"""One customer's page figures: index build, profile + history look-up, id suggestions.

Run: ``python -m benchmarks.bench_customer``. Uses the real Online Retail file when it
is present (``../shared/data``), else a generated 4,000-customer shop. Times are
wall-clock over 200 random customers (p50 / p95); peak memory by tracemalloc for the
one-off index build. The recommender itself is measured in ``bench_recommend``.

Target (DESIGN.md): every page interaction on cached data well under a second.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "online_retail.parquet"
CUSTOMERS = 200


def _dataset():
    if REAL_DATA.exists():
        from recsys.data.load import load_dataset

        return "real Online Retail", load_dataset(REAL_DATA)
    from recsys.synth.shop import generate_shop

    return "generated (4,000 customers)", generate_shop(n_customers=4000, seed=1).to_dataset()


def _percentiles(times: list[float]) -> str:
    ms = np.asarray(times) * 1000
    return f"{np.percentile(ms, 50):8.2f} {np.percentile(ms, 95):8.2f}"


def main() -> None:
    from recsys.insights.customer_ids import known_customer_ids, suggest_customer_ids
    from recsys.insights.customers import customer_lines, customer_profile, purchase_history

    name, dataset = _dataset()
    tracemalloc.start()
    start = time.perf_counter()
    lookup = customer_lines(dataset)
    build = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    known = known_customer_ids(dataset)
    rng = np.random.default_rng(0)
    sample = rng.choice(np.asarray(known, dtype=object), size=min(CUSTOMERS, len(known)), replace=False)

    rows = []
    for label, call in (
        ("profile (indexed)", lambda c: customer_profile(dataset, c, lookup=lookup)),
        ("history (indexed)", lambda c: purchase_history(dataset, c, lookup=lookup)),
        ("profile (scan)", lambda c: customer_profile(dataset, c)),
        ("suggest ids", lambda c: suggest_customer_ids(known, str(int(c) + 1) if c.isdigit() else c)),
    ):
        times = []
        for cid in sample[: 40 if "scan" in label else len(sample)]:
            start = time.perf_counter()
            call(str(cid))
            times.append(time.perf_counter() - start)
        rows.append((label, _percentiles(times)))

    print(f"data: {name}, {len(dataset.customer_transactions):,} customer lines, {len(known):,} customers")
    print(f"index build: {build:.2f} s, peak {peak / 2**20:.0f} MiB (tracemalloc)")
    print(f"{'step':<20} {'p50 ms':>8} {'p95 ms':>8}")
    for label, figures in rows:
        print(f"{label:<20} {figures}")


if __name__ == "__main__":
    main()
