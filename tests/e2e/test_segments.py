"""Browser test: open Segments with ?k=3, move the k slider, download a segment's CSV."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import go_to_page, metric, metric_value, open_app, wait_for_app

pytestmark = pytest.mark.e2e


def test_segments_slider_and_segment_download(page, app_url, tmp_path):
    open_app(page, app_url, "segments?k=3", timeout=120_000)
    expect(metric(page, "Segments (k)")).to_have_text("3")

    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Number of segments")
    thumb = slider.get_by_role("slider").first
    thumb.focus()
    page.keyboard.press("ArrowRight")
    expect(metric(page, "Segments (k)")).to_have_text("4", timeout=120_000)
    expect(page).to_have_url(re.compile(r"[?&]k=4(&|$)"))
    wait_for_app(page, timeout=120_000)

    go_to_page(page, "Segment explorer")
    customers = int(metric_value(page, "Customers").replace(",", ""))
    # The top products' table: every column and whole descriptions in its box.
    # (The page's tables: members, top products, categories, countries.)
    page.get_by_role("heading", name="Top products").scroll_into_view_if_needed()
    products = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').nth(1).locator(".dvn-scroller")
    expect(products).to_be_attached()
    scroll, client = products.evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert scroll <= client + 1, (scroll, client)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download this segment").click()
    download = info.value
    assert download.suggested_filename.startswith("segment_1_")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"Customer ID": str})
    # Campaign-ready: words a marketer reads, the technical figures left out.
    assert list(frame.columns[:7]) == ["Customer ID", "Country", "Segment", "Segment name",
                                       "Last order (days ago)", "Orders", "Spend (£, net of cancellations)"]
    assert not any(c.startswith(("Share of spend", "Cancelled")) for c in frame.columns)
    assert len(frame) == customers
    assert (frame["Segment"] == 1).all()
    assert frame["Segment name"].nunique() == 1
    assert frame["Customer ID"].is_unique
    assert [f"Recommendation {r}" for r in range(1, 6)] == list(frame.columns[-5:])
    assert frame["Recommendation 1"].notna().all()

    # The technical columns on demand, under readable names too.
    page.get_by_text("Add the technical columns").click()
    button = page.get_by_role("button", name="Download this segment")
    expect(button).to_contain_text("with the technical columns", timeout=120_000)
    wait_for_app(page, timeout=120_000)
    with page.expect_download() as info:
        button.click()
    path = tmp_path / "technical.csv"
    info.value.save_as(path)
    full = pd.read_csv(path, encoding="utf-8-sig", dtype={"Customer ID": str})
    assert "Cancelled orders (%)" in full.columns and len(full) == customers
    assert not any("_" in c for c in full.columns)


# Text of every chart (annotations, tick labels, legend) drawn outside its chart's box: cut.
_CUT_TEXT = """() => {
    const cut = [];
    let seen = 0;
    for (const plot of document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')) {
        const box = plot.querySelector('svg.main-svg').getBoundingClientRect();
        if (box.width === 0) continue;  // in a closed expander
        for (const t of plot.querySelectorAll('.annotation-text, .xtick text, .ytick text, .legendtext')) {
            const r = t.getBoundingClientRect();
            if (r.width === 0) continue;
            seen += 1;
            if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
                cut.push(t.textContent);
            }
        }
    }
    return {cut, seen};
}"""


def test_segments_at_k12_no_label_is_cut(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 3600})
    open_app(page, app_url, "segments?k=12", timeout=180_000)
    expect(metric(page, "Segments (k)")).to_have_text("12", timeout=180_000)
    wait_for_app(page, timeout=180_000)
    main = page.locator('[data-testid="stMain"]')
    expect(main.locator(".js-plotly-plot")).to_have_count(6, timeout=60_000)
    expect(main.locator(".annotation-text").filter(has_text="chosen k = 12")).to_have_count(2)
    found = page.evaluate(_CUT_TEXT)
    assert found["seen"] > 50 and found["cut"] == []
    # The sizes chart names every segment in full, as the list below the table does.
    ticks = main.locator(".js-plotly-plot").nth(2).locator(".ytick text").evaluate_all(
        "texts => texts.map(t => t.textContent)")
    assert len(ticks) == 12 and not any(t.endswith("…") for t in ticks)
    for tick in ticks:
        expect(main.get_by_text(tick, exact=False).first).to_be_attached()
    # The segment table: every column and all 12 rows in its box, no scrolling sideways.
    grid = main.locator('[data-testid="stDataFrame"]').first.locator(".dvn-scroller")
    sizes = grid.evaluate("s => [s.scrollWidth, s.clientWidth, s.scrollHeight, s.clientHeight]")
    assert sizes[0] <= sizes[1] + 1 and sizes[2] <= sizes[3] + 1, sizes
    # Each segment's typical customer written out whole beneath it, lines wrapping in their box.
    items = main.locator("li").filter(has_text="of revenue): last ordered")
    expect(items).to_have_count(12)
    widths = items.evaluate_all("lis => lis.map(li => [li.scrollWidth, li.clientWidth, li.textContent])")
    assert all(scroll <= client + 1 and not text.endswith("…") for scroll, client, text in widths), widths
