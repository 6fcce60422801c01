"""Customer segments by k-means: preparation, the k sweep, ordered and named segments.

The steps, each a function of the one before:

1. :func:`prepare_features` picks a feature set (``"rfm"`` or ``"rfm_behaviour"``),
   log-transforms the skewed figures and standardises every column.
2. :func:`recsys.segments.ksweep.sweep_k` fits k-means for each k (2..12 by
   default) and records inertia and the silhouette (on a seeded sample), then suggests a
   k and says why.
3. :func:`segment_customers` fits one k, numbers the segments by value (segment 1 has
   the highest mean spend per customer) and names them with what holds for at least
   90% of their members, including the figure that sets them apart most
   (:mod:`recsys.segments.naming`).

Fits use :class:`sklearn.cluster.KMeans` with ``algorithm="lloyd"``, an explicit
``n_init`` and ``random_state``: the same data and seed give the same segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from recsys.data import schema as S
from recsys.errors import DataError, ParameterError
from recsys.segments import features as F
from recsys.segments import naming
from recsys.segments.claims import CLAIM_COLUMNS
from recsys.segments.demographics import DEMOGRAPHIC_PREFIX, demographic_columns
from recsys.segments.ksweep import fit_kmeans

CUSTOMERS = "customers"
CUSTOMER_SHARE = "customer_share"
REVENUE = "revenue"
REVENUE_SHARE = "revenue_share"
ANNUAL_SPEND = "annual_spend"

DEMOGRAPHICS_SET = "rfm_behaviour_demographics"
FEATURE_SETS: dict[str, str] = {
    "rfm": "RFM: recency, frequency, spend",
    "rfm_behaviour": "RFM + behaviour: order size, range, tenure, rhythm, cancellations, categories",
    DEMOGRAPHICS_SET: "RFM + behaviour + demographics: age, income, household size",
}
"""Feature sets a user can pick, with a label for each. The demographics set needs the
``demographic__*`` columns of :func:`recsys.segments.demographics.with_demographics`."""
DEFAULT_FEATURE_SET = "rfm_behaviour"

CLIP_SD = 3.0
"""Standardised features are clipped to this many standard deviations."""

_LOG_COLUMNS: frozenset[str] = frozenset(
    {
        F.RECENCY_DAYS,
        F.FREQUENCY,
        F.MONETARY,
        F.AVG_ORDER_VALUE,
        F.ITEMS_PER_ORDER,
        F.DISTINCT_PRODUCTS,
        F.MEAN_DAYS_BETWEEN_ORDERS,
    }
)
"""Right-skewed figures (a few customers buy hundreds of times more): log1p before scaling."""

_BEHAVIOUR_COLUMNS: tuple[str, ...] = (
    F.AVG_ORDER_VALUE,
    F.ITEMS_PER_ORDER,
    F.DISTINCT_PRODUCTS,
    F.TENURE_DAYS,
    F.MEAN_DAYS_BETWEEN_ORDERS,
    F.CANCELLATION_RATE,
)


def check_feature_set(feature_set: str) -> str:
    """Return ``feature_set`` if it is a key of :data:`FEATURE_SETS`, else raise ParameterError."""
    if feature_set not in FEATURE_SETS:
        raise ParameterError(f"feature_set must be one of {sorted(FEATURE_SETS)}, got {feature_set!r}")
    return feature_set


def feature_columns(features: pd.DataFrame, *, feature_set: str = DEFAULT_FEATURE_SET) -> list[str]:
    """Return the columns of ``features`` that the feature set uses, in order."""
    check_feature_set(feature_set)
    columns = list(F.RFM_COLUMNS)
    if feature_set in ("rfm_behaviour", DEMOGRAPHICS_SET):
        columns += [c for c in _BEHAVIOUR_COLUMNS if c in features.columns]
        columns += F.category_share_columns(features)
    if feature_set == DEMOGRAPHICS_SET:
        demographic = demographic_columns(features)
        if not demographic:
            raise DataError(
                "the demographics feature set needs customer ages, incomes or household sizes "
                "(a customers file with age, income or household columns); choose another "
                "feature set or add them"
            )
        columns += demographic
    missing = [c for c in columns if c not in features.columns]
    if missing:
        raise DataError(f"features lack columns {missing}: compute them with recsys.segments.features.customer_features")
    return columns


def prepare_features(features: pd.DataFrame, *, feature_set: str = DEFAULT_FEATURE_SET) -> pd.DataFrame:
    """Return the standardised matrix k-means runs on.

    Parameters
    ----------
    features : DataFrame
        As from :func:`recsys.segments.features.customer_features`, indexed by ``customer_id``.
    feature_set : {"rfm", "rfm_behaviour", "rfm_behaviour_demographics"}
        ``"rfm"``: ``recency_days``, ``frequency``, ``monetary``. ``"rfm_behaviour"``
        adds ``avg_order_value``, ``items_per_order``, ``distinct_products``,
        ``tenure_days``, ``mean_days_between_orders``, ``cancellation_rate`` and the
        ``category_share__*`` columns present; ``"rfm_behaviour_demographics"`` adds the
        ``demographic__*`` columns as well.

    Returns
    -------
    DataFrame
        Same index, one float column per used feature: skewed figures (recency,
        frequency, money, order size, products, days between orders) as
        ``log1p(max(x, 0))``; ``mean_days_between_orders`` of one-order customers
        imputed with their ``tenure_days`` (the first gap is at least that long);
        then every column centred and scaled to unit variance (constant columns
        become 0) and clipped to ±3 standard deviations, so that a handful of extreme
        customers (a wholesaler, one customer who cancelled half their orders) cannot
        claim a segment of their own. The category shares together weigh as much as
        one feature (each is divided by the square root of their number): they refine
        segments without drowning recency, frequency and spend. The same holds for the
        ``demographic__*`` columns of the demographics set (age, income, household
        size: numbers or the middles of their bands).
    """
    columns = feature_columns(features, feature_set=feature_set)
    if len(features) == 0:
        raise DataError("no customers to segment: the data set needs invoice lines with a customer id")
    data = features[columns].astype(float)
    if F.MEAN_DAYS_BETWEEN_ORDERS in data.columns:
        data[F.MEAN_DAYS_BETWEEN_ORDERS] = data[F.MEAN_DAYS_BETWEEN_ORDERS].fillna(
            features[F.TENURE_DAYS].astype(float)
        )
    data = data.fillna(0.0)
    for column in columns:
        if column in _LOG_COLUMNS:
            data[column] = np.log1p(data[column].clip(lower=0))
    scaled = np.clip(StandardScaler().fit_transform(data.to_numpy()), -CLIP_SD, CLIP_SD)
    for prefix in (F.CATEGORY_SHARE_PREFIX, DEMOGRAPHIC_PREFIX):
        group = [i for i, c in enumerate(columns) if c.startswith(prefix)]
        if group:
            scaled[:, group] /= np.sqrt(len(group))
    return pd.DataFrame(scaled, index=features.index, columns=columns)


@dataclass(frozen=True)
class Segmentation:
    """Customers in k segments, numbered by value and named.

    Attributes
    ----------
    assignments : DataFrame
        One row per customer: ``customer_id`` (str), ``segment`` (int, 1 = most
        valuable), ``segment_name`` (str, unique within this segmentation).
    summary : DataFrame
        One row per segment in number order: ``segment``, ``segment_name``,
        ``customers``, ``customer_share``, ``revenue`` (net of cancellations),
        ``revenue_share``, ``fit_customers`` and ``fit_share`` (members that meet every
        claim of the name: at least :data:`recsys.segments.naming.MIN_FIT` of them),
        ``trait`` (the feature that sets the segment apart most), ``trait_above``
        (bool: above the average on it), ``trait_share`` (members on that side of the
        median customer) and ``description`` (the name's claims in words, with how many
        members fit).
    centers : DataFrame
        Mean of the prepared (standardised) features per segment, indexed by
        ``segment``: how many standard deviations each segment sits from the average.
    k : int
    feature_set : str
    random_state : int or None
    inertia : float
    claims : DataFrame
        What each name says, one row per claim: ``segment``, ``feature``, ``relation``,
        ``threshold``, ``share``, ``tag``, ``words`` (see
        :func:`recsys.segments.naming.name_segments`; check a customer with
        :func:`recsys.segments.claims.member_fit`).
    """

    assignments: pd.DataFrame
    summary: pd.DataFrame
    centers: pd.DataFrame
    k: int
    feature_set: str
    random_state: int | None
    inertia: float
    claims: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(CLAIM_COLUMNS)))


def segment_customers(
    features: pd.DataFrame,
    *,
    k: int,
    feature_set: str = DEFAULT_FEATURE_SET,
    random_state: int | None = 0,
    n_init: int | None = None,
    prepared: pd.DataFrame | None = None,
    labels: np.ndarray | None = None,
) -> Segmentation:
    """Cluster customers into ``k`` segments, numbered by value and named.

    Parameters
    ----------
    features : DataFrame
        As from :func:`recsys.segments.features.customer_features` (needs ``recency_days``,
        ``frequency``, ``monetary``), indexed by ``customer_id``.
    k : int
        Number of segments, at least 2 and below the number of customers.
    feature_set : {"rfm", "rfm_behaviour"}, default "rfm_behaviour"
        Which features k-means sees (see :func:`prepare_features`).
    random_state : int or None, default 0
        Seed of k-means; the same seed gives the same segments.
    n_init : int, optional
        k-means restarts; default :func:`default_n_init` (as :func:`recsys.segments.ksweep.sweep_k`, so both
        agree on a k).
    prepared : DataFrame, optional
        The output of :func:`prepare_features` for these arguments, to reuse it.
    labels : ndarray of int, optional
        k-means cluster ids (0..k-1) already fitted with these arguments, e.g.
        ``recsys.segments.ksweep.KSweep.labels[k]`` of a sweep with the same seed, to skip the fit.

    Returns
    -------
    Segmentation
        Segment 1 has the highest mean spend (``monetary``) per customer, segment k
        the lowest; names come from :func:`recsys.segments.naming.name_segments`: each
        says only what holds for at least 90% of the segment's members.
    """
    k = int(k)
    if prepared is None:
        prepared = prepare_features(features, feature_set=feature_set)
    if not 2 <= k < len(prepared):
        if len(prepared) < 3:
            raise ParameterError(
                f"segmentation needs at least 3 customers with purchases; the data has "
                f"{len(prepared)}: load a larger data set (k = {k} was asked)"
            )
        advice = ("choose fewer segments or load a data set with more customers" if k >= 2
                  else "choose at least 2 segments")  # fmt: skip
        raise ParameterError(
            f"k must be between 2 and {len(prepared) - 1} for {len(prepared):,} customers, "
            f"got {k}: {advice}"
        )
    if labels is None:
        labels, _ = fit_kmeans(prepared.to_numpy(), k, random_state=random_state, n_init=n_init)
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) != len(prepared) or labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must be {len(prepared)} cluster ids in 0..{k - 1}")
    inertia = float(((prepared.to_numpy() - _centroids(prepared.to_numpy(), labels, k)[labels]) ** 2).sum())

    monetary = features[F.MONETARY].to_numpy(dtype=float)
    mean_spend = np.bincount(labels, weights=monetary, minlength=k) / np.maximum(np.bincount(labels, minlength=k), 1)
    order = np.argsort(-mean_spend, kind="stable")
    number = np.empty(k, dtype=np.int64)
    number[order] = np.arange(1, k + 1)
    segment = number[labels]

    centers = prepared.groupby(segment).mean().rename_axis(S.SEGMENT).reindex(range(1, k + 1))
    named, claims = naming.name_segments(features, segment, centers)
    name_of = named[naming.NAME].to_dict()

    assignments = pd.DataFrame(
        {
            S.CUSTOMER_ID: features.index.astype(str).to_numpy(),
            S.SEGMENT: segment,
            S.SEGMENT_NAME: [name_of[s] for s in segment],
        }
    )
    summary = _summary(segment, monetary, named, k)
    return Segmentation(assignments, summary, centers, k, feature_set, random_state, inertia, claims)


def _centroids(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Mean of the rows of ``x`` per label (k × n_features)."""
    sums = np.zeros((k, x.shape[1]))
    np.add.at(sums, labels, x)
    return sums / np.maximum(np.bincount(labels, minlength=k), 1)[:, None]


def _summary(segment: np.ndarray, monetary: np.ndarray, named: pd.DataFrame, k: int) -> pd.DataFrame:
    counts = np.bincount(segment, minlength=k + 1)[1:]
    revenue = np.bincount(segment, weights=monetary, minlength=k + 1)[1:]
    total = revenue.sum()
    out = pd.DataFrame(
        {
            S.SEGMENT: np.arange(1, k + 1),
            S.SEGMENT_NAME: named[naming.NAME].to_numpy(),
            CUSTOMERS: counts,
            CUSTOMER_SHARE: counts / counts.sum(),
            REVENUE: revenue,
            REVENUE_SHARE: revenue / total if total else np.zeros(k),
        }
    )
    for column in (naming.FIT_CUSTOMERS, naming.FIT_SHARE, naming.TRAIT, naming.TRAIT_ABOVE, naming.TRAIT_SHARE,
                   naming.DESCRIPTION):
        out[column] = named[column].to_numpy()
    return out
