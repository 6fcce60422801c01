"""Where the dashboard keeps the artifacts of the files it opens, and how it reads them.

Each source file gets one artifact folder, named by the fingerprint of its bytes, under
:func:`artifact_home` (``$RECSYS_ARTIFACTS``, default ``~/.cache/recsys/artifacts``). The
first time a file is opened the pipeline runs into that folder (with a progress
callback); afterwards, in any session and after any restart, the data set comes from the
columnar store and the pages' tables from the artifacts. A changed file has other bytes,
so another folder: stale artifacts are never read.

:func:`segment_sweep` turns the stored sweep back into the
:class:`recsys.segments.ksweep.KSweep` the Segments page draws.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.dataset import Dataset
from recsys.pipeline.artifacts import Artifacts, StaleArtifacts, open_artifacts
from recsys.pipeline.run import Progress, run_pipeline
from recsys.pipeline.steps import PipelineParams
from recsys.pipeline.store import read_store, source_fingerprint

ARTIFACTS_ENV = "RECSYS_ARTIFACTS"
"""Environment variable naming the folder that holds the dashboard's artifact folders."""

DASHBOARD_STEPS = ("segments", "overview", "trends", "rules", "recommendations", "evaluation")
"""Steps run for the dashboard on a file's first opening."""

PIPELINE_MIN_LINES = 100_000
"""Files with fewer clean lines are analysed on demand, page by page (it takes a second or
two); larger ones get their artifacts computed once and kept (``$RECSYS_PIPELINE_MIN_LINES``
changes the bound)."""


def artifacts_enabled() -> bool:
    """Whether the dashboard keeps artifacts (``$RECSYS_ARTIFACTS`` is not ``off``)."""
    return os.environ.get(ARTIFACTS_ENV, "").strip().lower() not in ("off", "0", "no")


def artifact_home() -> Path:
    """Return the folder of the dashboard's artifact folders (``$RECSYS_ARTIFACTS``)."""
    value = os.environ.get(ARTIFACTS_ENV, "").strip()
    return Path(value).expanduser() if value else Path.home() / ".cache" / "recsys" / "artifacts"


def artifact_folder(source: str | os.PathLike, *, home: Path | None = None) -> tuple[Path, str]:
    """Return ``(folder, source_digest)``: where the artifacts of ``source`` belong."""
    digest = source_fingerprint(source)
    return (home or artifact_home()) / digest, digest


def find_artifacts(source: str | os.PathLike, *, home: Path | None = None) -> Artifacts | None:
    """Return the artifacts of ``source`` if a run on these very bytes left them, else None."""
    folder, digest = artifact_folder(source, home=home)
    try:
        return open_artifacts(folder, source_fingerprint=digest)
    except StaleArtifacts:
        return None


def ensure_artifacts(
    source: str | os.PathLike,
    *,
    home: Path | None = None,
    params: PipelineParams | None = None,
    progress: Progress | None = None,
) -> Artifacts:
    """Return the artifacts of ``source``, running the pipeline first when there are none.

    Parameters
    ----------
    source : path
        A file or folder in any accepted layout.
    home : Path, optional
        Default :func:`artifact_home`.
    params : PipelineParams, optional
        Default: the dashboard's defaults with :data:`DASHBOARD_STEPS`.
    progress : callable, optional
        ``progress(fraction_done, message)`` while the pipeline runs.
    """
    found = find_artifacts(source, home=home)
    if found is not None:
        return found
    folder, digest = artifact_folder(source, home=home)
    folder.parent.mkdir(parents=True, exist_ok=True)
    run_pipeline(source, folder, params=params or PipelineParams(steps=DASHBOARD_STEPS), progress=progress)
    return open_artifacts(folder, source_fingerprint=digest)


def open_source(
    source: str | os.PathLike,
    *,
    home: Path | None = None,
    progress: Progress | None = None,
    min_lines: int | None = None,
) -> tuple[Dataset, Artifacts | None]:
    """Return the data set of ``source`` and its artifacts, computing them on first opening.

    Artifacts left by an earlier run on the same bytes: the data set comes from their
    store (no parsing). Otherwise the source is read and cleaned; with at least
    ``min_lines`` clean lines the pipeline then runs on it (``progress`` is told) and its
    artifacts are kept for the next opening. Without artifacts (switched off, a small file,
    or a folder that cannot be written) the artifacts are None.
    """
    from recsys.data.load import load_dataset

    if not artifacts_enabled():
        return load_dataset(source), None
    found = find_artifacts(source, home=home)
    if found is not None:
        try:
            return stored_dataset(found), found
        except (StaleArtifacts, OSError):
            pass
    tell = progress or (lambda done, message: None)
    tell(0.0, "Reading and cleaning the file")
    dataset = load_dataset(source)
    if min_lines is None:
        min_lines = int(os.environ.get("RECSYS_PIPELINE_MIN_LINES", PIPELINE_MIN_LINES))
    if len(dataset.transactions) < min_lines:
        tell(1.0, "Done")
        return dataset, None
    folder, digest = artifact_folder(source, home=home)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        run_pipeline(source, folder, params=PipelineParams(steps=DASHBOARD_STEPS), dataset=dataset,
                     progress=lambda done, message: tell(done, f"Analysing this file once, kept for "
                                                              f"every later visit: {message.lower()}"))
        return dataset, open_artifacts(folder, source_fingerprint=digest)
    except (OSError, StaleArtifacts):
        tell(1.0, "Done")
        return dataset, None


def stored_dataset(artifacts: Artifacts) -> Dataset:
    """Return the :class:`recsys.Dataset` of the artifacts' columnar store."""
    digest = artifacts.manifest.get("source", {}).get("fingerprint")
    return read_store(artifacts.store_folder, source_digest=digest)


def matches(artifacts: Artifacts, *, fingerprint: str, feature_set: str | None = None,
            seed: int | None = None) -> bool:
    """Whether ``artifacts`` were computed from the data set ``fingerprint`` (and these settings)."""
    if artifacts.data_fingerprint != fingerprint:
        return False
    params = artifacts.parameters
    return ((feature_set is None or params.get("feature_set") == feature_set)
            and (seed is None or params.get("seed") == int(seed)))


def stored_features(artifacts: Artifacts) -> pd.DataFrame:
    """Return the customer figures, indexed by ``customer_id``, as the library computes them."""
    features = artifacts.table("features").set_index(S.CUSTOMER_ID)
    features.index = features.index.astype("string")
    return features


def segment_sweep(artifacts: Artifacts):
    """Return the stored k sweep as a :class:`recsys.segments.ksweep.KSweep`.

    Its ``labels`` are the stored segments of every k minus one (cluster ids in the order
    of the customer figures), which :func:`recsys.segments.kmeans.segment_customers`
    numbers and names exactly as the fit did.
    """
    from recsys.segments.ksweep import KSweep

    info = artifacts.summary["segments"]
    by_k = artifacts.table("segments_by_k")
    order = stored_features(artifacts).index.astype(str)
    labels = {}
    for k, rows in by_k.groupby("k", sort=True):
        rows = rows.set_index(rows[S.CUSTOMER_ID].astype(str)).reindex(order)
        labels[int(k)] = (rows[S.SEGMENT].to_numpy(dtype=np.int64) - 1).astype(np.int16)
    return KSweep(artifacts.table("k_sweep"), int(info["suggested_k"]), str(info["reason"]),
                  int(info["elbow_k"]), int(info["best_silhouette_k"]), int(info["sample_size"]),
                  int(info["n_customers"]), labels)
