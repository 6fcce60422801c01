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
APP_ROOT = '[data-testid="stApp"]'
NAV = '[data-testid="stSidebarNav"]'


def wait_for_app(page, *, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script.

    The app root carries ``data-test-script-state`` ("running" / "notRunning"); a rerun
    may start a moment after a click, so wait for the state to settle, then for the
    "Running…" status widget to be gone.
    """
    page.wait_for_selector(APP_VIEW, state="visible", timeout=timeout)
    page.wait_for_selector(f"{APP_ROOT}[data-test-connection-state=CONNECTED]", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(f"{APP_ROOT}[data-test-script-state=notRunning]", timeout=timeout)
    page.wait_for_selector(STATUS, state="detached", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(f"{APP_ROOT}[data-test-script-state=notRunning]", timeout=timeout)


def open_app(page, app_url: str, path: str = "", *, timeout: float = 60_000) -> None:
    """Open ``app_url/path`` (e.g. ``"data"`` or ``"?k=4"``) and wait for the first run."""
    page.goto(f"{app_url}/{path.lstrip('/')}")
    # A deep link may first run the page alone and then rerun it through app.py's
    # router; the sidebar navigation only exists after the router has run.
    page.wait_for_selector(NAV, state="visible", timeout=timeout)
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
