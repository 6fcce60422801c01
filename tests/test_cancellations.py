"""Matching cancellations to purchases: hand-made cases worked out line by line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import cancellations as C
from recsys.data import schema as S

_COLUMNS = [S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID, S.QUANTITY, S.UNIT_PRICE]


def _lines(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame[S.INVOICE_DATE] = pd.to_datetime(frame[S.INVOICE_DATE])
    for column in (S.INVOICE_ID, S.CUSTOMER_ID, S.PRODUCT_ID):
        frame[column] = frame[column].astype("string")
    frame[S.QUANTITY] = frame[S.QUANTITY].astype("int64")
    return frame


@pytest.fixture()
def purchases() -> pd.DataFrame:
    return _lines(
        [
            ("1", "2024-01-01 10:00", "a", "p1", 10, 2.0),  # partly cancelled (4 of 10)
            ("1", "2024-01-01 10:00", "a", "p2", 3, 5.0),   # untouched
            ("2", "2024-01-05 10:00", "b", "p1", 6, 2.0),   # fully cancelled
            ("3", "2024-01-09 10:00", "b", "p1", 2, 2.5),   # bought after the cancellation: untouched
            ("4", "2024-01-03 10:00", "c", "p3", 1, 9.0),   # cancelled 3 with only 1 bought
            ("5", "2024-01-04 10:00", None, "p1", 5, 2.0),  # no customer: never matched
        ]
    )


@pytest.fixture()
def cancellations() -> pd.DataFrame:
    return _lines(
        [
            ("C1", "2024-01-02 09:00", "a", "p1", -4, 2.0),
            ("C2", "2024-01-06 09:00", "b", "p1", -6, 2.0),
            ("C3", "2024-01-07 09:00", "c", "p3", -3, 9.0),
            ("C4", "2024-01-07 09:00", "d", "p1", -2, 2.0),   # customer never bought: no match
            ("C5", "2024-01-07 09:00", None, "p1", -1, 2.0),  # no customer: no match
        ]
    )


def test_match_cancellations_partial_full_and_unmatched(purchases, cancellations):
    match = C.match_cancellations(purchases, cancellations)
    assert match.cancelled.tolist() == [4, 0, 6, 0, 1, 0]
    assert match.unmatched.tolist() == [0, 0, 2, 2, 1]


def test_match_cancellations_latest_purchase_first():
    bought = _lines(
        [
            ("1", "2024-01-01", "a", "p", 5, 1.0),
            ("2", "2024-01-10", "a", "p", 3, 1.0),
            ("3", "2024-01-20", "a", "p", 7, 1.0),
        ]
    )
    cancelled = _lines([("C1", "2024-01-15", "a", "p", -4, 1.0), ("C2", "2024-01-25", "a", "p", -9, 1.0)])
    # C1 (15 Jan) takes the 3 of 10 Jan, then 1 of 1 Jan; C2 takes all 7 of 20 Jan, then 2
    # more of 1 Jan (4 left there).
    assert C.match_cancellations(bought, cancelled).cancelled.tolist() == [3, 3, 7]


def test_net_lines_subtract_and_drop_fully_cancelled(purchases, cancellations):
    net = C.net_lines(purchases, cancellations)
    assert net.index.tolist() == [0, 1, 3, 5]  # the fully cancelled lines 2 and 4 are gone
    assert net[S.QUANTITY].tolist() == [6, 3, 2, 5]
    assert net[S.QUANTITY].dtype == np.int64
    assert list(net.columns) == list(purchases.columns)


def test_net_lines_never_below_zero(purchases):
    huge = _lines([("C9", "2024-02-01", "a", "p1", -1000, 2.0)])
    net = C.net_lines(purchases, huge)
    assert (net[S.QUANTITY] > 0).all()
    assert "a" in set(net[S.CUSTOMER_ID].dropna()) and len(net) == len(purchases) - 1


def test_net_lines_leave_inputs_unchanged(purchases, cancellations):
    before_p, before_c = purchases.copy(), cancellations.copy()
    C.net_lines(purchases, cancellations)
    C.with_cancelled_quantity(purchases, cancellations)
    pd.testing.assert_frame_equal(purchases, before_p)
    pd.testing.assert_frame_equal(cancellations, before_c)


def test_net_lines_without_cancellations_are_the_lines(purchases):
    assert C.net_lines(purchases, None) is purchases
    assert C.net_lines(purchases, purchases.iloc[0:0]) is purchases


def test_with_cancelled_quantity_column(purchases, cancellations):
    out = C.with_cancelled_quantity(purchases, cancellations)
    assert out[C.CANCELLED_QUANTITY].tolist() == [4, 0, 6, 0, 1, 0]


def test_cancelled_value_matched_at_purchase_price(purchases, cancellations):
    value = C.cancelled_value(purchases, cancellations)
    assert value.matched == pytest.approx(4 * 2.0 + 6 * 2.0 + 1 * 9.0)
    assert value.unmatched == pytest.approx(2 * 9.0 + 2 * 2.0 + 1 * 2.0)
    assert value.total == pytest.approx(value.matched + value.unmatched)


@pytest.mark.real_data
def test_match_on_real_data_customer_12346_fully_cancelled(real_dataset):
    tx = real_dataset.customer_transactions
    net = C.net_lines(tx, real_dataset.cancellations)
    assert (tx[S.CUSTOMER_ID] == "12346").sum() == 1
    assert (net[S.CUSTOMER_ID] == "12346").sum() == 0  # 74,215 units bought, all cancelled
    assert (net[S.QUANTITY] > 0).all()
