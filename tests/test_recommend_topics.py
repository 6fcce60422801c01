"""Tastes and seasons (topic model): known answers, the season, seeds, bad settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.recommend.ease import EASERecommender, gram_matrix
from recsys.recommend.interactions import build_interactions
from recsys.recommend.topics import TopicRecommender


def _two_shelves(recent_shelf: str = "B") -> pd.DataFrame:
    """40 customers buy from shelf A (products A0-A5), 40 from shelf B (B0-B5).

    Everyone bought three products of their shelf; the shelf ``recent_shelf`` was
    bought in the last week, the other one six months before.
    """
    rng = np.random.default_rng(3)
    rows = []
    end = pd.Timestamp("2011-12-01")
    for c in range(80):
        shelf = "A" if c < 40 else "B"
        when = end - pd.Timedelta(days=3 if shelf == recent_shelf else 180)
        for p in rng.choice(6, 3, replace=False):
            rows.append((f"i{c}", when, f"c{c}", f"{shelf}{p}"))
    return pd.DataFrame(rows, columns=[S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID,
                                       S.PRODUCT_ID])


def test_topics_rank_the_customers_own_shelf_first():
    tx = _two_shelves()
    model = TopicRecommender(n_topics=2).fit(tx)
    items = model.data_.items
    scores = model.score_histories(model.data_.histories(np.arange(80)))
    shelf_a = np.asarray(items.str.startswith("A"), dtype=bool)
    buys_a = np.array([int(u[1:]) < 40 for u in model.data_.users])
    # every customer of shelf A scores every A product above every B product, and back
    a, b = scores[buys_a], scores[~buys_a]
    assert (a[:, shelf_a].min(axis=1) > a[:, ~shelf_a].max(axis=1)).all()
    assert (b[:, ~shelf_a].min(axis=1) > b[:, shelf_a].max(axis=1)).all()


def test_topics_season_lifts_the_shelf_bought_lately():
    model = TopicRecommender(n_topics=2, season_days=30).fit(_two_shelves("B"))
    items = model.data_.items
    group_b = int(np.argmax(model.holds_[items.get_loc("B0")]))
    # shelf B holds all 120 purchases of the last 30 days and half of all 240; with the
    # 100 pseudo-purchases: B (120 + 50) / 220 / 0.5, A (0 + 50) / 220 / 0.5
    assert model.season_[group_b] == pytest.approx(170 / 110, rel=0.01)
    assert model.season_[1 - group_b] == pytest.approx(50 / 110, rel=0.01)


def test_topics_same_seed_same_scores_and_input_unchanged():
    tx = _two_shelves()
    before = tx.copy()
    a = TopicRecommender(n_topics=3, random_state=4).fit(tx)
    b = TopicRecommender(n_topics=3, random_state=4).fit(tx)
    h = a.data_.histories(np.arange(80))
    np.testing.assert_array_equal(a.score_histories(h), b.score_histories(h))
    pd.testing.assert_frame_equal(tx, before)
    assert a.recommend(["c0"], n=3)[S.PRODUCT_ID].str.startswith("A").all()


@pytest.mark.parametrize("params, message", [
    ({"n_topics": 0}, "n_topics must be a positive integer, got 0"),
    ({"season_days": 0}, "season_days must be at least 1, got 0"),
])
def test_topics_bad_settings_say_which(params, message):
    with pytest.raises(ParameterError, match=message):
        TopicRecommender(**params).fit(_two_shelves())


def test_ease_from_one_gram_matrix_equals_a_full_fit():
    tx = _two_shelves()
    data = build_interactions(tx)
    full = EASERecommender(l2=5.0).fit_interactions(data, tx)
    shared = EASERecommender(l2=5.0).fit_gram(data, gram_matrix(data))
    np.testing.assert_array_equal(full.weights_, shared.weights_)
