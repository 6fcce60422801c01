"""Customers without purchases: what is popular with their segment, country or age group.

:class:`ColdStart` is learnt once from the fitted index and the customer tables; for a
customer id it returns a score per product (the popularity within every group known of
the customer, each scaled to a maximum of 1, plus a share of what sells right now) and
the reason that names those groups ("popular with Champions in France").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.recommend import reasons as R
from recsys.recommend.interactions import Interactions
from recsys.recommend.popularity import customer_groups, group_popularity

COLD_KINDS = ("segment", "country", "demographic")

COLD_TREND_WEIGHT = 0.3
"""Weight of "popular right now" beside the group rankings (each scaled to max 1) for a
customer without history; with no known group, the trend alone decides."""


@dataclass(frozen=True)
class ColdStart:
    """Group popularity for customers without purchases.

    Attributes
    ----------
    scores : dict of str to ndarray
        Per kind of group, ``(n_groups, n_items)`` popularity scaled to max 1 per group.
    labels : dict of str to Index
        Per kind, the group labels (row order of ``scores``).
    profile : dict of str to dict
        Per customer id, the row of each group kind they belong to.
    trend : ndarray
        ``(n_items,)`` what sells right now, max 1.
    """

    scores: dict[str, np.ndarray]
    labels: dict[str, pd.Index]
    profile: dict[str, dict[str, int]]
    trend: np.ndarray

    @classmethod
    def fit(cls, data: Interactions, transactions: pd.DataFrame,
            customers: pd.DataFrame | None, segments: pd.DataFrame | None, *,
            trend: np.ndarray, half_life_days: float | None) -> ColdStart:
        """Learn the group rankings (purchases weighted with ``half_life_days``)."""
        groups = {
            "segment": customer_groups("segment", transactions, customers, segments),
            "country": customer_groups("country", transactions, customers, segments),
            "demographic": R.demographic_groups(customers),
        }
        scores, labels, profile = {}, {}, {}
        for kind, members in groups.items():
            names, counts = group_popularity(data, members, half_life_days=half_life_days)
            top = counts.max(axis=1, keepdims=True) if len(counts) else counts
            scores[kind] = counts / np.maximum(top, 1e-12)
            labels[kind] = names
            codes = names.get_indexer(members.to_numpy(dtype=object)) if len(members) else []
            for cid, code in zip(members.index, codes, strict=True):
                if code >= 0:
                    profile.setdefault(str(cid), {})[kind] = int(code)
        return cls(scores, labels, profile, trend)

    def score(self, customer_id: str) -> np.ndarray:
        """Return the customer's score per item (float64)."""
        known = self.profile.get(customer_id, {})
        score = COLD_TREND_WEIGHT * self.trend
        for kind in COLD_KINDS:
            if kind in known:
                score = score + self.scores[kind][known[kind]]
        return score

    def reason(self, customer_id: str) -> str:
        """Return the reason naming the groups the customer's list comes from."""
        known = self.profile.get(customer_id, {})
        label = []
        seg, country, demo = (known.get(kind) for kind in COLD_KINDS)
        if seg is not None:
            label.append(str(self.labels["segment"][seg]))
        elif demo is not None:
            label.append(str(self.labels["demographic"][demo]))
        if country is not None:
            label.append(("in " if label else "customers in ")
                         + str(self.labels["country"][country]))
        return R.popular_with(" ".join(label)) if label else R.POPULAR_NOW
