"""Tests of the Evaluation page's table ordering, headline and chart (ui.figures.recommend)."""

from __future__ import annotations

import pandas as pd

from ui.figures.recommend import (
    evaluation_display,
    headline,
    metric_by_slice,
    reach_sentence,
    side_by_side,
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


def _rates(**rates: float) -> pd.DataFrame:
    rows = [{"model": m, "slice": "with history", "users": 1234, "hit_rate": r} for m, r in rates.items()]
    rows.append({"model": "hybrid", "slice": "no history", "users": 9, "hit_rate": 0.9})
    return pd.DataFrame(rows)


def test_reach_sentence_leads_with_the_hybrid_hit_rate_against_best_sellers():
    sentence, fine = reach_sentence(_rates(hybrid=0.554, popularity=0.231, als=0.2), k=10, test_days=30)
    assert sentence == ("**55%** of customers bought at least one of their 10 suggestions in the "
                        "next 30 days (vs 23% for best-sellers).")
    assert "1,234 customers" in fine
    assert "best other baseline" not in fine  # ALS did worse than best-sellers


def test_reach_sentence_names_a_baseline_that_beats_best_sellers_and_singulars():
    sentence, fine = reach_sentence(_rates(hybrid=0.5, popularity=0.2, als=0.31), k=1, test_days=1)
    assert "at least one of their 1 suggestion in the next 1 day (vs 20%" in sentence
    assert fine.endswith("The best other baseline, ALS (implicit), reached 31%.")
    assert reach_sentence(_rates(popularity=0.2), k=10, test_days=30) is None
    assert "vs" not in reach_sentence(_rates(hybrid=0.5), k=10, test_days=30)[0]


def test_small_slices_lists_thin_groups():
    assert small_slices(_table()) == [("no history", 3)]


def test_metric_by_slice_one_bar_group_per_model_with_counts():
    fig = metric_by_slice(_table(), metric="ndcg", k=10)
    assert [t.name for t in fig.data] == ["Hybrid", "Popularity", "ALS (implicit)"]
    assert fig.data[0].x[0] == "with history<br>120 customers"
    assert "NDCG@10" in fig.layout.yaxis.title.text


def test_settings_display_reads_as_words():
    from ui.figures.recommend import settings_display

    settings = pd.DataFrame({
        "setting": ["half_life_days", "weights_light", "cap", "cap"],
        "value": ["180", "trend 0.3, content 0.4, profile 0.3", "0.25", "none"],
        "default": ["60", "trend 0.3, content 0.1, profile 0", "none", "none"],
        "ndcg": [0.11, 0.12, 0.1, 0.1], "ndcg_default": [0.1, 0.11, 0.1, 0.1],
    })
    before = settings.copy()
    out = settings_display(settings)
    assert list(out["setting"])[0] == "Purchase weight halves after (days)"
    assert out["value"].tolist() == ["180", "popular now 0.3, text 0.4, profile 0.3", "25%", "no cap"]
    assert out["default"].iloc[2] == "no cap"
    pd.testing.assert_frame_equal(settings, before)


def test_sameness_sentence_names_each_model_share():
    from ui.figures.recommend import sameness_sentence

    table = pd.DataFrame({"model": ["popularity", "hybrid", "ease"], "slice": ["with history"] * 3,
                          "top_share": [0.96, 0.25, 0.4], "gini": [0.99, 0.9, 0.95]})
    assert sameness_sentence(table) == (
        "Sameness: the hybrid's most-recommended product is in the top 5 of 25% of these customers "
        "(Popularity 96%, EASE 40%); Gini 0.90 (0 = every product as often, 1 = one product for all).")
    assert sameness_sentence(table.drop(columns=["top_share"])) is None


def test_side_by_side_hybrid_best_baseline_and_neural_per_slice():
    table = _table()
    neural = pd.DataFrame([
        {"model": "sequence", "slice": "with history", "users": 120, "ndcg": 0.25, "novelty": 3.0},
        {"model": "sequence", "slice": "10+ invoices", "users": 50, "ndcg": 0.35, "novelty": 3.0},
    ])
    before = table.copy()
    side = side_by_side(table, neural)
    assert side.columns.tolist() == ["model", "with history", "10+ invoices"]
    assert side["model"].tolist() == ["Hybrid", "ALS (implicit)", "Neural sequence"]
    assert side["with history"].tolist() == [0.3, 0.2, 0.25]
    assert side["10+ invoices"].tolist() == [0.3, 0.2, 0.35]
    pd.testing.assert_frame_equal(table, before)
    assert side_by_side(table[table["model"] != "hybrid"], neural).empty
