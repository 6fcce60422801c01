"""One model code path: the service fits what the dashboard's Customer page fits."""

from __future__ import annotations

import pandas as pd
import pytest


def test_service_model_gives_the_dashboards_recommendations(sample_dataset):
    from recsys.service.model import fit_shop_model
    from ui.cache.insights import known_customers
    from ui.cache.keys import SegmentKey
    from ui.cache.recommend import fitted_recommender

    ds = sample_dataset
    service = fit_shop_model(ds).recommender
    dashboard = fitted_recommender(SegmentKey(ds.fingerprint, 5, "rfm_behaviour", 0), ds)
    ids = known_customers(ds.fingerprint, ds)[:60] + ["never-seen"]
    a = service.recommend(ids, n=10)
    b = dashboard.recommend(ids, n=10)
    pd.testing.assert_frame_equal(a, b)


def test_refit_with_events_adds_their_lines(sample_dataset):
    from recsys.service.events import EventLine, PurchaseEvent, event_lines
    from recsys.service.model import fit_shop_model, with_events

    ds = sample_dataset
    event = PurchaseEvent("brand-new", "EV-1", pd.Timestamp("2012-01-05 10:00"),
                          (EventLine("29232", 2, 1.1),), seq=1)
    lines = event_lines([event])
    grown = with_events(ds, lines)
    assert len(grown.transactions) == len(ds.transactions) + 1
    assert grown.transactions.dtypes.equals(ds.transactions.dtypes)
    assert len(ds.transactions) == len(sample_dataset.transactions)  # input unchanged
    model = fit_shop_model(ds, events=lines, events_upto=1)
    assert model.events_upto == 1 and "EV-1" not in model.known_invoices
    assert "29232" not in set(model.recommender.recommend("brand-new", n=10)["product_id"])
    assert model.version != fit_shop_model(ds).version


@pytest.mark.real_data
def test_service_on_the_real_file_answers_like_the_dashboard(real_data_path, tmp_path):
    pytest.importorskip("fastapi")
    from .server import ServiceProcess

    svc = ServiceProcess(real_data_path, tmp_path / "state").start()
    try:
        with svc.client() as c:
            recs = c.get("/v1/customers/17850/recommendations").json()
            seg = c.get("/v1/customers/17850/segment").json()
    finally:
        svc.stop()
    assert len(recs["items"]) == 10 and seg["segment_name"]
    from recsys.data.load import load_dataset
    from recsys.service.config import ModelSettings
    from recsys.service.model import load_snapshot

    ds = load_dataset(real_data_path)
    model = load_snapshot(tmp_path / "state", data_fingerprint=ds.fingerprint,
                          settings=ModelSettings(), last_seq=0)
    assert model is not None and model.version == recs["model_version"]
