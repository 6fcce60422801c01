"""Association rules from frequent itemsets: support, confidence, lift, leverage, conviction.

Takes the itemsets of :func:`recsys.baskets.itemsets.frequent_itemsets` (any frame with
``support``, ``itemsets``, ``count`` holding every subset of each itemset) and returns
the rules with one product as the consequent by default, as the arules package does.
The measures are those of mlxtend's ``association_rules``.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from recsys.errors import DataError

RULE_COLUMNS = (
    "antecedents",
    "consequents",
    "antecedent_support",
    "consequent_support",
    "support",
    "confidence",
    "lift",
    "leverage",
    "conviction",
    "count",
)
"""Columns of :func:`association_rules`, in order."""


def association_rules(
    itemsets: pd.DataFrame,
    *,
    min_confidence: float = 0.2,
    min_lift: float = 0.0,
    single_consequent: bool = True,
) -> pd.DataFrame:
    """Return the association rules ``antecedents -> consequents`` among ``itemsets``.

    Parameters
    ----------
    itemsets : DataFrame
        From :func:`frequent_itemsets` (``support``, ``itemsets``, ``count``); must hold
        every subset of each itemset (as frequent itemsets do).
    min_confidence : float, default 0.2
        Keep rules with confidence at least this, in [0, 1].
    min_lift : float, default 0
        Keep rules with lift at least this.
    single_consequent : bool, default True
        One product as the consequent (as the arules package does); False allows any
        non-empty proper subset.

    Returns
    -------
    DataFrame
        By lift (descending), then confidence: ``antecedents``, ``consequents``
        (frozensets of product ids), ``antecedent_support``, ``consequent_support``,
        ``support`` (share of baskets with both, [0, 1]), ``confidence``
        (support / antecedent_support, [0, 1]), ``lift`` (confidence /
        consequent_support, [0, inf)), ``leverage`` (support - antecedent_support *
        consequent_support, [-0.25, 0.25]), ``conviction`` ((1 - consequent_support) /
        (1 - confidence), inf when confidence is 1), ``count`` (baskets with both).
    """
    if not 0 <= min_confidence <= 1:
        raise DataError(f"`min_confidence` must be between 0 and 1; got {min_confidence!r}")
    support_of = dict(zip(itemsets["itemsets"], itemsets["support"], strict=True))
    rows = []
    for items, sup, cnt in zip(itemsets["itemsets"], itemsets["support"], itemsets["count"],
                               strict=True):
        if len(items) < 2:
            continue
        for consequent in _consequents(items, single_consequent):
            antecedent = items - consequent
            rows.append((antecedent, consequent, support_of[antecedent], support_of[consequent],
                         sup, cnt))
    frame = pd.DataFrame(
        rows,
        columns=["antecedents", "consequents", "antecedent_support", "consequent_support",
                 "support", "count"],
    )
    s_a = frame["antecedent_support"].to_numpy(dtype=float)
    s_c = frame["consequent_support"].to_numpy(dtype=float)
    s_ac = frame["support"].to_numpy(dtype=float)
    conf = s_ac / s_a if len(frame) else np.array([], dtype=float)
    frame["confidence"] = conf
    frame["lift"] = conf / s_c if len(frame) else conf
    frame["leverage"] = s_ac - s_a * s_c
    conviction = np.full(len(frame), np.inf)
    below = conf < 1.0
    conviction[below] = (1.0 - s_c[below]) / (1.0 - conf[below])
    frame["conviction"] = conviction
    frame["count"] = frame["count"].astype(np.int64)
    keep = (frame["confidence"] >= min_confidence) & (frame["lift"] >= min_lift)
    frame = frame.loc[keep, list(RULE_COLUMNS)]
    return frame.sort_values(["lift", "confidence", "support"], ascending=False,
                             kind="stable").reset_index(drop=True)


def _consequents(items: frozenset, single: bool):
    ordered = sorted(items)
    if single:
        return [frozenset([c]) for c in ordered]
    return [frozenset(c) for r in range(1, len(ordered)) for c in combinations(ordered, r)]
