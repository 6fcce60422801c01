"""What the app shows when something fails: the message of a problem the user can fix, or a
short apology with a reference for anything else (a bug), whose traceback goes to the log.

The router (app.py) runs the sidebar and every page inside :func:`reported`, so a page
only catches the :class:`recsys.errors.RecsysError` it can explain better in place.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from recsys.errors import LOG_ENV, RecsysError, new_reference
from ui.format import plain_text

LOGGER = "shop_insights"
"""Name of the app's logger: unexpected errors, with their reference and traceback."""


def logger() -> logging.Logger:
    """Return the app's logger, writing to the server's stderr (and to ``$RECSYS_LOG`` when set)."""
    log = logging.getLogger(LOGGER)
    if not log.handlers:
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
        path = os.environ.get(LOG_ENV, "").strip()
        if path:
            handlers.append(logging.FileHandler(path, encoding="utf-8"))
        for handler in handlers:
            handler.setFormatter(formatter)
            log.addHandler(handler)
        log.setLevel(logging.INFO)
    return log


def apology(reference: str) -> str:
    """Return the text shown for an unexpected error with ``reference``."""
    return (
        "Sorry, something went wrong on our side. This is a fault in the app, not a problem "
        "with your data or settings. Try again, or open another page; if it keeps happening, "
        f"tell the team the reference **{reference}**."
    )


def report_unexpected(exc: BaseException, *, where: str) -> str:
    """Log ``exc`` with its traceback and a new reference, show the apology; return the reference."""
    reference = new_reference()
    logger().error("unexpected error %s in %s", reference, where, exc_info=(type(exc), exc, exc.__traceback__))
    st.error(apology(reference), icon=":material/error:")
    return reference


@contextmanager
def reported(where: str) -> Iterator[None]:
    """Run a block of the app; show what fails instead of a traceback.

    A :class:`recsys.errors.RecsysError` shows its message (it says what to do); any other
    exception shows :func:`apology` with a reference and is logged with its traceback.
    Streamlit's own control flow (``st.stop``, ``st.rerun``, page switches) passes through.
    """
    try:
        yield
    except RecsysError as exc:
        st.error(plain_text(str(exc)))
    except Exception as exc:  # noqa: BLE001 - the app's last line: anything else is a bug
        report_unexpected(exc, where=where)
