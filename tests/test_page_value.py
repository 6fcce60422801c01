"""AppTest of the customer value pages: Customer value, Segment movement, Audiences, Cohorts."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recsys.value.audience import AudienceRule, select_audience
from ui import state

PAGES = Path(__file__).resolve().parents[1] / "pages"


@pytest.fixture(scope="module")
def shop():
    from recsys.synth.shop import generate_shop

    return generate_shop(n_customers=300, seed=8).to_dataset()


def _app(page: str, dataset, monkeypatch, *, k: int = 4, query: dict | None = None) -> AppTest:
    monkeypatch.setattr(state, "get_dataset", lambda: dataset)
    app = AppTest.from_file(str(PAGES / page), default_timeout=180)
    app.session_state[state.K_KEY] = k
    for name, value in (query or {}).items():
        app.query_params[name] = value
    return app.run()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _buyers(dataset) -> int:
    """Customers with a purchase not cancelled in full (the ones every page counts)."""
    from recsys.data.cancellations import net_lines

    return net_lines(dataset.customer_transactions, dataset.cancellations)["customer_id"].nunique()


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def test_customer_value_page_values_every_buyer_and_checks_a_holdout(shop, monkeypatch):
    at = _app("customer_value.py", shop, monkeypatch)
    assert not at.exception and not at.error
    assert _count(_metric(at, "Customers valued")) == _buyers(shop)
    assert _metric(at, "Predicted value, next 12 months").startswith("£")
    assert len(at.get("plotly_chart")) == 4
    fitted = _metric(at, "Fitted on purchases up to")
    at.slider(key="value_holdout_weeks").set_value(20).run()
    assert not at.exception
    assert _metric(at, "Fitted on purchases up to") != fitted
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("Download these" in label for label in labels)
    assert any("every customer's value" in label for label in labels)


def test_customer_value_page_explains_a_data_set_the_models_cannot_fit(tmp_path, monkeypatch):
    from recsys.data.load import load_dataset

    rows = ["invoice_id,invoice_date,customer_id,product_id,description,quantity,unit_price"]
    rows += [f"{i},2020-01-{i + 1:02d} 10:00,c{i},P{i % 3},THING,1,5" for i in range(12)]
    path = tmp_path / "once.csv"
    path.write_text("\n".join(rows) + "\n")
    at = _app("customer_value.py", load_dataset(path), monkeypatch, k=2)
    assert not at.exception
    assert "no customer bought on two different days" in at.warning[0].value


def test_segment_movement_page_adds_up_and_downloads_a_flow(shop, monkeypatch):
    at = _app("segment_movement.py", shop, monkeypatch)
    assert not at.exception and not at.error
    parts = [_count(_metric(at, label)) for label in ("Same segment", "Moved up", "Moved down", "New customers")]
    assert sum(parts) == _count(_metric(at, "Customers"))
    flow = at.selectbox(key="movement_flow")
    assert "→" in flow.value
    size = int(flow.value and _count(flow.format_func(flow.value).rsplit("(", 1)[1].split()[0]))
    label = at.get("download_button")[0].proto.label
    assert f"Download these {size:,} customers" in label


def test_segment_movement_page_refuses_dates_in_the_wrong_order(shop, monkeypatch):
    at = _app("segment_movement.py", shop, monkeypatch)
    at.date_input(key="movement_before").set_value(at.date_input(key="movement_after").value).run()
    assert not at.exception
    assert "before the “To” date" in at.warning[0].value


def test_audiences_page_counts_match_the_library_and_the_url(shop, monkeypatch):
    at = _app("audiences.py", shop, monkeypatch)
    assert not at.exception and not at.error
    assert _count(_metric(at, "Customers")) == _buyers(shop)
    segment = at.multiselect(key="aud_w_segments").options[1]
    at.multiselect(key="aud_w_segments").set_value([segment])
    at.number_input(key="aud_w_quiet_days").set_value(30).run()
    assert not at.exception
    from ui import cache

    table = cache.value.audience_table(state.segment_key(shop, k=4), shop)
    expected = select_audience(table, AudienceRule(segments=(segment,), not_bought_days=30))
    assert _count(_metric(at, "Customers")) == len(expected)
    assert at.query_params["aud_segment"] == segment and at.query_params["aud_quiet_days"] == "30"
    at.button(key="save_audience").click().run()
    assert any("Saved audiences" in md.value and "aud_quiet_days=30" in md.value for md in at.markdown)


def test_audiences_page_opens_a_link(shop, monkeypatch):
    at = _app("audiences.py", shop, monkeypatch, query={"aud_p_below": "0.5", "aud_country": "Nowhere"})
    assert not at.exception
    assert at.slider(key="aud_w_p_range").value == (0, 50)
    assert any("Nowhere" in w.value for w in at.warning)
    bad = _app("audiences.py", shop, monkeypatch, query={"aud_value": "lots"})
    assert not bad.exception
    assert any("'lots' is not a number" in w.value for w in bad.warning)


def test_cohorts_page_shows_every_view(shop, monkeypatch):
    at = _app("cohorts.py", shop, monkeypatch)
    assert not at.exception and not at.error
    assert _count(_metric(at, "Cohorts")) >= 1
    assert len(at.get("plotly_chart")) == 5


def test_audience_and_flow_csv_are_campaign_ready(shop):
    import io

    import pandas as pd

    from ui import cache

    key = state.segment_key(shop, k=4)
    ids = tuple(cache.value.audience_table(key, shop)["customer_id"].astype(str).head(7))
    data, rows = cache.recommend.customers_csv(key, ids, 3, shop)
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"Customer ID": str})
    assert rows == 7 and frame["Customer ID"].tolist() == list(ids)  # in the order asked
    assert frame.columns[0] == "Customer ID"
    assert {"Segment name", "Last order (days ago)", "Spend (£, net of cancellations)"} <= set(frame.columns)
    assert list(frame.columns[-3:]) == ["Recommendation 1", "Recommendation 2", "Recommendation 3"]
    assert not any("_" in c for c in frame.columns)
    full, _ = cache.recommend.customers_csv(key, ids, 3, shop, True)
    technical = pd.read_csv(io.BytesIO(full), encoding="utf-8-sig")
    assert "Cancelled orders (%)" in technical.columns and len(technical.columns) > len(frame.columns)


def test_value_csv_is_in_words_with_technical_columns_on_request(shop):
    import io

    import pandas as pd

    from ui import cache

    data, rows = cache.value.value_csv(shop.fingerprint, shop)
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert rows == len(frame) == _buyers(shop)
    assert frame.columns[0] == "Customer ID" and "Predicted 12-month value (£)" in frame.columns
    assert "t_last" not in frame.columns and "First to last purchase (days)" not in frame.columns
    full = pd.read_csv(io.BytesIO(cache.value.value_csv(shop.fingerprint, shop, True)[0]), encoding="utf-8-sig")
    assert "First to last purchase (days)" in full.columns and not any("_" in c for c in full.columns)


def test_segment_movement_date_outside_the_data_is_moved_with_words(shop, monkeypatch):
    import datetime as dt

    at = _app("segment_movement.py", shop, monkeypatch)
    last = at.date_input(key="movement_after").value
    at.date_input(key="movement_after").set_value(last + dt.timedelta(days=400)).run()
    assert not at.exception and not at.error
    # The day used is the data's last one, the field shows it, and a sentence says why.
    assert at.date_input(key="movement_after").value == last
    note = at.info[0].value
    assert note.startswith(f"“To” {(last + dt.timedelta(days=400)).day} ")
    assert "is after the data, which covers" in note and f"{last.day} {last:%b %Y} is used instead" in note
    assert _count(_metric(at, "Customers")) > 0
