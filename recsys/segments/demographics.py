"""Who the customers are: demographics as segmentation features and as segment mixes.

Customer attributes (age, income, household size; numbers or bands, see
:mod:`recsys.data.bands`) can join the figures k-means sees (the feature set
:data:`recsys.segments.kmeans.DEMOGRAPHICS_SET`, off by default: segments are about
behaviour first), and every segment's mix of them can be shown beside its profile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.bands import AGE_BANDS, band_categories, band_values

DEMOGRAPHIC_ATTRIBUTES: tuple[str, ...] = (S.AGE, S.INCOME, S.HOUSEHOLD)
"""Ordered customer attributes that can join the segmentation features."""
MIX_ATTRIBUTES: tuple[str, ...] = (S.AGE, S.INCOME, S.HOUSEHOLD, S.GENDER, S.REGION)
"""Attributes whose mix a segment profile shows (where the data has them)."""
DEMOGRAPHIC_PREFIX = "demographic__"
"""Prefix of the demographic feature columns (``demographic__income``)."""
MIN_KNOWN_SHARE = 0.5
"""An attribute known for fewer customers than this share does not join the features."""
SHARE = "share"
CUSTOMERS = "customers"
BAND = "band"


def demographic_attributes(customers: pd.DataFrame | None) -> list[str]:
    """Return the attributes of :data:`DEMOGRAPHIC_ATTRIBUTES` that ``customers`` has, readable
    (a number or band) for at least :data:`MIN_KNOWN_SHARE` of its rows."""
    if customers is None or customers.empty:
        return []
    return [a for a in DEMOGRAPHIC_ATTRIBUTES if a in customers.columns
            and band_values(customers[a]).notna().mean() >= MIN_KNOWN_SHARE]


def with_demographics(features: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``features`` plus one ``demographic__<attribute>`` column per usable attribute.

    Parameters
    ----------
    features : DataFrame
        Customer figures indexed by ``customer_id`` (not modified).
    customers : DataFrame
        ``customer_id`` and any of ``age``, ``income``, ``household`` (numbers or bands).

    Returns
    -------
    DataFrame
        ``features`` with float columns ``demographic__age`` … : the number, or the
        band's middle; customers without a value get the median of those with one.
    """
    out = features.copy()
    for attribute in demographic_attributes(customers):
        values = band_values(customers[attribute])
        values.index = customers[S.CUSTOMER_ID].astype(str).to_numpy()
        values = values[~values.index.duplicated()]
        column = values.reindex(features.index.astype(str)).to_numpy(dtype=np.float64)
        median = np.nanmedian(column) if np.isfinite(column).any() else 0.0
        out[DEMOGRAPHIC_PREFIX + attribute] = np.where(np.isfinite(column), column, median)
    return out


def demographic_columns(features: pd.DataFrame) -> list[str]:
    """Return the ``demographic__*`` columns of ``features``."""
    return [c for c in features.columns if str(c).startswith(DEMOGRAPHIC_PREFIX)]


def demographic_mix(assignments: pd.DataFrame, customers: pd.DataFrame, attribute: str
                    ) -> pd.DataFrame:
    """Return each segment's mix of one attribute's bands.

    Parameters
    ----------
    assignments : DataFrame
        ``customer_id``, ``segment``, ``segment_name``.
    customers : DataFrame
        ``customer_id`` and ``attribute``.
    attribute : str
        ``age`` (plain ages are put in :data:`recsys.data.bands.AGE_BANDS`), ``income``,
        ``household``, or a text attribute (``gender``, ``region``).

    Returns
    -------
    DataFrame
        ``segment``, ``segment_name``, ``band`` (lowest band first; ``"Unknown"`` last),
        ``customers`` (int), ``share`` (of the segment's customers, in [0, 1]); one row
        per segment and band, every band listed for every segment.
    """
    values = customers.set_index(customers[S.CUSTOMER_ID].astype(str))[attribute]
    values = values[~values.index.duplicated()]
    raw = values.reindex(assignments[S.CUSTOMER_ID].astype(str).to_numpy())
    if attribute in DEMOGRAPHIC_ATTRIBUTES:
        bands = band_categories(raw.reset_index(drop=True),
                                bins=AGE_BANDS if attribute == S.AGE else None)
        order = list(bands.cat.categories)
        labels = bands.astype(object)
    else:
        labels = raw.reset_index(drop=True).astype("string").str.strip().replace("", pd.NA)
        order = sorted(labels.dropna().unique())
        labels = labels.astype(object)
    labels = labels.where(labels.notna(), "Unknown")
    if (labels == "Unknown").any():
        order = order + ["Unknown"]
    frame = pd.DataFrame({S.SEGMENT: assignments[S.SEGMENT].to_numpy(),
                          S.SEGMENT_NAME: assignments[S.SEGMENT_NAME].to_numpy(),
                          BAND: pd.Categorical(labels.to_numpy(), categories=order, ordered=True)})
    counts = frame.groupby([S.SEGMENT, BAND], observed=False).size()
    out = counts.rename(CUSTOMERS).reset_index()
    out = out[out.groupby(S.SEGMENT)[CUSTOMERS].transform("sum") > 0]
    names = frame.drop_duplicates(S.SEGMENT).set_index(S.SEGMENT)[S.SEGMENT_NAME]
    out.insert(1, S.SEGMENT_NAME, out[S.SEGMENT].map(names).to_numpy())
    out[SHARE] = out[CUSTOMERS] / out.groupby(S.SEGMENT)[CUSTOMERS].transform("sum")
    out[BAND] = out[BAND].astype(str)
    return out.sort_values([S.SEGMENT, BAND], key=lambda c: c if c.name == S.SEGMENT else
                           c.map({b: i for i, b in enumerate(order)})).reset_index(drop=True)


def mix_attributes(customers: pd.DataFrame | None) -> list[str]:
    """Return the attributes of :data:`MIX_ATTRIBUTES` that ``customers`` has values of."""
    if customers is None:
        return []
    return [a for a in MIX_ATTRIBUTES if a in customers.columns and customers[a].notna().any()]
