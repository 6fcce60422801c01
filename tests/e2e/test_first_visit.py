"""Browser test: a page's first visit says what it is computing instead of a blank screen."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from .conftest import running_app
from .helpers import NAV, wait_for_app

pytestmark = pytest.mark.e2e

SPINNER = '[data-testid="stMain"] [data-testid="stSpinner"]'


@pytest.fixture(scope="module")
def fresh_app_url(tmp_path_factory):
    """An app of its own, so that no other test has filled its caches yet."""
    with running_app(tmp_path_factory.mktemp("fresh")) as url:
        yield url


def test_first_run_after_start_says_what_it_loads(page, fresh_app_url):
    # The very first run after the server starts imports the analysis libraries for
    # seconds: the page names that step at once instead of staying blank. (Runs first in
    # this module, on the app no page has run in yet.)
    started = time.monotonic()
    page.goto(fresh_app_url)
    starting = page.locator('[data-testid="stMain"] [data-testid="stAlert"]').filter(
        has_text="Starting the dashboard")
    expect(starting).to_be_visible(timeout=120_000)
    print(f"first paint of the starting step {time.monotonic() - started:.2f} s after navigation")
    # Nothing of a page yet: the message is what the main area shows first.
    assert not page.locator('[data-testid="stMain"] h1').count()
    expect(page.locator(NAV)).to_be_visible(timeout=120_000)
    expect(page.locator('[data-testid="stMain"] h1').get_by_text("Overview", exact=True)).to_be_visible()
    expect(starting).to_have_count(0)
    wait_for_app(page)


def test_first_visit_shows_the_step_it_computes(page, fresh_app_url):
    page.goto(f"{fresh_app_url}/evaluation")
    # Training every model takes seconds even on the sample: the spinner names the step.
    opening = page.locator(SPINNER).filter(has_text="Opening Evaluation: training every model")
    expect(opening).to_be_visible(timeout=120_000)
    expect(page.locator(NAV)).to_be_visible()
    expect(page.get_by_text("of customers bought at least one of their 10 suggestions")).to_be_visible(
        timeout=300_000)
    expect(opening).to_have_count(0)
    wait_for_app(page)
