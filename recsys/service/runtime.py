"""The running service's moving parts: boot, the thread pools, refits, the state-folder lock.

Boot runs in a background thread so that ``/healthz`` answers at once and ``/readyz``
says 503 until the model is in: open the event log (replaying it, a torn last record cut
off), load the data, take the newest snapshot when it was fitted on this data and these
settings (else fit, and save one), then fold in the events after it.

Scoring runs in a small thread pool, never on the event loop; event writes (fsync) have
a thread of their own, so a slow disk never delays a recommendation. One process, one
model in memory: on a 2-core machine the second core is left to the refit child.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import filelock

from recsys.service.config import ServiceConfig
from recsys.service.events import EventLog
from recsys.service.live import LiveRecommender
from recsys.service.middleware import Metrics

log = logging.getLogger("recsys.service")

SCORING_THREADS = 4
LOCK_NAME = "service.lock"


class StateInUse(RuntimeError):
    """Another service holds the state folder."""


class Runtime:
    """One service instance: its settings, metrics, pools and (once booted) the live model.

    Parameters
    ----------
    config : ServiceConfig
    """

    def __init__(self, config: ServiceConfig):
        self.config = config
        self.metrics = Metrics()
        self.live: LiveRecommender | None = None
        self.boot_error: str | None = None
        self.booted_at: float | None = None
        self.started_at = time.perf_counter()
        self.scoring = ThreadPoolExecutor(SCORING_THREADS, thread_name_prefix="score")
        self.writes = ThreadPoolExecutor(1, thread_name_prefix="events")
        self._stop = threading.Event()
        self._lock: filelock.FileLock | None = None
        self._refit_thread: threading.Thread | None = None
        self._top_thread: threading.Thread | None = None
        self._top_lock = threading.Lock()

    # -- life cycle ------------------------------------------------------------------------
    def lock_state(self) -> None:
        """Take the state folder for this process (released when it exits, even on kill -9).

        Raises
        ------
        StateInUse
            When another service runs on the same folder.
        """
        state = Path(self.config.state)
        state.mkdir(parents=True, exist_ok=True)
        self._lock = filelock.FileLock(str(state / LOCK_NAME), timeout=0)
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise StateInUse(f"another service is running on the state folder {state}; "
                             "stop it or give this one another --state") from None

    def start(self) -> None:
        """Boot in the background, and start the refit schedule if one is set."""
        threading.Thread(target=self._boot, name="boot", daemon=True).start()
        if self.config.refit_minutes:
            threading.Thread(target=self._schedule, name="refit-schedule", daemon=True).start()

    def _boot(self) -> None:
        from recsys.data.load import load_dataset
        from recsys.pipeline.store import source_fingerprint
        from recsys.service.model import load_snapshot
        from recsys.service.refit import build_model

        cfg = self.config
        timings = {}
        try:
            event_log = EventLog(cfg.state)
            clock = time.perf_counter()
            # the same bytes as the snapshot's: no need to read and clean the file
            model = load_snapshot(cfg.state, source_fingerprint=source_fingerprint(cfg.data),
                                  settings=cfg.model, last_seq=event_log.last_seq)
            source = "snapshot"
            if model is None:
                dataset = load_dataset(cfg.data)
                timings["load_seconds"] = round(time.perf_counter() - clock, 2)
                model = load_snapshot(cfg.state, data_fingerprint=dataset.fingerprint,
                                      settings=cfg.model, last_seq=event_log.last_seq)
                if model is None:
                    # ready sooner: the top lists are precomputed after boot
                    # (start_top_lists)
                    model, _ = build_model(cfg.data, cfg.state, cfg.model, event_log.last_seq,
                                           dataset=dataset, top=False)
                    source = "fit"
                del dataset
            timings["model_seconds"] = round(time.perf_counter() - clock, 2)
            self.live = LiveRecommender(model, event_log)
        except Exception as exc:
            self.boot_error = str(exc)
            log.exception("the model could not be loaded; the service stays not ready")
            return
        self.booted_at = time.perf_counter()
        self._model_changed()
        log.info("ready", extra={"fields": {
            "model_version": model.version, "source": source,
            "boot_seconds": round(self.booted_at - self.started_at, 2), **timings,
            "fit_seconds": model.fit_seconds, "events_replayed": len(event_log.replayed.events),
            "events_pending": self.live.pending_events(),
            "customers": len(model.segments), "products": len(model.catalogue),
            "top_lists": model.top is not None}})
        if model.top is None:
            self.start_top_lists()

    def _schedule(self) -> None:
        every = 60.0 * self.config.refit_minutes
        while not self._stop.wait(every):
            if self.live is not None and self.live.pending_events() > 0:
                self._refit()

    def stop(self) -> None:
        """Stop the schedule and the pools, close the log, free the state folder."""
        self._stop.set()
        self.scoring.shutdown(wait=False, cancel_futures=True)
        self.writes.shutdown(wait=True)
        if self.live is not None:
            self.live.close()
            self.live.log.close()
        if self._lock is not None:
            self._lock.release()

    # -- refits ------------------------------------------------------------------------------
    def start_refit(self) -> bool:
        """Start a refit in the background; False when one is already running."""
        live = self.live
        if live is None or live.refitting.locked():
            return False
        thread = threading.Thread(target=self._refit, name="refit", daemon=True)
        self._refit_thread = thread
        thread.start()
        return True

    def start_top_lists(self) -> None:
        """Precompute every customer's top products of the model in service, in a child
        process, and serve reads from them once done (until then the model answers)."""
        thread = threading.Thread(target=self._top_lists, name="top-lists", daemon=True)
        self._top_thread = thread
        thread.start()

    def _top_lists(self) -> None:
        from recsys.service.model import MODELS_DIR
        from recsys.service.refit import top_lists_in_child

        live = self.live
        if not self._top_lock.acquire(blocking=False):
            return
        try:
            start = time.perf_counter()
            model = live.model
            snapshot = Path(self.config.state) / MODELS_DIR / f"{model.version}.pkl"
            top = top_lists_in_child(snapshot, Path(self.config.state))
            attached = live.attach_top(model.version, top)
            log.info("top lists ready", extra={"fields": {
                "model_version": model.version, "attached": attached,
                "seconds": round(time.perf_counter() - start, 2),
                "since_start_seconds": round(time.perf_counter() - self.started_at, 2)}})
        except Exception:
            log.exception("top lists could not be built; the model answers every read")
        finally:
            self._top_lock.release()

    def _refit(self) -> None:
        live = self.live
        try:
            model = live.refit(self.config.data, self.config.state, self.config.model)
        except Exception:
            self.metrics.refits.labels("failed").inc()
            log.exception("refit failed; the model in service stays")
            return
        if model is not None:
            self.metrics.refits.labels("swapped").inc()
            self._model_changed()

    def _model_changed(self) -> None:
        m = self.metrics
        m.ready.set(1)
        m.fit_seconds.set(self.live.model.fit_seconds)
        m.pending.set(self.live.pending_events())
