"""Settings chosen by rolling-origin validation: known answers and the time discipline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.recommend import blend as B
from recsys.recommend.hybrid import HybridRecommender
from recsys.recommend.tuning import SETTING_COLUMNS, choose_cap, choose_weights


def _pool(parts, trend, truth, light):
    users, items = truth.shape
    return B.candidates(parts, {7.0: trend}, truth, np.zeros_like(truth), light,
                        item_ids=np.arange(items), n_items=items, per_part=items)


# 40 rich and 40 light customers, 30 products, one held-out product each: products 0-9
# for rich customers, 20-29 for light ones. The text similarity points at the rich
# customers' held-out product, the trend at products 20-29, the profile at nothing;
# collaborative scores are noise in [0, 1) except 0.5 for the held-out product.
def _known_answer():
    rng = np.random.default_rng(5)
    users, items = 80, 30
    light = np.arange(users) >= 40
    held = np.where(light, rng.integers(20, 30, users), rng.integers(0, 10, users))
    truth = np.zeros((users, items), bool)
    truth[np.arange(users), held] = True
    noise = rng.uniform(0.0, 1.0, (users, items)).astype(np.float32)
    parts = {B.COLLABORATIVE: np.where(truth, np.float32(0.5), noise),
             B.CONTENT: (truth & ~light[:, None]).astype(np.float32),
             B.PROFILE: rng.uniform(0.0, 1.0, (users, items)).astype(np.float32) * ~truth}
    trend = (np.arange(items) >= 20).astype(np.float32)
    return parts, trend, truth, light


def test_choose_weights_known_answer():
    parts, trend, truth, light = _known_answer()
    pool = _pool(parts, trend, truth, light)
    light_w, rich_w = choose_weights(pool, trend_half_life=7.0)
    # rich: the text lifts the held-out product to 0.5 + w, the trend only lifts others
    assert (rich_w[B.TREND], rich_w[B.CONTENT]) == (0.0, max(B.CONTENT_WEIGHTS))
    assert rich_w[B.PROFILE] == 0.0 and light_w[B.PROFILE] == 0.0
    # from a trend weight of 0.5, a light customer's held-out product (0.5 + w) is above
    # every product outside 20-29 (noise < 1): the first such weight of the grid wins
    assert light_w[B.TREND] == min(w for w in B.TREND_WEIGHTS if w >= 0.5)


def test_candidates_rank_as_the_whole_catalogue():
    parts, trend, truth, light = _known_answer()
    w = {B.TREND: 0.3, B.CONTENT: 0.2, B.PROFILE: 0.15}
    whole = parts[B.COLLABORATIVE] + 0.2 * parts[B.CONTENT] + 0.15 * parts[B.PROFILE] + (
        0.3 * trend[None, :])
    expected = B.ndcg_per_user(B.top_n(whole, 10)[0], truth, 10)
    pool = B.candidates(parts, {7.0: trend}, truth, np.zeros_like(truth), light,
                        item_ids=np.arange(30), n_items=30, per_part=12)
    np.testing.assert_allclose(pool.ndcg(pool.scores(w, w, 7.0)), expected, rtol=1e-6)


def test_choose_cap_keeps_accuracy_and_spreads_lists():
    # every customer's best product is product 0, but they go on to buy their own
    # product (ranked second): holding product 0 back costs nothing and spreads lists
    users = 40
    items = users + 1
    truth = np.zeros((users, items), bool)
    truth[np.arange(users), np.arange(1, users + 1)] = True
    cf = np.random.default_rng(2).uniform(0.0, 0.5, (users, items)).astype(np.float32)
    cf[:, 0] = 1.0
    cf[np.arange(users), np.arange(1, users + 1)] = 0.9
    pool = _pool({B.COLLABORATIVE: cf, B.CONTENT: np.zeros_like(cf),
                  B.PROFILE: np.zeros_like(cf)}, np.zeros(items, np.float32), truth,
                 np.zeros(users, bool))
    scores = pool.scores({B.TREND: 0, B.CONTENT: 0, B.PROFILE: 0},
                         {B.TREND: 0, B.CONTENT: 0, B.PROFILE: 0}, 7.0)
    assert pool.top_share(scores) == 1.0
    cap, ndcg = choose_cap(pool, scores)
    assert cap == min(B.CAPS)
    assert ndcg > pool.mean(pool.ndcg(scores))
    assert pool.top_share(scores, pool.capped(scores, cap)) <= cap


@pytest.fixture(scope="module")
def shop(synthetic_dataset):
    ds = synthetic_dataset
    return ds.customer_transactions, ds.products, ds.customers


def _record_windows(monkeypatch) -> list[dict]:
    """Record the lines each validation window trains on and holds out."""
    from recsys.recommend import tuning as T

    calls: list[dict] = []
    real_build, real_targets = T.build_interactions, B.validation_targets

    def build(lines, **kwargs):
        calls.append({"inner": lines[S.INVOICE_DATE]})
        return real_build(lines, **kwargs)

    def targets(inner, after, **kwargs):
        calls[-1]["held_out"] = after[S.INVOICE_DATE]
        return real_targets(inner, after, **kwargs)

    monkeypatch.setattr(T, "build_interactions", build)
    monkeypatch.setattr(B, "validation_targets", targets)
    return calls


def test_tuning_windows_roll_back_from_the_end_of_the_training_lines(shop, monkeypatch):
    tx, products, customers = shop
    cut = tx[S.INVOICE_DATE].max().normalize() - pd.Timedelta(days=40)
    early = tx[tx[S.INVOICE_DATE] < cut]
    calls = _record_windows(monkeypatch)
    model = HybridRecommender(validation_days=30, validation_windows=3).fit(
        early, products=products, customers=customers)
    assert len(calls) == 3 and model.blend_.validation_windows == 3
    end = early[S.INVOICE_DATE].max().normalize()
    for w, call in enumerate(calls, start=1):
        start = end - pd.Timedelta(days=30 * w)
        # each window trains strictly before its 30 days and never sees the lines after
        # the training period
        assert call["inner"].max() < start <= call["held_out"].min()
        assert w == 1 or call["held_out"].max() < start + pd.Timedelta(days=30)
        assert call["held_out"].max() < cut
    # the first window ends with the lines given: the cut follows the data, not a date
    assert calls[0]["held_out"].max() == early[S.INVOICE_DATE].max()


def test_tuning_table_and_defaults_when_history_is_short(shop):
    tx, products, _ = shop
    model = HybridRecommender().fit(tx, products=products)
    table = model.tuning_
    assert list(table.columns) == list(SETTING_COLUMNS)
    assert list(table["setting"]) == ["l2", "half_life_days", "trend_half_life_days",
                                      "weights_light", "weights_rich", "cap"]
    # each stage starts from the default and keeps a change only when it scores higher;
    # the cap may cost up to MAX_NDCG_COST of the accuracy without it
    settings = table.set_index("setting")
    tuned = settings.drop(index="cap")
    assert (tuned["ndcg"] >= tuned["ndcg_default"] - 1e-12).all()
    assert settings.at["cap", "ndcg"] >= (1 - B.MAX_NDCG_COST) * settings.at["cap", "ndcg_default"]
    short = tx[tx[S.INVOICE_DATE] >= tx[S.INVOICE_DATE].max() - pd.Timedelta(days=20)]
    fallback = HybridRecommender().fit(short, products=products)
    assert fallback.blend_.validation_windows == 0 and fallback.tuning_.empty
    assert fallback.blend_ == HybridRecommender(tune=False).fit(short).blend_
