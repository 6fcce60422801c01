"""Segment figures and labels: plain-language descriptions, marked k, escaped product text."""

from __future__ import annotations

import pandas as pd

from ui.figures import segments as figures


def test_describe_segment_in_plain_words():
    regular = pd.Series({"recency_days": 15, "frequency": 7, "mean_days_between_orders": 18.2,
                         "monetary": 2400.4, "annual_spend": 1240.4, "avg_order_value": 346})
    assert figures.describe_segment(regular) == (
        "last ordered 15 days ago, 7 orders of £346, one every 18 days, £2,400 spent in all"
    )
    # One order: its value, never a yearly figure or a total from the few who came back.
    one_off = pd.Series({"recency_days": 1, "frequency": 1, "mean_days_between_orders": 40.0,
                         "monetary": 178, "annual_spend": 178, "avg_order_value": 132})
    assert figures.describe_segment(one_off) == "last ordered 1 day ago, a single order of £132"


def test_describe_segment_never_says_every_0_days():
    same_day = pd.Series({"recency_days": 0.2, "frequency": 3, "mean_days_between_orders": 0.4,
                          "monetary": 90, "annual_spend": 90, "avg_order_value": 30})
    assert figures.describe_segment(same_day) == (
        "last ordered on the data's last day, 3 orders of £30, on the same day or the next, £90 spent in all"
    )


def test_sweep_chart_marks_chosen_and_suggested_k():
    table = pd.DataFrame({"k": [2, 3, 4], "inertia": [9.0, 5.0, 4.0], "silhouette": [0.3, 0.5, 0.4]})
    fig = figures.sweep_chart(table, metric="silhouette", chosen_k=4, suggested_k=3)
    assert [shape.x0 for shape in fig.layout.shapes] == [3, 4]
    assert {a.text for a in fig.layout.annotations} == {"suggested k = 3", "chosen k = 4"}


def test_sweep_chart_labels_at_either_end_are_written_inwards():
    table = pd.DataFrame({"k": list(range(2, 13)), "inertia": range(11, 0, -1), "silhouette": [0.3] * 11})
    fig = figures.sweep_chart(table, metric="inertia", chosen_k=12, suggested_k=2)
    notes = {a.text: a for a in fig.layout.annotations}
    assert notes["chosen k = 12"].xanchor == "right"  # not past the right edge
    assert notes["suggested k = 2"].xanchor == "left"
    assert notes["chosen k = 12"].yshift != notes["suggested k = 2"].yshift
    same = figures.sweep_chart(table, metric="inertia", chosen_k=5, suggested_k=5)
    assert [a.text for a in same.layout.annotations] == ["chosen = suggested k = 5"]


def test_sizes_chart_writes_whole_names():
    summary = pd.DataFrame({"segment": [1, 2], "segment_name": ["Lapsed occasional low spenders with few items per order", "B"],
                            "customer_share": [0.5, 0.5], "revenue_share": [0.7, 0.3]})
    fig = figures.sizes_chart(summary)
    assert list(fig.data[0].y) == ["1 · Lapsed occasional low spenders with few items per order", "2 · B"]
    assert fig.layout.yaxis.automargin is True


def test_top_products_chart_escapes_descriptions():
    top = pd.DataFrame({"product_id": ["p1"], "description": ["<b>MUG</b>"], "revenue": [10.0]})
    fig = figures.top_products_chart(top, segment=2)
    assert fig.data[0].y == ("&lt;b&gt;MUG&lt;/b&gt;",)
    assert fig.data[0].marker.color == figures.colour(2)


def test_colours_follow_segment_numbers():
    assert figures.colour(1) == figures.PALETTE[0]
    assert figures.colour(13) == figures.PALETTE[0]
    assert figures.feature_label("category_share__Toys") == "Share of spend in Toys"
