"""Browser test of the Evaluation page on the bundled sample: protocol, headline, table, chart."""

from __future__ import annotations

import pytest

from .helpers import open_app

pytestmark = pytest.mark.e2e


def test_evaluation_page_shows_cut_table_and_chart(page, app_url):
    open_app(page, app_url, "evaluation", timeout=180_000)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("The data is cut on", exact=False).wait_for(timeout=180_000)
    main.locator('[data-testid="stMetric"]').first.wait_for(timeout=180_000)
    assert main.get_by_text("Hybrid NDCG@10").is_visible()
    assert main.locator('[data-testid="stDataFrame"]').count() == 1
    main.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    assert not main.locator('[data-testid="stException"]').count()
    assert not main.get_by_text("This app has encountered an error").count()
