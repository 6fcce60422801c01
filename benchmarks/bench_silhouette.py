"""The silhouette of the k sweep against scikit-learn's ``silhouette_score``, same sample.

Run: ``python -m benchmarks.bench_silhouette``. For k = 2..12, the k sweep
(:func:`recsys.segments.ksweep.sweep_k`) scores every k on one seeded sample of at most
3,000 customers: it computes the sample's pairwise distances once (float32) and reuses
them for every k. scikit-learn's :func:`sklearn.metrics.silhouette_score` recomputes the
distances for each k. Both run here on the same sample and the same k-means labels, on
one BLAS thread (as in the app, :func:`recsys.segments.ksweep.thread_limit`); the k-means
fits are not timed. Printed: best-of-three wall and CPU seconds for all eleven k, the
speed-up, and the largest difference between the two silhouettes (they must agree).

Cases: the real Online Retail file in ``../shared/data`` (RFM + behaviour; skipped when
absent) and 100,000 synthetic customers (:func:`benchmarks.bench_segmentation.synthetic_features`).
The load average is printed before and after: on a shared machine, wall seconds are noisy.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "online_retail.parquet"
RUNS = 3


def _best(fn) -> tuple[float, float, object]:
    """Return ``(best wall s, CPU s of that run, result)`` over :data:`RUNS` calls."""
    best = None
    for _ in range(RUNS):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        timing = (time.perf_counter() - start, time.process_time() - cpu, result)
        if best is None or timing[0] < best[0]:
            best = timing
    return best


def compare(prepared, *, random_state: int = 0) -> dict:
    """Time both silhouettes for k = 2..12 on the sweep's own sample of ``prepared``.

    Returns
    -------
    dict
        ``customers``, ``sample``, ``sklearn_s`` / ``sklearn_cpu_s``, ``ksweep_s`` /
        ``ksweep_cpu_s`` (wall / CPU seconds, all k), ``max_diff`` (largest absolute
        difference between the two silhouettes over k).
    """
    from sklearn.metrics import silhouette_score

    from recsys.segments import ksweep

    x = np.asarray(prepared, dtype=np.float64)
    _, rng = ksweep._sample_streams(random_state)
    n = ksweep.SILHOUETTE_SAMPLE
    sample = np.sort(rng.choice(len(x), size=n, replace=False)) if len(x) > n else np.arange(len(x))
    xs = x[sample]
    labels = {k: ksweep.fit_kmeans(x, k, random_state=random_state)[0][sample] for k in ksweep.K_RANGE}

    def with_sklearn():
        return [silhouette_score(xs, labels[k]) for k in ksweep.K_RANGE]

    def with_ksweep():
        distances = ksweep._pairwise_distances(xs)
        return [ksweep._silhouette(distances, labels[k], k) for k in ksweep.K_RANGE]

    with ksweep.thread_limit():
        sk_wall, sk_cpu, sk = _best(with_sklearn)
        own_wall, own_cpu, own = _best(with_ksweep)
    return {
        "customers": len(x), "sample": len(xs),
        "sklearn_s": sk_wall, "sklearn_cpu_s": sk_cpu,
        "ksweep_s": own_wall, "ksweep_cpu_s": own_cpu,
        "max_diff": float(np.max(np.abs(np.array(sk) - np.array(own)))),
    }


def _cases():
    from benchmarks.bench_segmentation import synthetic_features
    from recsys.segments.kmeans import prepare_features

    if REAL_DATA.exists():
        from recsys.data.categories import dataset_categories
        from recsys.data.load import load_dataset
        from recsys.segments.features import customer_features

        dataset = load_dataset(REAL_DATA)
        features = customer_features(dataset, products=dataset_categories(dataset))
        yield "real data (RFM + behaviour)", prepare_features(features)
    else:
        print(f"(real data not found at {REAL_DATA}: real-data row skipped)")
    yield "100k synthetic customers", prepare_features(synthetic_features(100_000))


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "n/a"


def main() -> None:
    print(f"load average before: {_load()}")
    print(f"{'case':<30} {'customers':>10} {'sample':>7} {'sklearn s':>10} {'CPU s':>7} "
          f"{'k sweep s':>10} {'CPU s':>7} {'speed-up':>9} {'max |diff|':>11}")
    for name, prepared in _cases():
        r = compare(prepared)
        print(f"{name:<30} {r['customers']:>10,} {r['sample']:>7,} {r['sklearn_s']:>10.3f} "
              f"{r['sklearn_cpu_s']:>7.3f} {r['ksweep_s']:>10.3f} {r['ksweep_cpu_s']:>7.3f} "
              f"{r['sklearn_s'] / r['ksweep_s']:>8.1f}x {r['max_diff']:>11.1e}", flush=True)
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
