"""Concentration of recommendation lists: measures and the per-product cap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.recommend.exposure import concentration, exposure_offsets, gini, top_share


def test_gini_known_values():
    assert gini(np.array([5, 5, 5, 5])) == 0.0
    assert gini(np.array([0, 0, 0, 8])) == pytest.approx(0.75)  # (n - 1) / n for one holder
    assert gini(np.zeros(3)) == 0.0


def test_concentration_known_answer():
    # three customers; product A is in every top 5, B in one, C at rank 6 of one list
    recs = pd.DataFrame({
        S.CUSTOMER_ID: ["1"] * 6 + ["2", "3"],
        S.PRODUCT_ID: ["A", "P1", "P2", "P3", "P4", "C", "A", "A"],
        S.RANK: [1, 2, 3, 4, 5, 6, 1, 1],
    })
    c = concentration(recs, n_items=10)
    assert (c.top_product, c.top_share, c.customers) == ("A", 1.0, 3)
    assert c.coverage == 0.6
    # counts 3, 1, 1, 1, 1, 1 and four zeros
    assert c.gini == pytest.approx(gini(np.array([3, 1, 1, 1, 1, 1, 0, 0, 0, 0])))


def test_exposure_offsets_known_answer():
    # ten customers; product 0 scores 1.0 for all, each customer's own product 0.5 + u/100:
    # with a cap of 30 % of top-1 lists, product 0 stays first for the three customers
    # who prefer it most (the smallest own scores) and just drops for the fourth
    users = 10
    candidates = np.column_stack([np.zeros(users, int), np.arange(1, users + 1)])
    values = np.column_stack([np.ones(users), 0.5 + np.arange(users) / 100])
    offsets = exposure_offsets(candidates, values, users + 1, cap=0.3, top=1)
    assert offsets[0] == pytest.approx(1.0 - 0.53, abs=1e-5)
    assert not offsets[1:].any()
    shifted = values - offsets[candidates]
    assert (shifted.argmax(axis=1) == 0).tolist() == [True] * 3 + [False] * 7
    assert top_share(candidates, shifted, top=1) == pytest.approx(0.3)
    assert top_share(candidates, values, top=1) == 1.0


def test_exposure_offsets_rejects_a_bad_cap():
    with pytest.raises(ParameterError, match="cap must be in"):
        exposure_offsets(np.zeros((2, 2), int), np.zeros((2, 2)), 2, cap=1.5)
