"""Shared figure helpers: data text shows as typed in every chart, missing text is blank."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ui.figures import baskets, common, overview, segments, trends

EVIL = "[click](http://x) <b>bold</b> *x*"
ESCAPED = "[click](http://x) &lt;b&gt;bold&lt;/b&gt; *x*"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_plain_label_missing_is_blank(missing):
    assert common.plain_label(missing) == ""


def test_plain_label_escapes_html_and_shortens():
    assert common.plain_label(EVIL) == ESCAPED
    assert common.plain_label("<a href='x'>go</a>") == "&lt;a href='x'&gt;go&lt;/a&gt;"
    assert common.plain_label("abcdefgh", limit=5) == "abcd…"
    assert common.plain_label("abcde", limit=5) == "abcde"
    assert common.plain_label(12) == "12"


def test_figure_layout_merges_axes_and_extras():
    layout = common.figure_layout(height=300, xaxis={"title": {"text": "k"}}, barmode="group")
    assert layout["xaxis"] == {"gridcolor": common.GRID_COLOUR, "title": {"text": "k"}}
    assert layout["yaxis"] == {"gridcolor": common.GRID_COLOUR}
    assert (layout["height"], layout["showlegend"], layout["barmode"]) == (300, False, "group")
    assert "xaxis" not in common.figure_layout(height=300, grid=False)


def test_overview_top_products_escapes_and_blanks_missing_descriptions():
    top = pd.DataFrame(
        {
            "product_id": ["P<1>", "P2"],
            "description": [EVIL, np.nan],
            "revenue": [20.0, 10.0],
            "units": [2, 1],
            "orders": [1, 1],
            "share": [0.67, 0.33],
        }
    )
    fig = overview.top_products_chart(top)
    labels = list(fig.data[0].y)[::-1]
    assert labels[0].startswith("[click](http://x) &lt;b&gt;bold")
    assert "<b>" not in labels[0] and "P&lt;1&gt;" in labels[0]
    assert labels[1] == "P2 (P2)"  # no description: the id, never "nan"
    hover = list(fig.data[0].hovertext)[::-1]
    assert hover[0].startswith(ESCAPED + "<br>")
    assert "nan" not in hover[1]


def test_overview_top_countries_escapes():
    top = pd.DataFrame(
        {"country": [EVIL], "revenue": [5.0], "orders": [1], "customers": [1], "share": [1.0]}
    )
    fig = overview.top_countries_chart(top)
    assert fig.data[0].y == (ESCAPED,)


def test_trends_labels_escape_descriptions():
    season = pd.DataFrame(
        {"key": [EVIL] * 12, "month": range(1, 13), "index": [1.0] * 12, "revenue": [1.0] * 12}
    )
    fig = trends.seasonality_heatmap(season)
    assert fig.data[0].y == (ESCAPED,)
    table = pd.DataFrame(
        {"period": pd.to_datetime(["2011-01-01", "2011-02-01"]), "category": [EVIL, EVIL], "revenue": [1.0, 2.0]}
    )
    fig = trends.grouped_over_time(table, group="category")
    assert fig.data[0].name == ESCAPED
    assert fig.data[0].hovertemplate.startswith(ESCAPED + "<br>")


def test_baskets_labels_escape_and_blank_missing():
    rules = pd.DataFrame(
        {"support": [0.1, 0.2], "confidence": [0.5, 0.6], "lift": [2.0, 3.0], "sentence": [EVIL, None]}
    )
    fig = baskets.rules_scatter(rules)
    assert list(fig.data[0].text) == [ESCAPED, ""]


def test_segments_top_products_escape_descriptions():
    top = pd.DataFrame({"product_id": ["p1"], "description": [EVIL], "revenue": [10.0]})
    fig = segments.top_products_chart(top, segment=1)
    assert fig.data[0].y == (ESCAPED,)
