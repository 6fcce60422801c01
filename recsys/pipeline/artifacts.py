"""Artifacts of the batch pipeline: Parquet tables plus a ``manifest.json``, swapped in whole.

A pipeline run writes every table into a staging folder beside the target, writes the
manifest last, and then swaps the staging folder into place (an atomic exchange of the
two folders on Linux, two renames elsewhere). A run killed half-way leaves the previous
artifacts as they were; a reader never sees half of a run.

The manifest says what the tables were computed from and how:

``format``
    Version of this layout (:data:`FORMAT`).
``engine``
    ``"local"`` or ``"spark"``.
``source``
    ``path``, ``fingerprint`` (of the source bytes, :func:`recsys.pipeline.store.source_fingerprint`).
``data_fingerprint``
    :attr:`recsys.Dataset.fingerprint` of the cleaned data.
``parameters``
    ``k``, ``seed``, ``until``, ``feature_set``, ``n_recommendations``, the basket
    settings and the steps run.
``versions``, ``timings`` (wall seconds per step; ``cpu_timings``: CPU seconds, local engine)
    Package versions; seconds per step.
``artifacts``
    Per table: ``file``, ``rows``, ``digest`` (of the file's bytes).
``summary``
    Small results that are not tables (the suggested k and why, the projection's
    explained variance, the cleaning report, ...); ``evaluation`` and
    ``recommendations.settings_chosen_on`` say whether a seeded sample of customers was
    used (:mod:`recsys.pipeline.sampling`).

Readers go through :func:`open_artifacts`, which refuses (:class:`StaleArtifacts`) a
folder whose fingerprint or parameters are not the ones asked for.
"""

from __future__ import annotations

__all__ = ["ArtifactWriter", "Artifacts", "StaleArtifacts", "open_artifacts", "read_manifest"]

import ctypes
import hashlib
import json
import os
import platform
import shutil
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from recsys.errors import DataError
from recsys.files import fsync_dir
from recsys.pipeline.store import StaleArtifacts, read_table, write_table

MANIFEST = "manifest.json"
FORMAT = 1
"""Version of the artifact layout; folders of another version are not read."""
STORE_DIR = "store"
"""Sub-folder of an artifact folder holding the columnar store (:mod:`recsys.pipeline.store`)."""


def package_versions(*extra: str) -> dict[str, str]:
    """Return the versions of Python and of the packages the artifacts depend on."""
    import recsys

    out = {"python": platform.python_version(), "recsys": recsys.__version__}
    for name in ("numpy", "pandas", "pyarrow", "scikit-learn", "scipy", "implicit", *extra):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def file_digest(path: Path) -> str:
    """Return a hex digest of a file's bytes, or of every file under a folder (sorted)."""
    digest = hashlib.blake2b(digest_size=16)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if file.name.startswith((".", "_")):
            continue  # Spark's _SUCCESS and .crc files are not content
        with open(file, "rb") as handle:
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
    return digest.hexdigest()


# --- writing -------------------------------------------------------------------------


def _staging_name(target: Path, kind: str) -> Path:
    return target.with_name(f".{target.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}")


def recover(target: Path) -> None:
    """Bring back the previous artifacts if a swap was interrupted between its two renames.

    Only needed where the folders cannot be exchanged atomically; harmless otherwise.
    Left-over staging folders of killed runs are removed by :class:`ArtifactWriter`.
    """
    target = Path(target)
    if target.exists():
        return
    olds = sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if olds and (olds[-1] / MANIFEST).exists():
        os.rename(olds[-1], target)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return done == 0


def swap_into_place(staging: Path, target: Path) -> None:
    """Make ``staging`` (a complete artifact folder) the folder at ``target``.

    The old folder, if any, is removed afterwards. With an atomic exchange a reader sees
    the old folder or the new one; with the two-rename fallback a crash between the two
    leaves the old one under a hidden name that :func:`recover` puts back.
    """
    staging, target = Path(staging), Path(target)
    fsync_dir(staging)
    if target.exists() and _exchange(staging, target):
        fsync_dir(target.parent)
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = None
    if target.exists():
        old = _staging_name(target, "old")
        os.rename(target, old)
    os.rename(staging, target)
    fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class ArtifactWriter:
    """Collect a run's tables in a staging folder, then commit them all at once.

    Use as a context manager: on leaving it without :meth:`commit` (an error, an
    interrupt) the staging folder is removed and the target is untouched. A lock beside
    the target keeps two runs from writing the same folder at once.

    Parameters
    ----------
    target : path
        The artifact folder (created on commit; replaced whole when it exists).
    """

    def __init__(self, target: str | os.PathLike):
        self.target = Path(target)
        self.staging: Path | None = None
        self.entries: dict[str, dict] = {}
        self._lock = None

    def __enter__(self) -> ArtifactWriter:
        from filelock import FileLock

        parent = self.target.resolve().parent
        if not parent.is_dir():
            raise DataError(f"the folder of --out does not exist: {parent}")
        self._lock = FileLock(str(parent / f".{self.target.name}.lock"))
        self._lock.acquire()
        recover(self.target)
        for stale in parent.glob(f".{self.target.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)  # staging of killed runs (we hold the lock)
        self.staging = _staging_name(self.target, "tmp")
        self.staging.mkdir()
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.staging is not None and self.staging.exists():
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            if self._lock is not None:
                self._lock.release()

    def path(self, name: str) -> Path:
        """Return the staging path of artifact ``name`` (``<name>.parquet``), for writers of their own."""
        assert self.staging is not None, "use ArtifactWriter as a context manager"
        return self.staging / f"{name}.parquet"

    def write(self, name: str, frame: pd.DataFrame) -> None:
        """Write one table as ``<name>.parquet`` (index dropped) and note it for the manifest."""
        path = self.path(name)
        write_table(frame.reset_index(drop=True), path)
        self.note(name, rows=len(frame))

    def note(self, name: str, *, rows: int) -> None:
        """Record an artifact written at :meth:`path` by another writer (Spark)."""
        path = self.path(name)
        self.entries[name] = {"file": path.name, "rows": int(rows), "digest": file_digest(path)}

    def commit(self, manifest: Mapping) -> Path:
        """Write ``manifest.json`` (with the artifacts noted so far) and swap the folder in."""
        assert self.staging is not None, "use ArtifactWriter as a context manager"
        data = {"format": FORMAT, **manifest, "artifacts": dict(sorted(self.entries.items()))}
        with open(self.staging / MANIFEST, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=False, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        swap_into_place(self.staging, self.target)
        self.staging = None
        return self.target


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class Artifacts:
    """A committed artifact folder whose manifest matched what the reader asked for.

    Attributes
    ----------
    folder : Path
    manifest : dict
        The parsed ``manifest.json`` (see the module docstring).
    """

    folder: Path
    manifest: dict

    @property
    def data_fingerprint(self) -> str:
        return str(self.manifest["data_fingerprint"])

    @property
    def parameters(self) -> dict:
        return dict(self.manifest.get("parameters", {}))

    @property
    def summary(self) -> dict:
        return dict(self.manifest.get("summary", {}))

    def has(self, name: str) -> bool:
        """Whether the run wrote artifact ``name``."""
        return name in self.manifest.get("artifacts", {})

    def table(self, name: str, *, columns: list[str] | None = None, strings: str = "python") -> pd.DataFrame:
        """Return artifact ``name`` as a DataFrame (see :func:`recsys.pipeline.store.read_table`).

        Raises
        ------
        StaleArtifacts
            When the run did not write it.
        """
        entry = self.manifest.get("artifacts", {}).get(name)
        if entry is None:
            raise StaleArtifacts(f"the artifacts in {self.folder} have no {name!r}: run the pipeline again.")
        frame = read_table(self.folder / entry["file"], strings=strings)
        return frame if columns is None else frame[columns]

    @property
    def store_folder(self) -> Path:
        """The columnar store inside this folder."""
        return self.folder / STORE_DIR


def read_manifest(folder: str | os.PathLike) -> dict | None:
    """Return the manifest of an artifact folder, or None when it has no readable one."""
    folder = Path(folder)
    recover(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def open_artifacts(
    folder: str | os.PathLike,
    *,
    data_fingerprint: str | None = None,
    source_fingerprint: str | None = None,
    parameters: Mapping | None = None,
) -> Artifacts:
    """Return the artifacts in ``folder`` if they were made from this data with these settings.

    Parameters
    ----------
    folder : path
    data_fingerprint : str, optional
        :attr:`recsys.Dataset.fingerprint` the artifacts must have been computed from.
    source_fingerprint : str, optional
        :func:`recsys.pipeline.store.source_fingerprint` of the source file(s).
    parameters : mapping, optional
        Settings that must be equal in the manifest (only the keys given are compared).

    Raises
    ------
    StaleArtifacts
        When the folder has no manifest, another layout version, another fingerprint
        or other settings; the message says which and what to do.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        raise StaleArtifacts(f"{folder} holds no pipeline artifacts (no {MANIFEST}): run "
                             f"`python -m recsys pipeline DATA --out {folder}`.")
    if manifest.get("format") != FORMAT:
        raise StaleArtifacts(f"the artifacts in {folder} have layout version {manifest.get('format')}, "
                             f"this version reads {FORMAT}: run the pipeline again.")
    if data_fingerprint is not None and manifest.get("data_fingerprint") != data_fingerprint:
        raise StaleArtifacts(
            f"the artifacts in {folder} were computed from other data (fingerprint "
            f"{manifest.get('data_fingerprint')}, the data now is {data_fingerprint}): run the pipeline again."
        )
    stored_source = manifest.get("source", {}).get("fingerprint")
    if source_fingerprint is not None and stored_source != source_fingerprint:
        raise StaleArtifacts(
            f"the artifacts in {folder} were computed from another version of the source file "
            f"(fingerprint {stored_source}, the file now has {source_fingerprint}): run the pipeline again."
        )
    stored = manifest.get("parameters", {})
    different = {key: (stored.get(key), value) for key, value in (parameters or {}).items()
                 if stored.get(key) != value}
    if different:
        shown = ", ".join(f"{key} {had!r} (asked {want!r})" for key, (had, want) in different.items())
        raise StaleArtifacts(f"the artifacts in {folder} were computed with other settings: {shown}.")
    return Artifacts(folder, manifest)
