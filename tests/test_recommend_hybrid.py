"""Hybrid specifics: reasons naming real purchases, cold start, new products, similar items."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import DataError, ParameterError
from recsys.recommend.content import ContentRecommender
from recsys.recommend.hybrid import HybridRecommender
from recsys.recommend.itemknn import ItemKNNRecommender

BOUGHT_WITH = re.compile(r"^(bought with|similar to) (.+), which you bought in (\w+ \d{4})$")


@pytest.fixture(scope="module")
def shop(synthetic_dataset):
    ds = synthetic_dataset
    return ds.customer_transactions, ds.products, ds.customers


@pytest.fixture(scope="module")
def hybrid(shop):
    tx, products, customers = shop
    return HybridRecommender().fit(tx, products=products, customers=customers)


def test_hybrid_reasons_name_real_purchases(shop, hybrid):
    tx, products, _ = shop
    names = products.set_index(S.PRODUCT_ID)[S.DESCRIPTION]
    ids = sorted(tx[S.CUSTOMER_ID].unique())[:60]
    mine = tx[tx[S.CUSTOMER_ID].isin(ids)]
    last = (mine.assign(name=mine[S.PRODUCT_ID].map(names))
            .groupby([S.CUSTOMER_ID, "name"])[S.INVOICE_DATE].max())
    recs = hybrid.recommend(ids, n=10)
    assert recs["reason"].str.len().gt(0).all()
    matched = 0
    for row in recs.itertuples(index=False):
        m = BOUGHT_WITH.match(row.reason)
        if not m:
            assert row.reason == "popular right now", row.reason
            continue
        matched += 1
        key = (row.customer_id, m.group(2))
        assert key in last.index, f"{row.reason!r} names a product {row.customer_id} never bought"
        assert m.group(3) == f"{last[key]:%B %Y}"  # always with the year
    assert matched > len(recs) / 2


def test_hybrid_keeps_purchases_for_replenishment(shop, hybrid):
    tx = shop[0]
    customer = tx[S.CUSTOMER_ID].value_counts().index[-1]
    n = tx[S.PRODUCT_ID].nunique()
    recs = hybrid.recommend(customer, n=n, exclude_purchased=False)
    mine = set(tx.loc[tx[S.CUSTOMER_ID] == customer, S.PRODUCT_ID])
    again = recs[recs[S.PRODUCT_ID].isin(mine)]
    assert set(again[S.PRODUCT_ID]) == mine
    assert again["reason"].str.startswith("you bought this in").all()


CHECKER = 12


@pytest.fixture(scope="module")
def checkerboard():
    """Customer ``u`` buys every product of its parity but product ``u`` (the diagonal),
    product ``j`` on day ``j`` of March 2011; even customers form segment "Even"."""
    rows = [(f"I{u}", pd.Timestamp("2011-03-01") + pd.Timedelta(days=j), f"C{u:02d}", f"P{j:02d}")
            for u in range(CHECKER) for j in range(CHECKER) if (u + j) % 2 == 0 and u != j]
    tx = pd.DataFrame(rows, columns=[S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID])
    products = pd.DataFrame({
        S.PRODUCT_ID: [f"P{j:02d}" for j in range(CHECKER)],
        S.DESCRIPTION: [f"{'RED CANDLE' if j % 2 == 0 else 'BLUE SIGN'} NO {j}"
                        for j in range(CHECKER)],
    })
    segments = pd.DataFrame({
        S.CUSTOMER_ID: [f"C{u:02d}" for u in range(CHECKER)] + ["NEWEVEN"],
        "segment": [u % 2 for u in range(CHECKER)] + [0],
        "segment_name": ["Even" if u % 2 == 0 else "Odd" for u in range(CHECKER)] + ["Even"],
    })
    return tx, products, segments


def test_hybrid_checkerboard_held_out_item_first_with_a_true_reason(checkerboard):
    tx, products, segments = checkerboard
    model = HybridRecommender(l2=1.0).fit(tx, products=products, segments=segments)
    recs = model.recommend([f"C{u:02d}" for u in range(CHECKER)], n=3)
    top = recs[recs["rank"] == 1].set_index(S.CUSTOMER_ID)
    assert top[S.PRODUCT_ID].to_dict() == {f"C{u:02d}": f"P{u:02d}" for u in range(CHECKER)}
    for u in range(CHECKER):
        m = BOUGHT_WITH.match(top.at[f"C{u:02d}", "reason"])
        assert m is not None and m.group(1) == "bought with", top.at[f"C{u:02d}", "reason"]
        anchor = int(m.group(2).rsplit(" ", 1)[1])
        assert anchor % 2 == u % 2 and anchor != u  # a product this customer bought
        assert m.group(3) == "March 2011"


def test_hybrid_never_names_a_purchase_cancelled_in_full(checkerboard):
    """C00's only red candle but one was cancelled in full: the reasons name the others,
    and the scores (so the ranking) are the same as without knowing of the cancellation."""
    from recsys.data.cancellations import with_cancelled_quantity

    tx, products, segments = checkerboard
    tx = tx.assign(**{S.QUANTITY: 1, S.UNIT_PRICE: 1.0})
    plain = HybridRecommender(l2=1.0).fit(tx, products=products, segments=segments)
    anchors = plain.recommend("C00", n=5)["reason"].str.extract(BOUGHT_WITH)[1]
    named = anchors.dropna().iloc[0]  # the purchase the first reason names
    product = products.loc[products[S.DESCRIPTION] == named, S.PRODUCT_ID].iat[0]
    bought = tx[(tx[S.CUSTOMER_ID] == "C00") & (tx[S.PRODUCT_ID] == product)]
    cancellations = bought.assign(**{S.INVOICE_ID: "C1", S.QUANTITY: -1,
                                     S.INVOICE_DATE: bought[S.INVOICE_DATE] + pd.Timedelta(hours=1)})
    model = HybridRecommender(l2=1.0).fit(with_cancelled_quantity(tx, cancellations), products=products,
                                          segments=segments)
    recs = model.recommend("C00", n=5)
    pd.testing.assert_frame_equal(recs.drop(columns="reason"), plain.recommend("C00", n=5).drop(columns="reason"))
    assert not recs["reason"].str.contains(named, regex=False).any()
    # Still explained by a real purchase: another red candle C00 kept.
    other = BOUGHT_WITH.match(recs["reason"].iat[0])
    assert other is not None and other.group(2) != named
    kept = products.loc[products[S.DESCRIPTION] == other.group(2), S.PRODUCT_ID].iat[0]
    assert ((tx[S.CUSTOMER_ID] == "C00") & (tx[S.PRODUCT_ID] == kept)).any()


def test_hybrid_cold_start_is_segment_popularity_with_that_reason(checkerboard):
    tx, products, segments = checkerboard
    model = HybridRecommender(l2=1.0).fit(tx, products=products, segments=segments)
    recs = model.recommend("NEWEVEN", n=6)
    # every even product has five buyers in "Even"; the later purchases weigh more
    assert recs[S.PRODUCT_ID].tolist() == ["P10", "P08", "P06", "P04", "P02", "P00"]
    assert set(recs["reason"]) == {"popular with Even"}
    assert model.history_band("NEWEVEN") == "no history"


def test_hybrid_cold_start_uses_what_is_known(shop):
    tx, products, customers = shop
    newcomer = pd.DataFrame({S.CUSTOMER_ID: ["NEW1", "NEW2"], S.COUNTRY: ["France", "France"],
                             S.AGE: [34, np.nan], S.GENDER: ["F", None]})
    # some customers with history in France and in the segment, so both have a ranking
    known = tx[S.CUSTOMER_ID].drop_duplicates().iloc[:40]
    segments = pd.DataFrame({S.CUSTOMER_ID: [*known, "NEW1"], "segment": 1,
                             "segment_name": "Champions"})
    cust = pd.concat([customers.assign(**{S.COUNTRY: np.where(
        customers[S.CUSTOMER_ID].isin(known), "France", customers[S.COUNTRY])}), newcomer])
    model = HybridRecommender().fit(tx, products=products, customers=cust, segments=segments)
    recs = model.recommend(["NEW1", "NEW2", "NOBODY"], n=5)
    by = recs.groupby(S.CUSTOMER_ID)["reason"].agg(set)
    assert by["NEW1"] == {"popular with Champions in France"}
    assert by["NEW2"] == {"popular with customers in France"}
    assert by["NOBODY"] == {"popular right now"}
    assert recs.groupby(S.CUSTOMER_ID).size().eq(5).all()
    assert model.history_band("NEW1") == "no history"


def test_cold_start_demographics_without_segment(shop):
    tx, products, customers = shop
    newcomer = pd.DataFrame({S.CUSTOMER_ID: ["NEW3"], S.AGE: [35.0], S.GENDER: ["F"]})
    model = HybridRecommender(tune=False).fit(
        tx, products=products, customers=pd.concat([customers, newcomer]))
    reasons = set(model.recommend("NEW3", n=3)["reason"])
    assert reasons == {"popular with women aged 30–39"}


def test_hybrid_serves_registered_customers_without_purchases(synthetic_dataset, hybrid):
    """Generated customers who registered but never bought are loaded, and the hybrid
    recommends for them from their country and age group, saying so."""
    from recsys.recommend.reasons import age_band, gender_word

    ds = synthetic_dataset
    silent = ds.customers[~ds.customers[S.CUSTOMER_ID].isin(
        set(ds.customer_transactions[S.CUSTOMER_ID]))]
    assert len(silent) > 0
    recs = hybrid.recommend(silent[S.CUSTOMER_ID].tolist(), n=5)
    assert recs.groupby(S.CUSTOMER_ID).size().eq(5).all()
    for row in silent.itertuples(index=False):
        cid, country = getattr(row, S.CUSTOMER_ID), getattr(row, S.COUNTRY)
        group = f"{gender_word(getattr(row, S.GENDER))} {age_band(getattr(row, S.AGE))}"
        reasons = set(recs.loc[recs[S.CUSTOMER_ID] == cid, "reason"])
        assert reasons == {f"popular with {group} in {country}"}, (cid, reasons)
    assert not recs["reason"].str.contains("popular right now").any()
    assert hybrid.history_band(silent[S.CUSTOMER_ID].iloc[0]) == "no history"


@pytest.fixture(scope="module")
def new_product_shop():
    rows = []
    for c in range(30):
        items = ["MUGRED", "MUGBLUE"] if c % 2 == 0 else ["CANDLE", "HOLDER"]
        for j, p in enumerate(items):
            rows.append((f"I{c}", pd.Timestamp("2011-05-01") + pd.Timedelta(days=c + j),
                         f"C{c}", p))
    tx = pd.DataFrame(rows, columns=[S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID])
    products = pd.DataFrame({
        S.PRODUCT_ID: ["MUGRED", "MUGBLUE", "CANDLE", "HOLDER", "MUGGREEN"],
        S.DESCRIPTION: ["RED SPOTTY CERAMIC MUG", "BLUE SPOTTY CERAMIC MUG",
                        "VANILLA SCENT CANDLE", "GLASS TEALIGHT HOLDER",
                        "GREEN SPOTTY CERAMIC MUG"],
        S.CATEGORY: ["Kitchen", "Kitchen", "Home", "Home", "Kitchen"],
    })
    return tx, products


def test_new_product_without_sales_is_recommended_through_content(new_product_shop):
    tx, products = new_product_shop
    content = ContentRecommender().fit(tx, products=products)
    assert content.recommend("C0", n=1)[S.PRODUCT_ID].tolist() == ["MUGGREEN"]
    hybrid = HybridRecommender().fit(tx, products=products)
    recs = hybrid.recommend("C0", n=3)
    row = recs[recs[S.PRODUCT_ID] == "MUGGREEN"]
    assert len(row) == 1
    assert row["reason"].iat[0].startswith("similar to ")
    assert "MUGGREEN" in set(hybrid.similar_items("MUGRED", n=3)[S.PRODUCT_ID])
    assert "MUGGREEN" not in set(hybrid.recommend("C1", n=1)[S.PRODUCT_ID])


def test_similar_items_ranks_co_purchases_and_text(new_product_shop):
    tx, products = new_product_shop
    hybrid = HybridRecommender().fit(tx, products=products)
    sim = hybrid.similar_items("CANDLE", n=2)
    assert list(sim.columns) == [S.PRODUCT_ID, "score", "reason"]
    assert sim[S.PRODUCT_ID].iat[0] == "HOLDER"
    assert sim["reason"].iat[0] == "bought together by 15 customers"
    text = ContentRecommender().fit(tx, products=products).similar_items("MUGRED", n=2)
    assert set(text[S.PRODUCT_ID]) == {"MUGBLUE", "MUGGREEN"}


@pytest.mark.parametrize("model", [HybridRecommender(), ContentRecommender()])
def test_similar_items_validates_input(new_product_shop, model):
    tx, products = new_product_shop
    model.fit(tx, products=products)
    with pytest.raises(ParameterError, match="unknown product 'NOPE'"):
        model.similar_items("NOPE")
    with pytest.raises(ParameterError, match="n must be a positive integer"):
        model.similar_items("MUGRED", n=0)


def test_hybrid_large_catalogue_switches_to_sparse_neighbours(shop):
    tx, products, customers = shop
    model = HybridRecommender(max_dense_items=50, tune=False).fit(tx, products=products)
    assert isinstance(model.collaborative_, ItemKNNRecommender)
    assert model.recommend(tx[S.CUSTOMER_ID].iat[0], n=5).shape[0] == 5
    # the neighbours part gives the same reasons as EASE: one of the customer's purchases
    customer = tx[S.CUSTOMER_ID].iat[0]
    names = products.set_index(S.PRODUCT_ID)[S.DESCRIPTION]
    mine = set(names[tx.loc[tx[S.CUSTOMER_ID] == customer, S.PRODUCT_ID]])
    for reason in model.recommend(customer, n=10)["reason"]:
        m = BOUGHT_WITH.match(reason)
        assert m is None or m.group(2) in mine, reason


def test_hybrid_blend_is_chosen_by_inner_validation(hybrid):
    blend = hybrid.blend_
    assert blend.validation_users >= 30
    assert 0 <= blend.validation_ndcg <= 1
    assert blend.weights(True)["content"] > 0 and blend.weights(False)["content"] > 0


def test_hybrid_recommend_is_the_base_contract():
    """Reasons come through the base class's hook: the hybrid has no ranking of its own."""
    from recsys.recommend.base import BaseRecommender

    assert HybridRecommender.recommend is BaseRecommender.recommend
    assert HybridRecommender._reasons is not BaseRecommender._reasons


def test_hybrid_tuning_leaves_its_parts_consistent(shop, hybrid):
    """Tuning works on clones: the fitted parts carry the chosen settings as their own
    parameters, and the hybrid's parameters are those it was built with."""
    blend = hybrid.blend_
    assert hybrid.collaborative_.get_params()["half_life_days"] == blend.half_life_days
    assert hybrid.collaborative_.get_params()["l2"] == hybrid.l2
    assert hybrid.get_params() == HybridRecommender().get_params()


def test_hybrid_tuning_same_for_shuffled_lines(shop):
    tx, products, customers = shop
    cut = tx[S.INVOICE_DATE].max() - pd.Timedelta(days=40)
    early = tx[tx[S.INVOICE_DATE] < cut]
    a = HybridRecommender().fit(early, products=products).blend_
    b = HybridRecommender().fit(early.sample(frac=1.0, random_state=3), products=products).blend_
    assert a == b


def test_hybrid_recommend_lines_folds_a_purchase_in(checkerboard):
    """A new customer who buys one even product is personalised by that one purchase:
    even products first, each explained by it; a known customer who buys their held-out
    product no longer gets it."""
    tx, products, segments = checkerboard
    model = HybridRecommender(l2=1.0).fit(tx, products=products, segments=segments)
    lines = pd.DataFrame({S.INVOICE_ID: ["W1"], S.INVOICE_DATE: [pd.Timestamp("2011-04-02")],
                          S.PRODUCT_ID: ["P04"], S.QUANTITY: [1], S.UNIT_PRICE: [2.5]})
    recs = model.recommend_lines("WEB-1", lines, n=5)
    assert list(recs.columns) == [S.CUSTOMER_ID, S.PRODUCT_ID, "score", "rank", "reason"]
    assert {int(p[1:]) % 2 for p in recs[S.PRODUCT_ID]} == {0} and "P04" not in set(
        recs[S.PRODUCT_ID])
    assert set(recs["reason"]) <= {"bought with RED CANDLE NO 4, which you bought in April 2011",
                                   "similar to RED CANDLE NO 4, which you bought in April 2011"}
    assert model.recommend("WEB-1", n=1)["reason"].iat[0] == "popular right now"
    before = model.recommend("C00", n=1)
    assert before[S.PRODUCT_ID].iat[0] == "P00"
    after = model.recommend_lines("C00", lines.assign(**{S.PRODUCT_ID: "P00"}), n=3)
    assert "P00" not in set(after[S.PRODUCT_ID])
    kept = model.recommend_lines("C00", lines.assign(**{S.PRODUCT_ID: "P00"}), n=12,
                                 exclude_purchased=False)
    assert kept.loc[kept[S.PRODUCT_ID] == "P00", "reason"].iat[0] == (
        "you bought this in April 2011; time to restock?")


def test_hybrid_recommend_lines_never_changes_the_model(shop, hybrid):
    """Concurrent fold-ins (as a service runs them) give what one call alone gives, and
    leave the fitted model as it was."""
    from concurrent.futures import ThreadPoolExecutor

    tx, products, _ = shop
    customers = sorted(tx[S.CUSTOMER_ID].unique())[:24]
    lines = pd.DataFrame({S.INVOICE_ID: ["N1", "N1"],
                          S.INVOICE_DATE: [tx[S.INVOICE_DATE].max()] * 2,
                          S.PRODUCT_ID: products[S.PRODUCT_ID].iloc[:2].tolist(),
                          S.QUANTITY: [1, 3]})
    state = (hybrid.data_.bought.copy(), hybrid.data_.age_days.copy(),
             hybrid.data_.invoices.copy(), hybrid.blend_)
    alone = {c: hybrid.recommend_lines(c, lines, n=10) for c in customers}
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda c: hybrid.recommend_lines(c, lines, n=10),
                                 customers * 3))
    for c, frame in zip(customers * 3, together, strict=True):
        pd.testing.assert_frame_equal(frame, alone[c])
    assert (hybrid.data_.bought != state[0]).nnz == 0
    np.testing.assert_array_equal(hybrid.data_.age_days, state[1])
    np.testing.assert_array_equal(hybrid.data_.invoices, state[2])
    assert hybrid.blend_ == state[3]
    assert hybrid.recommend_lines(customers[0], lines[:0], n=10).equals(
        hybrid.recommend(customers[0], n=10))


def test_hybrid_recommend_lines_rejects_bad_input(hybrid):
    from recsys.errors import ParameterError

    with pytest.raises(DataError, match="lack the column"):
        hybrid.recommend_lines("C1", pd.DataFrame({S.PRODUCT_ID: ["x"]}))
    with pytest.raises(ParameterError, match="n must be a positive integer"):
        hybrid.recommend_lines("C1", pd.DataFrame(columns=[S.INVOICE_ID, S.INVOICE_DATE,
                                                           S.PRODUCT_ID, S.QUANTITY]), n=0)


def test_basket_items_known_answer(new_product_shop):
    tx, products = new_product_shop
    hybrid = HybridRecommender().fit(tx, products=products)
    one = hybrid.basket_items(["CANDLE"], n=1)
    assert one.to_dict("list") | {"score": None} == {
        S.PRODUCT_ID: ["HOLDER"], "score": None,
        "reason": ["bought with VANILLA SCENT CANDLE by 15 customers"]}
    # a one-product cart ranks as that product's similar items, then fills in
    sim = hybrid.similar_items("MUGRED", n=3)
    cart = hybrid.basket_items(["MUGRED"], n=3)
    assert len(sim) == 2 and cart["reason"].iat[2] == "popular right now"
    assert cart[S.PRODUCT_ID].tolist()[:2] == sim[S.PRODUCT_ID].tolist()
    np.testing.assert_allclose(cart["score"].iloc[:2], sim["score"])
    # two carts' worth of co-purchases; the cart itself is never suggested, and the
    # list is filled with what is popular when nothing else relates
    both = hybrid.basket_items(["MUGRED", "CANDLE", "NOT-SOLD-HERE"], n=5)
    assert set(both[S.PRODUCT_ID].iloc[:2]) == {"MUGBLUE", "HOLDER"}
    assert not {"MUGRED", "CANDLE"} & set(both[S.PRODUCT_ID])
    assert both["score"].is_monotonic_decreasing
    assert both[S.PRODUCT_ID].is_unique
    strangers = hybrid.basket_items(["NOT-SOLD-HERE"], n=3)
    assert set(strangers["reason"]) == {"popular right now"} and len(strangers) == 3
