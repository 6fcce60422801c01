"""Durability and swaps, with real processes: kill -9, a torn record, a refit under load."""

from __future__ import annotations

import threading

import httpx

from .server import ROOT, WRITE_KEY, ServiceProcess, purchase


def _top(c, customer, n=10):
    return [i["product_id"] for i in c.get(f"/v1/customers/{customer}/recommendations",
                                           params={"n": n}).json()["items"]]


def test_acknowledged_events_survive_kill_9_and_a_torn_last_record(tmp_path, sample_customers):
    state = tmp_path / "state"
    svc = ServiceProcess(ROOT / "data", state).start()
    customers = sample_customers[10:30]
    bought = {}
    try:
        with svc.client() as reader, svc.client(WRITE_KEY) as writer:
            for k, cid in enumerate(customers):
                bought[cid] = _top(reader, cid, 1)[0]
                r = writer.post("/v1/events", json=purchase(cid, f"K9-{k}", [bought[cid]]))
                assert r.status_code == 202
    finally:
        svc.kill9()
    # a write cut off by the crash: half a record with no line end
    log = state / "events.log"
    whole = log.read_bytes()
    with open(log, "ab") as fh:
        fh.write(b'0badc0de {"customer_id":"12417","invoice_id":"TORN"')
    svc = ServiceProcess(ROOT / "data", state).start()
    try:
        with svc.client() as reader, svc.client(WRITE_KEY) as writer:
            for cid in customers:
                assert bought[cid] not in _top(reader, cid)
            again = writer.post("/v1/events", json=purchase(customers[0], "K9-0", [bought[customers[0]]]))
            assert again.json()["status"] == "duplicate" and again.json()["sequence"] == 1
            nxt = writer.post("/v1/events", json=purchase(customers[0], "K9-next", ["29232"]))
            assert nxt.json()["sequence"] == len(customers) + 1
    finally:
        svc.stop()
    records = svc.log_records()
    torn = [r for r in records if "incomplete record" in r["message"]]
    assert len(torn) == 1 and torn[0]["level"] == "warning"
    ready = [r for r in records if r["message"] == "ready"][-1]
    assert ready["events_replayed"] == len(customers)
    assert log.read_bytes().startswith(whole) and log.read_bytes().endswith(b"\n")
    assert b"TORN" not in log.read_bytes()


def test_refit_swaps_the_model_while_requests_keep_being_served(tmp_path, sample_customers):
    svc = ServiceProcess(ROOT / "data", tmp_path / "state").start()
    seen, failures = set(), []
    stop = threading.Event()

    def hammer(customer):
        with svc.client() as c:
            while not stop.is_set():
                try:
                    r = c.get(f"/v1/customers/{customer}/recommendations")
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                    continue
                if r.status_code != 200 or len(r.json()["items"]) != 10:
                    failures.append(f"{r.status_code} {r.text[:200]}")
                else:
                    seen.add(r.json()["model_version"])

    try:
        with svc.client(WRITE_KEY) as w:
            old = w.get("/v1/model").json()["model_version"]
            cid = sample_customers[5]
            item = _top(w, cid, 1)[0]
            assert w.post("/v1/events", json=purchase(cid, "SWAP-1", [item])).status_code == 202
            threads = [threading.Thread(target=hammer, args=(c,)) for c in sample_customers[:4]]
            for t in threads:
                t.start()
            started = w.post("/v1/admin/refit")
            assert started.status_code == 202 and started.json()["model_version"] == old
            info = w.get("/v1/model").json()
            for _ in range(1200):
                info = w.get("/v1/model").json()
                if info["model_version"] != old:
                    break
                stop.wait(0.1)
            stop.set()
            for t in threads:
                t.join()
            assert info["model_version"] != old
            assert info["events_included"] == 1 and info["events_pending"] == 0
            assert item not in _top(w, cid)  # the purchase is now in the model itself
            segment = w.get(f"/v1/customers/{cid}/segment").json()
            assert segment["model_version"] == info["model_version"]
    finally:
        stop.set()
        svc.stop()
    assert not failures, failures[:3]
    assert old in seen and len(seen) <= 2
