"""AppTest of the Evaluation page on a small generated shop."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "evaluation.py")
MODELS = {"Hybrid", "EASE", "Popularity", "ALS (implicit)", "Item-kNN"}
SLICES = {"with history", "no history", "1–2 invoices", "3–9 invoices", "10+ invoices"}


@pytest.fixture(scope="module")
def small_dataset():
    """A 300-customer generated shop (a year of invoices)."""
    from recsys.synth.shop import generate_shop

    return generate_shop(n_customers=300, seed=8).to_dataset()


@pytest.fixture(scope="module")
def evaluated(small_dataset):
    """The page run once with its defaults (the evaluation is cached for later runs)."""
    from ui import state

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(state, "get_dataset", lambda: small_dataset)
        at = AppTest.from_file(PAGE, default_timeout=300)
        at.run()
        yield at, patch


def _table(at: AppTest):
    frames = [df.value for df in at.dataframe if "ndcg" in df.value.columns]
    assert frames, "no evaluation table on the page"
    return frames[0]


def test_evaluation_page_table_has_models_and_slices(evaluated, small_dataset):
    from recsys.evaluation.compare import default_models, evaluate_models

    at, _ = evaluated
    assert not at.exception
    assert not at.error
    table = _table(at)
    assert set(table["model"]) == MODELS
    assert SLICES <= set(table["slice"])
    assert len(table) == len(set(zip(table["model"], table["slice"], strict=True)))
    for metric in ("precision", "recall", "ndcg", "hit_rate", "map", "coverage"):
        assert table[metric].between(0, 1).all(), metric
    # hybrid first within the headline slice
    assert table.iloc[0]["model"] == "Hybrid"
    assert table.iloc[0]["slice"] == "with history"
    # The figures are those of the library on the same data and defaults (30 days, k = 10).
    expected = evaluate_models(
        small_dataset.customer_transactions, models=default_models(), test_days=30, k=10,
        products=small_dataset.products, customers=small_dataset.customers,
    )
    names = {"hybrid": "Hybrid", "ease": "EASE", "popularity": "Popularity",
             "als": "ALS (implicit)", "itemknn": "Item-kNN"}
    expected = expected.assign(model=expected["model"].map(names)).set_index(["slice", "model"])
    shown = table.set_index(["slice", "model"])
    assert sorted(shown.index) == sorted(expected.index)
    pd.testing.assert_frame_equal(shown.loc[expected.index, expected.columns], expected,
                                  check_dtype=False)
    # The lead, in a marketer's words: the hybrid's hit rate of customers with history
    # against the best-sellers; the jargon (NDCG) stays in the table and out of the lead.
    history = expected.loc["with history"]
    assert at.subheader[0].value == (
        f"**{history.loc['Hybrid', 'hit_rate']:.0%}** of customers bought at least one of their 10 "
        f"suggestions in the next 30 days (vs {history.loc['Popularity', 'hit_rate']:.0%} for best-sellers)."
    )
    counted = f"Counted over the {history['users'].max():,} customers who had bought before the cut"
    assert any(c.value.startswith(counted) for c in at.caption)
    assert not any("NDCG" in m.label for m in at.metric)


def test_evaluation_page_shows_settings_sameness_and_buy_again(evaluated):
    at, _ = evaluated
    table = _table(at)
    assert table["top_share"].between(0, 1).all() and table["gini"].between(0, 1).all()
    frames = [df.value for df in at.dataframe]
    settings = next(f for f in frames if "setting" in f.columns)
    assert "Purchase weight halves after (days)" in set(settings["setting"])
    assert any(c.value.startswith("Sameness: the hybrid's most-recommended product") for c in at.caption)
    assert settings["ndcg"].between(0, 1).all()
    cap = settings.loc[settings["setting"].str.startswith("Cap"), "value"].iloc[0]
    assert cap == "no cap" or cap.endswith("%")
    again = next(f for f in frames if "model" in f.columns and "Most recent first" in set(f["model"]))
    assert set(again["model"]) == {"Buy again (the customer's rhythm)", "Most frequent first",
                                   "Most recent first"}
    assert again["ndcg"].between(0, 1).all() and again["users"].nunique() == 1


def test_evaluation_page_explains_protocol_and_shows_chart(evaluated, small_dataset):
    from recsys.evaluation.split import time_split

    split = time_split(small_dataset.customer_transactions, test_days=30)
    at, _ = evaluated
    text = " ".join(m.value for m in at.markdown)
    assert f"The data is cut on **{split.cut:%d %b %Y}**" in text
    assert f"**{len(split.train):,} lines before the cut**" in text
    assert f"**{len(split.test):,} lines after the cut**" in text
    assert "had not bought it before" in text
    assert len(at.get("plotly_chart")) == 1


def test_evaluation_page_new_settings_rerun(evaluated):
    at, _ = evaluated
    at.number_input(key="eval_k").set_value(5)
    at.button[0].click().run()
    assert not at.exception
    table = _table(at)
    assert set(table["model"]) == MODELS
    assert any("k = 5" in h.value for h in at.subheader)


def test_evaluation_page_second_session_reuses_cache(evaluated, small_dataset, monkeypatch):
    import recsys.evaluation.compare
    from ui.cache import recommend

    calls = []
    real = recsys.evaluation.compare.evaluate_models

    def counting(*args, **kwargs):
        calls.append(kwargs.get("test_days"))
        return real(*args, **kwargs)

    monkeypatch.setattr(recsys.evaluation.compare, "evaluate_models", counting)
    recommend.evaluation_table.clear()
    sessions = [AppTest.from_file(PAGE, default_timeout=300).run() for _ in range(2)]
    # The first session computes; the second, with the same data and settings, is served
    # from the cache (a miss would count a second call).
    assert len(calls) == 1
    for at in sessions:
        # A cache hit replays the cached function's elements: it must not touch outside blocks.
        assert not at.exception
        assert set(_table(at)["model"]) == MODELS
        assert any("of customers bought at least one of their 10 suggestions in the next 30 days (vs "
                   in h.value for h in at.subheader)
    pd.testing.assert_frame_equal(_table(sessions[0]), _table(sessions[1]))


NEURAL_BUTTON = "Train and score the neural model"


def _side_table(at: AppTest):
    frames = [df.value for df in at.dataframe
              if "model" in df.value.columns and "Neural sequence" in set(df.value["model"])]
    return frames[0] if frames else None


def test_evaluation_page_neural_model_side_by_side_on_request(evaluated, small_dataset):
    pytest.importorskip("torch", reason="the neural extra (requirements-neural.txt) is absent")
    from recsys.evaluation.compare import evaluate_models
    from recsys.recommend.sequence import SequenceRecommender

    at = AppTest.from_file(PAGE, default_timeout=300).run()
    assert _side_table(at) is None, "the neural model trains only when asked"
    next(b for b in at.button if b.label == NEURAL_BUTTON).click().run()
    assert not at.exception
    assert not at.error
    side = _side_table(at)
    assert side is not None
    assert side["model"].iloc[0] == "Hybrid"
    assert side["model"].iloc[-1] == "Neural sequence"
    assert len(side) == 3, "the hybrid, the best baseline and the neural model"
    expected = evaluate_models(
        small_dataset.customer_transactions, models={"sequence": SequenceRecommender()},
        test_days=30, k=10, products=small_dataset.products, customers=small_dataset.customers)
    value = expected.loc[expected["slice"] == "with history", "ndcg"].iloc[0]
    assert side.set_index("model").loc["Neural sequence", "with history"] == pytest.approx(value)


def test_evaluation_page_without_torch_says_how_to_install(evaluated, monkeypatch):
    import recsys.recommend.sequence

    monkeypatch.setattr(recsys.recommend.sequence, "torch_available", lambda: False)
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    assert not at.exception
    assert any("requirements-neural.txt" in i.value for i in at.info)
    assert all(b.label != NEURAL_BUTTON for b in at.button)


def test_evaluation_page_says_in_days_why_a_short_file_cannot_be_split(small_dataset, monkeypatch):
    import dataclasses

    from recsys.data import schema as S
    from ui import state

    lines = small_dataset.transactions
    last = lines[S.INVOICE_DATE].max().normalize()
    nine_days = dataclasses.replace(small_dataset, transactions=lines[lines[S.INVOICE_DATE] >= last - pd.Timedelta(days=8)])
    monkeypatch.setattr(state, "get_dataset", lambda: nine_days)
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    assert not at.exception and not at.error
    first = nine_days.transactions[S.INVOICE_DATE].min()
    assert [w.value for w in at.warning] == [
        f"This data covers 9 days ({first:%d %b %Y} – {last:%d %b %Y}): a 30-day test period leaves no day "
        "before it to learn from. Set the test period to at most 7 days (for example 2) and run the evaluation again."
    ]
    # The period it suggests works.
    at.number_input(key="eval_test_days").set_value(2)
    at.button[0].click().run()
    assert not at.exception and not at.warning
    assert "of customers bought at least one of their 10 suggestions in the next 2 days" in at.subheader[0].value
