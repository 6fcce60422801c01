"""Campaign audiences: each condition against hand-counted customers, links, summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.load import load_dataset
from recsys.errors import ParameterError
from recsys.value.audience import (
    DAYS_SINCE_LAST_ORDER,
    ORDERS,
    REVENUE,
    AudienceRule,
    audience_summary,
    audience_table,
    customer_categories,
    select_audience,
)
from recsys.value.clv import EXPECTED_90D, P_ALIVE, PREDICTED_VALUE
from recsys.value.summary import REPEAT_PURCHASES

LINES = """invoice_id,invoice_date,customer_id,product_id,description,quantity,unit_price,country,category
1,2020-01-01 10:00,c1,P1,SPADE,1,100,United Kingdom,Garden
2,2020-03-31 10:00,c1,P2,PAN,1,50,United Kingdom,Kitchen
3,2020-01-15 10:00,c2,P1,SPADE,2,40,United Kingdom,Garden
C4,2020-01-20 10:00,c2,P1,SPADE,-1,40,United Kingdom,Garden
9,2020-02-15 10:00,c6,P3,KITE,1,15,Germany,Toys
C10,2020-02-16 10:00,c6,P3,KITE,-1,15,Germany,Toys
5,2020-02-01 10:00,c3,P2,PAN,1,30,France,Kitchen
6,2020-02-10 10:00,c3,P2,PAN,1,30,France,Kitchen
7,2020-03-01 10:00,c4,P3,KITE,1,20,Germany,Toys
8,2020-03-20 10:00,c5,P1,SPADE,1,10,France,Garden
"""


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    path = tmp_path_factory.mktemp("audience") / "lines.csv"
    path.write_text(LINES)
    return load_dataset(path)


@pytest.fixture(scope="module")
def table(dataset) -> pd.DataFrame:
    value = pd.DataFrame(
        {REPEAT_PURCHASES: [3, 1, 2, 0], P_ALIVE: [0.9, 0.2, 0.5, 1.0],
         PREDICTED_VALUE: [500.0, 10.0, 200.0, 50.0], EXPECTED_90D: [1.0, 0.1, 0.5, 0.2]},
        index=pd.Index(["c1", "c2", "c3", "c4"], name=S.CUSTOMER_ID),
    )  # c5 has no value: it must never meet a P(active) or value condition
    assignments = pd.DataFrame({
        S.CUSTOMER_ID: ["c1", "c2", "c3", "c4", "c5"],
        S.SEGMENT: [1, 2, 2, 3, 3],
        S.SEGMENT_NAME: ["Champions", "At risk", "At risk", "New customers", "New customers"],
    })
    return audience_table(dataset, value, assignments=assignments)


@pytest.fixture(scope="module")
def bought(dataset) -> pd.DataFrame:
    categories = dataset.products[[S.PRODUCT_ID, S.CATEGORY]]
    return customer_categories(dataset.customer_transactions, categories,
                               cancellations=dataset.cancellations)


def _ids(table, rule, bought=None) -> list[str]:
    return sorted(select_audience(table, rule, bought=bought)[S.CUSTOMER_ID])


def test_audience_table_by_hand(table):
    rows = table.set_index(S.CUSTOMER_ID)
    # c6's only purchase was cancelled in full: no purchase, not in the table; c2 kept one of two.
    assert rows[ORDERS].to_dict() == {"c1": 2, "c2": 1, "c3": 2, "c4": 1, "c5": 1}
    assert rows[REVENUE].to_dict() == {"c1": 150.0, "c2": 40.0, "c3": 60.0, "c4": 20.0, "c5": 10.0}
    assert rows[DAYS_SINCE_LAST_ORDER].to_dict() == {"c1": 0, "c2": 76, "c3": 50, "c4": 30, "c5": 11}
    assert rows.loc["c3", S.COUNTRY] == "France"
    assert np.isnan(rows.loc["c5", P_ALIVE])


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (AudienceRule(), ["c1", "c2", "c3", "c4", "c5"]),
        (AudienceRule(segments=("At risk",)), ["c2", "c3"]),
        (AudienceRule(p_alive_below=0.6), ["c2", "c3"]),
        (AudienceRule(p_alive_above=0.9), ["c1", "c4"]),
        (AudienceRule(value_above=100), ["c1", "c3"]),
        (AudienceRule(not_bought_days=50), ["c2", "c3"]),
        (AudienceRule(countries=("France",)), ["c3", "c5"]),
        (AudienceRule(segments=("At risk",), countries=("France",)), ["c3"]),
        (AudienceRule(segments=("Champions", "New customers"), p_alive_above=0.9), ["c1", "c4"]),
    ],
)
def test_select_audience_matches_hand_counts(table, rule, expected):
    assert _ids(table, rule) == expected


def test_category_condition_leaves_out_fully_cancelled_purchases(table, bought):
    # Toys (P3) was bought by c4 and c6, but c6 cancelled it in full.
    assert _ids(table, AudienceRule(categories=("Toys",)), bought) == ["c4"]
    assert set(bought.loc[bought[S.CATEGORY] == "Toys", S.CUSTOMER_ID]) == {"c4"}
    assert _ids(table, AudienceRule(categories=("Garden", "Toys")), bought) == ["c1", "c2", "c4", "c5"]
    with pytest.raises(ParameterError, match="needs the customers' categories"):
        select_audience(table, AudienceRule(categories=("Garden",)))


def test_select_audience_orders_by_predicted_value_missing_last(table):
    assert select_audience(table, AudienceRule())[S.CUSTOMER_ID].tolist() == ["c1", "c3", "c4", "c2", "c5"]


def test_audience_summary_by_hand(table):
    summary = audience_summary(select_audience(table, AudienceRule(segments=("At risk",))), table)
    assert summary.customers == 2 and summary.customer_share == pytest.approx(0.4)
    assert summary.past_revenue == 100.0 and summary.revenue_share == pytest.approx(100 / 280)
    assert summary.predicted_value == 210.0 and summary.predicted_share == pytest.approx(210 / 760)
    assert summary.mean_p_alive == pytest.approx(0.35)
    empty = audience_summary(select_audience(table, AudienceRule(value_above=1e9)), table)
    assert empty.customers == 0 and np.isnan(empty.mean_p_alive)


def test_audience_rule_survives_a_link():
    rule = AudienceRule(name="Win back", segments=("At risk", "Lost"), p_alive_below=0.5,
                        p_alive_above=0.1, value_above=250.0, categories=("Garden · Pot",),
                        not_bought_days=90, countries=("France",))
    query = rule.to_query()
    assert query["aud_segment"] == ["At risk", "Lost"] and query["aud_p_below"] == ["0.5"]
    assert AudienceRule.from_query(query) == rule
    assert AudienceRule.from_query({"aud_p_below": "0.25", "k": "5"}) == AudienceRule(p_alive_below=0.25)
    assert AudienceRule().to_query() == {} and AudienceRule().is_empty
    assert not AudienceRule(not_bought_days=0).is_empty


def test_audience_rule_refuses_values_out_of_range_with_the_value():
    with pytest.raises(ParameterError, match="between 0 and 1, got 1.5"):
        AudienceRule(p_alive_below=1.5)
    with pytest.raises(ParameterError, match="aud_value='lots' is not a number"):
        AudienceRule.from_query({"aud_value": ["lots"]})
    with pytest.raises(ParameterError, match="N ≥ 0, got -3"):
        AudienceRule(not_bought_days=-3)


def test_value_by_segment_by_hand(table):
    from recsys.value.views import value_by_segment

    by_segment = value_by_segment(table).set_index(S.SEGMENT_NAME)
    # c5 (New customers) has no value and is left out.
    assert by_segment["customers"].to_dict() == {"Champions": 1, "At risk": 2, "New customers": 1}
    # c4 bought on one day only: P(active) = 1 by construction, counted apart.
    assert by_segment["one_time_buyers"].to_dict() == {"Champions": 0, "At risk": 0, "New customers": 1}
    assert np.isnan(by_segment.loc["New customers", "mean_p_alive"])
    assert by_segment.loc["At risk", "mean_p_alive"] == pytest.approx(0.35)
    assert by_segment.loc["At risk", "likely_lost"] == 1  # 0.2 is below one half, 0.5 is not
    assert by_segment.loc["At risk", "predicted_value"] == 210.0
    assert by_segment.loc["At risk", "orders_90d_per_customer"] == pytest.approx(0.3)
    assert by_segment.loc["At risk", "value_share"] == pytest.approx(210 / 760)
    assert by_segment.index.tolist() == ["Champions", "At risk", "New customers"]


def test_at_risk_valuable_takes_the_top_spenders_least_likely_active(table):
    from recsys.value.views import at_risk_valuable, value_concentration

    # Top half by revenue among valued customers (150, 60 | 20, 0): c1 and c3; c3 is riskier.
    assert at_risk_valuable(table, top_share=0.5)[S.CUSTOMER_ID].tolist() == ["c3", "c1"]
    assert at_risk_valuable(table, top_share=1.0, n=2)[S.CUSTOMER_ID].tolist() == ["c2", "c3"]
    with pytest.raises(ParameterError, match="top_share must be above 0"):
        at_risk_valuable(table, top_share=0)
    assert value_concentration(pd.Series([70.0, 10.0, 10.0, 5.0, 5.0]), top_share=0.2) == pytest.approx(0.7)
