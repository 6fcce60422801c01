"""Metrics on hand-computed cases, the referee's time split, and evaluate_models."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.evaluation.compare import SLICES, customers_per_slice, evaluate_models
from recsys.evaluation.metrics import (
    catalogue_coverage,
    hit_rate_at_k,
    map_at_k,
    ndcg_at_k,
    novelty,
    precision_at_k,
    recall_at_k,
)
from recsys.evaluation.split import TimeSplit, new_item_targets, split_summary, time_split

REFEREE = Path(__file__).resolve().parents[2] / "shared" / "tools" / "recs_eval.py"


def frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


@pytest.fixture
def truth():
    # u1 wants a and b, u2 wants c, u3 wants d but gets no recommendations
    return frame([("u1", "a"), ("u1", "b"), ("u2", "c"), ("u3", "d")],
                 [S.CUSTOMER_ID, S.PRODUCT_ID])


@pytest.fixture
def recs():
    return frame([("u1", "a", 1), ("u1", "x", 2), ("u1", "b", 3),
                  ("u2", "y", 1), ("u2", "z", 2), ("u2", "c", 3),
                  ("u9", "a", 1)],
                 [S.CUSTOMER_ID, S.PRODUCT_ID, "rank"])


def test_metrics_hand_computed_at_3(truth, recs):
    # u1: hits at ranks 1 and 3; u2: hit at rank 3; u3: nothing
    assert precision_at_k(truth, recs, 3) == pytest.approx((2 / 3 + 1 / 3 + 0) / 3)
    assert recall_at_k(truth, recs, 3) == pytest.approx((1 + 1 + 0) / 3)
    assert hit_rate_at_k(truth, recs, 3) == pytest.approx(2 / 3)
    ndcg_u1 = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    ndcg_u2 = (1 / math.log2(4)) / 1
    assert ndcg_at_k(truth, recs, 3) == pytest.approx((ndcg_u1 + ndcg_u2) / 3)
    ap_u1 = (1 / 1 + 2 / 3) / 2
    ap_u2 = (1 / 3) / 1
    assert map_at_k(truth, recs, 3) == pytest.approx((ap_u1 + ap_u2) / 3)


def test_metrics_hand_computed_at_1(truth, recs):
    assert precision_at_k(truth, recs, 1) == pytest.approx(1 / 3)
    assert recall_at_k(truth, recs, 1) == pytest.approx(0.5 / 3)
    assert ndcg_at_k(truth, recs, 1) == pytest.approx(1 / 3)
    assert map_at_k(truth, recs, 1) == pytest.approx(1 / 3)


def test_metrics_use_rank_not_row_order(truth, recs):
    shuffled = recs.sample(frac=1.0, random_state=1)
    assert ndcg_at_k(truth, shuffled, 3) == pytest.approx(ndcg_at_k(truth, recs, 3))


def test_metrics_perfect_and_empty_lists_are_bounds(truth):
    perfect = truth.assign(rank=truth.groupby(S.CUSTOMER_ID).cumcount() + 1)
    for metric in (recall_at_k, ndcg_at_k, hit_rate_at_k, map_at_k):
        assert metric(truth, perfect, 5) == pytest.approx(1.0)
        assert metric(truth, perfect.iloc[:0], 5) == 0.0


@pytest.mark.parametrize("k", [0, -2, 1.5])
def test_metrics_reject_bad_k(truth, recs, k):
    with pytest.raises(ParameterError, match="k must be a positive integer"):
        ndcg_at_k(truth, recs, k)


def test_catalogue_coverage_and_novelty_hand_computed(recs):
    assert catalogue_coverage(recs, 12) == pytest.approx(6 / 12)
    popularity = pd.Series({"a": 0.5, "b": 0.25})
    two = frame([("u", "a", 1), ("u", "b", 2)], [S.CUSTOMER_ID, S.PRODUCT_ID, "rank"])
    assert novelty(two, popularity) == pytest.approx(1.5)
    with pytest.raises(ParameterError, match="n_items"):
        catalogue_coverage(recs, 0)


def lines(rows):
    tx = frame(rows, [S.CUSTOMER_ID, S.PRODUCT_ID, S.INVOICE_DATE])
    tx[S.INVOICE_DATE] = pd.to_datetime(tx[S.INVOICE_DATE])
    tx[S.INVOICE_ID] = [f"I{i}" for i in range(len(tx))]
    return tx


def test_time_split_cut_is_last_midnight_minus_days():
    tx = lines([("c1", "a", "2011-01-01 10:00"), ("c1", "b", "2011-01-10 00:00"),
                ("c2", "a", "2011-01-09 23:59"), ("c2", "c", "2011-01-20 15:30")])
    split = time_split(tx, test_days=10)
    assert split.cut == pd.Timestamp("2011-01-10")
    assert split.train[S.PRODUCT_ID].tolist() == ["a", "a"]
    assert split.test[S.PRODUCT_ID].tolist() == ["b", "c"]
    with pytest.raises(ParameterError, match="test_days"):
        time_split(tx, test_days=0)
    with pytest.raises(ParameterError, match="no line before the cut"):
        time_split(tx, test_days=60)


def test_new_item_targets_only_new_products_sold_before():
    train = lines([("c1", "a", "2011-01-01"), ("c1", "b", "2011-01-02"), ("c2", "a", "2011-01-02")])
    test = lines([("c1", "a", "2011-02-01"), ("c1", "c", "2011-02-01"), ("c2", "b", "2011-02-01"),
                  ("c3", "a", "2011-02-02"), ("c3", "z", "2011-02-02")])
    targets = new_item_targets(TimeSplit(train, test, pd.Timestamp("2011-01-15")))
    got = set(zip(targets[S.CUSTOMER_ID], targets[S.PRODUCT_ID], strict=True))
    # c1's "a" is a repeat, "c" and "z" were never sold before the cut
    assert got == {("c2", "b"), ("c3", "a")}


class FixedLists:
    """A recommender that returns given lists (to score ``evaluate_models`` by hand)."""

    fitted_on: list[pd.DataFrame] = []  # the lines each clone was fitted on, for the test

    def __init__(self, lists=None):
        self.lists = lists

    def get_params(self, deep=True):
        return {"lists": self.lists}

    def set_params(self, **params):
        self.lists = params.get("lists", self.lists)
        return self

    def fit(self, transactions, products=None, customers=None, segments=None):
        FixedLists.fitted_on.append(transactions)
        return self

    def recommend(self, customer_ids, n=10, exclude_purchased=True):
        rows = [(c, p, 1.0 / rank, rank) for c in customer_ids
                for rank, p in enumerate(self.lists.get(c, [])[:n], start=1)]
        return pd.DataFrame(rows, columns=[S.CUSTOMER_ID, S.PRODUCT_ID, "score", "rank"])


def test_evaluate_models_hand_computed_by_slice():
    # Cut = 20 Mar (last day) - 10 days = 10 Mar. Before it: A has 3 invoices (p1 p2 | p3 |
    # p1), B one (p2), D one (p4), a guest buys p5. After it, the new products sold before
    # the cut: A {p4} (p1 is not new), B {p1, p3} (p5 was only sold to a guest), C {p2}
    # (no history). Catalogue: p1..p4; shares of the 3 known buyers: p2 2/3, others 1/3.
    rows = [
        ("I1", "2011-01-05", "A", "p1"), ("I1", "2011-01-05", "A", "p2"),
        ("I2", "2011-01-20", "A", "p3"), ("I3", "2011-02-01", "A", "p1"),
        ("I4", "2011-02-10", "B", "p2"), ("I5", "2011-02-15", "D", "p4"),
        ("I9", "2011-02-20", None, "p5"),
        ("I6", "2011-03-12", "A", "p4"), ("I6", "2011-03-12", "A", "p1"),
        ("I7", "2011-03-15", "B", "p1"), ("I7", "2011-03-15", "B", "p3"),
        ("I7", "2011-03-15", "B", "p5"), ("I8", "2011-03-20", "C", "p2"),
    ]
    tx = frame(rows, [S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID])
    tx[S.INVOICE_DATE] = pd.to_datetime(tx[S.INVOICE_DATE])
    tx[S.QUANTITY], tx[S.UNIT_PRICE] = 1, 1.0
    lists = {"A": ["p4", "p2"], "B": ["p4", "p3"], "C": ["p2", "p1"], "D": ["p1", "p2"]}
    FixedLists.fitted_on.clear()
    table = evaluate_models(tx, models={"fixed": FixedLists(lists)}, test_days=10, k=2)
    assert len(FixedLists.fitted_on) == 1
    assert FixedLists.fitted_on[0][S.INVOICE_DATE].max() < pd.Timestamp("2011-03-10")
    assert FixedLists.fitted_on[0][S.CUSTOMER_ID].notna().all()

    # A: hit at 1 of 1 target. B: hit at 2 of 2 targets (DCG 1/log2 3, ideal 1 + 1/log2 3,
    # AP (1/2)/2). C: hit at 1 of 1. Novelty: -log2 of 1/3 = log2 3, of 2/3 = log2 3 - 1.
    b, l3 = 1 / math.log2(3), math.log2(3)
    expected = {
        "with history": (2, 0.5, 0.75, (1 + b / (1 + b)) / 2, 1.0, (1 + 0.25) / 2, 3 / 4,
                         (3 * l3 + l3 - 1) / 4),
        "no history": (1, 0.5, 1.0, 1.0, 1.0, 1.0, 2 / 4, (l3 - 1 + l3) / 2),
        "1–2 invoices": (1, 0.5, 0.5, b / (1 + b), 1.0, 0.25, 2 / 4, l3),
        "3–9 invoices": (1, 0.5, 1.0, 1.0, 1.0, 1.0, 2 / 4, (l3 + l3 - 1) / 2),
    }
    assert set(table["model"]) == {"fixed"}
    shown = table.set_index("slice")
    assert set(shown.index) == set(expected)  # no customer with 10+ invoices: left out
    columns = ["users", "precision", "recall", "ndcg", "hit_rate", "map", "coverage", "novelty"]
    for slice_, values in expected.items():
        assert shown.loc[slice_, columns].tolist() == pytest.approx(values), slice_


def test_evaluate_models_table_shape_and_ranges(synthetic_dataset):
    from recsys.recommend.hybrid import HybridRecommender
    from recsys.recommend.popularity import PopularityRecommender

    models = {"hybrid": HybridRecommender(), "popularity": PopularityRecommender()}
    seen = []
    fitted = {}
    table = evaluate_models(synthetic_dataset.transactions, models=models, test_days=30,
                            products=synthetic_dataset.products,
                            customers=synthetic_dataset.customers,
                            progress=lambda f, m: seen.append(f), fitted=fitted)
    assert list(table.columns) == ["model", "slice", "users", "precision", "recall", "ndcg",
                                   "hit_rate", "map", "coverage", "novelty", "top_share", "gini"]
    assert set(table["model"]) == {"hybrid", "popularity"}
    assert set(table["slice"]) <= set(SLICES) and "with history" in set(table["slice"])
    metrics = table[["precision", "recall", "ndcg", "hit_rate", "map", "coverage", "top_share",
                     "gini"]].to_numpy()
    assert np.all((metrics >= 0) & (metrics <= 1))
    assert seen[-1] == 1.0
    assert not hasattr(models["hybrid"], "data_"), "the given models are cloned, not fitted"
    assert set(fitted) == {"hybrid", "popularity"} and hasattr(fitted["hybrid"], "tuning_")
    # popularity gives everyone the same best-sellers (less what they bought): more sameness
    with_history = table.set_index(["model", "slice"]).xs("with history", level="slice")
    assert with_history.loc["popularity", "top_share"] > with_history.loc["hybrid", "top_share"]
    assert with_history.loc["popularity", "gini"] > with_history.loc["hybrid", "gini"]
    by = table.set_index(["model", "slice"])["ndcg"]
    assert by[("hybrid", "with history")] > by[("popularity", "with history")]


def _referee():
    if not REFEREE.exists():
        pytest.skip(f"referee not found at {REFEREE}")
    spec = importlib.util.spec_from_file_location("recs_eval", REFEREE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.real_data
def test_evaluation_agrees_with_referee_on_real_data(real_dataset, real_data_path):
    from recsys.evaluation.split import as_of_products
    from recsys.recommend.hybrid import HybridRecommender

    ref = _referee()
    tx = real_dataset.transactions
    split = time_split(tx, test_days=30)
    train = split.train[split.train[S.CUSTOMER_ID].notna()]
    model = HybridRecommender().fit(train, products=as_of_products(real_dataset.products,
                                                                   split.train),
                                    customers=real_dataset.customers)
    users = sorted(train[S.CUSTOMER_ID].astype(str).unique())
    recs = model.recommend(users, n=10)
    assert set(recs[S.CUSTOMER_ID]) == set(users), "every customer with history is served"

    df = ref.load(str(real_data_path))
    r_train, r_test, cut = ref.split(df, 30)
    assert cut == split.cut
    bought = r_train.groupby("customer_id")["product_id"].agg(set).to_dict()
    items = set(r_train["product_id"])
    targets = {u: (s - bought.get(u, set())) & items
               for u, s in r_test.groupby("customer_id")["product_id"].agg(set).items()
               if u in bought}
    targets = {u: t for u, t in targets.items() if t}
    ranked = recs.sort_values([S.CUSTOMER_ID, "rank"])
    ref_scores = ref.metrics(ranked.groupby(S.CUSTOMER_ID)[S.PRODUCT_ID].agg(list).to_dict(),
                             targets, 10, len(items))

    ours = new_item_targets(split)
    ours = ours[ours[S.CUSTOMER_ID].isin(set(users))]
    assert ours[S.CUSTOMER_ID].nunique() == ref_scores["users"]
    assert ndcg_at_k(ours, recs, 10) == pytest.approx(ref_scores["NDCG@10"], abs=1e-12)
    assert recall_at_k(ours, recs, 10) == pytest.approx(ref_scores["R@10"], abs=1e-12)
    assert hit_rate_at_k(ours, recs, 10) == pytest.approx(ref_scores["HR@10"], abs=1e-12)
    assert ref_scores["NDCG@10"] >= 0.110, "quality target: new-item NDCG@10 >= 0.110"


def test_split_summary_counts_lines_and_customers_on_each_side():
    tx = lines([("c1", "a", "2011-01-01 10:00"), ("c1", "b", "2011-01-10 00:00"),
                ("c2", "a", "2011-01-09 23:59"), ("c2", "c", "2011-01-20 15:30"),
                ("c3", "c", "2011-01-15 09:00")])
    summary = split_summary(tx, test_days=10)
    assert summary.cut == pd.Timestamp("2011-01-10")
    assert (summary.train_lines, summary.test_lines) == (2, 3)
    assert (summary.train_customers, summary.test_customers) == (2, 3)
    assert summary.first_date == pd.Timestamp("2011-01-01 10:00")
    assert summary.last_date == pd.Timestamp("2011-01-20 15:30")
    with pytest.raises(ParameterError, match="no line before the cut"):
        split_summary(tx, test_days=60)


def test_customers_per_slice_is_the_most_any_model_scored():
    table = pd.DataFrame({"model": ["hybrid", "popularity", "hybrid", "popularity"],
                          "slice": ["with history", "with history", "no history", "no history"],
                          "users": [40, 38, 3, 3]})
    users = customers_per_slice(table)
    assert users.to_dict() == {"with history": 40, "no history": 3}
    assert list(users.index) == ["with history", "no history"]
