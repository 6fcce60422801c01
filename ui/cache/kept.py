"""Tables the pages compute from a large file, kept beside its artifacts for every later visit.

The batch pipeline stores what most pages read (:mod:`recsys.pipeline.home`); a page's
other tables (customer value, cohorts, the movement between segments, a segment's
purchases, the trends under a filter…) are computed on its first visit. For a file the
pipeline analysed, :func:`kept` stores each such result in the file's artifact folder
(``<artifacts>/app/<step>-<digest>.pickle``), so a restart of the app or a new browser
session reads it instead of computing it again. The same holds for the few shared
objects every such table starts from (the lines with their cancellations, the basket
matrix), under ``st.cache_resource``. Files without artifacts (the bundled sample,
uploads, generated shops) are computed as before, in memory only.

The digest covers the step, its (hashed) arguments and the code: the source of the
``recsys`` package and of ``ui``. A changed file has another artifact folder, changed
code another digest, so nothing stale is read; a file that cannot be read back is
computed again. Writes go to a temporary file renamed into place.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

F = TypeVar("F", bound=Callable)

FOLDER = "app"
"""Sub-folder of an artifact folder that holds the kept tables."""

_ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def code_version() -> str:
    """Digest of the source files of ``recsys`` and ``ui`` (paths, sizes and modification times)."""
    digest = hashlib.sha256()
    for package in ("recsys", "ui"):
        for path in sorted((_ROOT / package).rglob("*.py")):
            stat = path.stat()
            digest.update(f"{path.relative_to(_ROOT)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _fingerprint_of(value) -> str | None:
    """The data fingerprint a cache key stands for: a string, or a key record's ``fingerprint``."""
    if isinstance(value, str):
        return value
    found = getattr(value, "fingerprint", None)
    return found if isinstance(found, str) else None


def kept(func: F) -> F:
    """Decorate a cached step (under ``st.cache_data`` or ``st.cache_resource``) whose first argument is the data
    fingerprint or a key record holding it, so its result on a file with artifacts is
    kept on disk (see the module docstring). Arguments starting with ``_`` are not part of
    the key, as for Streamlit."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from ui.cache.data import artifacts_for

        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = list(bound.arguments.items())
        fingerprint = _fingerprint_of(values[0][1]) if values else None
        stored = artifacts_for(fingerprint) if fingerprint else None
        if stored is None or stored.data_fingerprint != fingerprint:
            return func(*args, **kwargs)
        key = repr([(name, value) for name, value in values if not name.startswith("_")])
        digest = hashlib.sha256(f"{func.__module__}.{func.__qualname__}|{key}|{code_version()}".encode())
        path = Path(stored.folder) / FOLDER / f"{func.__name__}-{digest.hexdigest()[:24]}.pickle"
        try:
            with path.open("rb") as file:
                return pickle.load(file)
        except FileNotFoundError:
            pass
        except Exception:  # noqa: BLE001 - a damaged or foreign file: compute it again
            pass
        result = func(*args, **kwargs)
        _write(path, result)
        return result

    return wrapper  # type: ignore[return-value]


def _write(path: Path, result) -> None:
    """Pickle ``result`` to ``path`` atomically; a folder that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass
