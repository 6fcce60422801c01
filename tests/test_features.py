"""Customer features: hand-computed figures on a tiny shop, invariants on the generated one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.cancellations import net_lines
from recsys.errors import DataError
from recsys.segments import features as F


def _lines(rows):
    frame = pd.DataFrame(
        rows,
        columns=[S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID, S.QUANTITY, S.UNIT_PRICE, S.COUNTRY],
    )
    frame[S.INVOICE_DATE] = pd.to_datetime(frame[S.INVOICE_DATE])
    for column in (S.INVOICE_ID, S.CUSTOMER_ID, S.PRODUCT_ID, S.COUNTRY):
        frame[column] = frame[column].astype("string")
    return frame


@pytest.fixture()
def tiny():
    return _lines(
        [
            ("1", "2024-01-01 10:00", "a", "p1", 2, 5.0, "UK"),
            ("1", "2024-01-01 10:00", "a", "p2", 1, 10.0, "UK"),
            ("2", "2024-01-11 09:00", "a", "p1", 4, 5.0, "UK"),
            ("3", "2024-01-21 12:00", "a", "p3", 1, 30.0, "France"),
            ("4", "2024-01-06 08:00", "b", "p1", 10, 1.0, "France"),
            ("5", "2024-01-30 17:00", None, "p1", 1, 1.0, "UK"),
        ]
    )


def test_customer_features_hand_computed(tiny):
    feats = F.customer_features(tiny)
    # as_of = day after the last invoice with a customer (21 Jan) = 22 Jan; the
    # line without a customer (30 Jan) is ignored.
    a, b = feats.loc["a"], feats.loc["b"]
    assert list(feats.index) == ["a", "b"]
    assert a[F.RECENCY_DAYS] == 1
    assert a[F.FREQUENCY] == 3
    assert a[F.MONETARY] == pytest.approx(10 + 10 + 20 + 30)
    assert a[F.AVG_ORDER_VALUE] == pytest.approx(70 / 3)
    assert a[F.ITEMS_PER_ORDER] == pytest.approx(8 / 3)
    assert a[F.DISTINCT_PRODUCTS] == 3
    assert a[F.TENURE_DAYS] == 21
    assert a[F.MEAN_DAYS_BETWEEN_ORDERS] == pytest.approx(10.0)
    assert a[S.COUNTRY] == "UK"
    assert b[F.RECENCY_DAYS] == 16
    assert b[F.FREQUENCY] == 1
    assert np.isnan(b[F.MEAN_DAYS_BETWEEN_ORDERS])  # one order: no interval observed
    assert b[F.CANCELLATION_RATE] == 0


def test_customer_features_as_of_cuts_later_lines(tiny):
    feats = F.customer_features(tiny, as_of="2024-01-15")
    assert feats.loc["a", F.FREQUENCY] == 2
    assert feats.loc["a", F.RECENCY_DAYS] == 4
    assert feats.loc["b", F.TENURE_DAYS] == 9


def test_customer_features_cancellation_rate_and_categories(tiny):
    cancellations = _lines([("C9", "2024-01-12", "a", "p1", -1, 5.0, "UK")])
    products = pd.DataFrame({S.PRODUCT_ID: ["p1", "p2", "p3"], S.CATEGORY: ["Toys", "Toys", "Garden"]})
    feats = F.customer_features(tiny, cancellations=cancellations, products=products)
    assert feats.loc["a", F.CANCELLATION_RATE] == pytest.approx(1 / 4)
    shares = F.category_share_columns(feats)
    assert shares == [F.CATEGORY_SHARE_PREFIX + "Garden", F.CATEGORY_SHARE_PREFIX + "Toys"]
    # Net of the cancelled unit of p1 (invoice 2, 4 x 5.0 -> 3 x 5.0): spend 70 - 5 = 65.
    assert feats.loc["a", F.MONETARY] == pytest.approx(65)
    assert feats.loc["a", F.CATEGORY_SHARE_PREFIX + "Garden"] == pytest.approx(30 / 65)
    np.testing.assert_allclose(feats[shares].sum(axis=1), 1.0)


def test_customer_features_does_not_change_input(tiny):
    before = tiny.copy()
    F.customer_features(tiny)
    pd.testing.assert_frame_equal(tiny, before)


def test_customer_features_rejects_empty_and_missing_columns(tiny):
    with pytest.raises(DataError, match="no transactions"):
        F.customer_features(tiny.iloc[0:0])
    with pytest.raises(DataError, match="unit_price"):
        F.customer_features(tiny.drop(columns=[S.UNIT_PRICE]))


def test_customer_features_on_generated_shop(synthetic_dataset):
    feats = F.customer_features(synthetic_dataset)
    tx = synthetic_dataset.customer_transactions
    assert len(feats) <= tx[S.CUSTOMER_ID].nunique()
    assert feats[F.RECENCY_DAYS].min() == 1
    assert (feats[F.TENURE_DAYS] >= feats[F.RECENCY_DAYS]).all()
    net = net_lines(tx, synthetic_dataset.cancellations)
    assert len(net) < len(tx)  # the generated shop has cancellations to subtract
    assert feats[F.MONETARY].sum() == pytest.approx((net[S.QUANTITY] * net[S.UNIT_PRICE]).sum())
    assert feats[F.CANCELLATION_RATE].between(0, 1).all()
    one_order = feats[F.FREQUENCY] == 1
    assert feats.loc[one_order, F.MEAN_DAYS_BETWEEN_ORDERS].isna().all()
    assert feats.loc[~one_order, F.MEAN_DAYS_BETWEEN_ORDERS].notna().all()


def test_customer_features_net_of_partial_full_and_unmatched_cancellations(tiny):
    cancellations = _lines(
        [
            ("C1", "2024-01-02", "a", "p1", -1, 5.0, "UK"),   # partial: invoice 1's p1 2 -> 1
            ("C2", "2024-01-07", "b", "p1", -10, 1.0, "UK"),  # full: b's only purchase
            ("C3", "2024-01-08", "a", "p9", -3, 7.0, "UK"),   # a never bought p9: nothing to subtract
        ]
    )
    feats = F.customer_features(tiny, cancellations=cancellations)
    assert list(feats.index) == ["a"]  # b bought nothing that was not cancelled
    a = feats.loc["a"]
    assert a[F.MONETARY] == pytest.approx(70 - 5)
    assert a[F.FREQUENCY] == 3
    assert a[F.ITEMS_PER_ORDER] == pytest.approx(7 / 3)
    # Cancellation invoices C1 and C3 against 3 invoices placed.
    assert a[F.CANCELLATION_RATE] == pytest.approx(2 / 5)


def test_customer_features_fully_cancelled_last_order_moves_recency(tiny):
    cancellations = _lines([("C1", "2024-01-21 13:00", "a", "p3", -1, 30.0, "France")])
    feats = F.customer_features(tiny, cancellations=cancellations, as_of="2024-01-22")
    # a's last purchase (21 Jan) was cancelled in full: the last order is now 11 Jan.
    assert feats.loc["a", F.RECENCY_DAYS] == 11
    assert feats.loc["a", F.FREQUENCY] == 2
    assert feats.loc["a", F.MONETARY] == pytest.approx(40)


def test_customer_features_ignore_cancellations_after_as_of(tiny):
    cancellations = _lines([("C1", "2024-01-20", "b", "p1", -10, 1.0, "UK")])
    feats = F.customer_features(tiny, cancellations=cancellations, as_of="2024-01-15")
    assert feats.loc["b", F.MONETARY] == pytest.approx(10)
