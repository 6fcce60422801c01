"""AppTest of the Segment explorer page: pick a segment, see its members, get its CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recsys.data import schema as S
from ui import state
from ui.format import money, round_money

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "segment_explorer.py")


@pytest.fixture(scope="module")
def small_dataset():
    from recsys.synth.shop import generate_shop

    return generate_shop(n_customers=300, seed=8).to_dataset()


@pytest.fixture
def at(small_dataset, monkeypatch) -> AppTest:
    monkeypatch.setattr(state, "get_dataset", lambda: small_dataset)
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.session_state[state.K_KEY] = 4
    return app.run()


def _members(at: AppTest):
    return next(df.value for df in at.dataframe if "recency_days" in df.value.columns)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_explorer_shows_the_most_valuable_segment_first(at, small_dataset):
    assert not at.exception and not at.error
    box = at.selectbox(key="_explorer_segment_widget")
    assert len(box.options) == 4
    assert box.value == 1
    members = _members(at)
    assert int(_metric(at, "Customers").replace(",", "")) == len(members)
    assert members["monetary"].is_monotonic_decreasing
    assert _metric(at, "Revenue").startswith("£")
    # What its members spent, to the penny, in the one rounding of every page; the table
    # shows each member in whole pounds, rounded the same way.
    from recsys.data.categories import dataset_categories
    from recsys.segments.features import customer_features

    spent = customer_features(small_dataset, products=dataset_categories(small_dataset))["monetary"]
    assert _metric(at, "Revenue") == money(spent.loc[members[S.CUSTOMER_ID]].sum())
    assert members["monetary"].tolist() == round_money(spent.loc[members[S.CUSTOMER_ID]]).tolist()
    downloads = at.get("download_button")
    assert len(downloads) == 2


def test_explorer_csv_is_campaign_ready(at, small_dataset):
    import io

    import pandas as pd

    from ui.cache import recommend
    from ui.cache.keys import SegmentKey

    members = _members(at)
    assert at.toggle(key="explorer_technical_columns").value is False
    caption = next(c.value for c in at.caption if c.value.startswith("For a campaign tool"))
    assert "Last order (days ago)" in caption and "Recommendation 1" in caption
    # The file behind the button, from the page's cached builder with the page's settings.
    key = SegmentKey(small_dataset.fingerprint, 4, state.FEATURE_SET_DEFAULT, state.SEGMENT_SEED_DEFAULT)
    data, rows = recommend.segment_csv(key, 1, 5, small_dataset)
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"Customer ID": str})
    assert rows == len(frame) == len(members)
    assert set(frame["Customer ID"]) == set(members[S.CUSTOMER_ID])
    assert list(frame.columns) == [
        "Customer ID", "Country", "Segment", "Segment name", "Last order (days ago)", "Orders",
        "Spend (£, net of cancellations)", "Average order (£)", "Predicted 12-month value (£)",
        *[f"Recommendation {r}" for r in range(1, 6)],
    ]
    spend = frame.set_index("Customer ID")["Spend (£, net of cancellations)"]
    assert spend.loc[members[S.CUSTOMER_ID]].tolist() == members["monetary"].tolist()  # as the table shows
    at.toggle(key="explorer_technical_columns").set_value(True).run()
    assert not at.exception
    full, _ = recommend.segment_csv(key, 1, 5, small_dataset, technical=True)
    columns = pd.read_csv(io.BytesIO(full), encoding="utf-8-sig", nrows=0).columns
    assert "Cancelled orders (%)" in columns and not any("_" in c for c in columns)


def test_explorer_picking_a_segment_changes_members(at, small_dataset):
    first = set(_members(at)[S.CUSTOMER_ID])
    at.selectbox(key="_explorer_segment_widget").set_value(3).run()
    assert not at.exception
    third = set(_members(at)[S.CUSTOMER_ID])
    assert third and not (first & third)
    assert at.session_state[state.EXPLORER_SEGMENT_KEY] == 3
    n_customers = small_dataset.customer_transactions[S.CUSTOMER_ID].nunique()
    assert f"{n_customers:,}" in at.get("download_button")[1].proto.label


def test_explorer_members_carry_p_active_and_predicted_value(at, small_dataset):
    from recsys.value.clv import customer_value

    members = _members(at).set_index(S.CUSTOMER_ID)
    assert members["p_alive"].between(0, 1).all()
    assert (members["predicted_value"] >= 0).all()
    # The same figures as the Customer page and every CSV: one fit of the whole data set.
    library = customer_value(small_dataset).table.loc[members.index]
    assert members["p_alive"].to_numpy() == pytest.approx(library["p_alive"].to_numpy())
    # In whole pounds, rounded as every amount on the pages.
    assert members["predicted_value"].tolist() == round_money(library["predicted_value"]).tolist()
