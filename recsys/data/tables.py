"""The products and customers tables, derived from clean lines and optional files.

One row per product (its most frequent description, category, median price paid) and
one row per customer (most frequent country, demographics from a customers file).
All group-bys work on integer codes, so the cost is a few passes over the lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import parsing
from recsys.data import schema as S
from recsys.data.bands import attribute_values
from recsys.errors import DataError


def most_frequent(frame: pd.DataFrame, *, key: str, value: str) -> pd.Series:
    """Return the most frequent non-missing ``value`` per ``key`` (ties: smallest value).

    Parameters
    ----------
    frame : DataFrame
        Has columns ``key`` and ``value``.

    Returns
    -------
    Series
        Indexed by ``key`` (sorted), named ``value``; keys whose values are all missing
        are absent.
    """
    key_codes, keys = _factorized(frame[key])
    value_codes, values = _factorized(frame[value])
    present = (key_codes >= 0) & (value_codes >= 0)
    width = max(len(values), 1)
    pairs = key_codes[present].astype(np.int64) * width + value_codes[present]
    counted = pd.Series(pairs).value_counts(sort=False)
    pair = counted.index.to_numpy()
    counts = pd.DataFrame(
        {
            key: np.asarray(keys, dtype=object)[pair // width],
            value: np.asarray(values, dtype=object)[pair % width],
            "n": counted.to_numpy(),
        }
    )
    counts = counts.sort_values([key, "n", value], ascending=[True, False, True], kind="stable")
    return counts.drop_duplicates(key).set_index(key)[value]


def _factorized(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, pd.Index(uniques)


def product_table(lines: pd.DataFrame, *, products: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return one row per product: ``product_id``, ``description``, ``category``,
    ``unit_price``.

    Parameters
    ----------
    lines : DataFrame
        Clean lines: ``product_id``, ``unit_price`` and optionally ``description``,
        ``category``.
    products : DataFrame, optional
        A products file (``product_id`` and any of ``description``, ``category``,
        ``unit_price``); its non-missing values win, its unsold products are added.

    Returns
    -------
    DataFrame
        Sorted by ``product_id``. ``description`` is the most frequent one on the lines
        (the product id when none is known); ``category`` is ``<NA>`` where unknown;
        ``unit_price`` is the median unit price paid (float64).
    """
    ids = _distinct(lines[S.PRODUCT_ID])
    table = pd.DataFrame(index=ids)
    for col in (S.DESCRIPTION, S.CATEGORY):
        table[col] = (
            most_frequent(lines, key=S.PRODUCT_ID, value=col) if col in lines.columns else None
        )
    median = lines.groupby(S.PRODUCT_ID, observed=True)[S.UNIT_PRICE].median()
    table[S.UNIT_PRICE] = median.set_axis(median.index.astype(object))
    if products is not None:
        given = _side_table(products, key=S.PRODUCT_ID, upper=True)
        table = table.reindex(table.index.union(given.index))
        for col in (S.DESCRIPTION, S.CATEGORY, S.UNIT_PRICE):
            if col in given.columns:
                table[col] = _prefer(given[col].reindex(table.index), table[col])
    table = table.sort_index().reset_index()
    table[S.DESCRIPTION] = table[S.DESCRIPTION].astype("string").fillna(table[S.PRODUCT_ID])
    return table.astype({S.PRODUCT_ID: "string", S.CATEGORY: "string", S.UNIT_PRICE: "float64"})[
        list(S.PRODUCT_COLUMNS)
    ]


def customer_table(lines: pd.DataFrame, *, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return one row per customer: those on clean lines and those of a customers file.

    A customer of the customers file without any clean line (registered, never bought,
    or whose lines were all cleaned away) is kept: what is known of them (country,
    demographics) serves cold-start recommendations. Count buyers with
    ``Dataset.n_buyers``, not with the length of this table.

    Parameters
    ----------
    lines : DataFrame
        Clean lines: ``customer_id`` and optionally ``country``.
    customers : DataFrame, optional
        A customers file: ``customer_id`` and any of ``country``, ``signup_date``,
        ``age``, ``gender`` and further columns; its non-missing values win, its
        customers without lines are added.

    Returns
    -------
    DataFrame
        Sorted by ``customer_id``: ``customer_id`` (string), ``country`` (string, the
        customers file's, else the most frequent on the customer's lines), and from the
        file ``signup_date`` (datetime64[ns]), ``age`` (float64, or an ordered
        categorical of bands such as ``"45-54"``: :func:`recsys.data.bands.attribute_values`),
        ``gender`` (string) and other columns (missing for customers the file lacks).
    """
    with_customer = lines[lines[S.CUSTOMER_ID].notna()]
    ids = _distinct(with_customer[S.CUSTOMER_ID])
    table = pd.DataFrame(index=ids)
    if S.COUNTRY in lines.columns:
        table[S.COUNTRY] = most_frequent(with_customer, key=S.CUSTOMER_ID, value=S.COUNTRY)
    else:
        table[S.COUNTRY] = None
    if customers is not None:
        given = _side_table(customers, key=S.CUSTOMER_ID)
        table = table.reindex(table.index.union(given.index, sort=False))
        given = given.reindex(table.index)
        for col in given.columns:
            table[col] = _prefer(given[col], table[col]) if col in table else given[col]
    table = table.sort_index().reset_index()
    dtypes = {S.CUSTOMER_ID: "string", S.COUNTRY: "string"}
    if S.GENDER in table.columns:
        dtypes[S.GENDER] = "string"
    if S.SIGNUP_DATE in table.columns:
        table[S.SIGNUP_DATE] = parsing.dates(table[S.SIGNUP_DATE])
    if S.AGE in table.columns:
        # numbers stay numbers (float64); bands such as "45-54" stay bands, in order
        table[S.AGE] = attribute_values(table[S.AGE])
    return table.astype(dtypes)




def _prefer(first: pd.Series, fallback: pd.Series) -> pd.Series:
    """``first`` where it has a value, else ``fallback`` (same index)."""
    if isinstance(first.dtype, pd.DatetimeTZDtype) or first.dtype.kind in "Mmf":
        return first.where(first.notna(), fallback)
    return first.astype(object).where(first.notna(), fallback.astype(object))


def _distinct(values: pd.Series) -> pd.Index:
    """Distinct non-missing values, as an object index named like ``values``."""
    distinct = values.dropna().unique()
    return pd.Index(np.asarray(distinct, dtype=object), dtype=object, name=values.name)


def _side_table(frame: pd.DataFrame, *, key: str, upper: bool = False) -> pd.DataFrame:
    """Index a products or customers file by its normalised id (first row per id wins)."""
    if key not in frame.columns:
        raise DataError(f"missing columns: {key}; found {', '.join(map(str, frame.columns))}")
    out = frame.copy()
    out[key] = parsing.text_ids(frame[key], upper=upper)
    for col in (S.DESCRIPTION, S.CATEGORY, S.COUNTRY, S.GENDER):
        if col in out.columns:
            out[col] = parsing.plain_text(out[col])
    if S.UNIT_PRICE in out.columns:
        out[S.UNIT_PRICE] = parsing.numbers(out[S.UNIT_PRICE])
    out = out[out[key].notna()].drop_duplicates(key)
    return out.set_index(key)
