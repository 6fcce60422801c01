"""The live service, without HTTP: the current model, purchases folded in, refits swapped in.

:class:`LiveRecommender` answers every read from one :class:`~recsys.service.model.ShopModel`
taken at the start of the call, so a refit that swaps the model in the middle of a request
never mixes two versions. Purchase events are written to the durable log first, then
added to the customer's live purchases; that customer's next recommendations fold them in
(``HybridRecommender.recommend_lines``): what was bought is excluded and its neighbours
move up, without a refit. A refit (:meth:`LiveRecommender.refit`) runs in a child process
(the other core, no lock held against requests), writes a snapshot and swaps it in.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.service.config import ModelSettings
from recsys.service.events import EventLog, PurchaseEvent, event_lines
from recsys.service.model import SegmentFigures, ShopModel, as_float
from recsys.service.table import Row, folded_row

log = logging.getLogger("recsys.service")

CACHE_ITEMS = 4096
"""Product and basket answers kept per model version (they do not change between refits)."""

CACHE_ANSWERS = 50_000
"""Answers kept as JSON bytes (customer and ``n``); all are dropped when this is reached."""

CACHE_CUSTOMERS = 10_000
"""Customers whose latest answers are kept. An answer changes only with the model or the
customer's own purchases, so a kept answer is reused until either changes (both checked
on every read); the model's per-call DataFrame is then built once per customer."""


class NotFound(LookupError):
    """A product or customer the model does not know (HTTP 404); the message says why."""


class Conflict(RuntimeError):
    """An invoice id already recorded with other content (HTTP 409)."""


@dataclass(frozen=True)
class Recorded:
    """The outcome of :meth:`LiveRecommender.record`: ``accepted`` or ``duplicate``."""

    status: str
    seq: int


class LiveRecommender:
    """The current model plus the purchases recorded since it was fitted.

    Parameters
    ----------
    model : ShopModel
    log : EventLog
        Already replayed; its events after ``model.events_upto`` are folded in.
    """

    def __init__(self, model: ShopModel, event_log: EventLog):
        self.log = event_log
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._invoices: dict[str, tuple[str, int]] = {}
        self._by_customer: dict[str, list[PurchaseEvent]] = {}
        self._folded: dict[str, pd.DataFrame] = {}
        for event in event_log.replayed.events:
            self._remember(event)
        self._model = model
        self._cache: OrderedDict = OrderedDict()
        self._answers: OrderedDict = OrderedDict()
        self._rows: dict[str, Row] = {}
        self._bytes: dict[tuple[str, int], tuple] = {}
        self._dirty: dict[str, threading.Event] = {}
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self.refitting = threading.Lock()
        threading.Thread(target=self._fold_loop, name="fold-in", daemon=True).start()
        self._refold(model)

    # -- the model -------------------------------------------------------------------------
    @property
    def model(self) -> ShopModel:
        """The model in service (one attribute read: swaps are atomic)."""
        return self._model

    def swap(self, model: ShopModel) -> None:
        """Serve ``model`` from now on; requests already running finish on the old one."""
        with self._lock:
            self._model = model
            self._folded.clear()
            self._cache = OrderedDict()
            self._answers = OrderedDict()
            self._rows = {}
            self._bytes = {}
        self._refold(model)

    def attach_top(self, version: str, top) -> bool:
        """Serve reads of model ``version`` from its precomputed lists (False when another
        model is in service by now)."""
        model = self._model
        if model.version != version or model.top is not None:
            return False
        self.swap(dataclasses.replace(model, top=top))
        return True

    def _refold(self, model: ShopModel) -> None:
        """Fold in again, for ``model``, every customer with purchases after its fit."""
        if model.top is None:
            return
        for customer_id, events in list(self._by_customer.items()):
            if events and events[-1].seq > model.events_upto:
                self._mark(customer_id)

    # -- reads -----------------------------------------------------------------------------
    def lookup(self, customer_id: str, n: int) -> tuple[ShopModel, list[dict]] | None:
        """Return the model used and the customer's top ``n`` from the precomputed lists,
        or None when they are not ready for this customer (call :meth:`recommendations`).

        Cheap enough for the event loop: a slice of the customer's row and a list of dicts.
        """
        model = self._model
        top = model.top
        if top is None or customer_id in self._dirty:
            return None
        row = self._rows.get(customer_id)
        if self._model is not model:
            return None
        ids, scores, reasons = top.answer(customer_id, n, row)
        describe = model.descriptions.get
        return model, [
            {"product_id": p, "description": describe(p, ""), "score": round(as_float(s), 6),
             "reason": r}
            for p, s, r in zip(ids, scores, reasons, strict=True)]

    def lookup_bytes(self, customer_id: str, n: int, render) -> bytes | None:
        """Return ``render(customer_id, model, items)`` of :meth:`lookup`, kept until the
        model or the customer's row changes (None when :meth:`lookup` gives None)."""
        model = self._model
        row = self._rows.get(customer_id)
        kept = self._bytes.get((customer_id, n))
        if (kept is not None and kept[0] is model and kept[1] is row
                and customer_id not in self._dirty):
            return kept[2]
        found = self.lookup(customer_id, n)
        if found is None:
            return None
        body = render(customer_id, *found)
        with self._lock:
            if found[0] is self._model and self._rows.get(customer_id) is row:
                if len(self._bytes) >= CACHE_ANSWERS:
                    self._bytes.clear()
                self._bytes[(customer_id, n)] = (found[0], row, body)
        return body

    def recommendations(self, customer_id: str, n: int) -> tuple[ShopModel, list[dict]]:
        """Return the model used and the top ``n`` items for one customer.

        Items are dicts ``product_id, description, score, reason``. Unknown customers
        get cold-start recommendations; purchases recorded since the fit are folded in.
        A customer whose purchase is not folded in yet is folded in by this call.
        """
        if customer_id in self._dirty:
            # fold this customer in now rather than wait for the queue ahead of them
            try:
                self._fold(customer_id)
            except Exception:
                log.exception("fold-in failed; the customer is answered from the model",
                              extra={"fields": {"customer_id": customer_id}})
        found = self.lookup(customer_id, n)
        if found is not None:
            return found
        return self._computed(customer_id, n)

    def _computed(self, customer_id: str, n: int) -> tuple[ShopModel, list[dict]]:
        """The model's own answer (``recommend`` / ``recommend_lines``), kept per customer."""
        model = self._model
        bought = len(self._by_customer.get(customer_id, ()))
        with self._lock:
            kept = self._answers.get(customer_id, {}).get(n)
            if kept is not None and kept[0] is model and kept[1] == bought:
                self._answers.move_to_end(customer_id)
                return model, kept[2]
        lines = self._lines_since(customer_id, model)
        rec = model.recommender
        if lines is None:
            frame = rec.recommend(customer_id, n=n)
        else:
            frame = rec.recommend_lines(customer_id, lines, n=n)
        items = self._items(model, frame)
        with self._lock:
            if self._model is model:
                self._answers.setdefault(customer_id, {})[n] = (model, bought, items)
                self._answers.move_to_end(customer_id)
                if len(self._answers) > CACHE_CUSTOMERS:
                    self._answers.popitem(last=False)
        return model, items

    # -- folding purchases in, off the request path --------------------------------------------
    def _mark(self, customer_id: str) -> None:
        with self._lock:
            if customer_id not in self._dirty:
                self._dirty[customer_id] = threading.Event()
        self._queue.put(customer_id)

    def _fold_loop(self) -> None:
        while True:
            customer_id = self._queue.get()
            if customer_id is None:
                return
            if customer_id not in self._dirty:
                continue  # a read folded them in already
            try:
                self._fold(customer_id)
            except Exception:
                log.exception("fold-in failed; the customer is answered from the model",
                              extra={"fields": {"customer_id": customer_id}})
                self._done(customer_id)

    def _fold(self, customer_id: str) -> None:
        while True:
            model = self._model
            if model.top is None:
                break
            count = len(self._by_customer.get(customer_id, ()))
            lines = self._lines_since(customer_id, model)
            row = None if lines is None else folded_row(model.recommender, customer_id, lines)
            with self._lock:
                if self._model is not model:
                    continue  # swapped meanwhile: fold in again for the new model
                if len(self._by_customer.get(customer_id, ())) != count:
                    return  # another purchase came in: it is queued after this one
                if row is None:
                    self._rows.pop(customer_id, None)
                else:
                    self._rows[customer_id] = row
                pending = self._dirty.pop(customer_id, None)
            if pending is not None:
                pending.set()
            return
        self._done(customer_id)

    def _done(self, customer_id: str) -> None:
        with self._lock:
            pending = self._dirty.pop(customer_id, None)
        if pending is not None:
            pending.set()

    def folding(self) -> int:
        """Customers whose new purchases are still being folded in."""
        return len(self._dirty)

    def close(self) -> None:
        """Stop the fold-in thread."""
        self._queue.put(None)

    def similar(self, product_id: str, n: int) -> tuple[ShopModel, list[dict]]:
        """Return the model used and up to ``n`` products similar to ``product_id``.

        Raises
        ------
        NotFound
            When the product is not in the data the model was fitted on.
        """
        model = self._model
        key = ("similar", product_id, n)
        items = self._cached(model, key)
        if items is None:
            if product_id not in model.catalogue:
                raise NotFound(f"no product {product_id!r} in the data the model was fitted "
                               "on; new products are known after the next refit")
            items = self._items(model, model.recommender.similar_items(product_id, n=n))
            self._store(model, key, items)
        return model, items

    def basket(self, product_ids: list[str], n: int) -> tuple[ShopModel, list[dict]]:
        """Return the model used and up to ``n`` products to add to a cart of ``product_ids``.

        Unknown products in the cart are ignored; when few products relate to the cart,
        the list is filled with what is popular right now.
        """
        model = self._model
        cart = tuple(dict.fromkeys(product_ids))
        key = ("basket", cart, n)
        items = self._cached(model, key)
        if items is None:
            items = self._items(model, model.recommender.basket_items(list(cart), n=n))
            self._store(model, key, items)
        return model, items

    def segment(self, customer_id: str) -> tuple[ShopModel, SegmentFigures]:
        """Return the model used and the customer's segment and RFM figures.

        Raises
        ------
        NotFound
            When the customer had no purchase in the data of the last fit.
        """
        model = self._model
        figures = model.segments.get(customer_id)
        if figures is None:
            if not model.segments:
                raise NotFound("this shop has too few customers to form segments")
            since = " yet (their purchases count from the next refit)" if (
                customer_id in self._by_customer) else ""
            raise NotFound(f"customer {customer_id!r} has no segment{since}: segments are "
                           "formed from purchases in the data the model was fitted on")
        return model, figures

    # -- writes ----------------------------------------------------------------------------
    def record(self, event: PurchaseEvent) -> Recorded:
        """Write ``event`` durably (fsync) and fold it in; idempotent on ``invoice_id``.

        Raises
        ------
        Conflict
            When the invoice id was recorded before with other content.
        """
        digest = event.digest()
        with self._write_lock:
            seen = self._invoices.get(event.invoice_id)
            if seen is None and event.invoice_id in self._model.known_invoices:
                return Recorded("duplicate", 0)
            if seen is not None:
                if seen[0] != digest:
                    raise Conflict(
                        f"invoice {event.invoice_id!r} was recorded before with other "
                        "customer, time or lines; invoice ids must be unique")
                return Recorded("duplicate", seen[1])
            # the lock is held across the fsync so that two posts of one invoice cannot
            # both be written; events are few (tens per second) and the write is ~1 ms
            numbered = self.log.append(event)
            self._remember(numbered)
            self._folded.pop(numbered.customer_id, None)
        if self._model.top is not None:
            self._mark(numbered.customer_id)
        return Recorded("accepted", numbered.seq)

    def _remember(self, event: PurchaseEvent) -> None:
        self._invoices[event.invoice_id] = (event.digest(), event.seq)
        self._by_customer.setdefault(event.customer_id, []).append(event)

    def _lines_since(self, customer_id: str, model: ShopModel) -> pd.DataFrame | None:
        events = self._by_customer.get(customer_id)
        if not events:
            return None
        count = len(events)
        cached = self._folded.get(customer_id)
        if cached is not None and cached.attrs.get("key") == (model.version, count):
            return cached
        fresh = [e for e in events[:count]
                 if e.seq > model.events_upto and e.invoice_id not in model.known_invoices]
        if not fresh:
            return None
        lines = event_lines(fresh)
        lines.attrs["key"] = (model.version, count)
        self._folded[customer_id] = lines
        return lines

    def pending_events(self) -> int:
        """Events recorded after the model in service was fitted."""
        return max(0, self.log.last_seq - self._model.events_upto)

    # -- refit -------------------------------------------------------------------------------
    def refit(self, data: Path, state: Path, settings: ModelSettings) -> ShopModel | None:
        """Fit a new model on the data file plus every event so far, then swap it in.

        Runs the fit in a child process; returns None when a refit is already running.
        """
        if not self.refitting.acquire(blocking=False):
            return None
        try:
            start = time.perf_counter()
            upto = self.log.last_seq
            old = self._model.version
            from recsys.service.refit import fit_in_child

            model = fit_in_child(data, state, settings, upto)
            self.swap(model)
            log.info("model swapped", extra={"fields": {
                "old_version": old, "model_version": model.version, "events_upto": upto,
                "seconds": round(time.perf_counter() - start, 2)}})
            return model
        finally:
            self.refitting.release()

    # -- helpers -----------------------------------------------------------------------------
    def _items(self, model: ShopModel, frame: pd.DataFrame) -> list[dict]:
        describe = model.descriptions.get
        return [
            {"product_id": p, "description": describe(p, ""), "score": round(as_float(s), 6),
             "reason": r}
            for p, s, r in zip(frame[S.PRODUCT_ID].tolist(), frame[S.SCORE].tolist(),
                               frame[S.REASON].tolist(), strict=True)
        ]

    def _cached(self, model: ShopModel, key) -> list[dict] | None:
        with self._lock:
            if self._model is not model:
                return None
            return self._cache.get(key)

    def _store(self, model: ShopModel, key, items: list[dict]) -> None:
        with self._lock:
            if self._model is not model:
                return
            self._cache[key] = items
            if len(self._cache) > CACHE_ITEMS:
                self._cache.popitem(last=False)


def check_n(n: int) -> int:
    """Return ``n`` if it is 1..100, else raise ParameterError naming it."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= 100:
        raise ParameterError(f"n must be a whole number from 1 to 100, got {n!r}")
    return int(n)
