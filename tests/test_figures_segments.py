"""Segment figures and labels: plain-language descriptions, marked k, escaped product text."""

from __future__ import annotations

import pandas as pd

from ui.figures import segments as figures


def test_describe_segment_in_plain_words():
    regular = pd.Series(
        {"recency_days": 15, "frequency": 7, "mean_days_between_orders": 18.2, "annual_spend": 1240.4, "avg_order_value": 346}
    )
    assert figures.describe_segment(regular) == (
        "last ordered 15 days ago, orders every 18 days, spends £1,240 a year, 7 orders of £346"
    )
    one_off = pd.Series(
        {"recency_days": 29, "frequency": 1, "mean_days_between_orders": float("nan"), "annual_spend": 239, "avg_order_value": 239}
    )
    assert figures.describe_segment(one_off).endswith("a single order of £239")


def test_sweep_chart_marks_chosen_and_suggested_k():
    table = pd.DataFrame({"k": [2, 3, 4], "inertia": [9.0, 5.0, 4.0], "silhouette": [0.3, 0.5, 0.4]})
    fig = figures.sweep_chart(table, metric="silhouette", chosen_k=4, suggested_k=3)
    assert [shape.x0 for shape in fig.layout.shapes] == [3, 4]
    assert {a.text for a in fig.layout.annotations} == {"suggested k = 3", "chosen k = 4"}


def test_top_products_chart_escapes_descriptions():
    top = pd.DataFrame({"product_id": ["p1"], "description": ["<b>MUG</b>"], "revenue": [10.0]})
    fig = figures.top_products_chart(top, segment=2)
    assert fig.data[0].y == ("&lt;b&gt;MUG&lt;/b&gt;",)
    assert fig.data[0].marker.color == figures.colour(2)


def test_colours_follow_segment_numbers():
    assert figures.colour(1) == figures.PALETTE[0]
    assert figures.colour(13) == figures.PALETTE[0]
    assert figures.feature_label("category_share__Toys") == "Share of spend in Toys"
