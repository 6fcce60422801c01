"""Cached baskets: the basket matrix of the filtered lines, frequent sets and rules, look-ups.

Every step is keyed by a :class:`~ui.cache.keys.BasketFilter` (date range, countries,
segments, largest basket) plus its own settings. The basket matrix is a shared resource
(read-only); tables and rules are data, copied per caller.
"""

from __future__ import annotations

import streamlit as st

from ui.cache.insights import insight_lines
from ui.cache.kept import kept
from ui.cache.keys import BasketFilter


@st.cache_resource(show_spinner=False, max_entries=6)
@kept
def basket_matrix(baskets: BasketFilter, _dataset):
    """Return the :class:`recsys.baskets.itemsets.BasketMatrix` of the filtered lines (shared)."""
    from recsys.baskets.itemsets import basket_matrix as build

    tx = insight_lines(baskets.lines, _dataset)
    return build(tx, max_basket_items=baskets.max_basket_items or None)


@st.cache_data(show_spinner="Finding products bought together…", max_entries=32)
@kept
def basket_rules(baskets: BasketFilter, min_support: float, max_len: int, min_confidence: float,
                 _dataset, positive_only: bool = True):
    """Return :func:`recsys.baskets.findings.rule_findings` of the filtered baskets.

    With ``positive_only`` (the default) only rules with lift above 1 are kept.

    Raises
    ------
    recsys.baskets.itemsets.TooManySets
        When the settings would give too many sets to count quickly.
    recsys.errors.DataError
        When no basket is left.
    """
    from recsys.baskets.findings import rule_findings

    return rule_findings(
        basket_matrix(baskets, _dataset), _dataset.products, min_support=float(min_support),
        max_len=int(max_len), min_confidence=float(min_confidence), positive_only=positive_only,
    )


@st.cache_data(show_spinner="Looking for settings that work…", max_entries=16)
@kept
def workable_settings(baskets: BasketFilter, min_support: float, max_len: int, _dataset):
    """Return :func:`recsys.baskets.findings.workable_settings` of the filtered baskets."""
    from recsys.baskets.findings import workable_settings as search

    matrix = basket_matrix(baskets, _dataset)
    return search(matrix, min_support=float(min_support), max_len=int(max_len))


@st.cache_data(show_spinner=False, max_entries=16)
@kept
def basket_products(baskets: BasketFilter, _dataset):
    """Return :func:`recsys.baskets.insights.item_frequencies` of the filtered baskets."""
    from recsys.baskets.insights import item_frequencies

    return item_frequencies(basket_matrix(baskets, _dataset), _dataset.products)


@st.cache_data(show_spinner=False, max_entries=64)
def bought_together(baskets: BasketFilter, product_id: str, n: int, _dataset):
    """Return :func:`recsys.baskets.insights.bought_together` with a ``description`` column."""
    from recsys.baskets.insights import bought_together as together

    return together(basket_matrix(baskets, _dataset), product_id, n=int(n), products=_dataset.products)


@st.cache_data(show_spinner="Working out which supports these baskets can be counted at…",
               max_entries=32)
def lowest_support(baskets: BasketFilter, max_len: int, max_support: float, _dataset):
    """Return :func:`recsys.baskets.budget.lowest_workable_support` of the filtered baskets
    (the lowest support the page offers; None when not even ``max_support`` works)."""
    from recsys.baskets.budget import lowest_workable_support

    return lowest_workable_support(basket_matrix(baskets, _dataset), max_len=int(max_len),
                                   max_support=float(max_support))
