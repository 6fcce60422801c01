"""The Baskets page's findings: frequent sets, rules worth showing, pairs, CSV; and, when
counting is refused, the nearest settings that work.

Builds on the counting (:mod:`recsys.baskets.itemsets`), the rules
(:mod:`recsys.baskets.rules`) and their wording (:mod:`recsys.baskets.insights`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from recsys.baskets.insights import describe_rules, rules_for_export, top_pairs
from recsys.baskets.itemsets import MAX_LEN_LIMIT, BasketMatrix, TooManySets, frequent_itemsets
from recsys.baskets.rules import association_rules
from recsys.errors import ParameterError
from recsys.export import to_csv_bytes

CHANCE_LIFT = 1.0
"""A rule with a lift at or below this is bought together no more often than chance."""


def positive_rules(rules: pd.DataFrame, *, min_lift: float = CHANCE_LIFT) -> pd.DataFrame:
    """Return the rules with a lift above ``min_lift`` (re-indexed from 0).

    Parameters
    ----------
    rules : DataFrame
        Any frame with a ``lift`` column, e.g. from
        :func:`recsys.baskets.rules.association_rules`.
    min_lift : float, default 1.0
        Rules with ``lift <= min_lift`` are left out.

    Returns
    -------
    DataFrame
        The kept rows of ``rules`` (same columns), in their order.
    """
    return rules[~(rules["lift"] <= min_lift)].reset_index(drop=True)


@dataclass(frozen=True)
class RuleFindings:
    """Frequent sets and association rules of some baskets, ready to show.

    Attributes
    ----------
    itemsets : DataFrame
        :func:`recsys.baskets.itemsets.frequent_itemsets` without the frozenset column:
        ``support``, ``count``, ``length``.
    rules : DataFrame
        :func:`recsys.baskets.insights.describe_rules` without the frozenset columns:
        ``antecedent_support``, ``consequent_support``, ``support``, ``confidence``,
        ``lift``, ``leverage``, ``conviction``, ``count``, ``antecedent_text``,
        ``consequent_text``, ``sentence``.
    pairs : DataFrame
        :func:`recsys.baskets.insights.top_pairs` of the rules.
    csv : bytes
        Spreadsheet-safe CSV of :func:`recsys.baskets.insights.rules_for_export`.
    weak_rules : int
        Rules left out for a lift of 1 or less (0 when they are kept).
    """

    itemsets: pd.DataFrame
    rules: pd.DataFrame
    pairs: pd.DataFrame
    csv: bytes
    weak_rules: int


def rule_findings(
    baskets: BasketMatrix,
    products: pd.DataFrame | None,
    *,
    min_support: float,
    max_len: int,
    min_confidence: float,
    positive_only: bool = True,
    n_pairs: int = 12,
) -> RuleFindings:
    """Return the frequent sets and rules of ``baskets``, worded with the products' descriptions.

    Parameters
    ----------
    baskets : BasketMatrix
    products : DataFrame or None
        ``product_id``, ``description``.
    min_support, max_len
        As :func:`recsys.baskets.itemsets.frequent_itemsets`.
    min_confidence
        As :func:`recsys.baskets.rules.association_rules`.
    positive_only : bool, default True
        Keep only rules with a lift above 1 (:func:`positive_rules`): the others are
        bought together no more often than chance would have it.
    n_pairs : int, default 12
        Most products on each axis of the pair table.

    Raises
    ------
    recsys.baskets.itemsets.TooManySets
        When the settings would give too many sets to count quickly.
    recsys.errors.DataError, recsys.errors.ParameterError
        When no basket is left or a setting is out of range.
    """
    itemsets = frequent_itemsets(baskets, min_support=float(min_support), max_len=int(max_len))
    rules = association_rules(itemsets, min_confidence=float(min_confidence))
    weak = 0
    if positive_only:
        kept = positive_rules(rules)
        weak = len(rules) - len(kept)
        rules = kept
    described = describe_rules(rules, products)
    return RuleFindings(
        itemsets=itemsets.drop(columns="itemsets"),
        rules=described.drop(columns=["antecedents", "consequents"]),
        pairs=top_pairs(rules, products, n=n_pairs),
        csv=to_csv_bytes(rules_for_export(rules, products)),
        weak_rules=int(weak),
    )


@dataclass(frozen=True)
class WorkableSettings:
    """Nearest settings that a refused run would accept.

    Attributes
    ----------
    min_support : float or None
        Lowest support on the grid that works with the same largest set (None when none
        up to ``max_support`` does).
    max_len : int or None
        Largest set that works at the same support (None when even pairs are too many).
    """

    min_support: float | None
    max_len: int | None


def _runs(baskets: BasketMatrix, min_support: float, max_len: int) -> bool:
    try:
        frequent_itemsets(baskets, min_support=min_support, max_len=max_len)
    except TooManySets:
        return False
    return True


def workable_settings(
    baskets: BasketMatrix,
    *,
    min_support: float,
    max_len: int,
    step: float = 0.001,
    max_support: float = 0.1,
) -> WorkableSettings:
    """Return the lowest support and the largest set at which counting gets through.

    For settings that :func:`recsys.baskets.itemsets.frequent_itemsets` refuses with
    :class:`recsys.baskets.itemsets.TooManySets`: the support is searched on the grid
    ``min_support + step * i`` (doubling the distance, then halving it), so a few runs
    find it.

    Parameters
    ----------
    baskets : BasketMatrix
    min_support : float
        The refused support.
    max_len : int
        The refused largest set, 2 to :data:`recsys.baskets.itemsets.MAX_LEN_LIMIT`.
    step : float, default 0.001
        Grid of supports (the slider's step).
    max_support : float, default 0.1
        Highest support tried.

    Returns
    -------
    WorkableSettings
    """
    if not 2 <= max_len <= MAX_LEN_LIMIT:
        raise ParameterError(f"`max_len` must be from 2 to {MAX_LEN_LIMIT}; got {max_len!r}")

    def at(i: int) -> float:
        return round(min(min_support + step * i, max_support), 6)

    good, bad = 1, 0
    while not _runs(baskets, at(good), max_len):
        if at(good) >= max_support:
            good = None
            break
        bad, good = good, good * 2
    if good is not None:
        while good - bad > 1:
            middle = (good + bad) // 2
            if _runs(baskets, at(middle), max_len):
                good = middle
            else:
                bad = middle
    length = next((n for n in range(max_len - 1, 1, -1) if _runs(baskets, min_support, n)),
                  None)
    return WorkableSettings(None if good is None else at(good), length)
