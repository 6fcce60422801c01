"""The k sweep: inertia and silhouette for every k, and a suggested k with its reason.

k-means runs on the standardised features of :func:`recsys.segments.kmeans.prepare_features`
with ``algorithm="lloyd"``, an explicit ``n_init`` and ``random_state``. The silhouette
is computed on a seeded sample (at most :data:`SILHOUETTE_SAMPLE` customers) whose
pairwise distances are computed once and reused for every k, so the sweep costs little
more than the k-means fits themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from recsys.errors import ParameterError

K_RANGE: tuple[int, ...] = tuple(range(2, 13))
"""The k values of the default sweep."""

N_INIT_SMALL, N_INIT_LARGE, LARGE = 5, 3, 20_000
"""k-means restarts per k (the best one is kept): 5 up to 20,000 customers, where a fit
costs milliseconds and more restarts avoid a poor local optimum (3 restarts merged two
planted segments of the generated shop in 1 fit of 6), 3 above, on a sample."""
FIT_SAMPLE = 20_000
"""Above :data:`LARGE` customers, k-means restarts run on a seeded sample of this size."""
REFINE_ITER = 20
"""Lloyd iterations on all customers after a sample fit (they converge in a few)."""
SILHOUETTE_SAMPLE = 3000
"""The silhouette is computed on at most this many customers (a seeded sample)."""
NEAR_BEST_SILHOUETTE = 0.02
"""Silhouettes within this of the best count as equally good when suggesting k."""


def default_n_init(n_customers: int) -> int:
    """Return the k-means restarts used for ``n_customers`` (see :data:`N_INIT_SMALL`)."""
    return N_INIT_SMALL if n_customers <= LARGE else N_INIT_LARGE


def kmeans_model(k: int, random_state: int | None, n_init: int, **kwargs) -> KMeans:
    """Return the unfitted k-means every fit of the project uses (Lloyd, explicit seed)."""
    return KMeans(n_clusters=k, n_init=n_init, algorithm="lloyd", random_state=random_state, **kwargs)


def thread_limit() -> threadpool_limits:
    """Run k-means (OpenMP) and the silhouette's matrix products (BLAS) on one thread.

    OpenMP threads that spin while they wait make k-means many times slower on a busy
    machine (measured on the shared 2-core box: a 4,000-customer sweep took 96 s with
    two threads and 5 s with one; the 100,000-customer sweep 42 s against 4.5 s). A
    dashboard server is such a machine, and the sample-based fit below is fast enough
    on one core.
    """
    return threadpool_limits(limits=1)


def _sample_streams(random_state: int | None) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent generators for the k-means fit sample and the silhouette sample.

    Both come from ``random_state``; drawn from one seed directly, the silhouette sample
    would be the first rows of the fit sample rather than an independent one.
    """
    fit_rng, silhouette_rng = np.random.default_rng(random_state).spawn(2)
    return fit_rng, silhouette_rng


def fit_kmeans(
    x: np.ndarray, k: int, *, random_state: int | None = 0, n_init: int | None = None
) -> tuple[np.ndarray, float]:
    """Fit k-means with ``k`` clusters; return the cluster id of each row and the inertia.

    Up to :data:`LARGE` rows, a plain fit with ``n_init`` restarts. Above, the restarts
    run on a seeded sample of :data:`FIT_SAMPLE` rows (the centres of 20,000 customers
    are as good as those of all of them), and a few Lloyd iterations on all rows, started
    from the sample's best centres, give the final centres, labels and inertia: the
    cost of restarts no longer grows with the number of customers.

    Returns
    -------
    labels : ndarray of int, shape (n_rows,)
        Cluster ids 0..k-1.
    inertia : float
        Sum of squared distances of the rows to their centre.
    """
    x = np.asarray(x, dtype=np.float64)
    n_init = default_n_init(len(x)) if n_init is None else int(n_init)
    with thread_limit():
        if len(x) <= LARGE:
            model = kmeans_model(k, random_state, n_init).fit(x)
            return model.labels_, float(model.inertia_)
        rng, _ = _sample_streams(random_state)
        sample = x[rng.choice(len(x), size=FIT_SAMPLE, replace=False)]
        start = kmeans_model(k, random_state, n_init).fit(sample).cluster_centers_
        model = kmeans_model(k, random_state, 1, init=start, max_iter=REFINE_ITER).fit(x)
        return model.labels_, float(model.inertia_)


@dataclass(frozen=True)
class KSweep:
    """Evidence for choosing k.

    Attributes
    ----------
    table : DataFrame
        One row per k: ``k`` (int), ``inertia`` (float, sum of squared distances to
        the nearest centre in the standardised space; lower is tighter),
        ``silhouette`` (float in [-1, 1]; higher means better separated segments).
    suggested_k : int
        The k the evidence favours.
    reason : str
        Why, in words a marketer reads.
    elbow_k : int
        Where the inertia curve bends most.
    best_silhouette_k : int
        The k with the highest silhouette.
    sample_size : int
        Customers the silhouette was computed on.
    n_customers : int
        Customers clustered.
    labels : dict of int to ndarray
        The k-means cluster ids (0..k-1, in input row order) of every k, so that
        :func:`segment_customers` can reuse a fit instead of repeating it.
    """

    table: pd.DataFrame
    suggested_k: int
    reason: str
    elbow_k: int
    best_silhouette_k: int
    sample_size: int
    n_customers: int
    labels: dict[int, np.ndarray] = field(default_factory=dict, repr=False)


def sweep_k(
    prepared: pd.DataFrame | np.ndarray,
    *,
    k_range: tuple[int, ...] | range = K_RANGE,
    random_state: int | None = 0,
    n_init: int | None = None,
    sample_size: int = SILHOUETTE_SAMPLE,
) -> KSweep:
    """Fit k-means for every k in ``k_range``; return inertia, silhouette and a suggested k.

    Parameters
    ----------
    prepared : DataFrame or ndarray of shape (n_customers, n_features)
        Standardised features (:func:`prepare_features`).
    k_range : sequence of int, default 2..12
        k values to try; each must be at least 2 and below the number of customers.
    random_state : int or None, default 0
        Seed of k-means and of the silhouette sample.
    n_init : int, optional
        k-means restarts per k; default :func:`default_n_init` of the customer count.
    sample_size : int, default 3000
        The silhouette uses all customers up to this many, else a seeded random sample
        of this size (its pairwise distances are computed once and reused for every k).

    Returns
    -------
    KSweep
    """
    x = np.asarray(prepared, dtype=np.float64)
    ks = sorted({int(k) for k in k_range})
    if not ks or ks[0] < 2:
        raise ParameterError(f"every k must be at least 2, got {ks}")
    if ks[-1] >= len(x):
        raise ParameterError(f"k={ks[-1]} needs more than {len(x)} customers: try fewer segments or more customers")
    n_init = default_n_init(len(x)) if n_init is None else int(n_init)
    _, rng = _sample_streams(random_state)
    sample = np.sort(rng.choice(len(x), size=sample_size, replace=False)) if len(x) > sample_size else np.arange(len(x))
    rows = []
    labels = {}
    with thread_limit():
        distances = _pairwise_distances(x[sample])
        for k in ks:
            fitted, inertia = fit_kmeans(x, k, random_state=random_state, n_init=n_init)
            labels[k] = fitted.astype(np.int16)
            rows.append((k, inertia, _silhouette(distances, fitted[sample], k)))
    table = pd.DataFrame(rows, columns=["k", "inertia", "silhouette"])
    suggested, elbow, best, reason = suggest_k(table)
    return KSweep(table, suggested, reason, elbow, best, len(sample), len(x), labels)


def suggest_k(table: pd.DataFrame) -> tuple[int, int, int, str]:
    """Combine the silhouette and the inertia elbow into one suggested k.

    The silhouette says how well separated the segments are; the elbow says where more
    segments stop paying off. Every k whose silhouette is within
    :data:`NEAR_BEST_SILHOUETTE` of the best is as good on separation; among those, the
    one nearest the elbow is suggested (the smaller k on a tie).

    Parameters
    ----------
    table : DataFrame
        Columns ``k``, ``inertia``, ``silhouette`` (as :attr:`KSweep.table`).

    Returns
    -------
    tuple
        ``(suggested_k, elbow_k, best_silhouette_k, reason)``.
    """
    ks = table["k"].to_numpy()
    sil = table["silhouette"].to_numpy()
    best_i = int(np.nanargmax(sil))
    best_k = int(ks[best_i])
    elbow = elbow_k(ks, table["inertia"].to_numpy())
    near = [i for i in range(len(ks)) if sil[i] >= sil[best_i] - NEAR_BEST_SILHOUETTE]
    pick = min(near, key=lambda i: (abs(ks[i] - elbow), ks[i]))
    k = int(ks[pick])
    if k == best_k and k == elbow:
        reason = (
            f"k = {k} has the best silhouette ({sil[pick]:.2f}: the most clearly separated "
            f"segments) and is where the inertia curve bends (the elbow: more segments "
            f"beyond it add little)."
        )
    elif k == best_k:
        reason = (
            f"k = {k} has the best silhouette ({sil[pick]:.2f}: the most clearly separated "
            f"segments). The inertia curve bends at k = {elbow}, but its segments are less "
            f"well separated (silhouette {sil[list(ks).index(elbow)]:.2f})."
        )
    else:
        reason = (
            f"k = {k} separates segments almost as well as the best k = {best_k} "
            f"(silhouette {sil[pick]:.2f} vs {sil[best_i]:.2f}) and is "
            + ("the elbow of the inertia curve" if k == elbow else f"nearer the inertia elbow (k = {elbow})")
            + ", so it tells more groups apart at little cost in separation."
        )
    return k, elbow, best_k, reason


def elbow_k(ks: np.ndarray, inertia: np.ndarray) -> int:
    """Return the k where the inertia curve bends most (furthest below its chord).

    Both axes are scaled to [0, 1]; the elbow is the point with the largest vertical
    distance below the straight line from the first to the last point ("kneedle").
    """
    ks = np.asarray(ks, dtype=float)
    y = np.asarray(inertia, dtype=float)
    if len(ks) < 3 or np.ptp(y) == 0:
        return int(ks[0])
    xn = (ks - ks[0]) / (ks[-1] - ks[0])
    yn = (y - y.min()) / np.ptp(y)
    chord = yn[0] + (yn[-1] - yn[0]) * xn
    return int(ks[int(np.argmax(chord - yn))])


def _pairwise_distances(x: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of ``x`` (float32 to halve the memory)."""
    x32 = x.astype(np.float32)
    sq = (x32 * x32).sum(axis=1)
    d2 = sq[:, None] + sq[None, :] - 2 * (x32 @ x32.T)
    np.maximum(d2, 0, out=d2)
    return np.sqrt(d2, out=d2)


def _silhouette(distances: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Mean silhouette of the sample, from its precomputed distance matrix.

    Same definition as :func:`sklearn.metrics.silhouette_score`: s = (b − a) / max(a, b),
    0 for members of single-customer clusters.
    """
    onehot = np.zeros((len(labels), k), dtype=np.float32)
    onehot[np.arange(len(labels)), labels] = 1
    sums = distances @ onehot
    sizes = onehot.sum(axis=0)
    own = sizes[labels]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[np.arange(len(labels)), labels] / (own - 1)
        mean_other = sums / sizes
    mean_other[np.arange(len(labels)), labels] = np.inf
    mean_other[:, sizes == 0] = np.inf
    b = mean_other.min(axis=1)
    with np.errstate(invalid="ignore"):  # a = b = 0 (members at one point): 0, as scikit-learn
        s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(np.nan_to_num(s).mean())
