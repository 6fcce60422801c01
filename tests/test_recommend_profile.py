"""The category and price profile: a bargain hunter's cheap products, a category fan's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.recommend.profile import ProfileRecommender, price_bands


def test_price_bands_by_quantile():
    assert price_bands(np.array([1.0, 2.0, 4.0, 8.0, np.nan, -1.0]), 2).tolist() == [
        0, 0, 1, 1, 1, 1]
    assert price_bands(np.array([1.0, 2.0]), 5).tolist() == [2, 2]  # too few to band


@pytest.fixture(scope="module")
def shop():
    # candles and signs, cheap (1) and dear (10); the dear ones sell best overall
    products = pd.DataFrame({
        S.PRODUCT_ID: ["C1", "C2", "C3", "C4", "S1", "S2", "S3", "S4"],
        S.DESCRIPTION: ["candle"] * 4 + ["sign"] * 4,
        S.CATEGORY: ["Candles"] * 4 + ["Signs"] * 4,
        S.UNIT_PRICE: [1.0, 1.0, 10.0, 10.0, 1.0, 1.0, 10.0, 10.0],
    })
    rows = []
    buyers = {"C3": 20, "C4": 18, "S3": 20, "S4": 18, "C2": 8, "S2": 8, "C1": 4, "S1": 4}
    for product, count in buyers.items():
        for c in range(count):
            rows.append((f"{product}-{c}", f"B{c}", product))
    # the bargain candle fan bought the cheap candles C1 and C2 and the cheap sign S1
    rows += [("F1", "FAN", "C1"), ("F2", "FAN", "C2"), ("F3", "FAN", "S1")]
    tx = pd.DataFrame(rows, columns=[S.INVOICE_ID, S.CUSTOMER_ID, S.PRODUCT_ID])
    tx[S.INVOICE_DATE] = pd.Timestamp("2011-05-01")
    price = products.set_index(S.PRODUCT_ID)[S.UNIT_PRICE]
    tx[S.UNIT_PRICE] = tx[S.PRODUCT_ID].map(price)
    return tx, products


def test_profile_recommends_the_cheap_products_of_the_customers_category(shop):
    tx, products = shop
    model = ProfileRecommender(bands=2).fit(tx, products=products)
    recs = model.recommend("FAN", n=3)
    # worked out by hand: the cheap sign S2 first (all their purchases are cheap, though
    # dear products sell more), then the dear candles before the dear signs (two of
    # their three purchases are candles)
    assert recs["product_id"].tolist() == ["S2", "C3", "C4"]


def test_profile_without_attributes_is_popularity(shop):
    tx, products = shop
    bare = ProfileRecommender(bands=0).fit(tx.drop(columns=[S.UNIT_PRICE]),
                                           products=products[[S.PRODUCT_ID]])
    assert bare.recommend("FAN", n=2)["product_id"].tolist() == ["C3", "S3"]
