"""Browser tests of the Baskets and Trends pages: settings and filters change what is shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import go_to_page, metric, metric_value, open_app, wait_for_app

pytestmark = pytest.mark.e2e

MAIN = '[data-testid="stMain"]'


def _slider_thumb(page, label: str):
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label)
    return slider.get_by_role("slider").first


@pytest.fixture(scope="module")
def basket_figures() -> dict[float, tuple[str, str, str]]:
    """``{support: (baskets, frequent sets, rules)}`` of the sample as the page's defaults
    count them (net lines of all dates, countries and customers; sets of up to 3 products;
    confidence 20 %; rules with a lift above 1), worked out with the library."""
    from recsys.baskets.itemsets import DEFAULT_MAX_BASKET_ITEMS, basket_matrix, frequent_itemsets
    from recsys.baskets.rules import association_rules
    from recsys.data.cancellations import net_transactions
    from recsys.data.load import load_dataset
    from tests.conftest import SAMPLE_DIR

    matrix = basket_matrix(net_transactions(load_dataset(SAMPLE_DIR)),
                           max_basket_items=DEFAULT_MAX_BASKET_ITEMS)
    out = {}
    for support in (0.01, 0.02):
        itemsets = frequent_itemsets(matrix, min_support=support, max_len=3)
        rules = association_rules(itemsets, min_confidence=0.2)
        out[support] = (f"{matrix.n_baskets:,}", f"{(itemsets['length'] >= 2).sum():,}",
                        f"{(rules['lift'] > 1).sum():,}")
    return out


def test_baskets_support_and_segment_change_the_rules(page, app_url, basket_figures, sample_figures):
    open_app(page, app_url, "baskets")
    main = page.locator(MAIN)
    assert not main.locator('[data-testid="stException"]').count()
    baskets, sets, rules = basket_figures[0.01]
    assert baskets == sample_figures["Invoices"]  # every order not cancelled in full is a basket
    expect(metric(page, "Baskets analysed")).to_have_text(baskets)
    expect(metric(page, "Frequent product sets")).to_have_text(sets)
    expect(metric(page, "Rules")).to_have_text(rules)

    thumb = _slider_thumb(page, "Minimum support")
    thumb.focus()
    for _ in range(10):  # +1.0 percentage point, 0.1 per key press (a rerun each, maybe)
        page.keyboard.press("ArrowRight")
    expect(thumb).to_have_attribute("aria-valuetext", "2.0%")
    # The figures of 2.0 %, not of a step on the way there.
    _, sets_2, rules_2 = basket_figures[0.02]
    expect(metric(page, "Frequent product sets")).to_have_text(sets_2)
    expect(metric(page, "Rules")).to_have_text(rules_2)
    wait_for_app(page)
    assert int(rules_2.replace(",", "")) < int(rules.replace(",", ""))

    segments = main.locator('[data-testid="stMultiSelect"]').filter(has_text="Customer segments")
    segments.locator("input").click()
    page.locator('[role="option"]').first.click()
    expect(metric(page, "Baskets analysed")).not_to_have_text(baskets)
    wait_for_app(page)
    page.keyboard.press("Escape")
    assert int(metric_value(page, "Baskets analysed").replace(",", "")) < int(baskets.replace(",", ""))
    assert metric_value(page, "Rules") != rules_2
    assert not main.locator('[data-testid="stException"]').count()

    with page.expect_download() as download_info:
        main.get_by_role("button", name="Download rules (CSV)").click()
    text = open(download_info.value.path(), encoding="utf-8-sig").read()
    header, *lines = text.splitlines()
    assert header.startswith("antecedents,consequents,support,confidence,lift,leverage,conviction")
    assert len(lines) == int(metric_value(page, "Rules").replace(",", ""))


def test_baskets_second_visit_comes_back_with_its_date_range(page, app_url, basket_figures):
    open_app(page, app_url, "baskets")
    main = page.locator(MAIN)
    # The two ends of the date range (hidden ISO inputs beside the DD/MM/YYYY fields):
    # the sample's whole year.
    ends = main.locator('[data-testid="stDateInput"] input[type="date"]')
    expect(ends).to_have_count(2)
    expect(ends.first).to_have_value("2011-01-02")
    expect(ends.last).to_have_value("2011-12-31")
    baskets = basket_figures[0.01][0]
    expect(metric(page, "Baskets analysed")).to_have_text(baskets)
    for _ in range(2):
        go_to_page(page, "Overview")
        go_to_page(page, "Baskets")
        assert not main.locator('[data-testid="stException"]').count()
        expect(ends).to_have_count(2)
        assert (ends.first.input_value(), ends.last.input_value()) == ("2011-01-02", "2011-12-31")
        assert metric_value(page, "Baskets analysed") == baskets


def test_trends_page_shows_totals_and_seasonality(page, app_url, sample_figures):
    open_app(page, app_url, "trends")
    main = page.locator(MAIN)
    assert not main.locator('[data-testid="stException"]').count()
    # The whole year by default: the Overview's totals.
    for label, figure in (("Revenue", "Revenue"), ("Orders", "Invoices"),
                          ("Units sold", "Units sold"), ("Average order value", "Average order value")):
        assert metric_value(page, label) == sample_figures[figure], label
    main.get_by_role("tab", name="Seasonality").click()
    expect(main.get_by_text("Seasonality index").first).to_be_visible()
