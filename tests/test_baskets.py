"""Tests of recsys.baskets.itemsets and recsys.baskets.insights on baskets with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.baskets.insights import (
    bought_together,
    describe_rules,
    lift_lower_bound,
    product_labels,
    rule_sentence,
    rules_for_export,
    top_pairs,
)
from recsys.baskets.itemsets import basket_matrix, basket_rules, frequent_itemsets
from recsys.baskets.rules import association_rules
from recsys.data import schema as S
from recsys.data.filters import filter_lines
from recsys.errors import DataError, ParameterError

# The textbook basket set: supports and rules below were worked out by hand.
BASKETS = {
    "T1": ["bread", "milk"],
    "T2": ["bread", "diaper", "beer", "eggs"],
    "T3": ["milk", "diaper", "beer", "cola"],
    "T4": ["bread", "milk", "diaper", "beer"],
    "T5": ["bread", "milk", "diaper", "cola"],
}


def _lines(baskets: dict[str, list[str]]) -> pd.DataFrame:
    rows = [(inv, item) for inv, items in baskets.items() for item in items]
    frame = pd.DataFrame(rows, columns=[S.INVOICE_ID, S.PRODUCT_ID]).astype("string")
    frame[S.INVOICE_DATE] = pd.Timestamp("2011-01-01")
    frame[S.CUSTOMER_ID] = pd.array(["c"] * len(frame), dtype="string")
    frame[S.QUANTITY] = np.int64(1)
    frame[S.UNIT_PRICE] = 1.0
    return frame


@pytest.fixture
def textbook():
    return basket_matrix(_lines(BASKETS))


def _as_dict(itemsets):
    return {tuple(sorted(s)): c for s, c in zip(itemsets["itemsets"], itemsets["count"], strict=True)}


def test_frequent_itemsets_known_supports(textbook):
    found = _as_dict(frequent_itemsets(textbook, min_support=0.6, max_len=3))
    assert found == {
        ("bread",): 4, ("milk",): 4, ("diaper",): 4, ("beer",): 3,
        ("bread", "milk"): 3, ("bread", "diaper"): 3, ("diaper", "milk"): 3, ("beer", "diaper"): 3,
    }


def test_frequent_itemsets_triples_at_lower_support(textbook):
    found = frequent_itemsets(textbook, min_support=0.4, max_len=3, min_baskets=1)
    triples = {k for k in _as_dict(found) if len(k) == 3}
    assert triples == {
        ("bread", "diaper", "milk"), ("beer", "diaper", "milk"),
        ("beer", "bread", "diaper"), ("cola", "diaper", "milk"),
    }
    assert found.loc[found["length"] == 3, "support"].eq(0.4).all()


@pytest.mark.parametrize("min_support", [0.2, 0.4, 0.6])
def test_sparse_method_matches_mlxtend(textbook, min_support):
    a = frequent_itemsets(textbook, min_support=min_support, max_len=4, min_baskets=1)
    b = frequent_itemsets(textbook, min_support=min_support, max_len=4, min_baskets=1,
                          method="mlxtend")
    assert _as_dict(a) == _as_dict(b)


def test_association_rules_known_metrics(textbook):
    rules = association_rules(frequent_itemsets(textbook, min_support=0.6), min_confidence=0.0)
    rules = rules.set_index([rules["antecedents"].map(min), rules["consequents"].map(min)])
    beer_diaper = rules.loc[("beer", "diaper")]
    assert beer_diaper["confidence"] == pytest.approx(1.0)
    assert beer_diaper["lift"] == pytest.approx(1.25)
    assert beer_diaper["leverage"] == pytest.approx(0.12)
    assert np.isinf(beer_diaper["conviction"])
    diaper_beer = rules.loc[("diaper", "beer")]
    assert diaper_beer["confidence"] == pytest.approx(0.75)
    assert diaper_beer["conviction"] == pytest.approx(1.6)
    bread_milk = rules.loc[("bread", "milk")]
    assert bread_milk["lift"] == pytest.approx(0.9375)
    assert bread_milk["leverage"] == pytest.approx(-0.04)
    assert len(rules) == 8


def test_association_rules_single_consequent_by_default(textbook):
    its = frequent_itemsets(textbook, min_support=0.4, min_baskets=1)
    single = association_rules(its, min_confidence=0.0)
    assert single["consequents"].map(len).eq(1).all()
    multi = association_rules(its, min_confidence=0.0, single_consequent=False)
    assert multi["consequents"].map(len).max() == 2
    assert len(multi) > len(single)


def test_rules_match_mlxtend_association_rules(textbook):
    from mlxtend.frequent_patterns import association_rules as mlx_rules
    from mlxtend.frequent_patterns import fpgrowth

    ours = association_rules(frequent_itemsets(textbook, min_support=0.4, min_baskets=1),
                             min_confidence=0.3)
    frame = textbook.to_frame()
    theirs = mlx_rules(fpgrowth(frame, min_support=0.4, use_colnames=True),
                       num_itemsets=len(frame), metric="confidence", min_threshold=0.3)
    theirs = theirs[theirs["consequents"].map(len) == 1]
    _assert_same_rules(ours, theirs)


def _assert_same_rules(ours, theirs):
    metrics = ["support", "confidence", "lift", "leverage", "conviction"]

    def keyed(rules):
        key = [rules["antecedents"].map(lambda s: tuple(sorted(s))),
               rules["consequents"].map(lambda s: tuple(sorted(s)))]
        return rules.set_index(key)[metrics].sort_index()

    a, b = keyed(ours), keyed(theirs)
    assert a.index.equals(b.index)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12)


def test_guardrail_support_floor(textbook):
    with pytest.raises(DataError, match="0.0001"):
        frequent_itemsets(textbook, min_support=0.0001)


def test_guardrail_max_len(textbook):
    with pytest.raises(DataError, match="`max_len`.*11"):
        frequent_itemsets(textbook, min_support=0.5, max_len=11)


def test_guardrail_explosion_raises_with_advice(monkeypatch):
    import recsys.baskets.itemsets as baskets

    rng = np.random.default_rng(0)
    rows = {f"i{k}": [f"p{j}" for j in range(30) if rng.random() < 0.6] for k in range(300)}
    matrix = basket_matrix(_lines(rows))
    monkeypatch.setattr(baskets, "MAX_ITEMSETS", 500)
    with pytest.raises(DataError, match="Raise the minimum support"):
        frequent_itemsets(matrix, min_support=0.01, max_len=4)


def test_guardrail_work_estimate_stops_before_counting(monkeypatch):
    import recsys.baskets.itemsets as baskets

    rows = {f"i{k}": [f"p{j}" for j in range(40)] for k in range(20)}
    monkeypatch.setattr(baskets, "MAX_WORK", 1000)
    with pytest.raises(DataError, match="would take too long"):
        frequent_itemsets(basket_matrix(_lines(rows)), min_support=0.5, max_len=3)


def test_basket_matrix_drops_huge_baskets():
    rows = dict(BASKETS, BIG=[f"x{j}" for j in range(50)])
    matrix = basket_matrix(_lines(rows), max_basket_items=10)
    assert matrix.n_baskets == 5 and matrix.dropped_baskets == 1


def test_inputs_unchanged():
    lines = _lines(BASKETS)
    before = lines.copy()
    basket_rules(lines, min_support=0.4, min_baskets=1)
    pd.testing.assert_frame_equal(lines, before)


def test_rule_sentence_wording():
    text = rule_sentence("A", "B", confidence=0.321, lift=7.04)
    assert text == "32% of baskets with A also hold B — 7× more often than baskets in general"
    assert "only 0.5×" in rule_sentence("A", "B", confidence=0.1, lift=0.5)


def test_describe_and_export_use_descriptions(textbook):
    rules = association_rules(frequent_itemsets(textbook, min_support=0.6), min_confidence=0.9)
    products = pd.DataFrame({S.PRODUCT_ID: ["beer", "diaper"], S.DESCRIPTION: ["BEER 6PK", "DIAPERS"]})
    described = describe_rules(rules, products)
    assert described["sentence"].iloc[0].startswith("100% of baskets with BEER 6PK also hold DIAPERS")
    out = rules_for_export(rules, products)
    assert list(out.columns[:7]) == ["antecedents", "consequents", "support", "confidence", "lift",
                                     "leverage", "conviction"]
    assert out["antecedents"].iloc[0] == "BEER 6PK"


def test_bought_together_known_counts(textbook):
    out = bought_together(textbook, "beer", min_baskets=1).set_index("product_id")
    assert out.loc["diaper", "together"] == 3
    assert out.loc["diaper", "baskets"] == 4
    assert out.loc["diaper", "confidence"] == pytest.approx(1.0)
    assert out.loc["diaper", "lift"] == pytest.approx(1.25)
    # 3 shared baskets, 2.4 expected: the exact 95% Poisson lower limit of 3 is 0.8177.
    assert out.loc["diaper", "lift_low"] == pytest.approx(0.8177 / 2.4, abs=1e-4)
    with pytest.raises(DataError, match="'nope'"):
        bought_together(textbook, "nope")


def test_bought_together_with_descriptions(textbook):
    products = pd.DataFrame({S.PRODUCT_ID: ["diaper", "milk"], S.DESCRIPTION: ["NAPPIES", None]})
    out = bought_together(textbook, "beer", min_baskets=1, products=products)
    assert list(out.columns) == ["product_id", "description", "together", "baskets", "confidence", "lift",
                                 "lift_low"]
    names = dict(zip(out["product_id"], out["description"], strict=True))
    assert names["diaper"] == "NAPPIES"
    assert names["milk"] == "milk"  # no description: the id
    assert names["bread"] == "bread"  # not in the product table: the id
    none = bought_together(textbook, "beer", min_baskets=5, products=products)
    assert none.empty and list(none.columns) == list(out.columns)


def test_bought_together_ranks_evidence_above_a_lucky_lift():
    # 1,000 baskets; the anchor A is in 200. R is in 3 baskets, all with A (lift 5, 3
    # shared baskets); P is in 300, 150 of them with A (lift 2.5, 150 shared baskets).
    baskets = {}
    for i in range(1000):
        items = []
        if i < 200:
            items.append("A")
        if i < 3:
            items.append("R")
        if 50 <= i < 350:
            items.append("P")
        if i >= 990:
            items.append("Z")  # every basket holds something
        baskets[f"T{i}"] = items or ["Q"]
    out = bought_together(basket_matrix(_lines(baskets)), "A", min_baskets=1)
    by_id = out.set_index("product_id")
    assert by_id.loc["R", "lift"] > by_id.loc["P", "lift"]  # by lift alone R would come first
    assert list(out["product_id"][:2]) == ["P", "R"]
    assert by_id.loc["R", "together"] == 3 and by_id.loc["P", "together"] == 150
    assert (out["lift_low"] <= out["lift"]).all()


def test_lift_lower_bound_grows_with_evidence():
    low = lift_lower_bound(np.array([3, 30, 300, 0]), np.array([1.0, 10.0, 100.0, 1.0]))
    assert low[0] < low[1] < low[2] < 3.0  # the same lift of 3, ever surer
    assert low[3] == 0.0


def test_top_pairs_long_table(textbook):
    rules = association_rules(frequent_itemsets(textbook, min_support=0.6), min_confidence=0.0)
    pairs = top_pairs(rules, None, n=3)
    assert set(pairs["antecedent"]) | set(pairs["consequent"]) <= {"beer", "diaper", "bread", "milk"}
    assert pairs["lift"].max() == pytest.approx(1.25)


def test_top_pairs_keeps_products_with_the_same_description_apart(textbook):
    rules = association_rules(frequent_itemsets(textbook, min_support=0.6), min_confidence=0.0)
    long = "WHITE HANGING HEART T-LIGHT HOLDER WITH LID"
    products = pd.DataFrame(
        {S.PRODUCT_ID: ["beer", "diaper", "bread", "milk"],
         S.DESCRIPTION: ["MUG", "MUG", long + " RED", long + " BLUE"]}
    )
    pairs = top_pairs(rules, products, n=4)
    labels = dict(zip(pairs["antecedent_id"], pairs["antecedent"], strict=True))
    labels.update(zip(pairs["consequent_id"], pairs["consequent"], strict=True))
    assert labels["beer"] == "MUG (beer)" and labels["diaper"] == "MUG (diaper)"
    assert labels["bread"].endswith("… (bread)") and labels["milk"].endswith("… (milk)")
    assert all(len(label) <= 32 for label in labels.values())
    # beer -> diaper is the strongest pair (lift 1.25), and stays one cell per product.
    best = pairs.iloc[0]
    assert (best["antecedent_id"], best["consequent_id"]) in {("beer", "diaper"), ("diaper", "beer")}
    assert best["lift"] == pytest.approx(1.25)
    assert not pairs.duplicated(["antecedent", "consequent"]).any()


def test_product_labels_known_answer():
    products = pd.DataFrame(
        {S.PRODUCT_ID: ["1", "2", "3", "4"], S.DESCRIPTION: ["CUP", "CUP", "ABCDEFGH", None]}
    )
    assert product_labels(["1", "2", "3", "4", "5"], products, max_chars=7) == {
        "1": "CUP (1)", "2": "CUP (2)", "3": "ABCDEF…", "4": "4", "5": "5",
    }
    assert product_labels(["3"], products) == {"3": "ABCDEFGH"}
    with pytest.raises(ParameterError, match="got 1"):
        product_labels(["1"], products, max_chars=1)


def test_filter_lines_dates_countries_customers():
    lines = _lines(BASKETS)
    lines[S.INVOICE_DATE] = pd.to_datetime("2011-01-01") + pd.to_timedelta(
        lines[S.INVOICE_ID].str[1].astype(int), unit="D")
    lines[S.COUNTRY] = pd.array(np.where(lines[S.INVOICE_ID] == "T1", "France", "UK"), dtype="string")
    assert set(filter_lines(lines, start="2011-01-03", end="2011-01-04")[S.INVOICE_ID]) == {"T2", "T3"}
    assert set(filter_lines(lines, countries=["France"])[S.INVOICE_ID]) == {"T1"}
    assert filter_lines(lines, customer_ids=["zz"]).empty


@pytest.mark.real_data
def test_rules_identical_to_mlxtend_on_real_sample(real_dataset):
    from mlxtend.frequent_patterns import association_rules as mlx_rules
    from mlxtend.frequent_patterns import fpgrowth

    tx = real_dataset.transactions
    invoices = tx[S.INVOICE_ID].drop_duplicates().sample(4000, random_state=0)
    matrix = basket_matrix(tx[tx[S.INVOICE_ID].isin(invoices)], max_basket_items=None)
    ours_sets = frequent_itemsets(matrix, min_support=0.01, max_len=3, min_baskets=1)
    frame = matrix.to_frame()
    theirs_sets = fpgrowth(frame, min_support=0.01, max_len=3, use_colnames=True)
    assert _as_dict(ours_sets) == {
        tuple(sorted(s)): round(v * len(frame))
        for s, v in zip(theirs_sets["itemsets"], theirs_sets["support"], strict=True)
    }
    ours = association_rules(ours_sets, min_confidence=0.1)
    theirs = mlx_rules(theirs_sets, num_itemsets=len(frame), metric="confidence", min_threshold=0.1)
    _assert_same_rules(ours, theirs[theirs["consequents"].map(len) == 1])


def test_planted_bundles_among_top_rules(synthetic_shop, synthetic_dataset):
    _, rules = basket_rules(synthetic_dataset.transactions, min_support=0.005, min_confidence=0.2,
                            max_len=2)
    top = rules.head(max(40, 4 * len(synthetic_shop.bundles)))
    found = {frozenset(a | c) for a, c in zip(top["antecedents"], top["consequents"], strict=True)}
    pairs_of_bundles = [
        {frozenset((a, b)) for i, a in enumerate(bundle) for b in bundle[i + 1:]}
        for bundle in synthetic_shop.bundles
    ]
    hits = sum(bool(pairs & found) for pairs in pairs_of_bundles)
    assert hits >= 0.8 * len(synthetic_shop.bundles)


def test_basket_threshold_floor_decides_with_few_baskets():
    from recsys.baskets.itemsets import MIN_BASKETS, basket_threshold

    assert basket_threshold(12, 0.01) == MIN_BASKETS  # 1% of 12 is one basket
    assert basket_threshold(1000, 0.01) == 10
    assert basket_threshold(12, 0.01, min_baskets=1) == 1


def test_workable_settings_finds_the_lowest_support_that_runs(monkeypatch):
    import recsys.baskets.itemsets as baskets
    from recsys.baskets.findings import workable_settings
    from recsys.baskets.itemsets import TooManySets

    rng = np.random.default_rng(0)
    rows = {f"i{k}": [f"p{j}" for j in range(30) if rng.random() < 0.6] for k in range(300)}
    matrix = basket_matrix(_lines(rows))
    monkeypatch.setattr(baskets, "MAX_ITEMSETS", 500)
    with pytest.raises(TooManySets):
        frequent_itemsets(matrix, min_support=0.01, max_len=4)
    better = workable_settings(matrix, min_support=0.01, max_len=4, step=0.01, max_support=1.0)
    frequent_itemsets(matrix, min_support=better.min_support, max_len=4)
    with pytest.raises(TooManySets):
        frequent_itemsets(matrix, min_support=round(better.min_support - 0.01, 6), max_len=4)
    if better.max_len is not None:
        frequent_itemsets(matrix, min_support=0.01, max_len=better.max_len)
        assert better.max_len < 4
