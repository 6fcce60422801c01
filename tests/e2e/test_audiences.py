"""Browser test: build an audience from conditions, download it, reopen it by its link."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import metric, metric_value, open_app, wait_for_app

pytestmark = pytest.mark.e2e


def test_audience_build_download_and_reopen(page, app_url, tmp_path):
    open_app(page, app_url, "audiences?k=4", timeout=180_000)
    everyone = int(metric_value(page, "Customers").replace(",", ""))

    page.get_by_label("Audience name", exact=True).fill("Win back")
    page.get_by_label("Audience name", exact=True).press("Enter")
    # Wait for the run the change starts (its address carries the condition), then for its end:
    # on a busy machine the rerun may start later than any fixed pause.
    page.wait_for_url(re.compile(r"aud=Win"), timeout=120_000)
    wait_for_app(page, timeout=120_000)
    quiet = page.get_by_label("No order in the last N days", exact=True)
    quiet.fill("60")
    quiet.press("Enter")
    page.wait_for_url(re.compile(r"aud_quiet_days=60"), timeout=120_000)
    expect(metric(page, "Customers")).not_to_have_text(f"{everyone:,}", timeout=120_000)
    wait_for_app(page, timeout=120_000)
    chosen = int(metric_value(page, "Customers").replace(",", ""))
    assert 0 < chosen < everyone
    assert "aud=Win" in page.url

    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"^Download [\d,]+ customers")).click()
    download = info.value
    assert download.suggested_filename == "win_back.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"Customer ID": str})
    assert len(frame) == chosen and frame["Customer ID"].is_unique
    # Campaign-ready: columns named in words, the technical figures left out.
    assert {"Segment name", "Predicted 12-month value (£)", "Last order (days ago)"} <= set(frame.columns)
    assert not any("_" in c or c.startswith(("Share of spend", "Cancelled")) for c in frame.columns)
    assert [f"Recommendation {r}" for r in range(1, 6)] == list(frame.columns[-5:])
    # No order in the last 60 days: recency (days to the day after the last invoice) is above 60.
    assert (frame["Last order (days ago)"] > 60).all()

    # The technical columns on demand, under readable names too.
    page.get_by_text("Add the technical columns").click()
    button = page.get_by_role("button", name=re.compile(r"^Download [\d,]+ customers"))
    expect(button).to_contain_text("with the technical columns", timeout=120_000)
    wait_for_app(page, timeout=120_000)
    with page.expect_download() as info:
        button.click()
    path = tmp_path / "technical.csv"
    info.value.save_as(path)
    full = pd.read_csv(path, encoding="utf-8-sig", dtype={"Customer ID": str})
    assert "Cancelled orders (%)" in full.columns and "Chance still active (%)" in full.columns
    assert len(full) == chosen and not any("_" in c for c in full.columns)

    link = page.url.split("/audiences", 1)[1]
    other = page.context.new_page()
    open_app(other, app_url, "audiences" + link, timeout=180_000)
    assert int(metric_value(other, "Customers").replace(",", "")) == chosen
    assert other.get_by_label("Audience name", exact=True).input_value() == "Win back"
    other.close()
