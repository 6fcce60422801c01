"""Vectorised conversion of raw column values (text, numbers, dates) to canonical dtypes.

The readers of :mod:`recsys.data.sniff` decide how a column is written (date order,
decimal separator, what a spreadsheet did to ids) and read it; these functions return
just the converted values, for the tables that need no report of how (a products or
customers file's side columns, the append's parsing of its own file).

Exports repeat the same few values many times (25,900 invoices over 541,909 lines), so
every conversion works on the distinct values of a column and maps the result back by
position: the cost grows with the number of distinct values, not with the lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data.sniff import read_dates, read_ids, read_numbers
from recsys.data.sniff.ids import map_distinct


def text_categorical(values: pd.Series, *, upper: bool = False) -> pd.Series:
    """Return ids (invoices, customers, products) as a categorical of stripped text.

    See :func:`recsys.data.sniff.read_ids`: ``17850.0`` and ``1.785E+04`` are
    ``"17850"``; ``upper=True`` upper-cases (stock codes); empty text is missing.
    """
    return read_ids(values, upper=upper).values


def text_ids(values: pd.Series, *, upper: bool = False) -> pd.Series:
    """Return :func:`text_categorical` as pandas ``"string"``."""
    return text_categorical(values, upper=upper).astype("string")


def free_text_categorical(values: pd.Series) -> pd.Series:
    """Return free text (descriptions, countries) as a categorical of stripped text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # type=pa.string(): without it a column with no value at all (every line blank)
    # gives an Arrow null array, which the string kernels refuse.
    arr = pa.array(np.asarray(pd.Index(uniques).astype(str), dtype=object), type=pa.string())
    text = pc.utf8_trim_whitespace(arr).to_numpy(zero_copy_only=False)
    return map_distinct(np.asarray(text, dtype=object), codes, values.index)


def plain_text(values: pd.Series) -> pd.Series:
    """Return free text as stripped pandas ``"string"``; empty text is missing."""
    return free_text_categorical(values).astype("string")


def numbers(values: pd.Series, *, delimiter: str | None = None) -> pd.Series:
    """Return ``values`` as float64; unreadable, infinite or overflowing values -> NaN.

    See :func:`recsys.data.sniff.read_numbers` (currency signs, decimal commas and
    thousands separators decided from the whole column).
    """
    return read_numbers(values, delimiter=delimiter).values


def dates(values: pd.Series, *, order: str = "auto") -> pd.Series:
    """Return ``values`` as datetime64[ns] (time-zone naive); unreadable values -> NaT.

    See :func:`recsys.data.sniff.read_dates`.
    """
    return read_dates(values, order=order).values
