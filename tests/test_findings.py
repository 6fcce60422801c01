"""Tests of recsys.baskets.findings on the textbook basket set (answers worked out by hand).

At 60 % support the frequent pairs are bread-milk, bread-diaper, diaper-milk (lift
0.75 / 0.8 = 0.9375 both ways) and beer-diaper (beer -> diaper 1 / 0.8 = 1.25, diaper ->
beer 0.75 / 0.6 = 1.25): eight rules at any confidence, two of them above chance.
"""

from __future__ import annotations

import pandas as pd
import pytest

from recsys.baskets.findings import RuleFindings, positive_rules, rule_findings
from recsys.baskets.itemsets import basket_matrix, frequent_itemsets
from recsys.baskets.rules import association_rules
from recsys.data import schema as S
from tests.test_baskets import BASKETS, _lines

PRODUCTS = pd.DataFrame({S.PRODUCT_ID: ["beer", "diaper"], S.DESCRIPTION: ["BEER 6PK", "NAPPIES"]})


@pytest.fixture
def textbook():
    return basket_matrix(_lines(BASKETS))


def test_positive_rules_keeps_lift_above_one(textbook):
    rules = association_rules(frequent_itemsets(textbook, min_support=0.6), min_confidence=0.0)
    assert len(rules) == 8
    kept = positive_rules(rules)
    assert len(kept) == 2
    assert kept["lift"].tolist() == pytest.approx([1.25, 1.25])
    assert list(kept.index) == [0, 1]
    assert len(rules) == 8  # the input is not changed


def test_positive_rules_threshold_is_inclusive(textbook):
    rules = pd.DataFrame({"lift": [0.5, 1.0, 1.01]})
    assert positive_rules(rules)["lift"].tolist() == [1.01]
    assert positive_rules(rules, min_lift=0.5)["lift"].tolist() == [1.0, 1.01]


def test_rule_findings_counts_the_weak_rules_it_leaves_out(textbook):
    found = rule_findings(textbook, PRODUCTS, min_support=0.6, max_len=2, min_confidence=0.0)
    assert isinstance(found, RuleFindings)
    assert found.weak_rules == 6
    assert len(found.rules) == 2
    assert (found.rules["lift"] > 1).all()
    assert "antecedents" not in found.rules and "itemsets" not in found.itemsets
    assert set(found.rules["antecedent_text"]) == {"BEER 6PK", "NAPPIES"}
    assert found.rules["sentence"].str.contains("1.2× more often").all()
    assert len(found.itemsets) == 8  # 4 single products + 4 pairs
    assert set(found.pairs["antecedent_id"]) == {"beer", "diaper"}
    text = found.csv.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("antecedents,consequents,support")
    assert len(text.strip().splitlines()) == 3  # header + two rules


def test_rule_findings_keeps_every_rule_when_asked(textbook):
    found = rule_findings(textbook, None, min_support=0.6, max_len=2, min_confidence=0.0,
                          positive_only=False)
    assert found.weak_rules == 0
    assert len(found.rules) == 8
    strict = rule_findings(textbook, None, min_support=0.6, max_len=2, min_confidence=0.9)
    assert len(strict.rules) == 1 and strict.weak_rules == 0  # only beer -> diaper (100 %)
