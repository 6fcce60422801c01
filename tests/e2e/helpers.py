"""Helpers for browser tests: Chromium settings and waiting for Streamlit, without sleeps.

Import them in any e2e test: ``from tests.e2e.helpers import open_app, wait_for_app``.

Nothing here waits a fixed time. :func:`wait_for_app` waits until no script run is in
progress, but no page can tell that a click is *about* to start a rerun: after an action,
wait for what it changes with Playwright's auto-retrying ``expect`` (for example
``expect(metric(page, "Rules")).to_have_text("12")``, or ``not_to_have_text(before)``),
then read the page.
"""

from __future__ import annotations

from playwright.sync_api import expect

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

# True when the app is connected, its script is not running, the "Running…" widget is
# gone and no element of an earlier run is still shown as stale: all at one instant.
_SETTLED = f"""() => {{
    const app = document.querySelector('{APP_ROOT}');
    return !!app && !!document.querySelector('{APP_VIEW}')
        && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('{STATUS}')
        && !document.querySelector('[data-stale="true"]');
}}"""


def wait_for_app(page, *, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no run in progress).

    The app root carries ``data-test-script-state`` ("running" / "notRunning"). A rerun
    that an action has not started yet is invisible here: follow an action with an
    ``expect`` on its outcome (see the module docstring).
    """
    page.wait_for_function(_SETTLED, timeout=timeout)


def open_app(page, app_url: str, path: str = "", *, timeout: float = 60_000) -> None:
    """Open ``app_url/path`` (e.g. ``"data"`` or ``"?k=4"``) and wait for the first run."""
    page.goto(f"{app_url}/{path.lstrip('/')}")
    # A deep link may first run the page alone and then rerun it through app.py's
    # router; the sidebar navigation only exists after the router has run.
    expect(page.locator(NAV)).to_be_visible(timeout=timeout)
    wait_for_app(page, timeout=timeout)


def metric(page, label: str):
    """Return a locator of the displayed value of the ``st.metric`` labelled ``label``.

    Use it with ``expect`` (``to_have_text``) after an action: it retries until the
    rerun has drawn the new value.
    """
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    return box.locator('[data-testid="stMetricValue"]').first


def metric_value(page, label: str) -> str:
    """Return the displayed value of the ``st.metric`` whose label is ``label`` (now)."""
    return metric(page, label).inner_text()


def go_to_page(page, title: str) -> None:
    """Click the sidebar navigation link titled ``title`` and wait for that page's run.

    The page is there when its title (an ``st.title`` equal to the link's text) is shown
    and the run has finished.
    """
    link = page.locator(f"{NAV} a", has_text=title).first
    if not link.is_visible():  # a menu of many pages shows its first ones and "View more"
        more = page.locator('[data-testid="stSidebarNavViewButton"]')
        if more.count():
            more.first.click()
    link.click()
    expect(page.locator(APP_VIEW).locator("h1").get_by_text(title, exact=True)).to_be_visible()
    wait_for_app(page)
