"""Product descriptions joined onto any table of product ids, or gathered from several."""

from __future__ import annotations

import pandas as pd

from recsys.data import schema as S


def product_labels(product_ids: pd.Series, products: pd.DataFrame | None) -> pd.Series:
    """Return ``"DESCRIPTION (id)"`` for each product id (the id alone where unknown).

    Parameters
    ----------
    product_ids : Series of str
    products : DataFrame or None
        ``product_id``, ``description``.

    Returns
    -------
    Series of str, same index as ``product_ids``.
    """
    ids = product_ids.astype("string")
    if products is None or S.DESCRIPTION not in products:
        return ids.astype(str)
    known = products.dropna(subset=[S.DESCRIPTION]).drop_duplicates(S.PRODUCT_ID)
    lookup = pd.Series(
        (known[S.DESCRIPTION].astype(str) + " (" + known[S.PRODUCT_ID].astype(str) + ")").to_numpy(),
        index=known[S.PRODUCT_ID].astype("string"),
    )
    codes, uniques = pd.factorize(ids)
    labels = lookup.reindex(uniques).fillna(pd.Series(uniques.astype(str), index=uniques))
    return pd.Series(labels.to_numpy(dtype=object)[codes], index=product_ids.index, dtype=object)


def describe_recommendations(recommendations: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Join product descriptions and prices onto recommendations for display.

    Parameters
    ----------
    recommendations : DataFrame
        Columns ``customer_id``, ``product_id``, ``score``, ``rank`` and optionally
        ``reason``.
    products : DataFrame
        Product table with ``product_id`` and optionally ``description``,
        ``category``, ``unit_price``.

    Returns
    -------
    DataFrame
        Columns ``rank``, ``product_id``, ``description``, ``category``,
        ``unit_price``, ``score``, ``reason`` (missing ones filled with ``<NA>``),
        ordered by rank. The input is not changed.
    """
    extra = [c for c in (S.DESCRIPTION, S.CATEGORY, S.UNIT_PRICE) if c in products]
    catalogue = products.drop_duplicates(S.PRODUCT_ID)[[S.PRODUCT_ID, *extra]]
    out = recommendations.merge(catalogue, on=S.PRODUCT_ID, how="left", validate="many_to_one")
    columns = [S.RANK, S.PRODUCT_ID, S.DESCRIPTION, S.CATEGORY, S.UNIT_PRICE, S.SCORE, S.REASON]
    for col in columns:
        if col not in out:
            out[col] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out.sort_values(S.RANK, kind="stable")[columns].reset_index(drop=True)


def with_descriptions(recommendations: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """Return ``recommendations`` with a ``description`` column from the product table.

    Parameters
    ----------
    recommendations : DataFrame
        Any frame with a ``product_id`` column (e.g. batch recommendations:
        ``customer_id``, ``product_id``, ``score``, ``rank``, ``reason``).
    products : DataFrame
        Product table with ``product_id`` and optionally ``description``.

    Returns
    -------
    DataFrame
        A copy with ``description`` (``<NA>`` where unknown) added or replaced; rows and
        their order unchanged.
    """
    if S.DESCRIPTION in products:
        names = products.drop_duplicates(S.PRODUCT_ID).set_index(S.PRODUCT_ID)[S.DESCRIPTION]
        description = recommendations[S.PRODUCT_ID].map(names).astype("string")
    else:
        description = pd.Series(pd.NA, index=recommendations.index, dtype="string")
    return recommendations.assign(**{S.DESCRIPTION: description})


def product_names(*tables: pd.DataFrame) -> pd.Series:
    """Return the description of every product in ``tables``, in order of first appearance.

    Where tables disagree, the first table with a description for a product wins.

    Parameters
    ----------
    *tables : DataFrame
        Each with ``product_id`` and ``description`` (e.g. described recommendations and a
        purchase history).

    Returns
    -------
    Series
        Indexed by ``product_id`` (each once), the description (``<NA>`` where no table has one).
    """
    # one description dtype and no empty parts, so no part's missing values decide the result's dtype
    parts = [t[[S.PRODUCT_ID, S.DESCRIPTION]].astype({S.DESCRIPTION: object}) for t in tables]
    lines = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    ids = pd.unique(lines[S.PRODUCT_ID])
    named = lines.dropna(subset=[S.DESCRIPTION]).drop_duplicates(S.PRODUCT_ID)
    return named.set_index(S.PRODUCT_ID)[S.DESCRIPTION].reindex(ids)
