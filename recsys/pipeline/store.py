"""The columnar store: a shop imported and cleaned once, kept as Parquet.

Reading and cleaning a large CSV is the slowest step of every analysis (43 s for a
10-million-line export), and every command used to redo it. The store keeps the
result: the four tables of the :class:`recsys.Dataset` as Parquet files (ids stay text,
with dictionary encoding on disk), the cleaning report and the data fingerprint in
``store.json``, and the fingerprint of the source bytes it was made from, so a changed
source file is never answered from a stale store.

Layout of a store folder::

    store.json               source fingerprint, data fingerprint, cleaning report
    transactions.parquet     recsys.data.schema.TRANSACTION_COLUMNS
    products.parquet         product_id, description, category, unit_price
    customers.parquet        customer_id, country, and any demographics
    cancellations.parquet    as transactions
    reviews.parquet          customer_id, product_id, rating, text, review_date (only
                             when the shop has reviews)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from recsys.data.dataset import CleaningReport, Dataset
from recsys.data.load import FOLDER_FILES
from recsys.data.mapping import is_mapping_path, read_mapping
from recsys.errors import DataError

STORE_INFO = "store.json"
TABLES: tuple[str, ...] = ("transactions", "products", "customers", "cancellations")
"""The Dataset tables a store holds, one Parquet file each."""
REVIEWS_TABLE = "reviews.parquet"
"""The shop's reviews, written only when it has some (a store without is a shop without)."""
STORE_FORMAT = 1
"""Version of the store layout; a store of another version is imported again."""

_CHUNK = 1 << 22


class StaleArtifacts(DataError):
    """A store or artifact folder is missing, incomplete, or made from other data or settings."""


def source_files(source: str | os.PathLike | Sequence[str | os.PathLike]) -> list[Path]:
    """Return the files whose bytes make up ``source`` (a file, a canonical folder, or a list).

    Raises
    ------
    DataError
        When the file or folder does not exist.
    """
    if isinstance(source, (list, tuple)):
        return sorted(Path(p) for p in source)
    path = Path(source)
    if path.is_dir():
        return [path / name for name in FOLDER_FILES if (path / name).is_file()]
    if is_mapping_path(path) and path.is_file():
        # a mapping file's data is the mapping and every file it names
        spec = read_mapping(path)
        return [path, *(spec.file(t) for t in spec.tables if spec.file(t).is_file())]
    if not path.exists():
        raise DataError(f"no such file or folder: {path}")
    return [path]


def source_fingerprint(source: str | os.PathLike | Sequence[str | os.PathLike]) -> str:
    """Return a hex digest of the bytes (and names) of the files of ``source``.

    Any change of content changes it; a copy of the same file elsewhere has the same
    digest. Reads the files once (about 1 GB/s).
    """
    digest = hashlib.blake2b(digest_size=16)
    for file in source_files(source):
        digest.update(file.name.encode() + b"\0")
        with open(file, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def report_to_dict(report: CleaningReport) -> dict:
    """Return the cleaning report as plain JSON-ready values."""
    return {
        "layout": report.layout,
        "raw_lines": int(report.raw_lines),
        "removed": [[rule, int(n)] for rule, n in report.removed],
        "kept_lines": int(report.kept_lines),
        "lines_without_customer": int(report.lines_without_customer),
        "notes": list(report.notes),
        "date_order": report.date_order,
        "dates_ambiguous": bool(report.dates_ambiguous),
        "date_alternative": list(report.date_alternative),
        "date_column": report.date_column,
        "date_range": list(report.date_range),
    }


def report_from_dict(data: dict) -> CleaningReport:
    """Inverse of :func:`report_to_dict`."""
    return CleaningReport(
        layout=str(data["layout"]),
        raw_lines=int(data["raw_lines"]),
        removed=tuple((str(rule), int(n)) for rule, n in data["removed"]),
        kept_lines=int(data["kept_lines"]),
        lines_without_customer=int(data["lines_without_customer"]),
        notes=tuple(str(n) for n in data.get("notes", ())),
        date_order=str(data.get("date_order", "")),
        dates_ambiguous=bool(data.get("dates_ambiguous", False)),
        date_alternative=tuple(str(d) for d in data.get("date_alternative", ())),
        date_column=str(data.get("date_column", "")),
        date_range=tuple(str(d) for d in data.get("date_range", ())),
    )


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (index dropped) to one Parquet file, columns as they are.

    Text columns of mixed Python objects (a customers file with odd values) are written
    as text.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        mixed = {c: "string" for c in frame.columns if frame[c].dtype == object}
        table = pa.Table.from_pandas(frame.astype(mixed), preserve_index=False)
    pq.write_table(table, path, compression="zstd")


def read_table(path: Path, *, strings: str = "python") -> pd.DataFrame:
    """Read one Parquet file (or a folder of parts) back into pandas.

    ``strings`` is the storage of text columns: ``"python"`` (pandas' ``string`` dtype,
    as :func:`recsys.data.load.load_dataset` gives) or ``"pyarrow"`` (the same dtype
    kept in Arrow buffers: several times less memory on millions of lines).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    mapper = {pa.string(): pd.StringDtype(strings), pa.large_string(): pd.StringDtype(strings)}
    return table.to_pandas(types_mapper=mapper.get)


def write_store(
    dataset: Dataset, folder: str | os.PathLike, *, source_digest: str, dates: str = "auto"
) -> dict:
    """Write ``dataset`` to ``folder`` (created; files in it replaced) and return its info.

    Parameters
    ----------
    dataset : recsys.Dataset
    folder : path
        Where to write (normally a staging folder that is renamed into place afterwards).
    source_digest : str
        :func:`source_fingerprint` of the file(s) the data set was read from.
    dates : str
        The date order the source was read with (``"auto"``, ``"day-first"``,
        ``"month-first"``): the same bytes read another way are other data.

    Returns
    -------
    dict
        What ``store.json`` holds: ``format``, ``source_fingerprint``,
        ``data_fingerprint``, ``report``, ``rows`` (per table).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        write_table(getattr(dataset, name), folder / f"{name}.parquet")
    if dataset.has_reviews:
        write_table(dataset.reviews, folder / REVIEWS_TABLE)
    info = {
        "format": STORE_FORMAT,
        "source_fingerprint": source_digest,
        "dates": dates,
        "data_fingerprint": dataset.fingerprint,
        "report": report_to_dict(dataset.report),
        "rows": {name: len(getattr(dataset, name)) for name in TABLES},
    }
    (folder / STORE_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


def store_info(folder: str | os.PathLike) -> dict | None:
    """Return the ``store.json`` of ``folder``, or None when there is no complete store."""
    path = Path(folder) / STORE_INFO
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if info.get("format") != STORE_FORMAT:
        return None
    if not all((Path(folder) / f"{name}.parquet").exists() for name in TABLES):
        return None
    return info


def read_store(
    folder: str | os.PathLike, *, source_digest: str | None = None, strings: str = "python"
) -> Dataset:
    """Return the :class:`recsys.Dataset` kept in a store folder.

    Parameters
    ----------
    folder : path
    source_digest : str, optional
        When given, the store must have been made from a source with this
        :func:`source_fingerprint`; otherwise it is stale.
    strings : {"python", "pyarrow"}
        Storage of the text columns (see :func:`read_table`).

    Raises
    ------
    StaleArtifacts
        When the folder holds no complete store, or one made from other data.
    """
    info = store_info(folder)
    if info is None:
        raise StaleArtifacts(f"{folder} holds no complete columnar store: run the pipeline again.")
    if source_digest is not None and info["source_fingerprint"] != source_digest:
        raise StaleArtifacts(
            f"the store in {folder} was made from other data (source fingerprint "
            f"{info['source_fingerprint']}, the file now has {source_digest}): run the pipeline again."
        )
    tables = {name: read_table(Path(folder) / f"{name}.parquet", strings=strings) for name in TABLES}
    reviews = Path(folder) / REVIEWS_TABLE
    if reviews.exists():
        tables["reviews"] = read_table(reviews, strings=strings)
    return Dataset.restored(
        **tables, report=report_from_dict(info["report"]), fingerprint=info["data_fingerprint"]
    )
