"""Claims: what a segment's name may promise about each of its members.

A claim compares one customer figure with a threshold, the median of all customers:
"bought more recently than the median customer" is ``recency_days < median``. A claim
holds or not for each customer (missing figures never meet it), so a name built from
claims can be checked member by member (:func:`member_fit`) and a customer's unmet
claims said in words (:func:`unmet_claims`). :mod:`recsys.segments.naming` picks, for
each segment, the claims that hold together for nearly all its members.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.segments import features as F

FEATURE = "feature"
RELATION = "relation"
THRESHOLD = "threshold"
SHARE = "share"
TAG = "tag"
WORDS = "words"
CLAIM_COLUMNS: tuple[str, ...] = (S.SEGMENT, FEATURE, RELATION, THRESHOLD, SHARE, TAG, WORDS)
"""Columns of the claims table (:func:`name_segments`)."""

GT, LT, LE = "gt", "lt", "le"
"""Relations of a claim: value > threshold, value < threshold, value <= threshold."""

# (feature, above) -> (name clause, description words); thresholds of 0 get their own words.
_CLAUSES: dict[tuple[str, bool], tuple[str, str]] = {
    (F.CANCELLATION_RATE, True): ("who cancel often", "cancel a larger share of orders than the median customer"),
    (F.CANCELLATION_RATE, False): ("who rarely cancel", "cancel a smaller share of orders than the median customer"),
    (F.AVG_ORDER_VALUE, True): ("with large orders", "place larger orders than the median customer"),
    (F.AVG_ORDER_VALUE, False): ("with small orders", "place smaller orders than the median customer"),
    (F.ITEMS_PER_ORDER, True): ("with many items per order", "buy more units per order than the median customer"),
    (F.ITEMS_PER_ORDER, False): ("with few items per order", "buy fewer units per order than the median customer"),
    (F.DISTINCT_PRODUCTS, True): ("with a wide range", "buy more different products than the median customer"),
    (F.DISTINCT_PRODUCTS, False): ("with a narrow range", "buy fewer different products than the median customer"),
    (F.TENURE_DAYS, True): ("of long standing", "first ordered longer ago than the median customer"),
    (F.TENURE_DAYS, False): ("new to the shop", "first ordered more recently than the median customer"),
    (F.MEAN_DAYS_BETWEEN_ORDERS, True): ("with long gaps between orders",
                                         "leave longer gaps between orders than the median customer"),
    (F.MEAN_DAYS_BETWEEN_ORDERS, False): ("who reorder quickly",
                                          "reorder sooner than the median customer"),
}
_ZERO_CLAUSES: dict[tuple[str, bool], tuple[str, str]] = {
    (F.CANCELLATION_RATE, True): ("who cancel orders", "have cancelled at least one order"),
    (F.CANCELLATION_RATE, False): ("who never cancel", "have never cancelled an order"),
}


@dataclass(frozen=True)
class Claim:
    """One statement about a customer figure: ``feature`` ``relation`` ``threshold``.

    Attributes
    ----------
    feature : str
        A column of the customer features.
    relation : {"gt", "lt", "le"}
        Greater than, less than, at most.
    threshold : float
        The value compared with (the median customer's).
    tag : str
        The words it adds to a name ("Recent", "who cancel orders").
    words : str
        The claim as a phrase about the members ("spent more than the median customer").
    """

    feature: str
    relation: str
    threshold: float
    tag: str
    words: str

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Return whether each value meets the claim (missing values never do)."""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            if self.relation == GT:
                return values > self.threshold
            if self.relation == LT:
                return values < self.threshold
            return values <= self.threshold


def candidate_claims(features: pd.DataFrame, columns: list[str]) -> dict[str, list[Claim]]:
    """Return the claims a name may make about each feature, thresholds from all customers.

    Parameters
    ----------
    features : DataFrame
        Customer features (:func:`recsys.segments.features.customer_features`).
    columns : list of str
        The features the segmentation used (recency, frequency and spend always count).

    Returns
    -------
    dict
        ``{feature: [claims]}``: for each feature the "above the median customer" and
        "below the median customer" claims (for a figure most customers have at its
        least value, as a cancellation rate of 0, "at that value" instead of "below").
    """
    out: dict[str, list[Claim]] = {}
    recency = _median(features[F.RECENCY_DAYS])
    out[F.RECENCY_DAYS] = [
        Claim(F.RECENCY_DAYS, LT, recency, "Recent", "last ordered more recently than the median customer"),
        Claim(F.RECENCY_DAYS, GT, recency, "Lapsed", "last ordered longer ago than the median customer"),
    ]
    frequency = _median(features[F.FREQUENCY])
    out[F.FREQUENCY] = [Claim(F.FREQUENCY, GT, frequency, "repeat", "placed more orders than the median customer")]
    if frequency > 1:
        out[F.FREQUENCY].append(Claim(F.FREQUENCY, LE, 1.0, "one-order", "ordered once"))
        out[F.FREQUENCY].append(
            Claim(F.FREQUENCY, LE, frequency, "occasional", "placed no more orders than the median customer"))
    else:
        out[F.FREQUENCY].append(Claim(F.FREQUENCY, LE, 1.0, "one-order", "ordered once"))
    spend = _median(features[F.MONETARY])
    out[F.MONETARY] = [
        Claim(F.MONETARY, GT, spend, "high spenders", "spent more than the median customer"),
        Claim(F.MONETARY, LT, spend, "low spenders", "spent less than the median customer"),
    ]
    for column in columns:
        if column in out or column not in features.columns:
            continue
        values = features[column].astype(float)
        threshold = _median(values)
        least = float(values.min()) if values.notna().any() else threshold
        above = _clause(column, True, threshold)
        below = _clause(column, False, threshold)
        out[column] = [
            Claim(column, GT, threshold, *above),
            Claim(column, LE if threshold <= least else LT, threshold, *below),
        ]
    return out


def _median(values: pd.Series) -> float:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return float(numbers.median()) if len(numbers) else 0.0


def _clause(column: str, above: bool, threshold: float) -> tuple[str, str]:
    if threshold == 0 and (column, above) in _ZERO_CLAUSES:
        return _ZERO_CLAUSES[(column, above)]
    if (column, above) in _CLAUSES:
        return _CLAUSES[(column, above)]
    if column.startswith(F.CATEGORY_SHARE_PREFIX):
        category = column[len(F.CATEGORY_SHARE_PREFIX):]
        if threshold == 0:
            return ((f"who buy {category}", f"have bought {category}") if above
                    else (f"who buy no {category}", f"have bought no {category}"))
        more = "more" if above else "less"
        return (f"who spend {more} on {category}", f"spend a {'larger' if above else 'smaller'} share on "
                                                   f"{category} than the median customer")
    label = column.replace("_", " ")
    return (f"with {'high' if above else 'low'} {label}", f"have a {'higher' if above else 'lower'} {label} "
                                                          "than the median customer")


def member_fit(features: pd.DataFrame, assignments: pd.DataFrame, claims: pd.DataFrame) -> pd.Series:
    """Return whether each customer meets every claim of its segment's name.

    Parameters
    ----------
    features : DataFrame
        Customer features indexed by ``customer_id``.
    assignments : DataFrame
        ``customer_id``, ``segment``.
    claims : DataFrame
        The claims table of :func:`name_segments` (``Segmentation.claims``).

    Returns
    -------
    Series of bool
        Indexed by ``customer_id`` (str), for the customers of ``assignments``.
    """
    seg = assignments.set_index(assignments[S.CUSTOMER_ID].astype(str))[S.SEGMENT]
    frame = features.copy()
    frame.index = frame.index.astype(str)
    frame = frame.reindex(seg.index)
    fits = np.ones(len(seg), dtype=bool)
    segments = seg.to_numpy()
    for row in claims.itertuples(index=False):
        claim = Claim(row.feature, row.relation, float(row.threshold), row.tag, row.words)
        mine = segments == row.segment
        fits[mine] &= claim.holds(frame.loc[mine, row.feature])
    return pd.Series(fits, index=seg.index, name="fits_name")


def unmet_claims(values: pd.Series, claims: pd.DataFrame, *, segment: int) -> list[str]:
    """Return the words of the claims of ``segment``'s name that one customer does not meet.

    Parameters
    ----------
    values : Series
        One customer's features (a row of the features table).
    claims : DataFrame
        ``Segmentation.claims``.
    segment : int
        The customer's segment.

    Returns
    -------
    list of str
        The ``words`` of each unmet claim (empty when the customer fits the name).
    """
    out = []
    for row in claims[claims[S.SEGMENT] == int(segment)].itertuples(index=False):
        claim = Claim(row.feature, row.relation, float(row.threshold), row.tag, row.words)
        if not bool(claim.holds(np.array([values.get(row.feature, np.nan)]))[0]):
            out.append(row.words)
    return out
