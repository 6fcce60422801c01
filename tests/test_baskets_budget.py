"""Tests of recsys.baskets.budget: the lowest support a basket matrix can be counted at."""

from __future__ import annotations

import numpy as np
import pytest

import recsys.baskets.itemsets as itemsets
from recsys.baskets.budget import lowest_workable_support, support_grid
from recsys.baskets.itemsets import MIN_SUPPORT_FLOOR, TooManySets, basket_matrix, frequent_itemsets
from recsys.errors import ParameterError
from tests.test_baskets import BASKETS, _lines


@pytest.fixture
def textbook():
    return basket_matrix(_lines(BASKETS))


@pytest.fixture
def crowded():
    """300 baskets of 30 products, each product in about 60% of them: many frequent sets."""
    rng = np.random.default_rng(0)
    rows = {f"i{k}": [f"p{j}" for j in range(30) if rng.random() < 0.6] for k in range(300)}
    return basket_matrix(_lines(rows))


def test_support_grid_starts_at_the_floor():
    assert support_grid(step=0.001, max_support=0.005) == [0.001, 0.002, 0.003, 0.004, 0.005]
    with pytest.raises(ParameterError, match="max_support"):
        support_grid(step=0.001, max_support=2.0)


def test_lowest_workable_support_too_many_products_known_answer(textbook, monkeypatch):
    # 5 baskets, at least 3 per set: bread, milk, diaper (4 baskets each) and beer (3).
    # With at most 3 frequent products the threshold must be 4 baskets: 5 × s > 3.
    monkeypatch.setattr(itemsets, "MAX_FREQUENT_ITEMS", 3)
    assert lowest_workable_support(textbook, max_len=2, step=0.1, max_support=1.0) == 0.601
    # Single products are never combined, so any support works for them.
    assert lowest_workable_support(textbook, max_len=1, step=0.1, max_support=1.0) == MIN_SUPPORT_FLOOR


def test_lowest_workable_support_too_many_pairs_known_answer(textbook, monkeypatch):
    # At 3 baskets: 4 products and 4 pairs (bread-milk, bread-diaper, milk-diaper,
    # diaper-beer) = 8 sets; at 4 baskets: 3 products and no pair.
    monkeypatch.setattr(itemsets, "MAX_ITEMSETS", 5)
    assert lowest_workable_support(textbook, max_len=2, step=0.1, max_support=1.0) == 0.601
    monkeypatch.setattr(itemsets, "MAX_ITEMSETS", 8)
    assert lowest_workable_support(textbook, max_len=2, step=0.1, max_support=1.0) == MIN_SUPPORT_FLOOR


@pytest.mark.parametrize("max_len", [2, 3])
def test_lowest_workable_support_counting_gets_through(crowded, monkeypatch, max_len):
    monkeypatch.setattr(itemsets, "MAX_ITEMSETS", 300)
    with pytest.raises(TooManySets):
        frequent_itemsets(crowded, min_support=MIN_SUPPORT_FLOOR, max_len=max_len)
    lowest = lowest_workable_support(crowded, max_len=max_len, step=0.01, max_support=1.0)
    grid = support_grid(step=0.01, max_support=1.0)
    for support in grid[grid.index(lowest):]:  # this support and every higher one
        frequent_itemsets(crowded, min_support=support, max_len=max_len)


def _runs(matrix, support, max_len):
    try:
        frequent_itemsets(matrix, min_support=support, max_len=max_len)
    except TooManySets:
        return False
    return True


def test_lowest_workable_support_is_exact_for_pairs(crowded, monkeypatch):
    monkeypatch.setattr(itemsets, "MAX_ITEMSETS", 300)
    grid = support_grid(step=0.01, max_support=1.0)
    # The same answer as trying the counting itself, support after support.
    expected = next(s for s in grid if _runs(crowded, s, 2))
    assert expected > MIN_SUPPORT_FLOOR
    assert lowest_workable_support(crowded, max_len=2, step=0.01, max_support=1.0) == expected


def test_lowest_workable_support_work_limit(monkeypatch):
    # 20 identical baskets of 40 products: every set is in every basket, so only the
    # cost of counting (not the support) can refuse; nothing on the grid works.
    rows = {f"i{k}": [f"p{j}" for j in range(40)] for k in range(20)}
    matrix = basket_matrix(_lines(rows))
    monkeypatch.setattr(itemsets, "MAX_WORK", 1000)
    assert lowest_workable_support(matrix, max_len=3) is None
    with pytest.raises(TooManySets):
        frequent_itemsets(matrix, min_support=0.1, max_len=3)


def test_lowest_workable_support_bad_input(textbook):
    with pytest.raises(ParameterError, match="max_len"):
        lowest_workable_support(textbook, max_len=0)
    empty = basket_matrix(_lines({}))
    assert lowest_workable_support(empty, max_len=3) is None
