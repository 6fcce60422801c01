"""The neural sequence recommender: its input sequences, its network, its contract.

Known answer: products on a ring, bought one after the other. Customer ``c`` buys
``P[s], P[s+1], …`` in weekly baskets; the product they buy next is the one after their
last. A co-purchase model cannot tell it from the one before their first (both sit
beside the customer's products); a model that reads the order can.
The network tests train tiny models on tiny data (a second or two each).
"""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.recommend import sequence as SQ
from recsys.recommend.interactions import Histories
from recsys.recommend.sequences import basket_sequences, gap_bucket, next_items

torch = pytest.importorskip("torch", reason="the neural extra (requirements-neural.txt) is absent")

RING = 8
TINY = dict(dim=16, heads=2, layers=1, max_baskets=8, dropout=0.0, epochs=40, batch_size=16,
            learning_rate=1e-2, threads=1, random_state=0)


def histories(rows: list[list[tuple[int, float]]], n_items: int) -> Histories:
    """Histories from ``[(item, age_days), ...]`` per customer."""
    indptr = np.cumsum([0] + [len(r) for r in rows])
    items = np.array([i for r in rows for i, _ in sorted(r)], dtype=np.int32)
    ages = np.array([a for r in rows for _, a in sorted(r)], dtype=np.float64)
    bought = sp.csr_matrix((np.ones(len(items), np.float32), items, indptr),
                           shape=(len(rows), n_items))
    return Histories(bought, ages, np.array([len({a for _, a in r}) for r in rows]))


def test_basket_sequences_groups_by_day_oldest_first():
    h = histories([[(3, 10.0), (1, 10.0), (2, 3.0)], [], [(0, 0.0)]], n_items=4)
    seqs = basket_sequences(h, max_baskets=5)
    assert seqs.lengths.tolist() == [2, 0, 1]
    assert seqs.customer.tolist() == [0, 0, 2]
    assert seqs.position.tolist() == [0, 1, 0]
    baskets = [seqs.items[a:b].tolist() for a, b in zip(seqs.item_start[:-1],
                                                         seqs.item_start[1:], strict=True)]
    assert baskets == [[1, 3], [2], [0]]
    # 7 days after the first basket: bucket 1 + floor(log2(8)) = 4
    assert seqs.gap.tolist() == [0, 4, 0]


def test_basket_sequences_keeps_the_latest_baskets_and_known_items():
    h = histories([[(0, 30.0), (1, 20.0), (2, 10.0), (5, 5.0), (3, 0.0)]], n_items=6)
    seqs = basket_sequences(h, max_baskets=2, n_items=5)
    assert seqs.items.tolist() == [2, 3], "item 5 has no embedding; the two latest remain"
    assert seqs.position.tolist() == [0, 1]
    assert seqs.gap.tolist() == [gap_bucket(np.array([10.0]))[0], gap_bucket(np.array([10.0]))[0]]


def test_gap_bucket_by_hand():
    assert gap_bucket(np.array([0.0, 1.0, 3.0, 6.9, 1e9])).tolist() == [1, 2, 3, 3, 11]


def test_next_items_within_horizon_and_at_least_next_basket():
    # one customer, baskets on days 0, 5, 50, 52: items 0 | 1 | 2 | 3
    h = histories([[(0, 52.0), (1, 47.0), (2, 2.0), (3, 0.0)]], n_items=4)
    seqs = basket_sequences(h, max_baskets=10)
    basket, item = next_items(seqs, horizon_days=10.0)
    pairs = sorted(zip(basket.tolist(), item.tolist(), strict=True))
    # day 0 -> day 5 only; day 5 -> day 50 (the next, though past the horizon);
    # day 50 -> day 52; the last basket has no target
    assert pairs == [(0, 1), (1, 2), (2, 3)]


def ring_lines(n_customers: int = 48) -> pd.DataFrame:
    rows = []
    for c in range(n_customers):
        start, length = c % RING, 3 + c % 3
        for step in range(length):
            day = pd.Timestamp("2011-01-03") + pd.Timedelta(days=7 * step + c % 5)
            rows.append((f"I{c}-{step}", day, f"C{c:02d}", f"P{(start + step) % RING}"))
    tx = pd.DataFrame(rows, columns=[S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID])
    tx[S.QUANTITY] = 1
    tx[S.UNIT_PRICE] = 1.0
    return tx


@pytest.fixture(scope="module")
def ring_model():
    return SQ.SequenceRecommender(**TINY).fit(ring_lines())


def test_sequence_recommends_the_next_product_on_the_ring(ring_model):
    ids = [f"C{c:02d}" for c in range(48)]
    top = ring_model.recommend(ids, n=1).set_index(S.CUSTOMER_ID)[S.PRODUCT_ID]
    expected = {f"C{c:02d}": f"P{(c % RING + 3 + c % 3) % RING}" for c in range(48)}
    assert top.to_dict() == expected


def test_sequence_numpy_scores_match_the_torch_network(ring_model):
    from recsys.recommend.sequence_net import SequenceNet, batch_tensors

    m = ring_model
    net = SequenceNet(m.data_.n_sold, dim=m.dim, layers=m.layers, heads=m.heads,
                      max_baskets=m.max_baskets, dropout=0.0)
    net.load_state_dict({k: torch.from_numpy(v) for k, v in m.weights_.items()})
    net.eval()
    seqs = basket_sequences(m.data_.histories(np.arange(len(m.data_.users))),
                            max_baskets=m.max_baskets, n_items=m.data_.n_sold)
    customers = np.arange(len(seqs.lengths))
    first = np.concatenate([[0], np.cumsum(seqs.lengths)[:-1]])
    inputs, _, _ = batch_tensors(seqs, customers, first)
    with torch.no_grad():
        states = net(*inputs)
        last = states[torch.arange(len(customers)), torch.from_numpy(seqs.lengths - 1)]
        expected = net.scores(last).numpy()
    got = m.score_histories(m.data_.histories(customers))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_sequence_same_seed_same_weights_other_seed_other_weights():
    tx = ring_lines(24)
    params = {**TINY, "epochs": 3}
    a = SQ.SequenceRecommender(**params).fit(tx)
    b = SQ.SequenceRecommender(**params).fit(tx)
    c = SQ.SequenceRecommender(**{**params, "random_state": 1}).fit(tx)
    for key, value in a.weights_.items():
        np.testing.assert_array_equal(value, b.weights_[key])
    assert not np.allclose(a.weights_["item.weight"], c.weights_["item.weight"])
    assert a.losses_ == b.losses_


def test_sequence_training_lowers_the_loss(ring_model):
    assert len(ring_model.losses_) == TINY["epochs"]
    assert ring_model.losses_[-1] < 0.5 * ring_model.losses_[0]


def test_sequence_fit_leaves_torch_settings_as_they_were():
    threads = torch.get_num_threads()
    state = torch.random.get_rng_state()
    SQ.SequenceRecommender(**{**TINY, "epochs": 1, "threads": 2}).fit(ring_lines(12))
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.random.get_rng_state(), state)
    assert not torch.are_deterministic_algorithms_enabled()


def test_sequence_threads_default_to_available_cores():
    model = SQ.SequenceRecommender(**{**TINY, "epochs": 1, "threads": None}).fit(ring_lines(12))
    assert model.threads_ == SQ.available_cores() >= 1


def test_sequence_fitted_model_pickles_and_scores_alike(ring_model):
    copy = pickle.loads(pickle.dumps(ring_model))
    ids = ["C01", "C07", "NEW"]
    pd.testing.assert_frame_equal(copy.recommend(ids, n=5), ring_model.recommend(ids, n=5))


def test_sequence_new_customer_is_personalised_by_new_lines(ring_model):
    lines = pd.DataFrame({S.INVOICE_ID: ["N1", "N2"],
                          S.INVOICE_DATE: pd.to_datetime(["2011-03-01", "2011-03-08"]),
                          S.PRODUCT_ID: ["P2", "P3"], S.QUANTITY: 1})
    recs = ring_model.recommend_lines("NEW", lines, n=1)
    assert recs[S.PRODUCT_ID].tolist() == ["P4"]


def test_sequence_scoring_does_not_import_torch(ring_model, tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(ring_model))
    code = ("import pickle, sys; m = pickle.loads(open(sys.argv[1], 'rb').read()); "
            "r = m.recommend(['C01'], n=3); assert len(r) == 3; "
            "assert 'torch' not in sys.modules, 'scoring imported torch'")
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)


def test_sequence_without_torch_says_how_to_install(monkeypatch):
    monkeypatch.setattr(SQ, "torch_available", lambda: False)
    with pytest.raises(SQ.NeuralUnavailableError, match="requirements-neural.txt"):
        SQ.SequenceRecommender(**TINY).fit(ring_lines(6))


@pytest.mark.parametrize(("param", "value", "message"), [
    ("dim", 0, "dim must be a positive integer, got 0"),
    ("epochs", 2.5, "epochs must be a positive integer, got 2.5"),
    ("heads", 3, "dim must be a multiple of heads"),
    ("dropout", 1.0, r"dropout must be in \[0, 1\), got 1.0"),
    ("learning_rate", 0.0, "learning_rate must be positive"),
    ("threads", 0, "threads must be a positive integer or None, got 0"),
])
def test_sequence_rejects_settings_out_of_range(param, value, message):
    model = clone(SQ.SequenceRecommender(**TINY)).set_params(**{param: value})
    with pytest.raises(ParameterError, match=message):
        model.fit(ring_lines(6))
