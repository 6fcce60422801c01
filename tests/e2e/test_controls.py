"""Browser tests of controls that must not invite failure: a date typed and applied with
Enter, a range outside the data explained in words, and the lowest support the Baskets
page offers actually counted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import metric, open_app, wait_for_app

pytestmark = pytest.mark.e2e

MAIN = '[data-testid="stMain"]'


def _type_dates(page, start: str, end: str | None = None) -> None:
    """Type ``start`` (and ``end``) as DDMMYYYY into the page's first date-range field, then
    press Enter."""
    field = page.locator(f'{MAIN} [data-testid="stDateInputField"]').first
    field.locator('[data-range-field="start"] [data-type="day"]').click()
    page.keyboard.type(start)
    if end is not None:
        field.locator('[data-range-field="end"] [data-type="day"]').click()
        page.keyboard.type(end)
    page.keyboard.press("Enter")


def test_trends_typed_dates_apply_on_enter(page, app_url):
    open_app(page, app_url, "trends")
    main = page.locator(MAIN)
    expect(main.get_by_text("Bundled sample shop · 02 Jan 2011 – 31 Dec 2011")).to_be_visible()
    _type_dates(page, "01032011", "31032011")
    # Enter alone (no click elsewhere) applies the range: the page shows March only.
    expect(main.get_by_text("Bundled sample shop · 01 Mar 2011 – 31 Mar 2011")).to_be_visible()
    wait_for_app(page)
    ends = main.locator('[data-testid="stDateInput"] input[type="date"]')
    assert (ends.first.input_value(), ends.last.input_value()) == ("2011-03-01", "2011-03-31")
    assert not main.locator('[data-testid="stException"]').count()


def test_trends_range_outside_the_data_is_said_in_words(page, app_url):
    open_app(page, app_url, "trends")
    main = page.locator(MAIN)
    _type_dates(page, "01112010", "31032011")
    note = main.locator('[data-testid="stAlert"] [data-testid="stMarkdownContainer"]').filter(
        has_text="The data covers")
    expect(note).to_have_text(
        "The data covers 2 Jan 2011 – 31 Dec 2011: showing 2 Jan 2011 – 31 Mar 2011, the part "
        "of 1 Nov 2010 – 31 Mar 2011 that has data.", use_inner_text=True)
    expect(main.get_by_text("Bundled sample shop · 02 Jan 2011 – 31 Mar 2011")).to_be_visible()
    # The field shows what is applied, not a red field holding the typed dates.
    ends = main.locator('[data-testid="stDateInput"] input[type="date"]')
    expect(ends.first).to_have_value("2011-01-02")
    assert not main.locator('[data-testid="stDateInputError"]').count()


def test_baskets_typed_date_applies_on_enter(page, app_url):
    open_app(page, app_url, "baskets")
    before = metric(page, "Baskets analysed").inner_text()
    _type_dates(page, "01072011")  # the start only: July to December
    expect(metric(page, "Baskets analysed")).not_to_have_text(before)
    wait_for_app(page)
    ends = page.locator(f'{MAIN} [data-testid="stDateInput"] input[type="date"]')
    assert ends.first.input_value() == "2011-07-01"


def test_baskets_lowest_offered_support_is_counted(page, app_url):
    open_app(page, app_url, "baskets")
    main = page.locator(MAIN)
    slider = main.locator('[data-testid="stSlider"]').filter(has_text="Minimum support")
    thumb = slider.get_by_role("slider").first
    before = metric(page, "Frequent product sets").inner_text()
    thumb.focus()
    page.keyboard.press("Home")  # the lowest support the slider offers
    lowest = float(thumb.get_attribute("min"))
    expect(thumb).to_have_attribute("aria-valuetext", f"{lowest:.1f}%")
    expect(metric(page, "Frequent product sets")).not_to_have_text(before)
    wait_for_app(page)
    # Counted, not refused: figures and rules, and no "too many sets" warning.
    assert not main.locator('[data-testid="stAlert"]').filter(has_text="too many").count()
    assert not main.locator('[data-testid="stException"]').count()
    assert int(metric(page, "Frequent product sets").inner_text().replace(",", "")) > 0
    expect(main.get_by_text("Top rules")).to_be_visible()


def test_segment_movement_day_outside_the_data_is_said_in_words(page, app_url):
    open_app(page, app_url, "segment_movement")
    main = page.locator(MAIN)
    to_field = main.locator('[data-testid="stDateInput"]').filter(has_text="To").locator(
        '[data-testid="stDateInputField"]')
    to_field.locator('[data-type="day"]').click()
    page.keyboard.type("01012020")
    page.keyboard.press("Enter")
    note = main.locator('[data-testid="stAlert"] [data-testid="stMarkdownContainer"]').filter(
        has_text="is after the data")
    expect(note).to_have_text("“To” 1 Jan 2020 is after the data, which covers 2 Jan 2011 – 31 Dec 2011: "
                              "31 Dec 2011 is used instead.", use_inner_text=True)
    wait_for_app(page)
    assert not main.locator('[data-testid="stException"]').count()
    assert not main.locator('[data-testid="stDateInputError"]').count()
