"""AppTest of the Baskets page on a small generated shop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from recsys.data import schema as S
from recsys.data.cancellations import net_transactions

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "baskets.py")


@pytest.fixture(scope="module")
def small_dataset():
    from recsys.synth.shop import generate_shop

    return generate_shop(n_customers=250, seed=5).to_dataset()


@pytest.fixture
def at(small_dataset, monkeypatch) -> AppTest:
    from ui import state

    monkeypatch.setattr(state, "get_dataset", lambda: small_dataset)
    return AppTest.from_file(PAGE, default_timeout=120).run()


def _metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label).replace(",", ""))


def _expected(dataset, support: float) -> tuple[int, int]:
    """``(frequent sets of 2+ products, rules with a lift above 1)`` of the net lines at the
    page's other defaults (all baskets up to the default size, sets of up to 3, confidence 20 %)."""
    from recsys.baskets.itemsets import DEFAULT_MAX_BASKET_ITEMS, basket_matrix, frequent_itemsets
    from recsys.baskets.rules import association_rules

    matrix = basket_matrix(net_transactions(dataset), max_basket_items=DEFAULT_MAX_BASKET_ITEMS)
    itemsets = frequent_itemsets(matrix, min_support=support, max_len=3)
    rules = association_rules(itemsets, min_confidence=0.2)
    return int((itemsets["length"] >= 2).sum()), int((rules["lift"] > 1).sum())


def test_baskets_page_shows_rules_in_words(at, small_dataset):
    assert not at.exception and not at.error
    # Baskets of the net lines: an invoice cancelled in full is no basket.
    assert _metric(at, "Baskets analysed") == net_transactions(small_dataset)[S.INVOICE_ID].nunique()
    sets, rules = _expected(small_dataset, 0.01)
    assert rules > 0
    assert (_metric(at, "Frequent product sets"), _metric(at, "Rules")) == (sets, rules)
    rules = next(df.value for df in at.dataframe if "sentence" in df.value.columns)
    assert rules["sentence"].str.contains(r"^\d+% of baskets with .+ also hold ").all()
    assert rules["lift"].is_monotonic_decreasing


def test_baskets_page_support_slider_changes_rules(at, small_dataset):
    before = _metric(at, "Rules")
    at.slider(key="baskets_support").set_value(3.0).run()
    assert not at.exception
    assert _metric(at, "Rules") < before
    assert (_metric(at, "Frequent product sets"), _metric(at, "Rules")) == _expected(small_dataset, 0.03)


def test_baskets_page_segment_filter_changes_baskets(at):
    before = _metric(at, "Baskets analysed")
    segments = at.multiselect(key="baskets_segments")
    assert segments.options[0].startswith("1. ")
    segments.select(1).run()
    assert not at.exception
    assert 0 < _metric(at, "Baskets analysed") < before


def test_baskets_page_country_filter(at, small_dataset):
    country = small_dataset.transactions[S.COUNTRY].value_counts().index[0]
    at.multiselect(key="baskets_countries").select(country).run()
    assert not at.exception
    tx = net_transactions(small_dataset)
    assert _metric(at, "Baskets analysed") == tx.loc[tx[S.COUNTRY] == country, S.INVOICE_ID].nunique()


def test_baskets_page_offers_only_supports_that_work(at, monkeypatch):
    import recsys.baskets.itemsets

    st.cache_data.clear()
    monkeypatch.setattr(recsys.baskets.itemsets, "MAX_ITEMSETS", 50)
    at.slider(key="baskets_support").set_value(0.2)
    at.selectbox(key="baskets_max_len").set_value(3).run()
    assert not at.exception and not at.warning
    slider = at.slider(key="baskets_support")
    # Raised to the lowest support that works, and said why.
    assert slider.min > 0.2 and slider.value == slider.min
    assert f"Raised to {slider.min:.1f}%" in " ".join(c.value for c in at.caption)
    assert f"{slider.min:.1f}% is the lowest support" in slider.help
    assert _metric(at, "Frequent product sets") > 0
    st.cache_data.clear()


def test_baskets_page_refused_run_still_says_what_to_change(at, monkeypatch):
    import recsys.baskets.budget
    import recsys.baskets.itemsets

    # Sets of four or more are not estimated beforehand: a refusal there keeps its advice.
    st.cache_data.clear()
    monkeypatch.setattr(recsys.baskets.itemsets, "MAX_ITEMSETS", 50)
    monkeypatch.setattr(recsys.baskets.budget, "lowest_workable_support", lambda *a, **k: 0.001)
    at.slider(key="baskets_support").set_value(0.2)
    at.selectbox(key="baskets_max_len").set_value(4).run()
    assert not at.exception
    message = at.warning[0].value
    assert message.startswith("At 0.20% support this data would give too many product sets")
    assert re.search(r"raise the minimum support to at least \d+\.\d%", message)
    assert "steps" not in message and "e+" not in message
    # The lookup does not need the rules.
    assert at.selectbox(key="baskets_product").options
    st.cache_data.clear()


def test_baskets_page_bought_together_lookup(at):
    pick = at.selectbox(key="baskets_product")
    other = pick.options[1]
    pick.set_value(other.rsplit("(", 1)[1].rstrip(")")).run()
    assert not at.exception
    assert any(c.value.startswith(other) for c in at.caption)
    together = next(df.value for df in at.dataframe if "together" in df.value.columns)
    assert (together["together"] >= 3).all()


def test_baskets_page_in_the_app_follows_k():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.switch_page("pages/baskets.py").run()
    assert not at.exception
    assert at.title[0].value == "Baskets"
    at.slider(key="k").set_value(3).run()
    assert not at.exception
    assert len(at.multiselect(key="baskets_segments").options) == 3


def test_baskets_page_second_visit_keeps_the_date_range():
    import datetime as dt

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.switch_page("pages/baskets.py").run()
    assert not at.exception
    first, last = at.date_input(key="baskets_dates").value
    narrow = (first + dt.timedelta(days=30), first + dt.timedelta(days=120))
    at.date_input(key="baskets_dates").set_value(narrow).run()
    assert not at.exception
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/baskets.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Baskets"
    assert tuple(at.date_input(key="baskets_dates").value) == narrow
    country = at.multiselect(key="baskets_countries").options[0]
    at.multiselect(key="baskets_countries").select(country).run()
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/baskets.py").run()
    assert not at.exception
    assert tuple(at.date_input(key="baskets_dates").value) == narrow
    assert at.multiselect(key="baskets_countries").value == [country]


def test_baskets_page_top_rules_have_lift_above_one(at):
    # At 1% support the small shop has rules with lift <= 1 (products that do not go
    # together); they are left out of the top rules unless asked for, and the page says so.
    rules = next(df.value for df in at.dataframe if "sentence" in df.value.columns)
    assert (rules["lift"] > 1).all()
    assert any("lift of 1 or less are left out" in c.value for c in at.caption)
    shown = _metric(at, "Rules")
    at.checkbox(key="baskets_weak_rules").check().run()
    assert not at.exception
    rules = next(df.value for df in at.dataframe if "sentence" in df.value.columns)
    assert (rules["lift"] <= 1).any()
    assert _metric(at, "Rules") > shown


def test_baskets_page_no_baskets_says_what_to_change(at, small_dataset):
    import datetime as dt

    tx = small_dataset.transactions
    country = tx[S.COUNTRY].value_counts().index[-1]
    days = set(tx.loc[tx[S.COUNTRY] == country, S.INVOICE_DATE].dt.date)
    first, last = at.date_input(key="baskets_dates").value
    empty_day = next(first + dt.timedelta(days=i) for i in range((last - first).days)
                     if first + dt.timedelta(days=i) not in days)
    at.multiselect(key="baskets_countries").select(country)
    at.date_input(key="baskets_dates").set_value((empty_day, empty_day)).run()
    assert not at.exception and not at.error
    message = at.info[0].value
    assert message.startswith("No baskets match these filters")
    assert "Widen the date range or pick other countries or segments" in message
    assert "support" not in message
    # The lookup stays, over all baskets, and says so.
    assert at.selectbox(key="baskets_product").options
    assert any("looks at all" in c.value for c in at.caption)


def test_baskets_page_too_few_baskets_names_the_floor(at, small_dataset):
    tx = small_dataset.transactions
    per_day = tx.groupby(tx[S.INVOICE_DATE].dt.date)[S.INVOICE_ID].nunique()
    day = per_day[(per_day >= 1) & (per_day <= 2)].index[0]
    at.date_input(key="baskets_dates").set_value((day, day)).run()
    assert not at.exception and not at.error
    message = next(i.value for i in at.info if i.value.startswith("Only"))
    assert f"Only {per_day[day]} baskets match these filters" in message
    assert "must appear in at least 3 baskets" in message
    assert "Lowering the minimum support cannot help" in message
    assert "widen the date range" in message


def test_baskets_page_writes_the_top_rules_out_in_full(at):
    rules = next(df.value for df in at.dataframe if "sentence" in df.value.columns)
    listed = next(m.value for m in at.markdown if m.value.startswith("1. "))
    lines = listed.splitlines()
    assert len(lines) == min(5, len(rules))
    assert all(re.search(r"(more often|as often) than baskets in general$", line) for line in lines)
