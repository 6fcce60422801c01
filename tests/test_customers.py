"""Unit tests for recsys.insights.customers on small hand-made frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.catalogue import describe_recommendations, product_names, with_descriptions
from recsys.data.dataset import CleaningReport, Dataset
from recsys.errors import DataError, ParameterError
from recsys.insights.customer_ids import (
    known_customer_ids,
    normalise_customer_id,
    suggest_customer_ids,
)
from recsys.insights.customers import customer_lines, customer_profile, purchase_history


@pytest.fixture
def shop() -> Dataset:
    """Two customers with history, one known only from the customers table, one anonymous line."""
    tx = pd.DataFrame(
        {
            S.INVOICE_ID: ["1", "1", "2", "3", "4"],
            S.INVOICE_DATE: pd.to_datetime(
                [
                    "2011-01-05 10:00",
                    "2011-01-05 10:00",
                    "2011-03-01 09:00",
                    "2011-03-10 12:00",
                    "2011-03-11 08:00",
                ]
            ),
            S.CUSTOMER_ID: ["17850", "17850", "17850", "12346", None],
            S.PRODUCT_ID: ["A", "B", "A", "C", "A"],
            S.QUANTITY: [2, 1, 3, 10, 1],
            S.UNIT_PRICE: [1.5, 4.0, 1.5, 0.5, 1.5],
            S.COUNTRY: ["United Kingdom", "United Kingdom", "United Kingdom", "France", "Spain"],
        }
    ).astype(S.TRANSACTION_DTYPES)
    products = pd.DataFrame(
        {
            S.PRODUCT_ID: ["A", "B", "C", "D"],
            S.DESCRIPTION: ["WHITE HEART", "RED MUG", "<b>BOLD</b> BAG", "NEW LAMP"],
            S.CATEGORY: ["home", "kitchen", "bags", "home"],
            S.UNIT_PRICE: [1.5, 4.0, 0.5, 9.0],
        }
    )
    customers = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["17850", "12346", "99999"],
            S.COUNTRY: ["United Kingdom", "France", "Germany"],
        }
    ).astype("string")
    report = CleaningReport("canonical", 5, (), 5, 1)
    return Dataset(tx, products, customers, tx.iloc[0:0], report)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("17850", "17850"),
        (" 17850 ", "17850"),
        ("17850.0", "17850"),
        ("17850.00", "17850"),
        ("17 850", "17850"),
        (17850.0, "17850"),
        ("17850.5", "17850.5"),
        ("abc-1", "abc-1"),
        ("", ""),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_normalise_customer_id_canonical_form(typed, expected):
    assert normalise_customer_id(typed) == expected


def test_suggest_customer_ids_fewest_keystrokes_first():
    known = ["17850", "17852", "12346", "17849", "18000"]
    assert suggest_customer_ids(known, "17851", n=2) == ["17850", "17852"]
    # 17849 is two changes away; 18000 and 12346 more.
    assert suggest_customer_ids(known, "17851") == ["17850", "17852", "17849"]


def test_suggest_customer_ids_by_spelling_not_by_number():
    # The issue: an unknown 18300 suggested the numerically close 18287 and 18283.
    known = ["18287", "18283", "18230", "13800", "18301"]
    assert suggest_customer_ids(known, "18300") == ["18301", "13800", "18230"]
    assert "18287" not in suggest_customer_ids(known, "18300", n=5)


def test_suggest_customer_ids_swapped_digits_and_prefix():
    known = ["17850", "12346", "17851", "178500"]
    assert suggest_customer_ids(known, "17580", n=1) == ["17850"]
    assert suggest_customer_ids(known, "178", n=3) == ["17850", "17851", "178500"]


def test_suggest_customer_ids_never_suggests_typed_id():
    assert "17850" not in suggest_customer_ids(["17850", "17851"], "17850.0")


def test_suggest_customer_ids_text_uses_spelling():
    known = ["alice", "alicia", "bob", "carol"]
    assert suggest_customer_ids(known, "alise") == ["alice"]
    assert suggest_customer_ids(known, "alicja") == ["alicia", "alice"]
    assert suggest_customer_ids(known, "zzzzzz") == []


def test_suggest_customer_ids_ignores_non_numeric_known_ids_for_numbers():
    assert suggest_customer_ids(["x1", "100", "200"], "120", n=1) == ["100"]


def test_suggest_customer_ids_empty_inputs():
    assert suggest_customer_ids([], "17851") == []
    assert suggest_customer_ids(["1"], "  ") == []
    with pytest.raises(ParameterError, match="0"):
        suggest_customer_ids(["1"], "2", n=0)


def test_known_customer_ids_union_sorted_numerically(shop):
    assert known_customer_ids(shop) == ["12346", "17850", "99999"]


def test_customer_profile_figures(shop):
    segments = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["17850", "12346"],
            "segment": [1, 2],
            "segment_name": ["Champions", "Lapsed"],
        }
    )
    profile = customer_profile(shop, " 17850.0", assignments=segments)
    assert profile.customer_id == "17850"
    assert (profile.segment, profile.segment_name) == (1, "Champions")
    assert profile.country == "United Kingdom"
    assert profile.orders == 2
    assert profile.lines == 3
    assert profile.products == 2
    assert profile.units == 6
    assert profile.spend == pytest.approx(2 * 1.5 + 4.0 + 3 * 1.5)
    assert profile.average_order_value == pytest.approx(11.5 / 2)
    assert profile.first_purchase == pd.Timestamp("2011-01-05 10:00")
    assert profile.last_purchase == pd.Timestamp("2011-03-01 09:00")
    # as of 11 March (the day after the last customer line): 10 days after 1 March
    assert profile.recency_days == 10
    assert profile.has_history


def test_customer_profile_recency_from_features(shop):
    features = pd.DataFrame({"recency_days": [42]}, index=pd.Index(["17850"], name=S.CUSTOMER_ID))
    assert customer_profile(shop, "17850", features=features).recency_days == 42


def test_customer_profile_without_history(shop):
    profile = customer_profile(shop, "99999")
    assert not profile.has_history
    assert profile.country == "Germany"
    assert (profile.orders, profile.spend, profile.recency_days) == (0, 0.0, None)
    assert profile.segment is None
    assert math.isnan(profile.average_order_value)


def test_customer_profile_unknown_raises_with_id(shop):
    with pytest.raises(DataError, match="17851"):
        customer_profile(shop, "17851")


def test_purchase_history_newest_first_with_revenue(shop):
    history = purchase_history(shop, "17850")
    assert list(history.columns) == [
        S.INVOICE_DATE,
        S.INVOICE_ID,
        S.PRODUCT_ID,
        S.DESCRIPTION,
        S.QUANTITY,
        "cancelled_quantity",
        S.UNIT_PRICE,
        S.REVENUE,
    ]
    assert history[S.INVOICE_ID].tolist() == ["2", "1", "1"]
    assert history[S.PRODUCT_ID].tolist() == ["A", "A", "B"]
    assert history[S.DESCRIPTION].tolist() == ["WHITE HEART", "WHITE HEART", "RED MUG"]
    assert history[S.REVENUE].tolist() == pytest.approx([4.5, 3.0, 4.0])


def test_purchase_history_empty_for_no_history(shop):
    history = purchase_history(shop, "99999")
    assert history.empty
    assert S.REVENUE in history


def test_functions_do_not_change_inputs(shop):
    before = shop.transactions.copy()
    customer_profile(shop, "17850")
    purchase_history(shop, "17850")
    pd.testing.assert_frame_equal(shop.transactions, before)


def test_describe_recommendations_joins_catalogue(shop):
    recs = pd.DataFrame(
        {
            S.CUSTOMER_ID: ["17850", "17850"],
            S.PRODUCT_ID: ["D", "C"],
            "score": [0.5, 0.9],
            "rank": [2, 1],
            "reason": ["similar to WHITE HEART", "popular right now"],
        }
    )
    before = recs.copy()
    out = describe_recommendations(recs, shop.products)
    assert out[S.PRODUCT_ID].tolist() == ["C", "D"]
    assert out[S.DESCRIPTION].tolist() == ["<b>BOLD</b> BAG", "NEW LAMP"]
    assert out[S.UNIT_PRICE].tolist() == [0.5, 9.0]
    assert out["reason"].tolist() == ["popular right now", "similar to WHITE HEART"]
    pd.testing.assert_frame_equal(recs, before)


def test_describe_recommendations_without_reason_column(shop):
    recs = pd.DataFrame({S.CUSTOMER_ID: ["1"], S.PRODUCT_ID: ["A"], "score": [1.0], "rank": [1]})
    out = describe_recommendations(recs, shop.products[[S.PRODUCT_ID]])
    assert out["reason"].isna().all()
    assert out[S.DESCRIPTION].isna().all()


def test_with_descriptions_keeps_rows_and_order(shop):
    recs = pd.DataFrame({S.CUSTOMER_ID: ["1", "2"], S.PRODUCT_ID: ["Z", "A"], "rank": [1, 1]})
    out = with_descriptions(recs, shop.products)
    assert out[S.PRODUCT_ID].tolist() == ["Z", "A"]
    assert out[S.DESCRIPTION].isna().tolist() == [True, False]
    assert S.DESCRIPTION not in recs


def test_customer_lines_lookup_matches_scan(shop):
    lookup = customer_lines(shop)
    assert list(lookup.ids) == ["12346", "17850"]
    for cid in ("17850", "12346", "99999"):
        assert customer_profile(shop, cid, lookup=lookup) == customer_profile(shop, cid)
    for cid in ("17850", "12346", "99999", "17851"):
        pd.testing.assert_frame_equal(
            purchase_history(shop, cid, lookup=lookup), purchase_history(shop, cid)
        )
    assert lookup.of("17851").empty
    assert lookup.of("0").empty and lookup.of("zzz").empty


def test_customer_lines_lookup_on_generated_shop(synthetic_dataset):
    lookup = customer_lines(synthetic_dataset)
    tx = synthetic_dataset.customer_transactions
    for cid in tx[S.CUSTOMER_ID].drop_duplicates().sample(20, random_state=1):
        expected = tx[tx[S.CUSTOMER_ID] == cid].reset_index(drop=True)
        pd.testing.assert_frame_equal(lookup.of(cid).reset_index(drop=True), expected)


def _cancel(shop, rows):
    """``shop`` with cancellation lines ``(customer, product, quantity, unit_price, date)``."""
    cancellations = pd.DataFrame(
        {
            S.INVOICE_ID: [f"C{i}" for i in range(len(rows))],
            S.INVOICE_DATE: pd.to_datetime([r[4] for r in rows]),
            S.CUSTOMER_ID: [r[0] for r in rows],
            S.PRODUCT_ID: [r[1] for r in rows],
            S.QUANTITY: [r[2] for r in rows],
            S.UNIT_PRICE: [r[3] for r in rows],
            S.COUNTRY: ["France"] * len(rows),
        }
    ).astype(S.TRANSACTION_DTYPES)
    return Dataset(shop.transactions, shop.products, shop.customers, cancellations, shop.report)


def test_customer_profile_partial_cancellation_is_subtracted(shop):
    # 12346 bought 10 x C at 0.5 and cancels 4 then 2 of them (at a different price: the
    # purchase's price counts): 6 x 0.5 = 3 subtracted, 4 x 0.5 = 2 left.
    with_cancels = _cancel(shop, [("12346", "C", -4, 2.5, "2011-03-10 12:00"),
                                  ("12346", "C", -2, 1.0, "2011-03-12 00:00")])
    profile = customer_profile(with_cancels, "12346")
    assert profile.cancelled == pytest.approx(3.0)
    assert profile.spend == pytest.approx(2.0)
    assert profile.gross_spend == pytest.approx(5.0)
    assert profile.units == 4 and profile.orders == 1 and not profile.all_cancelled
    assert profile.unmatched_cancelled == 0.0
    assert customer_profile(with_cancels, "17850").cancelled == 0.0
    assert customer_profile(with_cancels, "99999").cancelled == 0.0


def test_product_names_first_table_with_a_description_wins():
    recommended = pd.DataFrame({S.PRODUCT_ID: ["p2", "p1"], S.DESCRIPTION: pd.array(["MUG", pd.NA], dtype="string")})
    history = pd.DataFrame({S.PRODUCT_ID: ["p1", "p3", "p2", "p1"], S.DESCRIPTION: ["CUP", None, "JUG", "CUP"]})
    names = product_names(recommended, history)
    assert list(names.index) == ["p2", "p1", "p3"]
    assert names["p2"] == "MUG"  # the recommendation's, not the history's
    assert names["p1"] == "CUP"  # the recommendation has none: the history's
    assert pd.isna(names["p3"])


def test_customer_profile_fully_cancelled_customer_spends_nothing(shop):
    # The customer 12346: one order, cancelled in full minutes later.
    with_cancels = _cancel(shop, [("12346", "C", -10, 0.5, "2011-03-10 12:20")])
    profile = customer_profile(with_cancels, "12346")
    assert profile.spend == 0.0 and profile.cancelled == pytest.approx(5.0)
    assert profile.orders == 0 and profile.units == 0 and profile.products == 0
    assert profile.all_cancelled and profile.has_history
    assert profile.last_purchase is None and profile.recency_days is None
    history = purchase_history(with_cancels, "12346")
    assert history["cancelled_quantity"].tolist() == [10]
    assert history[S.REVENUE].tolist() == [0.0]


def test_customer_profile_cancellation_without_matching_purchase_subtracts_nothing(shop):
    # 17850 cancels a product never bought, and more of A than bought before the cancellation.
    with_cancels = _cancel(shop, [("17850", "D", -1, 9.0, "2011-03-02 00:00"),
                                  ("17850", "A", -4, 1.5, "2011-01-06 00:00")])
    profile = customer_profile(with_cancels, "17850")
    # Only the 2 units of A bought on 5 Jan were there to cancel on 6 Jan; invoice 1 keeps B.
    assert profile.cancelled == pytest.approx(3.0)
    assert profile.unmatched_cancelled == pytest.approx(9.0 + 2 * 1.5)
    assert profile.spend == pytest.approx(4.0 + 4.5)
    assert profile.orders == 2
    history = purchase_history(with_cancels, "17850").set_index([S.INVOICE_ID, S.PRODUCT_ID])
    assert history.loc[("1", "A"), "cancelled_quantity"] == 2
    assert history.loc[("2", "A"), "cancelled_quantity"] == 0  # bought after the cancellation


