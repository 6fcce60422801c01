"""AppTest of the Segments page: k from the sidebar / URL drives segments, sizes add up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recsys.data import schema as S
from recsys.segments.kmeans import FEATURE_SETS
from recsys.synth.shop import generate_shop, write_shop
from ui import source, state

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGE = "pages/segments.py"


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory):
    """A small generated shop written as canonical CSVs (the app's start-up data)."""
    folder = tmp_path_factory.mktemp("segshop")
    write_shop(generate_shop(n_customers=300, seed=4), folder)
    return folder


@pytest.fixture
def app(shop_dir, monkeypatch):
    monkeypatch.setenv(source.DATA_ENV, str(shop_dir))
    return AppTest.from_file(APP, default_timeout=120)


def _segment_table(at: AppTest):
    return next(df.value for df in at.dataframe if "segment_name" in df.value.columns
                and "revenue_share" in df.value.columns)


def _n_customers(shop_dir: Path) -> int:
    import pandas as pd

    tx = pd.read_csv(shop_dir / "transactions.csv", dtype=str)
    return tx[S.CUSTOMER_ID].dropna().nunique()


def test_segments_page_moving_k_changes_segment_count(app, shop_dir):
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception and not app.error
    table = _segment_table(app)
    assert len(table) == state.K_DEFAULT
    assert table["customers"].sum() == _n_customers(shop_dir)

    app.sidebar.slider(key=state.K_KEY).set_value(3).run()
    assert not app.exception
    table = _segment_table(app)
    assert len(table) == 3
    assert table["segment"].tolist() == [1, 2, 3]
    assert table["segment_name"].is_unique
    assert table["customers"].sum() == _n_customers(shop_dir)
    assert {m.label: m.value for m in app.metric}["Segments (k)"] == "3"


def test_segments_page_deep_link_k(app):
    app.query_params["k"] = "4"
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert app.sidebar.slider(key=state.K_KEY).value == 4
    assert len(_segment_table(app)) == 4
    assert app.query_params["k"] == "4"


def _sweep(shop_dir: Path, feature_set: str):
    """The k sweep of the page's data, computed here with the library (not through the app)."""
    from recsys.data.categories import dataset_categories
    from recsys.data.load import load_dataset
    from recsys.segments.features import customer_features
    from recsys.segments.kmeans import prepare_features
    from recsys.segments.ksweep import sweep_k

    dataset = load_dataset(shop_dir)
    features = customer_features(dataset, products=dataset_categories(dataset))
    prepared = prepare_features(features, feature_set=feature_set)
    return sweep_k(prepared, k_range=range(2, 13), random_state=state.SEGMENT_SEED_DEFAULT)


def test_segments_page_feature_set_and_suggestion(app, shop_dir):
    app.run()
    app.switch_page(PAGE).run()
    suggested = int({m.label: m.value for m in app.metric}["Suggested k"])
    # The shop of seed 4 has five planted segments: with RFM + behaviour, k = 5 is the
    # elbow and its silhouette is within 0.02 of the best one (k = 7).
    assert suggested == 5
    reason = (
        "k = 5 separates segments almost as well as the best k = 7 (silhouette 0.43 vs 0.44) "
        "and is the elbow of the inertia curve, so it tells more groups apart at little cost "
        "in separation."
    )
    assert [info.value for info in app.info if "k = " in info.value] == [reason]
    sweep = _sweep(shop_dir, "rfm_behaviour")
    assert (sweep.suggested_k, sweep.reason) == (suggested, reason)

    app.radio(key="_segments_feature_set").set_value("rfm").run()
    assert not app.exception
    assert app.session_state[state.FEATURE_SET_KEY] == "rfm"
    # RFM alone: k = 6 is the elbow, with a silhouette as good as the best (k = 7).
    sweep = _sweep(shop_dir, "rfm")
    assert sweep.suggested_k == 6
    assert {m.label: m.value for m in app.metric}["Suggested k"] == "6"
    assert [info.value for info in app.info if "k = " in info.value] == [sweep.reason]
    assert sweep.reason.startswith("k = 6 separates segments almost as well as the best k = 7")


def test_segments_page_use_suggested_k_button(app):
    # k = 2 from the link; the shop has five planted segments, and the sweep suggests 5.
    app.query_params["k"] = "2"
    app.run()
    app.switch_page(PAGE).run()
    assert len(_segment_table(app)) == 2
    suggested = int({m.label: m.value for m in app.metric}["Suggested k"])
    assert suggested == 5
    use = [b for b in app.button if b.label == f"Use k = {suggested}"]
    assert len(use) == 1

    use[0].click().run()
    assert not app.exception
    assert app.session_state[state.K_KEY] == suggested
    assert len(_segment_table(app)) == suggested
    assert {m.label: m.value for m in app.metric}["Segments (k)"] == str(suggested)
    assert not [b for b in app.button if b.label.startswith("Use k")]


def test_segments_page_explains_a_missing_data_set(monkeypatch):
    from recsys.errors import DataError

    def broken():
        raise DataError("no such file: shop.csv")

    monkeypatch.setattr(state, "get_dataset", broken)
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60).run()
    assert not at.exception
    assert "no such file" in at.error[0].value


def test_segments_page_writes_the_typical_customer_out_whole(app):
    app.run()
    app.switch_page(PAGE).run()
    app.sidebar.slider(key=state.K_KEY).set_value(6).run()
    assert not app.exception
    table = _segment_table(app)
    # No sentence in a table cell, where it would be cut: the table holds figures and names.
    assert "typical" not in table.columns and "description" not in table.columns
    written = " ".join(m.value for m in app.markdown)
    assert "Typical customer of each segment" in written
    # Each segment's typical customer, whole, in the list under the table.
    for segment, name in zip(table["segment"], table["segment_name"], strict=True):
        assert re.search(rf"\*\*{segment} · {re.escape(name)}\*\* \([^)]*\): last ordered \d+ days? ago",
                         written), name


def test_segments_page_says_shares_are_over_identified_customers(app):
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception
    table = _segment_table(app)
    captions = [c.value for c in app.caption if c.value.startswith("Shares of ")]
    assert len(captions) == 1
    # The base of the shares is the revenue of the segmented customers; each row is in whole
    # pounds, rounded as every sentence is, so the rows add up to it within half a pound each.
    assert (table["revenue"] % 1 == 0).all()
    base = float(re.search(r"Shares of £([\d,]+)", captions[0]).group(1).replace(",", ""))
    assert abs(table["revenue"].sum() - base) <= 0.5 * len(table)


@pytest.mark.parametrize("page", [PAGE, "pages/segment_explorer.py"])
def test_segment_pages_explain_too_few_buyers(tmp_path, monkeypatch, page):
    lines = "\n".join(
        f"{i},2011-01-0{i} 10:00,{1000 + i},P{i},1,2.5" for i in range(1, 4)
    )
    (tmp_path / "three.csv").write_text(
        "invoice_id,invoice_date,customer_id,product_id,quantity,unit_price\n" + lines + "\n"
    )
    monkeypatch.setenv(source.DATA_ENV, str(tmp_path / "three.csv"))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(page).run()
    assert not at.exception
    assert any("at least 4 customers with purchases; this data set has 3" in w.value for w in at.warning)
    assert not at.dataframe


def test_segments_page_demographics_switch_and_mix(app):
    app.run()
    app.switch_page(PAGE).run()
    radio = app.radio(key="_segments_feature_set")
    assert radio.value == "rfm_behaviour"  # demographics are off by default
    assert radio.options[-1] == FEATURE_SETS["rfm_behaviour_demographics"]
    assert "Who they are" in [s.value for s in app.subheader]
    tabs = [t.label for t in app.tabs]
    assert tabs[:3] == ["Age", "Income", "Household size"]
    mix = next(df.value for df in app.dataframe if "Under 15K" in df.value.columns)
    shares = mix.drop(columns="segment_name").sum(axis=1)
    assert ((shares - 1).abs() < 1e-9).all()
    radio.set_value("rfm_behaviour_demographics").run()
    assert not app.exception and not app.error
    assert app.session_state[state.FEATURE_SET_KEY] == "rfm_behaviour_demographics"
    assert len(_segment_table(app)) == state.K_DEFAULT


def test_segments_page_offers_no_demographics_without_them(tmp_path, monkeypatch, shop_dir):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "transactions.csv").write_bytes((shop_dir / "transactions.csv").read_bytes())
    monkeypatch.setenv(source.DATA_ENV, str(folder))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.radio(key="_segments_feature_set").options == [
        FEATURE_SETS["rfm"], FEATURE_SETS["rfm_behaviour"]]
    assert "Who they are" not in [s.value for s in at.subheader]
