"""Cached data sets: loading a file or an upload, generating a shop; the data set's categories
and countries.

A Dataset is frozen and read-only by contract, so it is cached as a resource: one shared
object per data set, instead of a pickled copy of half a million lines on every rerun.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import streamlit as st

from ui.cache.kept import kept

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""Largest upload the loader accepts (the server refuses larger ones: ``maxUploadSize``)."""


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


class _NotCached(Exception):
    """Raised inside a cached function to look in its cache without filling it."""


@st.cache_resource(show_spinner="Loading the data set…", max_entries=4)
def _load_path(path: str, stamp: str, dates: str = "auto", _ready=None, _lookup_only: bool = False):
    if _ready is not None:
        return _ready
    if _lookup_only:
        raise _NotCached  # exceptions are not cached: the next call still misses
    return _open_now(path, dates=dates)


def _open_now(path: str, progress=None, *, dates: str = "auto"):
    """Open a file through its artifacts (:func:`recsys.pipeline.home.open_source`); a date
    order chosen by hand reads the file itself (the artifacts hold the detected reading)."""
    if dates != "auto":
        from recsys.data.load import load_dataset

        return load_dataset(Path(path), dates=dates)
    from recsys.pipeline.home import open_source

    dataset, found = open_source(Path(path), progress=progress)
    if found is not None:
        _artifact_index()[dataset.fingerprint] = found
    return dataset


@st.cache_resource(show_spinner=False)
def _artifact_index() -> dict:
    """``{data fingerprint: recsys.pipeline.artifacts.Artifacts}`` of the files opened so far."""
    return {}


def artifacts_for(fingerprint: str):
    """Return the pipeline artifacts of the data set ``fingerprint``, or None (computed on demand)."""
    return _artifact_index().get(fingerprint)


def load_path(path: str | Path, *, dates: str = "auto", progress=None):
    """Return the :class:`recsys.Dataset` of a file or folder, reloaded when it changes.

    ``dates`` is the order of dates such as 05/12/2011 (``"auto"``: detected). A large file
    is analysed once by the batch pipeline and its artifacts kept (see
    :func:`recsys.pipeline.home.open_source`): the next opening, in any session or after a
    restart, reads the columnar store instead of the file. ``progress(fraction, message)``
    is told while that first analysis runs (outside the cache, which may not draw).
    """
    path = Path(path)
    key = (str(path.resolve()), file_stamp(path), dates)
    if progress is None:
        return _load_path(*key)
    try:
        return _load_path(*key, _lookup_only=True)
    except _NotCached:
        return _load_path(*key, _ready=_open_now(key[0], progress, dates=dates))


@st.cache_resource(show_spinner="Reading the uploaded file…", max_entries=3)
def _load_uploaded(digest: str, name: str, _data: bytes, dates: str = "auto"):
    from recsys.data.load import load_dataset

    return load_dataset(io.BytesIO(_data), name=name, max_bytes=MAX_UPLOAD_BYTES, dates=dates)


@st.cache_resource(show_spinner="Reading the file through the mapping…", max_entries=4)
def _load_mapped_upload(digest: str, name: str, mapping: str, _data: bytes, dates: str = "auto"):
    import json

    from recsys.data.load import load_dataset
    from recsys.data.mapping import MappedUpload, mapping_from_dict

    spec = mapping_from_dict(json.loads(mapping), label="the mapping")
    return load_dataset(
        MappedUpload(spec, files={name: _data}), max_bytes=MAX_UPLOAD_BYTES, dates=dates
    )


def load_mapped_upload(data: bytes, name: str, mapping: str, *, dates: str = "auto"):
    """Return the :class:`recsys.Dataset` of an upload read through ``mapping`` (a mapping
    file's JSON text whose tables' files are named ``name``), cached by the bytes' hash and
    the mapping.

    Raises
    ------
    recsys.errors.DataError
        When the mapping does not fit the file; the message names the column and value.
    """
    return _load_mapped_upload(bytes_digest(data), name, mapping, data, dates)


@st.cache_data(show_spinner="Looking at the file's columns…", max_entries=4)
def _suggest(digest: str, name: str, _data: bytes):
    from recsys.data.mapping import read_columns, suggest_columns

    frame, _ = read_columns(_data, label=name)
    suggestion = suggest_columns(frame, "transactions")
    return [str(c) for c in frame.columns], suggestion.columns, suggestion.reasons


def suggest_mapping(data: bytes, name: str) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Return the file's columns, the proposed ``{field: column}`` and why (``"name"`` or
    ``"content"``) for an upload (cached by a hash of its bytes)."""
    return _suggest(bytes_digest(data), name, data)


def load_uploaded(data: bytes, name: str, *, dates: str = "auto"):
    """Return the :class:`recsys.Dataset` of an uploaded file (cached by a hash of its bytes).

    Raises
    ------
    recsys.errors.DataError
        When the file cannot be used; the message names what is wrong.
    """
    return _load_uploaded(bytes_digest(data), name, data, dates)


def _generate_now(n_customers: int, seed: int, progress=None):
    from recsys.synth.shop import generate_shop

    shop = generate_shop(n_customers=n_customers, seed=seed, progress=progress)
    _generated_shop(n_customers, seed, _ready=shop)
    return shop.to_dataset()


@st.cache_resource(show_spinner="Generating the shop…", max_entries=4)
def _generate(n_customers: int, seed: int, _ready=None, _lookup_only: bool = False):
    if _ready is not None:
        return _ready
    if _lookup_only:
        raise _NotCached  # exceptions are not cached: the next call still misses
    return _generate_now(n_customers, seed)


# The raw tables of the last shop generated (with its cancellations, as written to CSV),
# kept for a working copy: one entry, so a second copy of every shop is not held.
@st.cache_resource(show_spinner="Generating the shop…", max_entries=1)
def _generated_shop(n_customers: int, seed: int, _ready=None):
    if _ready is not None:
        return _ready
    from recsys.synth.shop import generate_shop

    return generate_shop(n_customers=n_customers, seed=seed)


def generate(n_customers: int, seed: int, *, progress=None):
    """Return a generated shop of ``n_customers`` (same seed, same data) as a Dataset.

    A shop already in the cache is returned as it is. Otherwise, with ``progress``
    (called as ``progress(fraction_done, message)``), the shop is generated here, outside
    the cache, and then stored under its key: Streamlit does not allow a cached function
    to update an element (the progress bar) drawn outside it.
    """
    n_customers, seed = int(n_customers), int(seed)
    if progress is None:
        return _generate(n_customers, seed)
    try:
        return _generate(n_customers, seed, _lookup_only=True)
    except _NotCached:
        return _generate(n_customers, seed, _ready=_generate_now(n_customers, seed, progress))


def generated_shop(n_customers: int, seed: int):
    """Return the :class:`recsys.synth.shop.GeneratedShop` (raw tables) of :func:`generate`.

    The last shop generated is kept, so writing it out (a working copy to append to)
    does not generate it again; another shop is generated once more.
    """
    return _generated_shop(int(n_customers), int(seed))


@st.cache_data(show_spinner="Grouping products into categories…", max_entries=8)
def product_category_table(fingerprint: str, _dataset):
    """Return :func:`recsys.data.categories.dataset_categories` (``product_id``, ``category``, ``derived``)."""
    from recsys.data.categories import dataset_categories

    stored = artifacts_for(fingerprint)
    if stored is not None and stored.has("categories") and stored.data_fingerprint == fingerprint:
        return stored.table("categories")
    return dataset_categories(_dataset)


@st.cache_data(show_spinner=False, max_entries=16)
@kept
def country_choices(fingerprint: str, _dataset) -> list[str]:
    """Return :func:`recsys.data.filters.countries_by_lines` of the data set: most lines first."""
    from recsys.data.filters import countries_by_lines

    return countries_by_lines(_dataset.transactions)
