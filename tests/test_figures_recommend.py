"""Tests of the Evaluation page's table ordering, headline and chart (ui.figures.recommend)."""

from __future__ import annotations

import pandas as pd

from ui.figures.recommend import (
    evaluation_display,
    headline,
    metric_by_slice,
    small_slices,
)


def _table() -> pd.DataFrame:
    rows = []
    for model, base in (("popularity", 0.1), ("hybrid", 0.3), ("als", 0.2)):
        for slice_, users in (("10+ invoices", 50), ("with history", 120), ("no history", 3)):
            rows.append({"model": model, "slice": slice_, "users": users, "ndcg": base, "novelty": 2.0})
    return pd.DataFrame(rows)


def test_evaluation_display_orders_slices_then_hybrid_first():
    table = _table()
    before = table.copy()
    shown = evaluation_display(table)
    assert shown["slice"].tolist()[:3] == ["with history"] * 3
    assert shown["model"].tolist()[:3] == ["Hybrid", "Popularity", "ALS (implicit)"]
    assert shown["slice"].tolist()[3] == "no history"
    pd.testing.assert_frame_equal(table, before)


def test_headline_hybrid_against_best_baseline():
    assert headline(_table()) == (0.3, "als", 0.2)
    assert headline(_table()[lambda t: t["model"] != "hybrid"]) is None


def test_small_slices_lists_thin_groups():
    assert small_slices(_table()) == [("no history", 3)]


def test_metric_by_slice_one_bar_group_per_model_with_counts():
    fig = metric_by_slice(_table(), metric="ndcg", k=10)
    assert [t.name for t in fig.data] == ["Hybrid", "Popularity", "ALS (implicit)"]
    assert fig.data[0].x[0] == "with history<br>120 customers"
    assert "NDCG@10" in fig.layout.yaxis.title.text
