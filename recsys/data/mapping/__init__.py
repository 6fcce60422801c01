"""Column mapping: any shop's CSV / Excel / Parquet files onto the canonical tables.

A mapping says which file holds each table (transactions, and optionally products,
customers, reviews) and which of its columns holds each canonical field
(:mod:`.fields`). The app proposes one for a file that matches no layout
(:func:`suggest_mapping`, by the columns' names and content, :mod:`.suggest`); a mapping
file (:mod:`.spec`) is a data source everywhere a file is: every command's ``DATA``,
``RECSYS_DATA``, uploads (:func:`recsys.data.load.load_dataset` reads it through
:func:`read_mapped`, :mod:`.apply`).
"""

from __future__ import annotations

from pathlib import Path

from recsys.data.mapping.apply import MappedTables, file_header, read_columns, read_mapped
from recsys.data.mapping.fields import (
    CUSTOMERS,
    FIELDS,
    LINE_TOTAL,
    PRODUCTS,
    REVIEWS,
    TABLES,
    TRANSACTIONS,
    Field,
    table_fields,
)
from recsys.data.mapping.spec import (
    MappedUpload,
    MappingSpec,
    TableMapping,
    is_mapping_path,
    mapping_from_dict,
    read_mapping,
)
from recsys.data.mapping.suggest import Suggestion, profile_columns, suggest_columns

__all__ = [
    "CUSTOMERS",
    "FIELDS",
    "LINE_TOTAL",
    "PRODUCTS",
    "REVIEWS",
    "TABLES",
    "TRANSACTIONS",
    "Field",
    "MappedTables",
    "MappedUpload",
    "MappingSpec",
    "Suggestion",
    "TableMapping",
    "file_header",
    "is_mapping_path",
    "mapping_from_dict",
    "profile_columns",
    "read_columns",
    "read_mapped",
    "read_mapping",
    "suggest_columns",
    "suggest_mapping",
    "table_fields",
]


def suggest_mapping(data: Path | bytes, *, label: str, table: str = TRANSACTIONS) -> tuple[TableMapping, Suggestion]:
    """Propose a mapping of one file onto ``table``'s fields.

    Parameters
    ----------
    data : Path or bytes
        A CSV, Excel or Parquet file (its path, or its bytes: an upload).
    label : str
        The file's name: the mapping's ``path`` and the name in messages.
    table : str, default "transactions"

    Returns
    -------
    mapping : TableMapping
        ``path`` = the file's name, ``columns`` = the proposal (possibly incomplete: the
        marketer completes it).
    suggestion : Suggestion
        The same columns with why each was chosen (``"name"`` or ``"content"``).
    """
    frame, _ = read_columns(data, label=label)
    suggestion = suggest_columns(frame, table)
    return TableMapping(path=Path(label).name, columns=dict(suggestion.columns)), suggestion
