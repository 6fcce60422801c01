"""The HTTP API (FastAPI): routes, API-key scopes, error answers, CORS, OpenAPI and /docs.

Every ``/v1`` route needs the header ``X-API-Key``: no key or an unknown key gets 401, a
read key on a write route 403. Answers are JSON; errors are ``{"error", "message"}``
(plus ``fields`` naming what is wrong in a 422), never a traceback or a path. Scoring
runs in the runtime's thread pool; the event loop only parses, checks and writes JSON.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated

import orjson
import pandas as pd
from fastapi import FastAPI, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from recsys.service import schemas as A
from recsys.service.config import READ, WRITE
from recsys.service.events import EventLine, PurchaseEvent
from recsys.service.live import Conflict, NotFound
from recsys.service.middleware import ServiceMiddleware, problem_bytes
from recsys.service.runtime import Runtime

API_KEY_HEADER = "X-API-Key"

api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                       description="Your key; a read key for reads, a write key for events and refits")

DESCRIPTION = """Product recommendations for a shop's website and apps, updated in real time.

Send your key in the `X-API-Key` header. Read keys may call every `GET` route and the cart
route; posting purchase events and refits need a write key. Errors are JSON
`{"error", "message"}`; a 422 also lists the `fields` at fault.
"""


CustomerId = Annotated[str, Path(min_length=1, max_length=A.MAX_ID,
                                 description="the shop's customer id (any id: unknown ones get "
                                             "what is popular)")]
ProductId = Annotated[str, Path(min_length=1, max_length=A.MAX_ID, description="a product id")]
N = Annotated[int, Query(ge=1, le=A.MAX_N, description="how many products (1 to 100)")]


class ApiError(Exception):
    """An answer other than 2xx, with the code and sentence of :class:`schemas.Problem`."""

    def __init__(self, status: int, error: str, message: str, *, headers: dict | None = None,
                 field: str | None = None):
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers
        self.field = field


def _errors(*codes: int) -> dict:
    text = {401: "No key, or an unknown key", 403: "The key may not do this",
            404: "Not known to the model", 409: "In conflict with what is recorded",
            413: "Body too large", 422: "A parameter or field is not valid",
            503: "The model is still loading"}
    return {c: {"model": A.Problem, "description": text[c]} for c in codes}


def json_response(payload: dict, status: int = 200) -> Response:
    """Return ``payload`` as a JSON response (orjson; no second validation pass)."""
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


def create_app(runtime: Runtime) -> FastAPI:
    """Return the service's ASGI app over ``runtime`` (booted separately)."""
    from fastapi_offline import FastAPIOffline

    app = FastAPIOffline(title="Shop recommendations", version="1", description=DESCRIPTION,
                         docs_url="/docs", redoc_url=None, static_url="/docs/static")
    keys = runtime.config.keys

    def scope(needed: str):
        async def check(key: Annotated[str | None, Security(api_key)]) -> None:
            allowed = keys.allows(key, needed)
            if allowed is None:
                raise ApiError(401, "unauthorized",
                               f"send a valid key in the {API_KEY_HEADER} header")
            if not allowed:
                raise ApiError(403, "forbidden", "this key may only read; events and refits "
                               "need a write key")
        return check

    def live():
        if runtime.live is None:
            message = ("the model could not be loaded; see the service log" if runtime.boot_error
                       else "the model is loading; retry in a few seconds")
            raise ApiError(503, "not_ready", message, headers={"Retry-After": "5"})
        return runtime.live

    async def off_loop(fn, *args):
        return await asyncio.get_running_loop().run_in_executor(runtime.scoring, fn, *args)

    read = [Security(scope(READ))]
    write = [Security(scope(WRITE))]

    @app.get(RECOMMENDATIONS_ROUTE, dependencies=read,
             response_model=A.Recommendations, responses=_errors(401, 422, 503),
             tags=["recommendations"], summary="A customer's recommended products")
    async def recommendations(customer_id: CustomerId, n: N = 10):
        cid = _customer(customer_id)
        target = live()
        found = target.lookup(cid, n)  # a slice of the precomputed lists: on the loop
        model, items = found if found is not None else await off_loop(
            target.recommendations, cid, n)
        return Response(_recommendations_body(cid, model, items), media_type="application/json")

    @app.get("/v1/products/{product_id}/similar", dependencies=read,
             response_model=A.Similar, responses=_errors(401, 404, 422, 503),
             tags=["recommendations"], summary="Products similar to a product")
    async def similar(product_id: ProductId, n: N = 10):
        pid = product_id.strip()
        try:
            model, items = await off_loop(live().similar, pid, n)
        except NotFound as exc:
            raise ApiError(404, "not_found", str(exc)) from None
        return json_response({"product_id": pid, "model_version": model.version, "items": items})

    @app.post("/v1/baskets/recommendations", dependencies=read,
              response_model=A.BasketAnswer, responses=_errors(401, 413, 422, 503),
              tags=["recommendations"], summary="Products to add to a cart")
    async def basket(body: A.BasketRequest):
        ids = [p.strip() for p in body.product_ids]
        model, items = await off_loop(live().basket, ids, body.n)
        return json_response({"product_ids": ids, "model_version": model.version, "items": items})

    @app.get("/v1/customers/{customer_id}/segment", dependencies=read,
             response_model=A.Segment, responses=_errors(401, 404, 422, 503),
             tags=["customers"], summary="A customer's segment and RFM figures")
    async def segment(customer_id: CustomerId):
        cid = _customer(customer_id)
        try:
            model, f = live().segment(cid)
        except NotFound as exc:
            raise ApiError(404, "not_found", str(exc)) from None
        return json_response({
            "customer_id": cid, "model_version": model.version, "segment": f.segment,
            "segment_name": f.segment_name, "recency_days": f.recency_days,
            "frequency": f.frequency, "monetary": round(f.monetary, 2), "as_of": model.as_of})

    @app.post("/v1/events", status_code=202, dependencies=write,
              response_model=A.EventAccepted, responses=_errors(401, 403, 409, 413, 422, 503),
              tags=["events"], summary="Record a purchase (answered once it is on disk)")
    async def events(body: A.PurchaseIn):
        event = _event(body)
        target = live()
        try:
            done = await asyncio.get_running_loop().run_in_executor(
                runtime.writes, target.record, event)
        except Conflict as exc:
            runtime.metrics.events.labels("conflict").inc()
            raise ApiError(409, "conflict", str(exc)) from None
        runtime.metrics.events.labels(done.status).inc()
        runtime.metrics.pending.set(target.pending_events())
        return json_response({"invoice_id": event.invoice_id, "customer_id": event.customer_id,
                              "status": done.status, "sequence": done.seq}, status=202)

    @app.post("/v1/admin/refit", status_code=202, dependencies=write,
              response_model=A.RefitStarted, responses=_errors(401, 403, 409, 503),
              tags=["admin"], summary="Refit on the data file plus all events, then swap")
    async def refit():
        version = live().model.version
        if not runtime.start_refit():
            raise ApiError(409, "refit_running", "a refit is already running; the model "
                           "swaps when it ends")
        return json_response({"status": "started", "model_version": version}, status=202)

    @app.get("/v1/model", dependencies=read, response_model=A.ModelInfo,
             responses=_errors(401, 503), tags=["admin"], summary="The model in service")
    async def model_info():
        lv = live()
        m = lv.model
        return json_response({
            "model_version": m.version, "fitted_at": m.fitted_at, "as_of": m.as_of,
            "fit_seconds": m.fit_seconds, "events_included": m.events_upto,
            "events_pending": lv.pending_events(), "refitting": lv.refitting.locked(),
            "customers": len(m.segments), "products": len(m.catalogue),
            "precomputed": m.top is not None})

    @app.get("/healthz", response_model=A.Health, tags=["operations"], summary="Alive")
    async def healthz():
        return json_response({"status": "ok"})

    @app.get("/readyz", response_model=A.Health, responses={503: {"model": A.Health}},
             tags=["operations"], summary="Ready: a model is loaded")
    async def readyz():
        if runtime.live is None:
            return json_response({"status": "failed" if runtime.boot_error else "starting"}, 503)
        return json_response({"status": "ready", "model_version": runtime.live.model.version})

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics",
             responses={200: {"content": {"text/plain": {}}}})
    async def metrics():
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    _install_error_handlers(app)
    _install_openapi(app)
    if runtime.config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(runtime.config.cors_origins),
                           allow_methods=["GET", "POST"],
                           allow_headers=[API_KEY_HEADER, "Content-Type"], max_age=600)
    app.add_middleware(ServiceMiddleware, metrics=runtime.metrics,
                       max_body_bytes=runtime.config.max_body_bytes,
                       fast_lane=_fast_lane(runtime))
    return app


RECOMMENDATIONS_ROUTE = "/v1/customers/{customer_id}/recommendations"
_RECOMMENDATIONS_PATH = re.compile(rf"/v1/customers/([^/]{{1,{A.MAX_ID}}})/recommendations")
_PLAIN_N = re.compile(rb"n=([1-9][0-9]{0,2})")


def _recommendations_body(customer_id: str, model, items: list[dict]) -> bytes:
    return orjson.dumps({"customer_id": customer_id, "model_version": model.version,
                         "items": items})


def _fast_lane(runtime: Runtime):
    """Return the middleware's fast lane: a customer's recommendations read from the
    precomputed lists without the framework's routing and dependency solving (most of a
    request's CPU time).

    It answers only the plain case (``GET``, at most ``?n=1..100``, a key that may read, a
    valid id, no ``Origin`` header when CORS is on, lists ready for the customer), with
    the bytes the route sends (:func:`_recommendations_body`); everything else goes
    through the route, which gives the errors.
    """
    keys = runtime.config.keys
    cors = bool(runtime.config.cors_origins)

    def lane(scope) -> tuple[str, bytes] | None:
        live = runtime.live
        if live is None or scope["method"] != "GET":
            return None
        match = _RECOMMENDATIONS_PATH.fullmatch(scope["path"])
        if match is None:
            return None
        query = scope["query_string"]
        n = 10
        if query:
            plain = _PLAIN_N.fullmatch(query)
            if plain is None or int(plain.group(1)) > A.MAX_N:
                return None
            n = int(plain.group(1))
        key = None
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                if key is None:
                    key = value.decode("latin-1")
            elif name == b"origin" and cors:
                return None
        if keys.allows(key, READ) is not True:
            return None
        from recsys.insights.customer_ids import normalise_customer_id

        customer_id = normalise_customer_id(match.group(1))
        if not customer_id:
            return None
        body = live.lookup_bytes(customer_id, n, _recommendations_body)
        return None if body is None else (RECOMMENDATIONS_ROUTE, body)

    return lane


def _customer(raw: str) -> str:
    from recsys.insights.customer_ids import normalise_customer_id

    cid = normalise_customer_id(raw)
    if not cid:
        raise ApiError(422, "invalid_request", "customer_id: is empty", field="customer_id")
    return cid


def _event(body: A.PurchaseIn) -> PurchaseEvent:
    from recsys.insights.customer_ids import normalise_customer_id

    stamp = pd.Timestamp(body.timestamp)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    cid = normalise_customer_id(body.customer_id)
    if not cid:
        raise ApiError(422, "invalid_request", "customer_id: is empty", field="customer_id")
    return PurchaseEvent(
        customer_id=cid, invoice_id=body.invoice_id.strip(), timestamp=stamp,
        lines=tuple(EventLine(ln.product_id.strip(), int(ln.quantity), float(ln.unit_price))
                    for ln in body.lines))


def _field(loc) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def _install_error_handlers(app: FastAPI) -> None:
    async def api_error(request: Request, exc: ApiError):
        extra = {"fields": [{"field": exc.field, "message": exc.message}]} if exc.field else {}
        body = problem_bytes(exc.error, exc.message, **extra)
        return Response(body, status_code=exc.status, media_type="application/json",
                        headers=exc.headers)

    async def invalid(request: Request, exc: RequestValidationError):
        fields = [{"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
                  for e in exc.errors()]
        names = ", ".join(dict.fromkeys(f["field"] for f in fields))
        first = fields[0]["message"] if fields else "invalid request"
        return Response(problem_bytes("invalid_request", f"{names}: {first}", fields=fields),
                        status_code=422, media_type="application/json")

    async def http_error(request: Request, exc: StarletteHTTPException):
        codes = {404: "not_found", 405: "method_not_allowed"}
        message = {404: "no such route; see /docs", 405: "this route does not take that method"}
        body = problem_bytes(codes.get(exc.status_code, "error"),
                             message.get(exc.status_code, str(exc.detail)))
        return Response(body, status_code=exc.status_code, media_type="application/json",
                        headers=getattr(exc, "headers", None))

    async def crashed(request: Request, exc: Exception):
        return Response(problem_bytes("internal", "something went wrong on our side"),
                        status_code=500, media_type="application/json")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, crashed)


def _install_openapi(app: FastAPI) -> None:
    """Describe 422 answers with :class:`schemas.Problem`, the shape they really have."""
    original = app.openapi

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        for path in schema.get("paths", {}).values():
            for op in path.values():
                answer = op.get("responses", {}).get("422")
                if answer:
                    answer["content"] = {"application/json": {"schema": problem_ref}}
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
