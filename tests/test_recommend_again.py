"""Buy again: the customer's own products, ranked by when they are due; its baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.cancellations import CANCELLED_QUANTITY
from recsys.errors import ParameterError
from recsys.evaluation.again import evaluate_again, repeat_targets
from recsys.evaluation.split import time_split
from recsys.recommend.again import BuyAgainRecommender, RepeatBaseline, pair_features
from recsys.recommend.reasons import buy_again, every


def _lines(rows):
    """Lines from (customer, product, day) with day 0 = 2011-01-01."""
    return pd.DataFrame({
        S.INVOICE_ID: [f"{c}-{d}" for c, _, d in rows],
        S.INVOICE_DATE: [pd.Timestamp("2011-01-01") + pd.Timedelta(days=d) for _, _, d in rows],
        S.CUSTOMER_ID: [c for c, _, _ in rows],
        S.PRODUCT_ID: [p for _, p, _ in rows],
    })


# Customer A bought P1 on days 0, 10, 20 (every 10 days), P2 on days 5 and 25, P3 on day 28.
# With the reference on day 30: P1 count 3, last 10 days ago, interval 10; P2 count 2,
# last 5 days ago, interval 20; P3 once, 2 days ago.
KNOWN = [("A", "P1", 0), ("A", "P1", 10), ("A", "P1", 20), ("A", "P2", 5), ("A", "P2", 25),
         ("A", "P3", 28), ("B", "P2", 3)]


def test_pair_features_known_answer():
    f = pair_features(_lines(KNOWN), pd.Timestamp("2011-01-31")).set_index(
        [S.CUSTOMER_ID, S.PRODUCT_ID])
    a1, a2, a3 = f.loc[("A", "P1")], f.loc[("A", "P2")], f.loc[("A", "P3")]
    assert (a1["count"], a1["since"], a1["interval"], a1["span"]) == (3, 10, 10, 20)
    assert (a2["count"], a2["since"], a2["interval"]) == (2, 5, 20)
    assert a1["due"] == pytest.approx(1.0) and a2["due"] == pytest.approx(0.25)
    assert a3["count"] == 1 and a3["since"] == 2
    # A bought on 6 distinct days; P1 on 3 of them
    assert a1["customer_days"] == 6 and a1["share"] == pytest.approx(0.5)
    # P2 has two buyers, one of whom bought it twice: (1 + 1) / (2 + 2)
    assert a2["product_repeat"] == pytest.approx(0.5) and a2["product_buyers"] == 2


def test_repeat_baselines_known_order():
    tx = _lines(KNOWN)
    frequent = RepeatBaseline(by="frequency").fit(tx).recommend(["A"], n=3)
    recent = RepeatBaseline(by="recency").fit(tx).recommend(["A"], n=3)
    assert list(frequent[S.PRODUCT_ID]) == ["P1", "P2", "P3"]
    assert list(recent[S.PRODUCT_ID]) == ["P3", "P2", "P1"]
    # only products the customer bought, whatever n
    assert list(RepeatBaseline().fit(tx).recommend(["B"], n=10)[S.PRODUCT_ID]) == ["P2"]


def test_buy_again_reasons_name_the_customer_rhythm():
    tx = _lines(KNOWN)
    recs = BuyAgainRecommender().fit(tx).recommend(["A"], n=3).set_index(S.PRODUCT_ID)
    assert recs.loc["P1", "reason"].startswith("you bought this 3 times, about every 10 days")
    assert recs.loc["P3", "reason"].startswith("you bought this ")
    assert "times" not in recs.loc["P3", "reason"]
    assert every(45) == "about every 6 weeks" and every(1) == "about every 1 day"
    assert buy_again(1, None, "in May") == "you bought this in May"


def test_buy_again_never_counts_a_purchase_cancelled_in_full():
    tx = _lines(KNOWN).assign(**{S.QUANTITY: 6, CANCELLED_QUANTITY: 0})
    # A's P1 of day 20 cancelled in full, P3 (bought once) cancelled in full, P2 of day 25
    # cancelled in part (4 of 6 kept)
    cancelled = {("A", "P1", 20): 6, ("A", "P3", 28): 6, ("A", "P2", 25): 2}
    tx[CANCELLED_QUANTITY] = [cancelled.get(r, 0) for r in KNOWN]
    before = tx.copy()
    for model in (BuyAgainRecommender(), RepeatBaseline()):
        recs = model.fit(tx).recommend(["A"], n=3).set_index(S.PRODUCT_ID)
        # P1: twice (days 0 and 10), last in January; P2 still twice; P3 never listed
        assert recs.loc["P1", "reason"].startswith("you bought this 2 times, about every 10 days")
        assert recs.loc["P2", "reason"].startswith("you bought this 2 times, about every 3 weeks")
        assert "P3" not in recs.index
    pd.testing.assert_frame_equal(tx, before)


def _rhythm_shop(seed=0):
    """Customers who each restock 8 products on their own rhythm (every 20-120 days) and
    buy 12 one-offs over 300 days: in the last 30 days, only the products that are due
    come back, which neither frequency nor recency alone tells."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(200):
        for p in rng.choice(40, 8, replace=False):
            period = int(rng.integers(20, 120))
            start = int(rng.integers(0, period))
            rows += [(f"C{c}", f"R{p}", d) for d in range(start, 300, period)]
        rows += [(f"C{c}", f"X{q}", int(d)) for q, d in zip(
            rng.choice(300, 12, replace=False), rng.integers(0, 300, 12), strict=True)]
    return _lines(rows)


@pytest.fixture(scope="module")
def again_table():
    return evaluate_again(_rhythm_shop(), test_days=30)


def test_buy_again_beats_its_baselines_on_a_shop_with_rhythms(again_table):
    t = again_table.set_index("model")
    assert set(t.index) == {"buy again", "most frequent", "most recent"}
    assert t["users"].nunique() == 1 and t.loc["buy again", "users"] > 100
    for col in ("precision", "recall", "ndcg", "hit_rate", "map"):
        assert t[col].between(0, 1).all()
    best_baseline = max(t.loc["most frequent", "ndcg"], t.loc["most recent", "ndcg"])
    assert t.loc["buy again", "ndcg"] >= 1.10 * best_baseline


def test_repeat_targets_are_products_bought_on_both_sides_of_the_cut():
    tx = _lines(KNOWN + [("A", "P1", 60), ("A", "P9", 61), ("B", "P2", 62)])
    targets = repeat_targets(time_split(tx, test_days=30))
    assert sorted(map(tuple, targets[[S.CUSTOMER_ID, S.PRODUCT_ID]].to_numpy())) == [
        ("A", "P1"), ("B", "P2")]


def test_buy_again_same_seed_same_lists_and_input_unchanged():
    tx = _rhythm_shop(1)
    before = tx.copy()
    a = BuyAgainRecommender(random_state=3).fit(tx).recommend(["C1", "C2"], n=5)
    b = BuyAgainRecommender(random_state=3).fit(tx).recommend(["C1", "C2"], n=5)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(tx, before)


def test_buy_again_rejects_a_bad_horizon():
    with pytest.raises(ParameterError, match="horizon_days must be at least 1, got 0"):
        BuyAgainRecommender(horizon_days=0).fit(_lines(KNOWN))
