"""Browser test of the Overview's map: outlines from the app itself, countries coloured."""

from __future__ import annotations

import pytest

from .helpers import open_app

pytestmark = pytest.mark.e2e

MAP = '[data-testid="stPlotlyChart"]:has(.choroplethlayer)'


def test_overview_map_draws_countries_without_the_internet(page, app_url, tmp_path):
    outside: list[str] = []

    def refuse_outside(route):
        outside.append(route.request.url)
        route.abort()

    # anything not served by the app itself is refused (and recorded)
    page.route(lambda url: not url.startswith(app_url), refuse_outside)
    open_app(page, app_url, "")
    chart = page.locator(MAP)
    chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelectorAll('.choroplethlayer path.choroplethlocation').length > 3",
        timeout=60_000)
    countries = page.locator(".choroplethlayer path.choroplethlocation").count()
    assert countries >= 5  # the sample's countries, coloured
    assert page.locator(".geo .layer.land path, .geo .countries path").count() > 0
    assert not [url for url in outside if "plot.ly" in url]
    chart.screenshot(path=str(tmp_path / "overview_map.png"))
