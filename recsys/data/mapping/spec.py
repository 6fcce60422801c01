"""The mapping file: which file holds each table and which column holds each field.

A mapping file is JSON; paths are relative to the mapping file's folder, and only
``transactions`` is required::

    {"transactions": {"path": "tx.csv", "columns": {"invoice_id": "basket_id",
        "invoice_date": "transaction_timestamp", "customer_id": "household_id",
        "product_id": "product_id", "quantity": "quantity", "line_total": "sales_value"}},
     "products": {"path": "products.csv", "columns": {"product_id": "product_id",
        "description": "product_type", "category": "department"}},
     "customers": {"path": "households.csv", "columns": {"customer_id": "household_id",
        "age": "age", "income": "income", "country": "region"}},
     "reviews": {"path": "reviews.csv", "columns": {"customer_id": "user",
        "product_id": "item", "rating": "stars", "text": "review", "review_date": "date"}}}

:func:`read_mapping` reads and checks one (unknown tables or fields, a missing path or
column name are refused in words); :meth:`MappingSpec.to_json` writes one back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from recsys.data import schema as S
from recsys.data.mapping.fields import (
    LINE_TOTAL,
    TABLES,
    TRANSACTIONS,
    table_fields,
)
from recsys.errors import DataError

MAPPING_SUFFIX = ".json"


@dataclass(frozen=True)
class TableMapping:
    """One table of a mapping: its file and ``{canonical field: the file's column}``.

    Attributes
    ----------
    path : str
        The file, as written in the mapping (relative to the mapping file's folder, or a
        bare name for files given in memory).
    columns : dict of str to str
        ``{canonical field: column name in the file}``.
    """

    path: str
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MappingSpec:
    """A whole mapping: ``transactions`` and optionally ``products``, ``customers``,
    ``reviews``.

    Attributes
    ----------
    tables : dict of str to TableMapping
        By table name, in :data:`recsys.data.mapping.fields.TABLES` order.
    base : Path or None
        The mapping file's folder (relative paths are read from there); None for a
        mapping whose files are given in memory.
    label : str
        How to name the mapping in messages (its file name).
    """

    tables: Mapping[str, TableMapping]
    base: Path | None = None
    label: str = "the mapping"

    def file(self, table: str) -> Path:
        """The path of ``table``'s file (absolute when the mapping has a base folder)."""
        path = Path(self.tables[table].path)
        return path if path.is_absolute() or self.base is None else self.base / path

    def to_dict(self) -> dict:
        """The mapping as plain JSON-ready values (paths as written)."""
        return {
            name: {"path": table.path, "columns": dict(table.columns)}
            for name, table in self.tables.items()
        }

    def to_json(self) -> str:
        """The mapping file's text (indented, fields in the form's order)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class MappedUpload:
    """A mapping with its files in memory (an upload): a source for
    :func:`recsys.data.load.load_dataset`.

    Attributes
    ----------
    spec : MappingSpec
        The mapping; each table's file is found in ``files`` by its file name.
    files : dict of str to bytes
        The uploaded files by name.
    """

    spec: MappingSpec
    files: Mapping[str, bytes] = field(default_factory=dict)


def is_mapping_path(source: object) -> bool:
    """Whether ``source`` is a path to a mapping file (``.json``)."""
    return isinstance(source, (str, os.PathLike)) and Path(source).suffix.lower() == MAPPING_SUFFIX


def read_mapping(path: str | os.PathLike) -> MappingSpec:
    """Read a mapping file; its relative paths are relative to its folder.

    Raises
    ------
    DataError
        When the file is missing or not JSON, or its content is not a mapping (see
        :func:`mapping_from_dict`).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such mapping file: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(
            f"{path.name} is not a mapping file: it could not be read as JSON ({exc}). "
            'A mapping file looks like {"transactions": {"path": "tx.csv", "columns": '
            '{"invoice_id": "basket_id", ...}}}.'
        ) from exc
    return mapping_from_dict(data, base=path.resolve().parent, label=path.name)


def mapping_from_dict(data: object, *, base: Path | None = None, label: str = "the mapping") -> MappingSpec:
    """Check and return a mapping given as plain values (a parsed mapping file).

    Raises
    ------
    DataError
        Naming what is wrong: no ``transactions`` table, an unknown table or field, a
        table without ``path`` or ``columns``, a column name that is not text, a missing
        required field, or both ``unit_price`` and ``line_total``.
    """
    if not isinstance(data, dict):
        raise DataError(f"{label}: a mapping is a JSON object with a \"transactions\" entry; got {type(data).__name__}.")
    unknown = [k for k in data if k not in TABLES]
    if unknown:
        raise DataError(
            f"{label}: unknown table {unknown[0]!r}; a mapping has {', '.join(TABLES)} "
            "(only transactions is required)."
        )
    if TRANSACTIONS not in data:
        raise DataError(f"{label}: no \"transactions\" table; it is the one a mapping must have.")
    tables = {}
    for name in TABLES:
        if name not in data:
            continue
        entry = data[name]
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not entry["path"].strip():
            raise DataError(f"{label}: table {name!r} needs a \"path\" (the file, relative to the mapping file).")
        columns = entry.get("columns")
        if not isinstance(columns, dict) or not columns:
            raise DataError(f"{label}: table {name!r} needs \"columns\": {{canonical field: the file's column}}.")
        tables[name] = TableMapping(path=entry["path"].strip(), columns=check_fields(name, columns, label=label))
    return MappingSpec(tables=tables, base=base, label=label)


def check_fields(table: str, columns: Mapping[str, object], *, label: str = "the mapping") -> dict[str, str]:
    """Return ``columns`` (``{field: column}``) after checking the fields of ``table``.

    Raises
    ------
    DataError
        For an unknown field, a column name that is not text, a required field left out,
        or (transactions) neither or both of ``unit_price`` and ``line_total``.
    """
    known = [f.name for f in table_fields(table)]
    out = {}
    for name, column in columns.items():
        if name not in known:
            raise DataError(
                f"{label}: {table} has no field {name!r}; its fields are {', '.join(known)}."
            )
        if not isinstance(column, str) or not column.strip():
            raise DataError(f"{label}: {table}.{name} must name a column of the file, got {column!r}.")
        out[name] = column
    missing = [f.name for f in table_fields(table) if f.required and f.name not in out]
    if missing:
        raise DataError(
            f"{label}: {table} maps no column to {', '.join(missing)}; choose the column that "
            f"holds {'it' if len(missing) == 1 else 'each'}."
        )
    if table == TRANSACTIONS:
        prices = [f for f in (S.UNIT_PRICE, LINE_TOTAL) if f in out]
        if len(prices) != 1:
            raise DataError(
                f"{label}: transactions needs exactly one of unit_price (the price of one "
                f"unit) and line_total (quantity x price), got {' and '.join(prices) or 'neither'}."
            )
    return out
