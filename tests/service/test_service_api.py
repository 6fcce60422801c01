"""The service's contract, over HTTP against a real process: routes, shapes, scopes, errors."""

from __future__ import annotations

import time

import pytest

from .server import READ_KEY, WRITE_KEY, purchase


def test_recommendations_shape_and_order(service, sample_customers):
    with service.client() as c:
        r = c.get(f"/v1/customers/{sample_customers[0]}/recommendations", params={"n": 7})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"customer_id", "model_version", "items"}
    assert body["customer_id"] == sample_customers[0]
    assert len(body["items"]) == 7
    assert all(set(i) == {"product_id", "description", "score", "reason"} for i in body["items"])
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert all(i["description"] and i["reason"] for i in body["items"])


@pytest.mark.parametrize("n", ["0", "101", "-1", "ten", "2.5"])
def test_recommendations_n_out_of_range_is_422_naming_n(service, sample_customers, n):
    with service.client() as c:
        r = c.get(f"/v1/customers/{sample_customers[0]}/recommendations", params={"n": n})
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "n"


@pytest.mark.parametrize("customer", ["nobody-here", "ÄÖÜ ß", "<script>alert(1)</script>",
                                      "a" * 200, "'; DROP TABLE x; --", "%00", "..", "~"])
def test_any_customer_id_gets_cold_start_or_a_4xx(service, customer):
    with service.client() as c:
        r = c.get(f"/v1/customers/{customer}/recommendations")
    assert r.status_code in (200, 404, 422), r.text
    if r.status_code == 200:
        assert len(r.json()["items"]) == 10
        assert all(i["reason"] for i in r.json()["items"])


def test_too_long_customer_id_is_422(service):
    with service.client() as c:
        r = c.get(f"/v1/customers/{'9' * 201}/recommendations")
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "customer_id"


def test_float_customer_id_is_the_same_customer(service, sample_customers):
    cid = sample_customers[1]
    with service.client() as c:
        a = c.get(f"/v1/customers/{cid}/recommendations").json()
        b = c.get(f"/v1/customers/{cid}.0/recommendations").json()
    assert a == b


def test_keys_and_scopes(service, sample_customers):
    route = f"/v1/customers/{sample_customers[0]}/recommendations"
    event = purchase(sample_customers[0], "SCOPE-1", ["nope"])
    with service.client(key=None) as c:
        assert c.get(route).status_code == 401
        assert c.get(route, headers={"X-API-Key": "wrong"}).status_code == 401
        assert c.get(route, headers={"X-API-Key": READ_KEY + "x"}).status_code == 401
        assert c.get("/healthz").status_code == 200
        assert c.get("/metrics").status_code == 200
        assert c.post("/v1/events", json=event).status_code == 401
    with service.client(key=READ_KEY) as c:
        assert c.get(route).status_code == 200
        denied = c.post("/v1/events", json=event)
        assert denied.status_code == 403 and "write key" in denied.json()["message"]
        assert c.post("/v1/admin/refit").status_code == 403
    with service.client(key=WRITE_KEY) as c:
        assert c.get(route).status_code == 200


def test_similar_products_and_unknown_product(service):
    with service.client() as c:
        recs = c.get("/v1/customers/no-history/recommendations", params={"n": 1}).json()
        product = recs["items"][0]["product_id"]
        r = c.get(f"/v1/products/{product}/similar", params={"n": 5})
        missing = c.get("/v1/products/NOT-A-PRODUCT/similar")
    assert r.status_code == 200
    body = r.json()
    assert body["product_id"] == product and 0 < len(body["items"]) <= 5
    assert product not in [i["product_id"] for i in body["items"]]
    assert missing.status_code == 404 and "NOT-A-PRODUCT" in missing.json()["message"]


def test_basket_cross_sell_leaves_out_the_cart(service):
    with service.client() as c:
        top = c.get("/v1/customers/no-history/recommendations", params={"n": 2}).json()
        cart = [i["product_id"] for i in top["items"]]
        r = c.post("/v1/baskets/recommendations", json={"product_ids": cart + ["unknown"], "n": 4})
        bad = c.post("/v1/baskets/recommendations", json={"product_ids": [], "n": 4})
    assert r.status_code == 200
    items = r.json()["items"]
    assert 0 < len(items) <= 4
    assert not set(cart) & {i["product_id"] for i in items}
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "product_ids"


def test_segment_of_a_customer_and_of_a_stranger(service, sample_customers):
    with service.client() as c:
        r = c.get(f"/v1/customers/{sample_customers[0]}/segment")
        stranger = c.get("/v1/customers/stranger/segment")
    assert r.status_code == 200
    body = r.json()
    assert 1 <= body["segment"] <= 5 and body["segment_name"]
    assert body["frequency"] >= 1 and body["monetary"] > 0 and body["recency_days"] >= 0
    assert stranger.status_code == 404 and "stranger" in stranger.json()["message"]


@pytest.mark.parametrize(("change", "field"), [
    (lambda e: e.pop("lines"), "lines"),
    (lambda e: e.update(lines=[]), "lines"),
    (lambda e: e["lines"][0].update(quantity=0), "lines[0].quantity"),
    (lambda e: e["lines"][0].update(unit_price=-1), "lines[0].unit_price"),
    (lambda e: e["lines"][0].pop("product_id"), "lines[0].product_id"),
    (lambda e: e.update(timestamp="yesterday"), "timestamp"),
    (lambda e: e.update(invoice_id="C1234"), "invoice_id"),
    (lambda e: e.update(customer_id=""), "customer_id"),
    (lambda e: e.update(customer_id="=HYPERLINK(1)"), "customer_id"),
])
def test_malformed_event_is_422_naming_the_field(service, change, field):
    event = purchase("12417", "BAD-1", ["29232"])
    change(event)
    with service.client(WRITE_KEY) as c:
        r = c.post("/v1/events", json=event)
    assert r.status_code == 422
    assert field in [f["field"] for f in r.json()["fields"]]


def test_event_not_json_is_422(service):
    with service.client(WRITE_KEY) as c:
        r = c.post("/v1/events", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_events_are_idempotent_on_invoice_id(service, sample_customers):
    event = purchase(sample_customers[2], "IDEM-1", ["29232"])
    with service.client(WRITE_KEY) as c:
        first = c.post("/v1/events", json=event)
        again = c.post("/v1/events", json=event)
        other = c.post("/v1/events", json=purchase(sample_customers[3], "IDEM-1", ["29232"]))
        in_file = c.post("/v1/events", json=purchase(sample_customers[2], "536365", ["29232"]))
    assert first.status_code == 202 and first.json()["status"] == "accepted"
    assert again.status_code == 202 and again.json()["status"] == "duplicate"
    assert again.json()["sequence"] == first.json()["sequence"]
    assert other.status_code == 409 and "IDEM-1" in other.json()["message"]
    assert in_file.status_code == 202 and in_file.json()["status"] == "duplicate"


def test_purchase_is_reflected_within_a_second(service, sample_customers):
    cid = sample_customers[4]
    route = f"/v1/customers/{cid}/recommendations"
    with service.client() as reader, service.client(WRITE_KEY) as writer:
        before = [i["product_id"] for i in reader.get(route).json()["items"]]
        bought = before[:2]
        r = writer.post("/v1/events", json=purchase(cid, "LIVE-1", bought))
        assert r.status_code == 202
        acknowledged = time.monotonic()
        while True:
            after = [i["product_id"] for i in reader.get(route).json()["items"]]
            if not set(bought) & set(after):
                break
            assert time.monotonic() - acknowledged < 1.0, "purchase not reflected within 1 s"
            time.sleep(0.05)
    assert len(after) == 10


def test_body_over_the_limit_is_413(service):
    big = purchase("12417", "BIG-1", ["29232"])
    big["lines"] = big["lines"] * 2000
    with service.client(WRITE_KEY) as c:
        r = c.post("/v1/events", json=big)
    assert r.status_code == 413 and r.json()["error"] == "too_large"


def test_cors_allows_only_the_configured_origin(service):
    pre = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-api-key"}
    with service.client(key=None) as c:
        ok = c.options("/v1/customers/1/recommendations",
                       headers={"Origin": "https://shop.example.com", **pre})
        other = c.options("/v1/customers/1/recommendations",
                          headers={"Origin": "https://evil.example.net", **pre})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://shop.example.com"
    assert "access-control-allow-origin" not in other.headers


def test_errors_never_show_a_traceback_or_a_path(service):
    with service.client(WRITE_KEY) as c:
        answers = [
            c.get("/v1/customers/x/recommendations", params={"n": "9" * 50}),
            c.post("/v1/events", content=b"\xff\xfe", headers={"content-type": "application/json"}),
            c.post("/v1/events", json=[1, 2]),
            c.post("/v1/baskets/recommendations", json={"product_ids": "abc"}),
            c.get("/v1/nowhere"),
            c.delete("/v1/events"),
        ]
    for r in answers:
        assert 400 <= r.status_code < 500, r.text
        text = r.text
        assert "Traceback" not in text and "/work" not in text and ".py" not in text
        assert r.json()["error"] and r.json()["message"]


def test_logs_are_json_and_never_hold_a_key(service):
    with service.client() as c:
        c.get("/v1/customers/log-check/recommendations")
        c.get("/v1/customers/log-check/recommendations", params={"n": 0})
    records = service.log_records()  # each line parses as JSON
    # failed (and slow) requests are logged; a quick success only at RECSYS_LOG_LEVEL=debug
    logged = [r for r in records if r.get("route") == "/v1/customers/{customer_id}/recommendations"]
    assert any(r["status"] == 422 for r in logged)
    text = service.log_text()
    assert READ_KEY not in text and WRITE_KEY not in text


def test_metrics_count_requests_per_route(service):
    with service.client() as c:
        c.get("/v1/customers/metrics-check/recommendations")
        text = c.get("/metrics").text
    assert ('recsys_http_requests_total{method="GET",'
            'route="/v1/customers/{customer_id}/recommendations",status="200"}') in text
    assert "recsys_http_request_duration_seconds_bucket" in text
    assert "metrics-check" not in text


def test_openapi_and_docs_are_served_without_a_cdn(service):
    with service.client(key=None) as c:
        schema = c.get("/openapi.json").json()
        docs = c.get("/docs")
        js = c.get("/docs/static/swagger-ui-bundle.js")
    for path in ("/v1/customers/{customer_id}/recommendations", "/v1/products/{product_id}/similar",
                 "/v1/baskets/recommendations", "/v1/customers/{customer_id}/segment",
                 "/v1/events", "/v1/admin/refit", "/healthz", "/readyz", "/metrics"):
        assert path in schema["paths"], path
    assert "APIKeyHeader" in schema["components"]["securitySchemes"]
    assert docs.status_code == 200 and "/docs/static/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert js.status_code == 200


def test_a_new_customer_is_personalised_by_one_purchase(service):
    route = "/v1/customers/first-time-buyer/recommendations"
    with service.client() as reader, service.client(WRITE_KEY) as writer:
        cold = reader.get(route).json()["items"]
        product = reader.get("/v1/customers/another-stranger/recommendations",
                             params={"n": 3}).json()["items"][2]["product_id"]
        assert writer.post("/v1/events", json=purchase("first-time-buyer", "NEW-1", [product])).status_code == 202
        warm = reader.get(route).json()["items"]
    assert {i["reason"] for i in cold} == {"popular right now"}
    assert product not in [i["product_id"] for i in warm]
    assert [i["product_id"] for i in warm] != [i["product_id"] for i in cold]
    assert any(i["reason"] != "popular right now" for i in warm)
