"""The app shell on the real Online Retail file: Overview figures and page render times.

Run: ``python -m benchmarks.bench_overview``. Measures, best of three after a warm-up:

- the Overview figures (``recsys.insights.overview``: KPIs, top products, top countries) and the
  monthly revenue (``recsys.insights.trends.period_totals``) — computed once per data set, then cached;
- the server time of the Overview and Data pages, rendered through the router with
  ``streamlit.testing`` AppTest on the cached data set (what a page switch costs).

Peak memory is the tracemalloc peak of the step (Python and NumPy allocations). The real
file is read from ``../shared/data`` (the bundled sample is used when it is absent).
Target (DESIGN.md): every page interaction on cached data well under a second.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "online_retail.parquet"
RUNS = 3


def _measure(fn) -> tuple[float, float]:
    """Return (best seconds of RUNS after one warm-up, tracemalloc peak MB of one run)."""
    fn()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return min(times), peak / 2**20


def main() -> None:
    from streamlit.testing.v1 import AppTest

    from recsys.data.load import load_dataset
    from recsys.insights import overview
    from recsys.insights.trends import period_totals

    source = REAL_DATA if REAL_DATA.exists() else ROOT / "data"
    dataset = load_dataset(source)
    tx = dataset.transactions
    rows = [
        ("shop_kpis", lambda: overview.shop_kpis(dataset)),
        ("top_products (n=10)", lambda: overview.top_products(tx, dataset.products, n=10)),
        ("top_countries (n=10)", lambda: overview.top_countries(tx, n=10)),
        ("period_totals (month)", lambda: period_totals(tx, freq="M")),
    ]

    os.environ["RECSYS_DATA"] = str(source)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()  # loads and caches the data set and the Overview figures

    def overview_page():
        app.switch_page("pages/overview.py").run()

    def data_page():
        app.switch_page("pages/data.py").run()

    rows += [
        ("Overview page render (cached data)", overview_page),
        ("Data page render (cached data)", data_page),
    ]

    print(f"data: {source.name}, {len(tx):,} clean lines, {len(dataset.customers):,} customers")
    print(f"{'step':<38} {'best of 3':>10} {'peak MB':>9}")
    for name, fn in rows:
        seconds, peak = _measure(fn)
        print(f"{name:<38} {seconds:>9.3f}s {peak:>9.1f}")


if __name__ == "__main__":
    main()
