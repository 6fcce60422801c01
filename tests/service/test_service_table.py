"""The precomputed top lists answer exactly what the model (the dashboard's) answers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

NS = (1, 3, 10, 100)


@pytest.fixture(scope="module")
def rated(sample_dataset):
    """The service's model of the bundled sample (it has reviews: ratings re-rank)."""
    from recsys.service.model import fit_shop_model, with_top_lists

    return with_top_lists(fit_shop_model(sample_dataset))


@pytest.fixture(scope="module")
def hybrid(sample_dataset):
    """The same shop without its reviews: the plain hybrid."""
    from recsys.service.model import fit_shop_model, with_top_lists

    ds = dataclasses.replace(sample_dataset, reviews=sample_dataset.reviews.iloc[:0])
    return with_top_lists(fit_shop_model(ds))


def _same(answer, frame: pd.DataFrame) -> None:
    ids, scores, reasons = answer
    assert ids == frame["product_id"].tolist()
    np.testing.assert_array_equal(np.asarray(scores), frame["score"].to_numpy(dtype=np.float64))
    assert reasons == frame["reason"].tolist()


@pytest.mark.parametrize("which", ["rated", "hybrid"])
def test_top_lists_equal_the_models_recommend(which, request):
    model = request.getfixturevalue(which)
    rec, top = model.recommender, model.top
    assert type(rec).__name__ == ("RatedRecommender" if which == "rated" else "HybridRecommender")
    customers = list(top.rows)[::9] + ["never-seen", "\x00unknown-not-the-sentinel"]
    customers += list(top.profile)[:3]  # known from the customers table, without purchases
    for cid in customers:
        for n in NS:
            _same(top.answer(cid, n), rec.recommend(cid, n=n))


@pytest.mark.parametrize("which", ["rated", "hybrid"])
def test_folded_row_equals_recommend_lines(which, request):
    from recsys.service.events import EventLine, PurchaseEvent, event_lines
    from recsys.service.table import folded_row

    model = request.getfixturevalue(which)
    rec, top = model.recommender, model.top
    known = list(top.rows)[5]
    bought = top.answer(known, 2)[0]
    for cid in (known, "first-time-buyer"):
        lines = event_lines([PurchaseEvent(cid, "EV-1", pd.Timestamp("2012-01-02 10:00"),
                                           tuple(EventLine(p, 1, 2.5) for p in bought), seq=1)])
        row = folded_row(rec, cid, lines)
        for n in NS:
            got = top.answer(cid, n, row)
            _same(got, rec.recommend_lines(cid, lines, n=n))
            assert not set(bought) & set(got[0])


def test_live_reads_fold_a_purchase_in_off_the_request_path(rated, tmp_path):
    from recsys.service.events import EventLine, EventLog, PurchaseEvent
    from recsys.service.live import LiveRecommender

    live = LiveRecommender(rated, EventLog(tmp_path))
    try:
        cid = list(rated.top.rows)[7]
        _, before = live.lookup(cid, 10)
        assert [i["product_id"] for i in before] == rated.top.answer(cid, 10)[0]
        bought = [before[0]["product_id"]]
        live.record(PurchaseEvent(cid, "EV-9", pd.Timestamp("2012-01-02 10:00"),
                                  (EventLine(bought[0], 1, 2.5),)))
        _, after = live.recommendations(cid, 10)  # folded in by now, or by this read
        assert bought[0] not in {i["product_id"] for i in after}
        assert live.folding() == 0 and live.lookup(cid, 10)[1] == after
    finally:
        live.close()
        live.log.close()


def test_fast_lane_sends_the_routes_bytes(rated, tmp_path, monkeypatch):
    from recsys.service import api
    from recsys.service.config import ServiceConfig
    from recsys.service.events import EventLog
    from recsys.service.live import LiveRecommender
    from recsys.service.runtime import Runtime

    key = "fast-lane-read-key-0123"
    monkeypatch.setenv("RECSYS_API_KEYS", f"{key}:read")
    runtime = Runtime(ServiceConfig.from_env(data=tmp_path, state=tmp_path / "state"))
    runtime.live = LiveRecommender(rated, EventLog(tmp_path / "state"))
    lane = api._fast_lane(runtime)
    fast = _Client(api.create_app(runtime))
    monkeypatch.setattr(api, "_fast_lane", lambda runtime: None)
    routed = _Client(api.create_app(runtime))
    cid = list(rated.top.rows)[3]
    try:
        for path in (f"/v1/customers/{cid}/recommendations", f"/v1/customers/{cid}.0/"
                     "recommendations?n=7", "/v1/customers/stranger/recommendations?n=100"):
            scope = {"method": "GET", "path": path.split("?")[0], "headers": [
                (b"x-api-key", key.encode())], "query_string": path.partition("?")[2].encode()}
            assert lane(scope) is not None  # answered without the framework
            a = fast.get(path, headers={"X-API-Key": key})
            b = routed.get(path, headers={"X-API-Key": key})
            assert a.status_code == b.status_code == 200
            assert a.content == b.content
            assert a.headers["content-type"] == b.headers["content-type"]
        for path, status in (("/v1/customers/x/recommendations?n=0", 422),
                             ("/v1/customers/x/recommendations?n=101", 422),
                             ("/v1/customers/x/recommendations?n=5&n=6", 200)):
            scope = {"method": "GET", "path": path.split("?")[0], "headers": [
                (b"x-api-key", key.encode())], "query_string": path.partition("?")[2].encode()}
            assert lane(scope) is None  # left to the route, which checks it
            assert fast.get(path, headers={"X-API-Key": key}).status_code == status
        assert fast.get(f"/v1/customers/{cid}/recommendations").status_code == 401
    finally:
        runtime.live.close()
        runtime.live.log.close()


class _Client:
    """GET on an ASGI app in this process (no server)."""

    def __init__(self, app):
        self.app = app

    def get(self, path: str, headers: dict | None = None):
        import asyncio

        import httpx

        async def call():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                         base_url="http://service") as c:
                return await c.get(path, headers=headers)

        # In its own thread: a browser test of the same run may hold an event loop in this one.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, call()).result()
