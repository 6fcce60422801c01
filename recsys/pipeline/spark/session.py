"""The Spark session of a run, and where its artifacts go (a local folder, HDFS or S3).

Under ``spark-submit`` the session (and its master) come from the submit command; run
as ``python -m recsys pipeline --engine spark`` it is ``local[2]`` unless ``--master``
says otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from recsys.pipeline.artifacts import ArtifactWriter

REMOTE_SCHEMES = ("hdfs://", "s3a://", "s3://", "s3n://", "gs://", "abfs://", "abfss://", "file://")


def is_remote(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a URI for Hadoop's file systems rather than a local path."""
    return str(path).startswith(REMOTE_SCHEMES)


def spark_session(master: str | None = None, *, app_name: str = "recsys-pipeline",
                  local_dir: str | os.PathLike | None = None):
    """Return the active Spark session, or start one (``local[2]`` by default).

    Local sessions get a small shuffle (8 partitions), no web UI, UTC time and Arrow
    transfers, and keep their shuffle and broadcast files in ``local_dir`` when given
    (``spark.local.dir``; Spark's default is the shared ``/tmp``, where a cleaner run by
    someone else can remove them mid-run); a cluster's own settings are left alone.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName(app_name)
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started the JVM
    if master or not submitted:
        master = master or "local[2]"
        builder = builder.master(master)
    if (master or "").startswith("local"):
        # Python workers of a local session run this interpreter (with recsys' packages).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = (builder.config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.shuffle.partitions", "8")
                   .config("spark.driver.memory", os.environ.get("RECSYS_SPARK_DRIVER_MEMORY", "2g")))
        if local_dir is not None:
            builder = builder.config("spark.local.dir", str(local_dir))
    spark = (builder.config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def scratch_parent(out: str | os.PathLike) -> Path | None:
    """Where a run's private Spark scratch folder goes: ``$RECSYS_SPARK_LOCAL_DIR``, else
    beside a local output folder (same disk, not the shared ``/tmp``), else the system's
    temporary folder (None)."""
    given = os.environ.get("RECSYS_SPARK_LOCAL_DIR")
    if given:
        return Path(given)
    if is_remote(out) and not str(out).startswith("file://"):
        return None
    return Path(str(out).removeprefix("file://")).resolve().parent


@contextmanager
def run_session(master: str | None = None, *, out: str | os.PathLike = ".") -> Iterator:
    """Yield the Spark session of one run.

    An active session (a test's, a notebook's) is used as it is and left running.
    Otherwise a session is started whose local scratch files (shuffles, broadcasts,
    ``spark.local.dir``) live in a private folder (see :func:`scratch_parent`); the
    session is stopped and the folder removed when the run ends, however it ends.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    parent = scratch_parent(out)
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    name = Path(str(out).rstrip("/")).name or "run"
    scratch = tempfile.mkdtemp(prefix=f".{name}.spark-scratch-", dir=parent)
    try:
        spark = spark_session(master, local_dir=scratch)
        try:
            yield spark
        finally:
            spark.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class LocalWriter(ArtifactWriter):
    """:class:`recsys.pipeline.artifacts.ArtifactWriter` that also takes Spark DataFrames."""

    def write_spark(self, name: str, frame, *, parts: int | None = 1) -> int:
        """Write a Spark DataFrame as the folder ``<name>.parquet`` (``parts`` files, or as
        partitioned when None); return its rows."""
        frame = frame.cache()
        rows = frame.count()
        (frame.coalesce(parts) if parts else frame).write.mode("overwrite").parquet(str(self.path(name)))
        frame.unpersist()
        self.note(name, rows=rows)
        return rows


class RemoteWriter:
    """Write a run to ``<out>.tmp-<id>`` on a Hadoop file system and rename it into place.

    The manifest is written last. On HDFS a rename is atomic; on object stores (S3) it is a
    copy, so readers must look for ``manifest.json``, which appears only after every table.
    """

    def __init__(self, spark, target: str):
        self.spark = spark
        self.target = str(target).rstrip("/")
        self.staging = f"{self.target}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        jvm = spark.sparkContext._jvm
        self._Path = jvm.org.apache.hadoop.fs.Path
        self._fs = self._Path(self.target).getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
        self.entries: dict[str, dict] = {}

    def __enter__(self) -> RemoteWriter:
        return self

    def __exit__(self, *exc) -> None:
        path = self._Path(self.staging)
        if self._fs.exists(path):
            self._fs.delete(path, True)

    def path(self, name: str) -> str:
        return f"{self.staging}/{name}.parquet"

    def write(self, name: str, frame: pd.DataFrame) -> None:
        rows = len(frame)
        data = frame.reset_index(drop=True)
        self.spark.createDataFrame(data).coalesce(1).write.mode("overwrite").parquet(self.path(name))
        self.entries[name] = {"file": f"{name}.parquet", "rows": rows, "digest": None}

    def write_spark(self, name: str, frame, *, parts: int | None = 1) -> int:
        frame = frame.cache()
        rows = frame.count()
        (frame.coalesce(parts) if parts else frame).write.mode("overwrite").parquet(self.path(name))
        frame.unpersist()
        self.entries[name] = {"file": f"{name}.parquet", "rows": rows, "digest": None}
        return rows

    def write_text(self, relative: str, text: str) -> None:
        stream = self._fs.create(self._Path(f"{self.staging}/{relative}"), True)
        stream.write(bytearray(text.encode("utf-8")))
        stream.close()

    def commit(self, manifest: dict) -> str:
        from recsys.pipeline.artifacts import FORMAT, MANIFEST

        data = {"format": FORMAT, **manifest, "artifacts": dict(sorted(self.entries.items()))}
        self.write_text(MANIFEST, json.dumps(data, indent=2, default=str))
        target, old = self._Path(self.target), None
        if self._fs.exists(target):
            old = self._Path(f"{self.target}.old-{uuid.uuid4().hex[:8]}")
            self._fs.rename(target, old)
        self._fs.rename(self._Path(self.staging), target)
        if old is not None:
            self._fs.delete(old, True)
        return self.target


def artifact_writer(spark, out: str | os.PathLike):
    """Return the writer for ``out``: :class:`LocalWriter` for a local folder, else :class:`RemoteWriter`."""
    if is_remote(out) and not str(out).startswith("file://"):
        return RemoteWriter(spark, str(out))
    return LocalWriter(Path(str(out).removeprefix("file://")))
