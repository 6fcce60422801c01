"""Segmentation speed: the k sweep (k = 2..12 with silhouette) and the Segments page.

Run: ``python -m benchmarks.bench_segmentation``. Each case runs in a fresh process, so
nothing is cached between cases and the peak memory is that process's peak resident set
size (``ru_maxrss``: interpreter, libraries and data together). CPU seconds are shown
beside wall seconds because the machine may be shared (wall > CPU means waiting for a
core, CPU > wall means two cores at work).

Cases
-----
sweep 100k
    100,000 synthetic customers (features drawn directly from six planted groups, as
    :func:`recsys.segments.features.customer_features` would return them), RFM + behaviour. Above
    20,000 customers each k is fitted on a 20,000-customer sample (3 restarts) and refined
    by Lloyd iterations on everyone (:func:`recsys.segments.ksweep.fit_kmeans`).
real data
    The Online Retail file in ``../shared/data`` (skipped when absent): load, features,
    then the sweep for each feature set.
page re-render
    AppTest of ``pages/segments.py`` on the real data (the generated shop when absent):
    the first run (cold: features, sweep, segments) and reruns after moving k on the
    cached sweep (server time per run, AppTest overhead included).

k-means runs on one thread (see :func:`recsys.segments.ksweep.thread_limit`).

Targets (issue 3, 2-core machine): sweep of 100k customers <= 10 s; sweep of the real
file <= 2 s; moving k on a cached sweep re-renders in <= 0.3 s.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "online_retail.parquet"
N_SYNTHETIC = 100_000


def synthetic_features(n_customers: int, *, rng=0):
    """Return customer features of ``n_customers`` drawn from six planted groups.

    Columns as :func:`recsys.segments.features.customer_features` (no categories, no country).
    """
    import numpy as np
    import pandas as pd

    from recsys.segments import features as F

    rng = np.random.default_rng(rng)
    # (share, recency median days, orders mean, order value median £)
    groups = [(0.08, 10, 20, 600), (0.17, 25, 8, 300), (0.18, 60, 4, 90), (0.16, 90, 2.5, 350),
              (0.22, 200, 1, 150), (0.19, 250, 5, 250)]
    shares = np.array([g[0] for g in groups])
    group = rng.choice(len(groups), size=n_customers, p=shares / shares.sum())
    rec = np.array([g[1] for g in groups])[group] * rng.lognormal(0, 0.5, n_customers)
    freq = 1 + rng.poisson(np.array([g[2] for g in groups])[group] - 0.5 * (group == 4))
    aov = np.array([g[3] for g in groups])[group] * rng.lognormal(0, 0.4, n_customers)
    tenure = np.minimum(rec + freq * rng.uniform(5, 40, n_customers), 400)
    frame = pd.DataFrame(
        {
            F.RECENCY_DAYS: np.clip(rec, 1, 400).round(),
            F.FREQUENCY: freq,
            F.MONETARY: aov * freq,
            F.AVG_ORDER_VALUE: aov,
            F.ITEMS_PER_ORDER: aov / rng.uniform(1, 4, n_customers),
            F.DISTINCT_PRODUCTS: np.maximum(1, (freq * rng.uniform(3, 15, n_customers)).round()),
            F.TENURE_DAYS: np.maximum(tenure.round(), np.clip(rec, 1, 400).round()),
            F.MEAN_DAYS_BETWEEN_ORDERS: np.where(freq > 1, (tenure - rec) / np.maximum(freq - 1, 1), np.nan),
            F.CANCELLATION_RATE: rng.beta(0.3, 8, n_customers),
        },
        index=pd.Index([str(100_000 + i) for i in range(n_customers)], name="customer_id"),
    )
    return frame


def _timed(fn):
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - start, time.process_time() - cpu


def _case(name: str, queue) -> None:
    from recsys.segments import kmeans as sg
    from recsys.segments import ksweep

    rows = []
    if name == "sweep 100k":
        features = synthetic_features(N_SYNTHETIC)
        prepared, wall, cpu = _timed(lambda: sg.prepare_features(features))
        rows.append(("100k synthetic: prepare", wall, cpu, f"{len(features):,} customers"))
        sweep, wall, cpu = _timed(lambda: ksweep.sweep_k(prepared, random_state=0))
        rows.append(("100k synthetic: sweep k=2..12", wall, cpu,
                     f"silhouette sample {sweep.sample_size:,}; suggested k={sweep.suggested_k}"))
    elif name == "real data":
        from recsys.data.load import load_dataset
        from recsys.segments.features import customer_features

        dataset, wall, cpu = _timed(lambda: load_dataset(REAL_DATA))
        rows.append(("real: load + clean", wall, cpu, f"{len(dataset.transactions):,} lines"))
        features, wall, cpu = _timed(lambda: customer_features(dataset))
        rows.append(("real: customer features", wall, cpu, f"{len(features):,} customers"))
        for feature_set in ("rfm", "rfm_behaviour"):
            def sweep(fs=feature_set):
                return ksweep.sweep_k(sg.prepare_features(features, feature_set=fs), random_state=0)

            result, wall, cpu = _timed(sweep)
            rows.append((f"real: prepare + sweep ({feature_set})", wall, cpu,
                         f"sample {result.sample_size:,}; suggested k={result.suggested_k}"))
    else:
        rows.extend(_page_rows())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put([(*row, peak) for row in rows])


def _page_rows():
    from streamlit.testing.v1 import AppTest

    from ui import state

    if REAL_DATA.exists():
        from recsys.data.load import load_dataset

        dataset, label = load_dataset(REAL_DATA), "real"
    else:
        from recsys.synth.shop import generate_shop

        dataset, label = generate_shop(n_customers=4000, seed=0).to_dataset(), "generated 4k"
    state.get_dataset = lambda: dataset
    at = AppTest.from_file(str(ROOT / "pages" / "segments.py"), default_timeout=300)
    at.session_state[state.K_KEY] = 5
    _, wall, cpu = _timed(at.run)
    rows = [(f"page ({label}): first run, cold", wall, cpu, "features + sweep + segments")]
    for k in (3, 4, 6, 8, 5):
        at.session_state[state.K_KEY] = k
        _, wall, cpu = _timed(at.run)
        rows.append((f"page ({label}): k -> {k}, cached sweep", wall, cpu, "exception" if at.exception else "ok"))
    return rows


def main() -> None:
    cases = ["sweep 100k", "real data" if REAL_DATA.exists() else None, "page re-render"]
    context = mp.get_context("spawn")
    print(f"{'case':<44} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}  detail")
    for name in filter(None, cases):
        queue = context.Queue()
        process = context.Process(target=_case, args=(name, queue))
        process.start()
        rows = queue.get()
        process.join()
        for label, wall, cpu, detail, peak in rows:
            print(f"{label:<44} {wall:>8.2f} {cpu:>8.2f} {peak:>13,.0f}  {detail}", flush=True)
    if not REAL_DATA.exists():
        print(f"(real data not found at {REAL_DATA}: real-data rows skipped)")


if __name__ == "__main__":
    main()
