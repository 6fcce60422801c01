"""The layer every request passes: request id, body limit, metrics, one log line, no traceback.

A plain ASGI middleware (no per-request task or copy of the body): it answers 413 before
reading a body whose declared length is over the limit, and stops reading one that grows
past it; it times the request and counts it per route template (``/v1/customers/{customer_id}/recommendations``,
never the raw path, so the metrics stay small); it logs a JSON line, without headers, for
every failed or slow request (every request at DEBUG); and an error that escapes a route becomes a JSON 500 naming the request id,
with the traceback in the log only.
"""

from __future__ import annotations

import logging
import os
import time

import orjson
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

log = logging.getLogger("recsys.service.http")

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
"""Seconds; fine below 30 ms, where the service's targets are."""


class Metrics:
    """The service's Prometheus metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("recsys_http_requests", "HTTP requests by route, method and status",
                                ("route", "method", "status"), registry=self.registry)
        self.latency = Histogram("recsys_http_request_duration_seconds",
                                 "Time to answer, by route and method", ("route", "method"),
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.events = Counter("recsys_events", "Purchase events posted, by outcome", ("outcome",),
                              registry=self.registry)
        self.refits = Counter("recsys_refits", "Model refits, by outcome", ("outcome",),
                              registry=self.registry)
        self.pending = Gauge("recsys_events_pending", "Events recorded since the model was fitted",
                             registry=self.registry)
        self.fit_seconds = Gauge("recsys_model_fit_seconds", "Seconds the model in service took to fit",
                                 registry=self.registry)
        self.ready = Gauge("recsys_ready", "1 when a model is loaded", registry=self.registry)


class _TooLarge(Exception):
    pass


def problem_bytes(error: str, message: str, **extra) -> bytes:
    """Return the JSON body of an error answer: ``{"error", "message", ...}``."""
    return orjson.dumps({"error": error, "message": message, **extra})


SLOW_REQUEST_S = 0.1
"""Requests slower than this are logged at INFO even when they succeed."""

FAST_ROUTE_HEADERS = [(b"content-type", b"application/json")]


class ServiceMiddleware:
    """Wrap the app: request id, body limit, metrics, access log, last-resort 500.

    Parameters
    ----------
    app : ASGI app
    metrics : Metrics
    max_body_bytes : int
    fast_lane : callable, optional
        ``fast_lane(scope) -> (route, body) or None``: the answer to a request the service
        can give without the web framework (a read from the precomputed lists, with the
        same bytes the route would send); None hands the request to ``app``.
    """

    def __init__(self, app, *, metrics: Metrics, max_body_bytes: int, fast_lane=None):
        self.app = app
        self.metrics = metrics
        self.max_body = int(max_body_bytes)
        self.fast_lane = fast_lane
        self._counters: dict = {}
        self._timers: dict = {}

    def _observe(self, route: str, method: str, status: int, seconds: float) -> None:
        # a labelled child per route, method and status, looked up once (labels() is slow)
        key = (route, method, status)
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = self.metrics.requests.labels(route, method, str(status))
        counter.inc()
        timer = self._timers.get(key[:2])
        if timer is None:
            timer = self._timers[key[:2]] = self.metrics.latency.labels(route, method)
        timer.observe(seconds)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = os.urandom(8).hex()
        rid_header = (b"x-request-id", request_id.encode())
        if self.fast_lane is not None:
            found = self.fast_lane(scope)
            if found is not None:
                route, body = found
                await send({"type": "http.response.start", "status": 200, "headers": [
                    (b"content-length", str(len(body)).encode()), *FAST_ROUTE_HEADERS,
                    rid_header]})
                await send({"type": "http.response.body", "body": body})
                self._done(route, scope["method"], 200, start, request_id)
                return
        state = {"status": 0, "started": False, "received": 0}

        async def send_wrapped(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                message = dict(message, headers=[*message.get("headers", []), rid_header])
            await send(message)

        async def receive_wrapped():
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_body:
                    raise _TooLarge
            return message

        try:
            declared = _content_length(scope)
            if declared is not None and declared > self.max_body:
                await self._answer(send_wrapped, 413, problem_bytes(
                    "too_large", f"the request body is over {self.max_body:,} bytes"))
            else:
                await self.app(scope, receive_wrapped, send_wrapped)
        except _TooLarge:
            if not state["started"]:
                await self._answer(send_wrapped, 413, problem_bytes(
                    "too_large", f"the request body is over {self.max_body:,} bytes"))
        except Exception:
            log.exception("request failed", extra={"fields": {"request_id": request_id,
                                                              "route": _route(scope)}})
            if not state["started"]:
                await self._answer(send_wrapped, 500, problem_bytes(
                    "internal", "something went wrong on our side; the log has the details "
                    f"under request id {request_id}", request_id=request_id))
        finally:
            self._done(_route(scope), scope["method"], state["status"] or 500, start,
                       request_id)

    def _done(self, route: str, method: str, status: int, start: float,
              request_id: str) -> None:
        seconds = time.perf_counter() - start
        self._observe(route, method, status, seconds)
        # one line per request costs as much CPU as the answer itself: successful fast
        # requests are logged at DEBUG (RECSYS_LOG_LEVEL=debug), the rest at INFO
        level = (logging.INFO if status >= 400 or seconds >= SLOW_REQUEST_S
                 else logging.DEBUG)
        if log.isEnabledFor(level):
            log.log(level, "request", extra={"fields": {
                "request_id": request_id, "method": method, "route": route,
                "status": status, "ms": round(1000 * seconds, 2)}})

    @staticmethod
    async def _answer(send, status: int, body: bytes) -> None:
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _route(scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return path
    return "/docs/static" if scope.get("path", "").startswith("/docs/static") else "unmatched"
