"""Run the service: JSON logs, the state-folder lock, boot in the background, uvicorn."""

from __future__ import annotations

import logging
import os
import sys

from recsys.service.config import ServiceConfig

log = logging.getLogger("recsys.service")

SWITCH_INTERVAL_S = 0.001

LOG_LEVEL_ENV = "RECSYS_LOG_LEVEL"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
"""``debug`` adds a line for every request (by default only failed and slow ones)."""


def serve(config: ServiceConfig, *, host: str, port: int) -> int:
    """Serve until interrupted (SIGINT or SIGTERM); return the exit status."""
    import uvicorn

    from recsys.service.api import create_app
    from recsys.service.logs import configure_logging
    from recsys.service.runtime import Runtime

    level = os.environ.get(LOG_LEVEL_ENV, "info").strip().upper()
    configure_logging(getattr(logging, level) if level in LEVELS else logging.INFO)
    if level not in LEVELS:
        log.warning(f"{LOG_LEVEL_ENV} must be one of {', '.join(LEVELS).lower()}; using info")
    runtime = Runtime(config)
    runtime.lock_state()
    if config.keys.short_keys:
        log.warning("some API keys are shorter than 16 characters; use long random keys",
                    extra={"fields": {"short_keys": config.keys.short_keys}})
    # background threads (fold-in, boot) hand the interpreter back to the event loop
    # every millisecond instead of every 5: reads wait less behind them
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = create_app(runtime)
    log.info("starting", extra={"fields": {
        "host": host, "port": port, "data": str(config.data), "keys": len(config.keys),
        "cors_origins": list(config.cors_origins), "refit_minutes": config.refit_minutes}})
    runtime.start()
    try:
        uvicorn.run(app, host=host, port=port, log_config=None, access_log=False,
                    server_header=False, date_header=True, timeout_graceful_shutdown=5,
                    loop="auto", http="auto", lifespan="off")
    finally:
        runtime.stop()
    return 0
