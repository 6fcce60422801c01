"""The data source of the session: start-up file, generated shop, upload or working copy.

The sidebar (app.py) chooses the data set; :func:`ui.state.get_dataset` loads it. The
choice is a small frozen record of scalars (:class:`DataChoice`), so the cached loaders
in :mod:`ui.cache.data` can key on it. Appends never touch the start-up data or an
upload: they go to this session's working copy on the server (:func:`working_copy`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from recsys.data.dataset import Dataset
from recsys.errors import DataError, RecsysError
from ui.cache import data as cached

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data"
"""The bundled sample shop (canonical CSVs)."""

DATA_ENV = "RECSYS_DATA"
"""Environment variable naming the data set the app starts with (default: the sample)."""

SOURCE_KEY = "data_source"
GEN_CUSTOMERS_KEY = "gen_customers"
GEN_SEED_KEY = "gen_seed"
UPLOAD_KEY = "data_upload"
_CHOICE_KEY = "_data_choice"
_PENDING_KEY = "_data_pending"
_UPLOAD_BYTES_KEY = "_data_upload_bytes"
_UPLOAD_FAILED_KEY = "_data_upload_failed"
_WORK_FILE_KEY = "_data_work_file"
_WORK_DIR_KEY = "_data_work_dir"
_WORK_COPY_KEY = "_data_work_copy"
_UNMAPPED_KEY = "_data_unmapped_upload"
"""Session key of ``(name, bytes, message)``: the latest upload that matched no layout,
whose columns the Data page offers to map."""
"""Session key of ``(source DataChoice, path)``: the latest working copy and what it copies."""
_DATES_KEY = "_data_dates"
"""Session key of ``{DataChoice: date order}``: how the user chose to read each data set's
dates such as 05/12/2011 (``"auto"`` until chosen on the Data page)."""
DATE_ORDERS = ("auto", "day-first", "month-first")

SOURCE_STARTUP, SOURCE_GENERATED, SOURCE_UPLOAD, SOURCE_FILE = "startup", "generated", "upload", "file"
# A generated shop has about 50 invoice lines per customer: 20,000 customers is a million
# lines, as far as an interactive session on a shared 2-core server should go.
GEN_CUSTOMERS_MIN, GEN_CUSTOMERS_MAX, GEN_CUSTOMERS_DEFAULT = 50, 20_000, 1000
GEN_SEED_DEFAULT = 0


@dataclass(frozen=True)
class DataChoice:
    """Which data set the app shows, as the scalars its cached loader is keyed on.

    Attributes
    ----------
    kind : {"startup", "generated", "upload", "file"}
        The start-up data set (bundled sample or ``$RECSYS_DATA``), a generated shop, an
        uploaded file, or a working file on the server (the result of an append).
    n_customers, seed : int
        Size and seed of a generated shop.
    name, digest : str
        File name and hash of the bytes of an upload.
    path : str
        Path of the start-up data set or of a working file.
    mapping : str
        The mapping file's JSON text of an upload whose columns the marketer mapped
        (``""`` for an upload in an accepted layout).
    """

    kind: str
    n_customers: int = 0
    seed: int = 0
    name: str = ""
    digest: str = ""
    path: str = ""
    mapping: str = ""

    @property
    def label(self) -> str:
        """A short description for the sidebar, e.g. ``"Generated shop (1,000 customers, seed 0)"``."""
        if self.kind == SOURCE_GENERATED:
            return f"Generated shop ({self.n_customers:,} customers, seed {self.seed})"
        if self.kind == SOURCE_UPLOAD:
            return f"Uploaded file {self.name}" + (" (columns mapped)" if self.mapping else "")
        if self.kind == SOURCE_FILE:
            return f"Working copy of {Path(self.path).name} (with appended invoices)"
        if Path(self.path).resolve() == SAMPLE_DIR.resolve():
            return "Bundled sample shop"
        return f"Start-up file {Path(self.path).name}"


def startup_path() -> Path:
    """Return the start-up data set: ``$RECSYS_DATA`` when set, else the bundled sample."""
    value = os.environ.get(DATA_ENV, "").strip()
    return Path(value).expanduser() if value else SAMPLE_DIR


def startup_choice() -> DataChoice:
    """Return the choice of the start-up data set."""
    return DataChoice(SOURCE_STARTUP, path=str(startup_path()))


def get_data_choice() -> DataChoice:
    """Return the data set the sidebar selected (the start-up one until something else is)."""
    return st.session_state.get(_CHOICE_KEY) or startup_choice()


def set_data_choice(choice: DataChoice, *, data: bytes | None = None) -> None:
    """Make ``choice`` the data set of this session (``data``: the bytes of an upload)."""
    st.session_state[_CHOICE_KEY] = choice
    if choice.kind == SOURCE_UPLOAD:
        if data is not None:
            st.session_state[_UPLOAD_BYTES_KEY] = data
    else:
        st.session_state.pop(_UPLOAD_BYTES_KEY, None)
    if choice.kind == SOURCE_FILE and working_file() != choice:
        st.session_state[_WORK_FILE_KEY] = choice
        _remove_stale_copies()


def date_order(choice: DataChoice) -> str:
    """How this session reads ``choice``'s dates: ``"auto"`` (detect) unless the user chose
    ``"day-first"`` or ``"month-first"`` on the Data page."""
    return st.session_state.get(_DATES_KEY, {}).get(choice, "auto")


def set_date_order(choice: DataChoice, order: str) -> None:
    """Read ``choice``'s dates in ``order`` from now on (one of :data:`DATE_ORDERS`)."""
    if order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {', '.join(DATE_ORDERS)}, got {order!r}")
    orders = dict(st.session_state.get(_DATES_KEY, {}))
    orders[choice] = order
    st.session_state[_DATES_KEY] = orders


def working_file() -> DataChoice | None:
    """Return the working file of this session (made by an append), if any."""
    return st.session_state.get(_WORK_FILE_KEY)


def load_choice(choice: DataChoice, *, data: bytes | None = None, progress=None) -> Dataset:
    """Return the :class:`recsys.Dataset` of ``choice`` through the cached loaders.

    Raises
    ------
    recsys.errors.DataError
        When the data set cannot be read or cleaned.
    """
    if choice.kind == SOURCE_GENERATED:
        return cached.generate(choice.n_customers, choice.seed, progress=progress)
    dates = date_order(choice)
    if choice.kind == SOURCE_UPLOAD:
        data = data if data is not None else st.session_state.get(_UPLOAD_BYTES_KEY)
        if data is None:
            raise DataError(f"the uploaded file {choice.name!r} is no longer available: upload it again")
        if choice.mapping:
            return cached.load_mapped_upload(data, choice.name, choice.mapping, dates=dates)
        return cached.load_uploaded(data, choice.name, dates=dates)
    path = Path(choice.path)
    if not path.exists():
        raise DataError(f"data set not found: {path}")
    return cached.load_path(path, dates=dates, progress=progress or _FirstOpening())


class _FirstOpening:
    """Progress bar of opening a file (and of its one-time analysis by the pipeline), drawn
    on the first call, removed when done."""

    def __init__(self) -> None:
        self._bar = None

    def __call__(self, done: float, message: str) -> None:
        if self._bar is None:
            self._bar = st.progress(0.0)
        if done >= 1.0:
            self._bar.empty()
            return
        self._bar.progress(min(max(done, 0.0), 1.0), text=f"{message}…")



def use_upload(data: bytes, name: str) -> str | None:
    """Try an uploaded file; on success make it the data set and return ``None``.

    On failure return the message saying what is wrong, and keep the data set the app
    had. A file that failed is not read again on every rerun.
    """
    digest = cached.bytes_digest(data)
    current = get_data_choice()
    if current.kind == SOURCE_UPLOAD and current.digest == digest:
        return None
    failed = st.session_state.get(_UPLOAD_FAILED_KEY)
    if failed and failed[0] == digest:
        return failed[1]
    choice = DataChoice(SOURCE_UPLOAD, name=name, digest=digest)
    try:
        load_choice(choice, data=data)
    except RecsysError as exc:
        message = str(exc) if name in str(exc) else f"{name} could not be used: {exc}"
        st.session_state[_UPLOAD_FAILED_KEY] = (digest, message)
        st.session_state[_UNMAPPED_KEY] = (name, data, message)
        return message
    st.session_state.pop(_UNMAPPED_KEY, None)
    set_data_choice(choice, data=data)
    return None


def unmapped_upload() -> tuple[str, bytes, str] | None:
    """Return ``(name, bytes, message)`` of the latest upload that could not be read as
    it is (no accepted layout), whose columns the Data page offers to map; else None."""
    return st.session_state.get(_UNMAPPED_KEY)


def use_mapped_upload(data: bytes, name: str, mapping: str) -> None:
    """Make the upload ``name`` read through ``mapping`` (a mapping file's JSON text) the
    data set of this session (the Data page calls ``st.rerun()`` after)."""
    choice = DataChoice(SOURCE_UPLOAD, name=name, digest=cached.bytes_digest(data), mapping=mapping)
    load_choice(choice, data=data)
    st.session_state.pop(_UNMAPPED_KEY, None)
    set_data_choice(choice, data=data)


def _work_dir() -> Path:
    """Return this session's folder for working copies (made on first use)."""
    folder = st.session_state.get(_WORK_DIR_KEY)
    if folder is None or not Path(folder).is_dir():
        folder = tempfile.mkdtemp(prefix="shop-insights-")
        st.session_state[_WORK_DIR_KEY] = folder
    return Path(folder)


def _append_target(path: Path) -> Path:
    """Return the file an append extends: a folder's ``transactions.csv``, or the file itself."""
    return path / "transactions.csv" if path.is_dir() else path


def working_copy(choice: DataChoice, *, data: bytes | None = None) -> tuple[Path, Path]:
    """Return ``(file_to_append_to, data_set_path)`` of this session's working copy of ``choice``.

    Appends never touch the start-up data or an upload: they go to a copy on the server.
    A working file is appended to in place, and so is the copy this session already made
    of ``choice``: appending again from the original source adds to the same working copy
    (the one the sidebar offers), it never starts over. Another source gets a copy in a
    folder of its own (a folder of canonical CSVs is copied whole; a generated shop is
    written out as one); copies the session no longer points at are then removed.
    """
    if choice.kind == SOURCE_FILE:
        path = Path(choice.path)
        return _append_target(path), path
    made = st.session_state.get(_WORK_COPY_KEY)
    if made is not None and made[0] == choice and Path(made[1]).exists():
        path = Path(made[1])
        return _append_target(path), path
    if choice.kind == SOURCE_UPLOAD:
        data = data if data is not None else st.session_state.get(_UPLOAD_BYTES_KEY)
        if data is None:
            raise DataError(f"the uploaded file {choice.name!r} is no longer available: upload it again")
    folder = Path(tempfile.mkdtemp(prefix="copy-", dir=_work_dir()))
    try:
        path = _copy_into(folder, choice, data=data)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    st.session_state[_WORK_COPY_KEY] = (choice, str(path))
    _remove_stale_copies()
    return _append_target(path), path


def _copy_into(folder: Path, choice: DataChoice, *, data: bytes | None) -> Path:
    """Write a copy of ``choice`` into the new, empty ``folder``; return the data set path."""
    if choice.kind == SOURCE_UPLOAD:
        target = folder / Path(choice.name).name
        target.write_bytes(data)
        return _as_csv(target)
    if choice.kind == SOURCE_GENERATED:
        from recsys.synth.shop import write_shop

        shop_dir = folder / f"generated-{choice.n_customers}-{choice.seed}"
        write_shop(cached.generated_shop(choice.n_customers, choice.seed), shop_dir)
        return shop_dir
    source = Path(choice.path)
    if source.is_dir():
        shop_dir = folder / source.name
        shutil.copytree(source, shop_dir)
        return shop_dir
    target = folder / source.name
    if source.suffix.lower() in _CSV_SUFFIXES:
        shutil.copyfile(source, target)
        return target
    return _as_csv(source, out=target)


def _remove_stale_copies() -> None:
    """Delete this session's working copies that nothing points at any more.

    A copy stays while it is the session's data set, its working file (the sidebar
    option), a pending choice, or the latest copy made; the others were superseded.
    """
    work = st.session_state.get(_WORK_DIR_KEY)
    if work is None or not Path(work).is_dir():
        return
    in_use = [
        Path(c.path)
        for c in (get_data_choice(), working_file(), st.session_state.get(_PENDING_KEY))
        if c is not None and c.kind == SOURCE_FILE
    ]
    made = st.session_state.get(_WORK_COPY_KEY)
    if made is not None:
        in_use.append(Path(made[1]))
    for entry in Path(work).iterdir():
        if any(entry == p or entry in p.parents for p in in_use):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


_CSV_SUFFIXES = (".csv", ".txt", ".tsv")


def _as_csv(path: Path, *, out: Path | None = None) -> Path:
    """Return a CSV of ``path``'s invoice lines that an append can extend.

    Appends extend CSV files only; a Parquet or Excel file is written out as one
    canonical CSV of its lines as read (nothing cleaned, so the cleaning report of the
    copy matches the original's). ``out`` (default: ``path`` itself) names the copy,
    whose suffix becomes ``.csv``; a converted ``path`` inside the work folder is removed.
    """
    if path.suffix.lower() in _CSV_SUFFIXES:
        return path
    from recsys.data.load import read_raw

    raw, _ = read_raw(path)
    target = (out or path).with_suffix(".csv")
    raw.to_csv(target, index=False)
    if out is None:
        path.unlink()
    return target


def request_data_choice(choice: DataChoice) -> None:
    """Ask the sidebar to switch to ``choice`` on the next run (pages call ``st.rerun()``).

    Pages run after the sidebar's widgets exist, so they cannot set those widgets;
    :func:`apply_pending_choice` does it at the top of the next run.
    """
    st.session_state[_PENDING_KEY] = choice


def apply_pending_choice() -> None:
    """Apply a choice a page requested: set the sidebar widgets to match (app.py, first)."""
    choice = st.session_state.pop(_PENDING_KEY, None)
    if choice is None:
        return
    set_data_choice(choice)
    st.session_state[SOURCE_KEY] = choice.kind
    if choice.kind == SOURCE_GENERATED:
        st.session_state[GEN_CUSTOMERS_KEY] = choice.n_customers
        st.session_state[GEN_SEED_KEY] = choice.seed
