"""The campaign export: one row per customer with segment, figures and recommendations."""

from __future__ import annotations

import pandas as pd

from recsys.data import schema as S
from recsys.errors import DataError, ParameterError
from recsys.export import with_hashed_ids

CONTACT_COLUMNS: tuple[str, ...] = ("email", "first_name", "last_name", "name", "phone", "country")
"""Columns of the customers table a campaign tool needs to reach a customer, in this order,
exported where the data has them (``country`` comes with the customer figures)."""

def segment_export(
    features: pd.DataFrame,
    assignments: pd.DataFrame,
    *,
    recommendations: pd.DataFrame | None = None,
    n_recs: int = 5,
    segment: int | None = None,
    hash_ids: bool = False,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return one row per customer: segment number and name, features, top recommendations.

    Parameters
    ----------
    features : DataFrame
        Customer features indexed by ``customer_id`` (as from
        :func:`recsys.segments.features.customer_features`); every column is exported.
    assignments : DataFrame
        Columns ``customer_id``, ``segment`` (int, 1 = most valuable),
        ``segment_name`` (str).
    recommendations : DataFrame, optional
        Columns ``customer_id``, ``product_id``, ``rank`` (1 = best) and optionally
        ``description``. When given, columns ``rec_1`` .. ``rec_{n_recs}`` are added,
        each ``"product_id description"`` (or just the id) of that rank, empty where
        the customer has fewer recommendations.
    n_recs : int, default 5
        How many recommendation columns to add.
    segment : int or None
        Only the customers of this segment; None exports every customer.
    hash_ids : bool, default False
        Replace ``customer_id`` by ``customer_id_sha256`` (the SHA-256 of the trimmed,
        lower-case id: an e-mail address as advertising platforms match it), for a list
        that must not carry the addresses themselves.
    customers : DataFrame, optional
        The customers table (``customer_id`` and any of :data:`CONTACT_COLUMNS`): those
        of its contact columns that hold a value are added after the figures.

    Returns
    -------
    DataFrame
        Columns ``customer_id``, ``segment``, ``segment_name``, the feature columns
        (figures rounded to 2 decimals, rates, shares and probabilities ``p_*`` to 4), the
        contact columns (``email``, ``first_name``, … where known), then ``rec_1`` ..;
        sorted by segment then customer id. Customers missing from ``assignments``
        are left out.
    """
    if n_recs < 0:
        raise ParameterError(f"n_recs must be >= 0 (recommendations per customer), got {n_recs}")
    needed = {S.CUSTOMER_ID, S.SEGMENT, S.SEGMENT_NAME}
    missing = needed - set(assignments.columns)
    if missing:
        raise DataError(f"assignments lacks columns {sorted(missing)}: pass the assignments of a segmentation")
    feats = features.copy()
    feats.index = feats.index.astype(str)
    feats.index.name = S.CUSTOMER_ID
    base = assignments[[S.CUSTOMER_ID, S.SEGMENT, S.SEGMENT_NAME]].copy()
    base[S.CUSTOMER_ID] = base[S.CUSTOMER_ID].astype(str)
    out = base.merge(feats.reset_index(), on=S.CUSTOMER_ID, how="left")
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            is_share = column.endswith("_rate") or "share" in column or column.startswith("p_")
            out[column] = out[column].round(4 if is_share else 2)
    if customers is not None:
        contact = [c for c in CONTACT_COLUMNS
                   if c in customers.columns and c not in out.columns and customers[c].notna().any()]
        if contact:
            known = customers[[S.CUSTOMER_ID, *contact]].drop_duplicates(S.CUSTOMER_ID).copy()
            known[S.CUSTOMER_ID] = known[S.CUSTOMER_ID].astype(str)
            out = out.merge(known, on=S.CUSTOMER_ID, how="left")
    if recommendations is not None and n_recs > 0:
        out = out.merge(_recommendation_columns(recommendations, n_recs), on=S.CUSTOMER_ID, how="left")
        rec_cols = [f"rec_{r}" for r in range(1, n_recs + 1)]
        out[rec_cols] = out[rec_cols].fillna("")
    out = out.sort_values([S.SEGMENT, S.CUSTOMER_ID], kind="stable")
    if segment is not None:
        out = out[out[S.SEGMENT] == int(segment)]
    out = out.reset_index(drop=True)
    return with_hashed_ids(out, S.CUSTOMER_ID) if hash_ids else out


def _recommendation_columns(recommendations: pd.DataFrame, n_recs: int) -> pd.DataFrame:
    """Pivot long recommendations into ``customer_id, rec_1 .. rec_{n_recs}`` text columns."""
    needed = {S.CUSTOMER_ID, S.PRODUCT_ID, "rank"}
    missing = needed - set(recommendations.columns)
    if missing:
        raise DataError(f"recommendations lacks columns {sorted(missing)}: pass the output of a recommender")
    recs = recommendations[recommendations["rank"] <= n_recs]
    label = recs[S.PRODUCT_ID].astype(str)
    if S.DESCRIPTION in recs.columns:
        desc = recs[S.DESCRIPTION].astype("string").fillna("").str.strip()
        label = (label + " " + desc).str.strip()
    wide = (
        pd.DataFrame(
            {
                S.CUSTOMER_ID: recs[S.CUSTOMER_ID].astype(str).to_numpy(),
                "col": ("rec_" + recs["rank"].astype(int).astype(str)).to_numpy(),
                "label": label.to_numpy(),
            }
        )
        .drop_duplicates([S.CUSTOMER_ID, "col"])
        .pivot(index=S.CUSTOMER_ID, columns="col", values="label")
    )
    for r in range(1, n_recs + 1):
        if f"rec_{r}" not in wide.columns:
            wide[f"rec_{r}"] = pd.NA
    wide = wide[[f"rec_{r}" for r in range(1, n_recs + 1)]]
    wide.columns.name = None
    return wide.reset_index()
