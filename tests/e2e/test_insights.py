"""Browser tests of the Baskets and Trends pages: settings and filters change what is shown."""

from __future__ import annotations

import pytest

from .helpers import go_to_page, metric_value, open_app, wait_for_app

pytestmark = pytest.mark.e2e

MAIN = '[data-testid="stMain"]'


def _slider_thumb(page, label: str):
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label)
    return slider.get_by_role("slider").first


def test_baskets_support_and_segment_change_the_rules(page, app_url):
    open_app(page, app_url, "baskets")
    main = page.locator(MAIN)
    assert not main.locator('[data-testid="stException"]').count()
    rules_before = metric_value(page, "Rules")
    sets_before = metric_value(page, "Frequent product sets")

    thumb = _slider_thumb(page, "Minimum support")
    thumb.focus()
    for _ in range(10):  # +1.0 percentage point, 0.1 per key press
        page.keyboard.press("ArrowRight")
    wait_for_app(page)
    rules_higher_support = metric_value(page, "Rules")
    assert rules_higher_support != rules_before
    assert int(rules_higher_support.replace(",", "")) < int(rules_before.replace(",", ""))
    assert metric_value(page, "Frequent product sets") != sets_before

    baskets_all = metric_value(page, "Baskets analysed")
    segments = main.locator('[data-testid="stMultiSelect"]').filter(has_text="Customer segments")
    segments.locator("input").click()
    page.locator('[role="option"]').first.click()
    wait_for_app(page)
    page.keyboard.press("Escape")
    assert metric_value(page, "Baskets analysed") != baskets_all
    assert metric_value(page, "Rules") != rules_higher_support
    assert not main.locator('[data-testid="stException"]').count()

    with page.expect_download() as download_info:
        main.get_by_role("button", name="Download rules (CSV)").click()
    text = open(download_info.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith(
        "antecedents,consequents,support,confidence,lift,leverage,conviction"
    )


def test_baskets_second_visit_comes_back_with_its_date_range(page, app_url):
    open_app(page, app_url, "baskets")
    main = page.locator(MAIN)
    dates = main.locator('[data-testid="stDateInput"] input').first.input_value()
    baskets = metric_value(page, "Baskets analysed")
    for _ in range(2):
        go_to_page(page, "Overview")
        go_to_page(page, "Baskets")
        assert not main.locator('[data-testid="stException"]').count()
        assert main.locator('[data-testid="stDateInput"] input').first.input_value() == dates
        assert metric_value(page, "Baskets analysed") == baskets


def test_trends_page_shows_totals_and_seasonality(page, app_url):
    open_app(page, app_url, "trends")
    main = page.locator(MAIN)
    assert not main.locator('[data-testid="stException"]').count()
    assert metric_value(page, "Revenue").startswith("£")
    main.get_by_role("tab", name="Seasonality").click()
    assert main.get_by_text("Seasonality index").first.is_visible()
