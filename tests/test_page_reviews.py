"""AppTest of the Reviews page: praised and complained-about products, one product's stars."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from recsys.data import schema as S
from recsys.synth.shop import generate_shop, write_shop
from ui import source

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "reviews.py")


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shop")
    write_shop(generate_shop(n_customers=300, n_products=120, seed=12), folder)
    return folder


def _page(folder, monkeypatch) -> AppTest:
    monkeypatch.setenv(source.DATA_ENV, str(folder))
    return AppTest.from_file(PAGE, default_timeout=90)


def test_page_reviews_lists_the_planted_poor_products_first(shop_dir, monkeypatch):
    page = _page(shop_dir, monkeypatch)
    page.run()
    assert not page.exception
    assert [s.value for s in page.subheader] == [
        "Most praised", "Most complained about", "One product's reviews"]
    values = {m.label: m.value for m in page.metric}
    reviews = pd.read_csv(shop_dir / "reviews.csv")
    assert values["Reviews"] == f"{len(reviews):,}"
    assert values["Average rating"] == f"{reviews[S.RATING].mean():.2f} ★"
    poor = set(pd.read_csv(shop_dir / "poor_products.csv", dtype=str)[S.PRODUCT_ID])
    complained = page.dataframe[1].value
    assert complained[S.PRODUCT_ID].iloc[0] in poor
    praised = page.dataframe[0].value
    assert not set(praised[S.PRODUCT_ID]) & poor
    assert praised["mean_rating"].min() > complained["mean_rating"].max()
    # the product view opens on the most complained-about product, with its stars
    assert page.selectbox(key="reviews_product").value == complained[S.PRODUCT_ID].iloc[0]
    assert values["Sentiment of the text"] == "negative"
    assert any(m.value.startswith("**Complained about:**") for m in page.markdown)


def test_page_reviews_product_choice_shows_its_ratings(shop_dir, monkeypatch):
    page = _page(shop_dir, monkeypatch)
    page.run()
    praised = page.dataframe[0].value[S.PRODUCT_ID].iloc[0]
    page.selectbox(key="reviews_product").set_value(praised).run()
    assert not page.exception
    reviews = pd.read_csv(shop_dir / "reviews.csv", dtype={S.PRODUCT_ID: str})
    mine = reviews[reviews[S.PRODUCT_ID] == praised]
    values = {m.label: m.value for m in page.metric}
    assert values["Product rating"] == f"{mine[S.RATING].mean():.1f} ★"
    assert values["Product reviews"] == f"{len(mine):,}"
    shown = page.dataframe[2].value
    assert len(shown) == min(len(mine), 50)
    assert shown[S.REVIEW_DATE].is_monotonic_decreasing


def test_page_reviews_without_reviews_says_how_to_add_them(shop_dir, tmp_path, monkeypatch):
    folder = tmp_path / "no_reviews"
    folder.mkdir()
    (folder / "transactions.csv").write_bytes((shop_dir / "transactions.csv").read_bytes())
    page = _page(folder, monkeypatch)
    page.run()
    assert not page.exception
    assert "no reviews" in page.info[0].value and "reviews.csv" in page.info[0].value
    assert not page.dataframe
