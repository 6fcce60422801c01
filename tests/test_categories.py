"""Tests of recsys.data.categories: derived categories from descriptions, given ones kept."""

from __future__ import annotations

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.categories import OTHER, dataset_categories, line_categories, product_categories

WORDS = {
    "bag": ["JUMBO BAG {}", "LUNCH BAG {}", "SHOPPER BAG {}"],
    "mug": ["TEA MUG {}", "COFFEE MUG {}", "ENAMEL MUG {}"],
    "candle": ["SCENTED CANDLE {}", "PILLAR CANDLE {}", "CANDLE HOLDER {}"],
}
THEMES = ["APPLES", "BIRDS", "OWLS", "ROSES", "STARS"]


@pytest.fixture
def catalogue():
    rows = [
        (f"{group}{i}{j}", pattern.format(theme))
        for group, patterns in WORDS.items()
        for i, pattern in enumerate(patterns)
        for j, theme in enumerate(THEMES)
    ]
    rows.append(("EMPTY", None))
    return pd.DataFrame(rows, columns=[S.PRODUCT_ID, S.DESCRIPTION])


def test_product_categories_groups_obvious_families(catalogue):
    out = product_categories(catalogue, n_categories=3)
    assert list(out.columns) == [S.PRODUCT_ID, S.CATEGORY]
    assert len(out) == len(catalogue)
    by_family = out.assign(family=out[S.PRODUCT_ID].str.extract(r"^([a-z]+)")[0])
    for family in WORDS:
        labels = by_family.loc[by_family["family"] == family, S.CATEGORY]
        assert labels.nunique() == 1, family
        assert family.capitalize() in labels.iloc[0]
    assert out.loc[out[S.PRODUCT_ID] == "EMPTY", S.CATEGORY].item() == OTHER


def test_product_categories_same_seed_same_result(catalogue):
    a = product_categories(catalogue, n_categories=3, random_state=4)
    b = product_categories(catalogue, n_categories=3, random_state=4)
    pd.testing.assert_frame_equal(a, b)


def test_product_categories_leaves_input_unchanged(catalogue):
    before = catalogue.copy()
    product_categories(catalogue, n_categories=3)
    pd.testing.assert_frame_equal(catalogue, before)


def test_product_categories_tiny_catalogue():
    tiny = pd.DataFrame({S.PRODUCT_ID: ["a", "b"], S.DESCRIPTION: ["RED BAG", None]})
    out = product_categories(tiny)
    assert out[S.CATEGORY].tolist()[1] == OTHER


def test_line_categories_maps_and_fills(catalogue):
    cats = product_categories(catalogue, n_categories=3)
    lines = pd.DataFrame({S.PRODUCT_ID: pd.array(["bag00", "zzz"], dtype="string")}, index=[5, 9])
    out = line_categories(lines, cats)
    assert list(out.index) == [5, 9]
    assert "Bag" in out.loc[5] and out.loc[9] == S.MISSING_CATEGORY


def test_dataset_categories_keeps_generated_ones(synthetic_dataset):
    out = dataset_categories(synthetic_dataset)
    assert not out["derived"].any()
    given = synthetic_dataset.products.set_index(S.PRODUCT_ID)[S.CATEGORY].dropna()
    mine = out.set_index(S.PRODUCT_ID)[S.CATEGORY]
    assert (mine.reindex(given.index).astype(str) == given.astype(str)).all()


@pytest.mark.real_data
def test_dataset_categories_derived_for_uci(real_dataset):
    out = dataset_categories(real_dataset)
    assert out["derived"].all()
    assert 8 <= out[S.CATEGORY].nunique() <= 17
    assert (out[S.CATEGORY] == OTHER).mean() < 0.05
