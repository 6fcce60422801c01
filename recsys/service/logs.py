"""Structured logs: one JSON object per line on standard error.

Each record has ``ts`` (UTC, ISO), ``level``, ``logger``, ``message`` and the fields a
caller passed as ``extra={"fields": {...}}`` (request id, route, status, milliseconds).
Headers are never logged, so an API key cannot reach a log; tracebacks go to the log
(``exc_info``), never into a response.
"""

from __future__ import annotations

import json
import logging
import sys
import time

_CONFIGURED = "_recsys_json"


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def configure_logging(level: int = logging.INFO, stream=None) -> None:
    """Send the service's and the web server's logs to ``stream`` (stderr) as JSON lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    setattr(handler, _CONFIGURED, True)
    for name in ("recsys", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [h for h in logger.handlers if not getattr(h, _CONFIGURED, False)]
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    # the server's own access log repeats ours without the route or request id
    logging.getLogger("uvicorn.access").disabled = True
