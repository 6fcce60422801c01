"""Run the batch pipeline: import once into the columnar store, compute every artifact.

:func:`run_pipeline` is what ``python -m recsys pipeline`` calls. The local engine reads
the source (or reuses the store of the previous run when the source bytes have not
changed), then runs the steps of :mod:`recsys.pipeline.steps`; the Spark engine
(:mod:`recsys.pipeline.spark`) computes the same artifacts on Spark DataFrames. Either
way the tables go to a staging folder that replaces ``out`` only once complete.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from recsys.data.dataset import Dataset
from recsys.errors import ParameterError
from recsys.pipeline.artifacts import STORE_DIR, ArtifactWriter, package_versions, read_manifest
from recsys.pipeline.steps import LOCAL_STEPS, Context, PipelineParams
from recsys.pipeline.store import read_store, source_fingerprint, store_info, write_store

ENGINES = ("local", "spark")
STEP_LABELS = {
    "segments": "customer segments for every k from 2 to 12",
    "overview": "the shop at a glance",
    "trends": "trends and seasonality",
    "rules": "products bought together",
    "recommendations": "every customer's recommendations",
    "evaluation": "the evaluation of the recommendations",
}
Progress = Callable[[float, str], None]


def _link_store(old: Path, new: Path) -> None:
    """Put the files of store ``old`` into ``new`` (hard links where possible: no copy)."""
    new.mkdir(parents=True, exist_ok=True)
    for file in old.iterdir():
        try:
            os.link(file, new / file.name)
        except OSError:
            shutil.copy2(file, new / file.name)


def import_to_store(
    source: str | os.PathLike, store: Path, *, previous: Path | None = None, strings: str = "pyarrow",
    dataset: Dataset | None = None,
) -> tuple[Dataset, dict]:
    """Import ``source`` into the store folder ``store``, reusing ``previous`` when it matches.

    Returns the Dataset (read back from the store, text columns in ``strings`` storage;
    ``dataset`` itself when given: the caller already loaded ``source``) and the store
    info, with ``reused`` (bool) added.
    """
    from recsys.data.load import dates_setting, load_dataset

    digest = source_fingerprint(source)
    dates = dates_setting()
    info = store_info(previous) if previous is not None else None
    if (info is not None and info["source_fingerprint"] == digest
            and info.get("dates", "auto") == dates):  # read with the same date order
        _link_store(previous, store)
        return read_store(store, source_digest=digest, strings=strings), {**info, "reused": True}
    if dataset is not None:
        info = write_store(dataset, store, source_digest=digest, dates=dates)
        return dataset, {**info, "reused": False}
    dataset = load_dataset(source, dates=dates)
    info = write_store(dataset, store, source_digest=digest, dates=dates)
    if strings == "python":
        return dataset, {**info, "reused": False}
    del dataset  # read back lean: Arrow-backed text instead of millions of Python strings
    return read_store(store, source_digest=digest, strings=strings), {**info, "reused": False}


def run_pipeline(
    source: str | os.PathLike,
    out: str | os.PathLike,
    *,
    params: PipelineParams | None = None,
    engine: str = "local",
    progress: Progress | None = None,
    spark_master: str | None = None,
    dataset: Dataset | None = None,
) -> dict:
    """Compute every artifact of ``source`` into the folder ``out`` and return the manifest.

    Parameters
    ----------
    source : path
        A file or folder in any accepted layout (:func:`recsys.data.load.load_dataset`).
        For the Spark engine also an HDFS or S3 path of a Parquet or CSV export.
    out : path
        The artifact folder; replaced whole, and only once the run is complete.
    params : PipelineParams, optional
    engine : {"local", "spark"}
    progress : callable, optional
        Called as ``progress(fraction_done, message)`` before each step.
    spark_master : str, optional
        Spark master URL (default: ``local[2]`` unless ``spark-submit`` set one).
    dataset : recsys.Dataset, optional
        ``source`` already loaded (the dashboard has it): the local engine stores it
        instead of reading the source again.

    Returns
    -------
    dict
        The manifest written (see :mod:`recsys.pipeline.artifacts`).

    Raises
    ------
    ParameterError
        For a setting out of range or an unknown engine.
    DataError
        When the source cannot be used.
    """
    params = (params or PipelineParams()).checked()
    if engine not in ENGINES:
        raise ParameterError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "spark":
        from recsys.pipeline.spark.run import run_spark

        return run_spark(source, out, params=params, progress=progress, master=spark_master)
    return _run_local(source, Path(out), params, progress or (lambda done, message: None), dataset)


def _run_local(source, out: Path, params: PipelineParams, progress: Progress,
               loaded: Dataset | None = None) -> dict:
    started, started_cpu = time.perf_counter(), time.process_time()
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}  # CPU seconds of every thread: on a busy machine wall > CPU
    with ArtifactWriter(out) as writer:
        progress(0.0, "Importing and cleaning the data")
        previous = out / STORE_DIR if read_manifest(out) is not None else None
        tick, tick_cpu = time.perf_counter(), time.process_time()
        dataset, info = import_to_store(source, writer.staging / STORE_DIR, previous=previous,
                                        dataset=loaded)
        timings["import"] = round(time.perf_counter() - tick, 3)
        cpu["import"] = round(time.process_time() - tick_cpu, 3)
        context = Context()
        for i, step in enumerate(params.steps):
            progress((i + 1) / (len(params.steps) + 1), f"Computing {STEP_LABELS.get(step, step)}")
            tick, tick_cpu = time.perf_counter(), time.process_time()
            for name, table in LOCAL_STEPS[step](dataset, params, context).items():
                writer.write(name, table)
            timings[step] = round(time.perf_counter() - tick, 3)
            cpu[step] = round(time.process_time() - tick_cpu, 3)
        timings["total"] = round(time.perf_counter() - started, 3)
        cpu["total"] = round(time.process_time() - started_cpu, 3)
        manifest = {
            "engine": "local",
            "source": {"path": str(source), "fingerprint": info["source_fingerprint"]},
            "data_fingerprint": dataset.fingerprint,
            "parameters": params.as_dict(),
            "versions": package_versions(),
            "timings": timings,
            "cpu_timings": cpu,
            "store": {"reused": info["reused"], "rows": info["rows"], "report": info["report"]},
            "summary": context.summary,
        }
        writer.commit(manifest)
    progress(1.0, "Done")
    return read_manifest(out) or manifest
