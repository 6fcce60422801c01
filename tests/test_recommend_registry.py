"""Recommenders by name: what the evaluation, the CLI and the hybrid's blend can use."""

from __future__ import annotations

import pytest

from recsys.errors import ParameterError
from recsys.recommend.ease import EASERecommender
from recsys.recommend.hybrid import HybridRecommender
from recsys.recommend.registry import make_model, model_entry, model_names, register_model


def test_registry_builds_each_entry_with_its_parameters():
    model = make_model("ease")
    assert isinstance(model, EASERecommender)
    assert (model.l2, model.half_life_days) == (300.0, 60.0)
    assert make_model("ease", l2=10.0).l2 == 10.0
    assert {"hybrid", "ease", "popularity", "als", "itemknn"} <= set(model_names())
    assert set(model_names(blend_parts=True)) <= set(model_names())
    assert "hybrid" not in model_names(blend_parts=True)
    # the neural sequence model may join the hybrid's blend (extra_parts=("sequence",))
    assert "sequence" in model_names(blend_parts=True)


def test_registry_unknown_or_bad_names_say_what_is_known():
    with pytest.raises(ParameterError, match=r"unknown model 'easy'; known: hybrid, ease"):
        model_entry("easy")
    with pytest.raises(ParameterError, match="letters, digits"):
        register_model("a b", "x:Y", label="bad")


def test_registry_new_entry_is_importable_on_use():
    entry = register_model("ease-strong", "recsys.recommend.ease:EASERecommender",
                           label="EASE, strong ridge", params={"l2": 3000.0})
    try:
        assert entry.build().l2 == 3000.0
        assert "ease-strong" in model_names()
    finally:
        from recsys.recommend import registry
        registry._MODELS.pop("ease-strong")


def test_hybrid_refuses_a_part_that_cannot_join_the_blend(synthetic_shop):
    tx = synthetic_shop.transactions
    with pytest.raises(ParameterError, match="model 'popularity' cannot join the blend"):
        HybridRecommender(extra_parts=("popularity",), tune=False).fit(tx)
