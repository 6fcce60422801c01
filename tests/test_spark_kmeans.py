"""The Spark engine's k-means starts are the local engine's (no Spark needed to check it)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans

from recsys.pipeline.spark.segments import kmeans_starts
from recsys.segments.ksweep import kmeans_model


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(3)
    centres = rng.normal(scale=3.0, size=(6, 4))
    return np.vstack([c + rng.normal(size=(80, 4)) for c in centres])


@pytest.mark.parametrize("k,seed", [(3, 0), (5, 0), (6, 7)])
def test_kmeans_starts_lead_lloyd_to_the_local_engines_fit(blobs, k, seed):
    local = kmeans_model(k, seed, 4).fit(blobs)
    fits = [KMeans(n_clusters=k, init=start, n_init=1, algorithm="lloyd").fit(blobs)
            for start in kmeans_starts(blobs, k, seed=seed, n_init=4)]
    best = min(fits, key=lambda m: m.inertia_)
    np.testing.assert_allclose(best.inertia_, local.inertia_, rtol=1e-9)
    np.testing.assert_array_equal(best.labels_, local.labels_)


def test_kmeans_starts_are_seeded_and_leave_the_input_alone(blobs):
    before = blobs.copy()
    a = kmeans_starts(blobs, 4, seed=1, n_init=3)
    b = kmeans_starts(blobs, 4, seed=1, n_init=3)
    assert len(a) == 3 and all(s.shape == (4, blobs.shape[1]) for s in a)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], a[1])  # one stream: each start differs
    np.testing.assert_array_equal(blobs, before)
