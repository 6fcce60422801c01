"""Cached steps of the analysis: the only module that uses ``st.cache_data`` / ``st.cache_resource``.

Each wrapper is keyed by small scalars (the data set's fingerprint plus the step's
parameters); large inputs are passed as ``_``-prefixed arguments, which Streamlit does
not hash, beside the fingerprint that identifies them. ``st.cache_data`` returns a
copy per caller; ``st.cache_resource`` returns one shared fitted object that callers
must never mutate.
"""

from __future__ import annotations

import streamlit as st  # noqa: F401

# ---- Data: loading, generating, appending ------------------------------------------
# A Dataset is frozen and read-only by contract, so it is cached as a resource: one shared
# object per data set, instead of a pickled copy of half a million lines on every rerun.

# isort: split
import hashlib
import io
from pathlib import Path

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""Largest upload the loader accepts (the server refuses larger ones: ``maxUploadSize``)."""

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data"
"""The bundled sample shop (canonical CSVs)."""


def file_stamp(path: str | Path) -> str:
    """Return a token that changes when the file (or any file in the folder) changes."""
    path = Path(path)
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    parts = []
    for file in files:
        stat = file.stat()
        parts.append(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def bytes_digest(data: bytes) -> str:
    """Return a hex digest of ``data`` (the cache key of an upload)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@st.cache_resource(show_spinner="Loading the data set…", max_entries=4)
def _load_path(path: str, stamp: str):
    from recsys.io import load_dataset

    return load_dataset(Path(path))


def load_path(path: str | Path):
    """Return the :class:`recsys.Dataset` of a file or folder, reloaded when it changes."""
    path = Path(path)
    return _load_path(str(path.resolve()), file_stamp(path))


def load_sample():
    """Return the bundled sample shop as a :class:`recsys.Dataset`."""
    return load_path(SAMPLE_DIR)


@st.cache_resource(show_spinner="Reading the uploaded file…", max_entries=3)
def _load_uploaded(digest: str, name: str, _data: bytes):
    from recsys.io import load_dataset

    return load_dataset(io.BytesIO(_data), name=name, max_bytes=MAX_UPLOAD_BYTES)


def load_uploaded(data: bytes, name: str):
    """Return the :class:`recsys.Dataset` of an uploaded file (cached by a hash of its bytes).

    Raises
    ------
    recsys.errors.DataError
        When the file cannot be used; the message names what is wrong.
    """
    return _load_uploaded(bytes_digest(data), name, data)


@st.cache_resource(show_spinner=False, max_entries=4)
def _generate(n_customers: int, seed: int, _progress=None):
    from recsys.generate import generate_shop

    kwargs = {"progress": _progress} if _progress is not None else {}
    return generate_shop(n_customers=n_customers, seed=seed, **kwargs).to_dataset()


def generate(n_customers: int, seed: int, *, progress=None):
    """Return a generated shop of ``n_customers`` (same seed, same data) as a Dataset.

    ``progress`` (a callable taking the fraction done) is called only when the shop is
    actually generated, not when it comes from the cache.
    """
    return _generate(int(n_customers), int(seed), _progress=progress)


@st.cache_data(show_spinner=False, max_entries=16)
def shop_overview(fingerprint: str, _dataset, *, n: int = 10):
    """Return ``(kpis, top_products, top_countries)`` of the data set (see recsys.overview)."""
    from recsys import overview

    tx = _dataset.transactions
    return (
        overview.shop_kpis(_dataset),
        overview.top_products(tx, _dataset.products, n=n),
        overview.top_countries(tx, n=n),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def revenue_by_period(fingerprint: str, freq: str, _transactions):
    """Return :func:`recsys.trends.period_totals` of the data set's lines."""
    from recsys.trends import period_totals

    return period_totals(_transactions, freq=freq)


# ---- Segmentation: features, k sweep, segments -------------------------------------

# ---- Trends and baskets ------------------------------------------------------------

# ---- Recommendations and evaluation ------------------------------------------------
