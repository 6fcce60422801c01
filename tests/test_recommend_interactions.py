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


def _lines(**columns):
    base = {S.INVOICE_ID: ["9"], S.INVOICE_DATE: ["2011-03-31"], S.PRODUCT_ID: ["P1"],
            S.QUANTITY: [2]}
    base.update(columns)
    return pd.DataFrame(base)


def test_fold_in_adds_lines_to_a_known_customer(index):
    from recsys.recommend.interactions import fold_in

    # B (row 1) bought P2 twenty days before 21 March; now P1 on 31 March and P9 (no
    # sales before, but in the catalogue); a return of P3 and an unknown product are left out
    lines = pd.DataFrame({
        S.INVOICE_ID: ["9", "9", "10", "11"],
        S.INVOICE_DATE: pd.to_datetime(["2011-03-31", "2011-03-31", "2011-04-01", "2011-04-02"]),
        S.PRODUCT_ID: ["P1", "P9", "P3", "NOPE"],
        S.QUANTITY: [2, 1, -1, 1],
    })
    h = fold_in(index, 1, lines)
    assert h.bought.toarray().tolist() == [[1, 1, 0, 1]]
    assert h.age_days.tolist() == [-10.0, 20.0, -10.0]
    assert h.invoices.tolist() == [1 + 2]  # invoices 9 and 11 (10 is a return)
    assert index.bought.toarray()[1].tolist() == [0, 1, 0, 0], "the index is unchanged"


def test_fold_in_keeps_the_latest_purchase_and_reads_any_date(index):
    from recsys.recommend.interactions import fold_in

    h = fold_in(index, 0, _lines(**{S.INVOICE_DATE: ["2011-03-01T12:00:00+01:00"],
                                    S.PRODUCT_ID: ["P2"]}))
    assert h.age_days.tolist() == [20.0, 10.0]  # P2's purchase of 11 March is the later one
    unknown = fold_in(index, -1, _lines())
    assert unknown.bought.toarray().tolist() == [[1, 0, 0, 0]]
    assert unknown.age_days.tolist() == [-10.0] and unknown.invoices.tolist() == [1]


@pytest.mark.parametrize(("lines", "message"), [
    (_lines().drop(columns=[S.QUANTITY]), r"lack the column\(s\) \['quantity'\]"),
    (_lines(**{S.QUANTITY: ["two"]}), "quantity must be a number, got 'two'"),
    (_lines(**{S.INVOICE_DATE: ["not a date"]}), "invoice_date cannot be read as a date"),
    (_lines(**{S.INVOICE_DATE: [None]}), "invoice_date is missing"),
])
def test_fold_in_rejects_bad_lines(index, lines, message):
    from recsys.errors import DataError
    from recsys.recommend.interactions import fold_in

    with pytest.raises(DataError, match=message):
        fold_in(index, 0, lines)
