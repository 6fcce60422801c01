"""Segment movement: segments at two dates with the same names, and who moved where.

Segments are formed at each date from the figures as they stood that day (same feature
set, same categories, same k). k-means numbers its clusters arbitrarily and the naming
depends on who is in them, so the clusters of the earlier date are **matched** to those of
the reference date (the later one) one-to-one by the distance between their centres in the
standardised feature space (the Hungarian algorithm), and take their numbers and names:
"Champions" at both dates is the same part of the customer space.

Customers who had not bought yet at the earlier date come from :data:`NEW_CUSTOMERS`
(segment 0). The same matching gives segment sizes over time
(:func:`segment_sizes_over_time`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from recsys.data import schema as S
from recsys.data.dataset import Dataset
from recsys.errors import DataError, ParameterError
from recsys.segments import features as F
from recsys.segments.kmeans import DEFAULT_FEATURE_SET, Segmentation, segment_customers

NEW_CUSTOMERS = "Not yet a customer"
"""Name of segment 0 at the earlier date: customers whose first order came after it."""
NEW_SEGMENT = 0
FROM_SEGMENT = "from_segment"
FROM_NAME = "from_name"
TO_SEGMENT = "to_segment"
TO_NAME = "to_name"
CUSTOMERS = "customers"
FROM_SHARE = "from_share"
DATE = "date"


def match_centres(before: pd.DataFrame, after: pd.DataFrame) -> dict[int, int]:
    """Return the one-to-one matching of ``before`` segments to ``after`` segments.

    Parameters
    ----------
    before, after : DataFrame
        Segment centres (``Segmentation.centers``): one row per segment (index: segment
        number), one column per standardised feature; the same number of rows. Only the
        columns both have are compared.

    Returns
    -------
    dict
        ``{before segment: after segment}`` minimising the total Euclidean distance
        between matched centres.
    """
    if len(before) != len(after):
        raise ParameterError(f"cannot match {len(before)} segments to {len(after)}: k must be the same")
    columns = [c for c in after.columns if c in before.columns]
    a = before[columns].to_numpy(dtype=np.float64)
    b = after[columns].to_numpy(dtype=np.float64)
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    rows, cols = linear_sum_assignment(cost)
    return {int(before.index[r]): int(after.index[c]) for r, c in zip(rows, cols, strict=True)}


def _features_at(data: Dataset | pd.DataFrame, day: pd.Timestamp, products: pd.DataFrame | None,
                 columns: pd.Index | None = None) -> pd.DataFrame:
    """Customer figures as they stood at the end of ``day`` (lines up to that day)."""
    as_of = day + pd.Timedelta(days=1)
    try:
        features = F.customer_features(data, as_of=as_of, products=products)
    except DataError as exc:
        raise ParameterError(f"no customer had bought by {day:%Y-%m-%d}: choose a later date") from exc
    if columns is not None:
        # The same features at both dates: the reference's category columns (0 where a
        # category had no sales yet), nothing else.
        shares = [c for c in columns if str(c).startswith(F.CATEGORY_SHARE_PREFIX)]
        features = features.reindex(columns=columns)
        features[shares] = features[shares].fillna(0.0)
    return features


def segments_matched_to(
    features: pd.DataFrame,
    reference: Segmentation,
    *,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Segment ``features`` with the reference's k and feature set; return reference names.

    Parameters
    ----------
    features : DataFrame
        Customer figures at another date, with the reference's feature columns.
    reference : Segmentation
        The segmentation whose numbers and names the result takes.
    random_state : int or None

    Returns
    -------
    DataFrame
        ``customer_id``, ``segment``, ``segment_name``: each cluster renumbered and
        renamed as the reference segment with the nearest centre (one-to-one).
    """
    k = reference.k
    if len(features) <= k:
        raise ParameterError(
            f"only {len(features)} customers had bought by then, too few for {k} segments: "
            "choose a later date or a smaller k"
        )
    own = segment_customers(features, k=k, feature_set=reference.feature_set, random_state=random_state)
    mapping = match_centres(own.centers, reference.centers)
    names = reference.summary.set_index(S.SEGMENT)[S.SEGMENT_NAME]
    segment = own.assignments[S.SEGMENT].map(mapping).astype(np.int64)
    return pd.DataFrame(
        {
            S.CUSTOMER_ID: own.assignments[S.CUSTOMER_ID].to_numpy(),
            S.SEGMENT: segment.to_numpy(),
            S.SEGMENT_NAME: segment.map(names).to_numpy(),
        }
    )


@dataclass(frozen=True)
class MovementCounts:
    """How many customers stayed, moved up, moved down or are new between two dates.

    Attributes
    ----------
    customers : int
        Customers with a purchase by the later date.
    stayed, up, down, new : int
        Same segment; a more valuable segment (lower number); a less valuable one; no
        purchase yet at the earlier date.
    """

    customers: int
    stayed: int
    up: int
    down: int
    new: int


@dataclass(frozen=True)
class SegmentMovement:
    """Who was in which segment at two dates.

    Attributes
    ----------
    members : DataFrame
        One row per customer with a purchase by ``after``: ``customer_id``,
        ``from_segment`` (int, 0 = not a customer yet at ``before``), ``from_name``,
        ``to_segment``, ``to_name``.
    transitions : DataFrame
        One row per (from, to) pair with customers: ``from_segment``, ``from_name``,
        ``to_segment``, ``to_name``, ``customers`` (int), ``from_share`` (share of the
        from-segment, in [0, 1]); in segment order.
    segments : DataFrame
        The reference segments: ``segment``, ``segment_name`` (in number order).
    before, after : Timestamp
        The two dates (end of day).
    """

    members: pd.DataFrame
    transitions: pd.DataFrame
    segments: pd.DataFrame
    before: pd.Timestamp
    after: pd.Timestamp

    def matrix(self) -> pd.DataFrame:
        """Return customers by from-name (rows) and to-name (columns), zeros included.

        Rows in segment order with :data:`NEW_CUSTOMERS` last; columns in segment order.
        """
        names = self.segments[S.SEGMENT_NAME].tolist()
        rows = names + ([NEW_CUSTOMERS] if (self.members[FROM_SEGMENT] == NEW_SEGMENT).any() else [])
        table = self.transitions.pivot_table(index=FROM_NAME, columns=TO_NAME, values=CUSTOMERS,
                                             aggfunc="sum", fill_value=0)
        return table.reindex(index=rows, columns=names, fill_value=0).astype(np.int64)

    def counts(self) -> MovementCounts:
        """Return how many customers stayed, moved up (to a lower number), down, or are new."""
        before = self.members[FROM_SEGMENT].to_numpy()
        after = self.members[TO_SEGMENT].to_numpy()
        known = before != NEW_SEGMENT
        return MovementCounts(
            customers=int(len(before)),
            stayed=int((known & (before == after)).sum()),
            up=int((known & (after < before)).sum()),
            down=int((known & (after > before)).sum()),
            new=int((~known).sum()),
        )

    def flow(self, from_name: str, to_name: str) -> pd.DataFrame:
        """Return the members who moved from ``from_name`` to ``to_name`` (rows of ``members``)."""
        keep = (self.members[FROM_NAME] == from_name) & (self.members[TO_NAME] == to_name)
        return self.members[keep].reset_index(drop=True)


def segment_movement(
    data: Dataset | pd.DataFrame,
    *,
    before: object,
    after: object | None = None,
    k: int,
    feature_set: str = DEFAULT_FEATURE_SET,
    random_state: int | None = 0,
    products: pd.DataFrame | None = None,
) -> SegmentMovement:
    """Return segments at ``before`` and ``after`` with matched names, and the moves.

    Parameters
    ----------
    data : Dataset or DataFrame
        As for :func:`recsys.segments.features.customer_features`.
    before : date
        The earlier date; figures as they stood at the end of that day.
    after : date, optional
        The later, reference date; default the last day of the data (then the segments
        are those of the Segments page).
    k : int
    feature_set : {"rfm", "rfm_behaviour"}
    random_state : int or None, default 0
    products : DataFrame, optional
        ``product_id``, ``category`` for the category shares (as for the Segments page).

    Returns
    -------
    SegmentMovement
    """
    tx = data.customer_transactions if isinstance(data, Dataset) else data
    last = pd.Timestamp(tx[S.INVOICE_DATE].max()).normalize()
    after_day = last if after is None else pd.Timestamp(after).normalize()
    before_day = pd.Timestamp(before).normalize()
    if before_day >= after_day:
        raise ParameterError(
            f"the first date ({before_day:%Y-%m-%d}) must come before the second ({after_day:%Y-%m-%d})"
        )
    after_features = _features_at(data, after_day, products)
    reference = segment_customers(after_features, k=k, feature_set=feature_set, random_state=random_state)
    before_features = _features_at(data, before_day, products, columns=after_features.columns)
    earlier = segments_matched_to(before_features, reference, random_state=random_state)

    members = reference.assignments.rename(columns={S.SEGMENT: TO_SEGMENT, S.SEGMENT_NAME: TO_NAME})
    earlier = earlier.rename(columns={S.SEGMENT: FROM_SEGMENT, S.SEGMENT_NAME: FROM_NAME})
    members = members.merge(earlier, on=S.CUSTOMER_ID, how="left")
    new = members[FROM_SEGMENT].isna()
    members[FROM_SEGMENT] = members[FROM_SEGMENT].fillna(NEW_SEGMENT).astype(np.int64)
    members[FROM_NAME] = members[FROM_NAME].where(~new, NEW_CUSTOMERS)
    members = members[[S.CUSTOMER_ID, FROM_SEGMENT, FROM_NAME, TO_SEGMENT, TO_NAME]]

    order_from = members[FROM_SEGMENT].replace(NEW_SEGMENT, k + 1)
    transitions = (
        members.assign(_order=order_from)
        .groupby(["_order", FROM_SEGMENT, FROM_NAME, TO_SEGMENT, TO_NAME], sort=True)
        .size()
        .rename(CUSTOMERS)
        .reset_index()
        .drop(columns="_order")
    )
    transitions[FROM_SHARE] = transitions[CUSTOMERS] / transitions.groupby(FROM_SEGMENT)[CUSTOMERS].transform("sum")
    segments = reference.summary[[S.SEGMENT, S.SEGMENT_NAME]].reset_index(drop=True)
    return SegmentMovement(members, transitions, segments, before_day, after_day)


def segment_sizes_over_time(
    data: Dataset | pd.DataFrame,
    *,
    dates: Iterable[object],
    k: int,
    feature_set: str = DEFAULT_FEATURE_SET,
    random_state: int | None = 0,
    products: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the size of each segment at each date, names matched to the last date's.

    Parameters
    ----------
    data : Dataset or DataFrame
    dates : iterable of dates
        Sorted or not; the latest is the reference. Dates with too few customers for k
        segments are left out.
    k, feature_set, random_state, products
        As for :func:`segment_movement`.

    Returns
    -------
    DataFrame
        One row per date and segment: ``date`` (datetime64), ``segment`` (int),
        ``segment_name`` (str), ``customers`` (int, 0 where a segment is empty).
    """
    days = sorted({pd.Timestamp(d).normalize() for d in dates})
    if not days:
        raise ParameterError("no dates given for segment sizes over time")
    ref_features = _features_at(data, days[-1], products)
    reference = segment_customers(ref_features, k=k, feature_set=feature_set, random_state=random_state)
    names = reference.summary.set_index(S.SEGMENT)[S.SEGMENT_NAME]
    rows = []
    for day in days:
        if day == days[-1]:
            assigned = reference.assignments
        else:
            try:
                features = _features_at(data, day, products, columns=ref_features.columns)
                assigned = segments_matched_to(features, reference, random_state=random_state)
            except ParameterError:
                continue
        counts = assigned[S.SEGMENT].value_counts().reindex(names.index, fill_value=0)
        rows.append(pd.DataFrame({DATE: day, S.SEGMENT: names.index, S.SEGMENT_NAME: names.to_numpy(),
                                  CUSTOMERS: counts.to_numpy(dtype=np.int64)}))
    return pd.concat(rows, ignore_index=True)
