"""Cached baskets: the basket matrix of the filtered lines, frequent sets and rules, look-ups.

Every step is keyed by a :class:`~ui.cache.keys.BasketFilter` (date range, countries,
segments, largest basket) plus its own settings. The basket matrix is a shared resource
(read-only); tables and rules are data, copied per caller.
"""

from __future__ import annotations

import streamlit as st

from ui.cache.insights import insight_lines
from ui.cache.keys import BasketFilter


@st.cache_resource(show_spinner=False, max_entries=6)
def basket_matrix(baskets: BasketFilter, _dataset):
    """Return the :class:`recsys.baskets.itemsets.BasketMatrix` of the filtered lines (shared)."""
    from recsys.baskets.itemsets import basket_matrix as build

    tx = insight_lines(baskets.lines, _dataset)
    return build(tx, max_basket_items=baskets.max_basket_items or None)


@st.cache_data(show_spinner="Finding products bought together…", max_entries=32)
def basket_rules(baskets: BasketFilter, min_support: float, max_len: int, min_confidence: float,
                 _dataset, positive_only: bool = True):
    """Return the frequent sets and rules of the filtered baskets, ready to show.

    With ``positive_only`` (the default) only rules with lift above 1 are kept: the others
    are bought together no more often than chance would have it.

    Returns
    -------
    dict
        ``itemsets`` (:func:`recsys.baskets.itemsets.frequent_itemsets`), ``rules``
        (:func:`recsys.baskets.insights.describe_rules` of the association rules, without
        the frozenset columns: ``antecedent_text``, ``consequent_text``, ``sentence``,
        ``support``, ``confidence``, ``lift``, ``leverage``, ``conviction``, ``count``),
        ``pairs`` (:func:`recsys.baskets.insights.top_pairs`), ``csv`` (bytes of
        :func:`recsys.baskets.insights.rules_for_export`), ``weak_rules`` (int: rules left
        out for a lift of 1 or less).

    Raises
    ------
    recsys.errors.DataError
        When the settings would explode or no basket is left.
    """
    from recsys.baskets.insights import describe_rules, rules_for_export, top_pairs
    from recsys.baskets.itemsets import frequent_itemsets
    from recsys.baskets.rules import association_rules
    from recsys.export import to_csv_bytes

    matrix = basket_matrix(baskets, _dataset)
    itemsets = frequent_itemsets(matrix, min_support=float(min_support), max_len=int(max_len))
    rules = association_rules(itemsets, min_confidence=float(min_confidence))
    weak = rules["lift"] <= 1
    if positive_only:
        rules = rules[~weak].reset_index(drop=True)
    described = describe_rules(rules, _dataset.products)
    return {
        "itemsets": itemsets.drop(columns="itemsets"),
        "rules": described.drop(columns=["antecedents", "consequents"]),
        "pairs": top_pairs(rules, _dataset.products, n=12),
        "csv": to_csv_bytes(rules_for_export(rules, _dataset.products)),
        "weak_rules": int(weak.sum()) if positive_only else 0,
    }


@st.cache_data(show_spinner="Looking for settings that work…", max_entries=16)
def workable_settings(baskets: BasketFilter, min_support: float, max_len: int, _dataset):
    """Return :func:`recsys.baskets.insights.workable_settings` of the filtered baskets."""
    from recsys.baskets.insights import workable_settings as search

    matrix = basket_matrix(baskets, _dataset)
    return search(matrix, min_support=float(min_support), max_len=int(max_len))


@st.cache_data(show_spinner=False, max_entries=16)
def basket_products(baskets: BasketFilter, _dataset):
    """Return :func:`recsys.baskets.insights.item_frequencies` of the filtered baskets."""
    from recsys.baskets.insights import item_frequencies

    return item_frequencies(basket_matrix(baskets, _dataset), _dataset.products)


@st.cache_data(show_spinner=False, max_entries=64)
def bought_together(baskets: BasketFilter, product_id: str, n: int, _dataset):
    """Return :func:`recsys.baskets.insights.bought_together` with a ``description`` column."""
    from recsys.baskets.insights import bought_together as together
    from recsys.baskets.insights import description_map

    out = together(basket_matrix(baskets, _dataset), product_id, n=int(n))
    names = description_map(_dataset.products)
    out.insert(1, "description", [names.get(p, p) for p in out["product_id"]])
    return out
