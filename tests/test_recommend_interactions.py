"""The purchase index and the histories every recommender scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.recommend.interactions import build_interactions


@pytest.fixture(scope="module")
def index():
    # A buys P1 (1 Mar) and P2 (11 Mar, twice); B buys P2 (1 Mar); C buys P3 (21 Mar)
    tx = pd.DataFrame({
        S.INVOICE_ID: ["1", "2", "3", "4", "5"],
        S.INVOICE_DATE: pd.to_datetime(["2011-03-01", "2011-03-11", "2011-03-01",
                                        "2011-03-21", "2011-03-05"]),
        S.CUSTOMER_ID: ["A", "A", "B", "C", "A"],
        S.PRODUCT_ID: ["P1", "P2", "P2", "P3", "P2"],
    })
    products = pd.DataFrame({S.PRODUCT_ID: ["P1", "P2", "P3", "P9"]})
    return build_interactions(tx, products=products)


def test_interactions_known_index(index):
    assert list(index.users) == ["A", "B", "C"]
    assert list(index.items) == ["P1", "P2", "P3", "P9"] and index.n_sold == 3
    assert index.bought.toarray().tolist() == [[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
    # ages from the last purchase of each product to 21 March
    assert index.age_days.tolist() == [20.0, 10.0, 20.0, 0.0]
    assert index.invoices.tolist() == [3, 1, 1]


def test_histories_take_and_weights(index):
    h = index.histories(np.array([2, -1, 0]))
    assert h.counts.tolist() == [1, 0, 2]
    assert h.invoices.tolist() == [1, 0, 3]
    assert h.weighted(10.0).toarray()[2].tolist() == [0.25, 0.5, 0.0, 0.0]
    assert h.weighted(None).toarray()[2].tolist() == [1.0, 1.0, 0.0, 0.0]
    # an override applies to every model, whatever half-life it asks for
    np.testing.assert_allclose(h.with_half_life(20.0).weighted(10.0).toarray()[2],
                               [0.5, 0.5**0.5, 0, 0], rtol=1e-6)
    sub = h.take(np.array([False, False, True]))
    assert sub.bought.toarray().tolist() == [[1, 1, 0, 0]] and sub.age_days.tolist() == [20, 10]
    items, ages = h.entries(2)
    assert items.tolist() == [0, 1] and ages.tolist() == [20.0, 10.0]


def test_histories_exclude_from_marks_purchases(index):
    h = index.histories(np.array([0, 1]))
    scores = np.zeros((2, 4))
    h.exclude_from(scores)
    assert np.isneginf(scores).tolist() == [[True, True, False, False],
                                            [False, True, False, False]]
