"""Popularity baselines: global, per segment, per country, time-decayed (hand-computed)."""

from __future__ import annotations

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.recommend.popularity import PopularityRecommender


@pytest.fixture
def lines():
    rows = [
        # product A: bought by 3 UK customers long ago; B: by 2 French customers recently
        ("u1", "A", "2011-01-01", "United Kingdom"),
        ("u2", "A", "2011-01-02", "United Kingdom"),
        ("u3", "A", "2011-01-03", "United Kingdom"),
        ("f1", "B", "2011-06-29", "France"),
        ("f2", "B", "2011-06-30", "France"),
        ("f2", "C", "2011-06-30", "France"),
    ]
    tx = pd.DataFrame(rows, columns=[S.CUSTOMER_ID, S.PRODUCT_ID, S.INVOICE_DATE, S.COUNTRY])
    tx[S.INVOICE_DATE] = pd.to_datetime(tx[S.INVOICE_DATE])
    tx[S.INVOICE_ID] = [f"I{i}" for i in range(len(tx))]
    return tx


def top(model, customer, n=1):
    return model.recommend(customer, n=n)[S.PRODUCT_ID].tolist()


def test_global_popularity_counts_buyers(lines):
    model = PopularityRecommender().fit(lines)
    assert top(model, "nobody", n=3) == ["A", "B", "C"]
    assert model.recommend("nobody", n=3)["score"].tolist() == pytest.approx([1.0, 2 / 3, 1 / 3])


def test_time_decay_favours_recent_purchases(lines):
    model = PopularityRecommender(half_life_days=7).fit(lines)
    assert top(model, "nobody", n=2) == ["B", "C"]


def test_country_popularity_uses_the_customers_country(lines):
    model = PopularityRecommender(by="country", shrinkage=0.0).fit(lines)
    assert top(model, "f1") == ["C"], "B is excluded (bought); C is the next French favourite"
    customers = pd.DataFrame({S.CUSTOMER_ID: ["u1", "new"], S.COUNTRY: ["France", "France"]})
    by_table = PopularityRecommender(by="country", shrinkage=0.0).fit(lines, customers=customers)
    assert top(by_table, "new") == ["B"], "a customer without history gets their country's ranking"


def test_segment_popularity_and_validation(lines):
    segments = pd.DataFrame({S.CUSTOMER_ID: ["u1", "u2", "f1", "f2"], "segment": [1, 1, 2, 2],
                             "segment_name": ["Loyal", "Loyal", "New", "New"]})
    model = PopularityRecommender(by="segment", shrinkage=0.0).fit(lines, segments=segments)
    # in "Loyal" only A sells and u1 has it: ties at zero go to the lower product id
    assert top(model, "u1", n=1) == ["B"]
    assert top(model, "f1", n=1) == ["C"]
    with pytest.raises(ParameterError, match="by must be one of"):
        PopularityRecommender(by="planet").fit(lines)
    with pytest.raises(ParameterError, match="half_life_days must be positive"):
        PopularityRecommender(half_life_days=0).fit(lines)
