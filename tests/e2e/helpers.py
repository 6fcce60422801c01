"""Helpers for browser tests: Chromium settings and waiting for Streamlit to settle.

Import them in any e2e test: ``from tests.e2e.helpers import open_app, wait_for_app``.
"""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

STATUS = '[data-testid="stStatusWidget"]'
APP_VIEW = '[data-testid="stMain"]'


def wait_for_app(page, *, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no "Running…" status).

    The status widget appears shortly after a rerun starts, so first give it a moment
    to show, then wait until it is gone and the main view is drawn.
    """
    page.wait_for_selector(APP_VIEW, state="visible", timeout=timeout)
    try:
        page.wait_for_selector(STATUS, state="visible", timeout=500)
    except Exception:  # noqa: BLE001 - the run may have finished before we looked
        pass
    page.wait_for_selector(STATUS, state="detached", timeout=timeout)
    page.wait_for_timeout(200)


def open_app(page, app_url: str, path: str = "", *, timeout: float = 60_000) -> None:
    """Open ``app_url/path`` (e.g. ``"data"`` or ``"?k=4"``) and wait for the first run."""
    page.goto(f"{app_url}/{path.lstrip('/')}")
    wait_for_app(page, timeout=timeout)


def metric_value(page, label: str) -> str:
    """Return the displayed value of the ``st.metric`` whose label is ``label``."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    return metric.locator('[data-testid="stMetricValue"]').first.inner_text()


def go_to_page(page, title: str) -> None:
    """Click the sidebar navigation link titled ``title`` and wait for the page."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    wait_for_app(page)
