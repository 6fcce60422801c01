"""Generated reviews follow purchases and planted preferences; demographics come as bands."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.synth.catalog import CATEGORY_NAMES
from recsys.synth.demographics import HOUSEHOLD_BANDS, INCOME_BANDS
from recsys.synth.reviews import COMPLAINTS, THEME
from recsys.synth.shop import generate_shop


def test_generated_reviews_only_by_buyers_after_buying(synthetic_shop):
    reviews = synthetic_shop.reviews.reviews
    assert len(reviews) > 500
    tx = synthetic_shop.transactions
    sales = tx[tx[S.CUSTOMER_ID].notna() & (tx[S.QUANTITY] > 0)
               & ~tx[S.INVOICE_ID].str.startswith("C")]
    first = sales.groupby([S.CUSTOMER_ID, S.PRODUCT_ID])[S.INVOICE_DATE].min()
    bought = first.reindex(pd.MultiIndex.from_frame(reviews[[S.CUSTOMER_ID, S.PRODUCT_ID]]))
    assert bought.notna().all()  # every reviewer bought the product
    assert (reviews[S.REVIEW_DATE].to_numpy() > bought.to_numpy()).all()  # after buying
    assert not reviews.duplicated([S.CUSTOMER_ID, S.PRODUCT_ID]).any()
    assert reviews[S.RATING].between(1, 5).all()
    assert reviews[S.REVIEW_DATE].max() < tx[S.INVOICE_DATE].max().normalize() + pd.Timedelta(
        days=2)


def test_generated_reviews_rate_planted_poor_products_low(synthetic_shop):
    reviews = synthetic_shop.reviews.reviews
    poor = synthetic_shop.reviews.poor_products
    assert len(poor) >= 3 and set(poor[THEME]) <= set(COMPLAINTS)
    is_poor = reviews[S.PRODUCT_ID].isin(poor[S.PRODUCT_ID])
    assert reviews.loc[is_poor, S.RATING].mean() < 2.3
    assert reviews.loc[~is_poor, S.RATING].mean() > 3.7


def test_generated_reviews_rate_favoured_categories_higher():
    shop = generate_shop(n_customers=600, seed=4)
    reviews = shop.reviews.reviews
    reviews = reviews[~reviews[S.PRODUCT_ID].isin(shop.reviews.poor_products[S.PRODUCT_ID])]
    category = shop.products.set_index(S.PRODUCT_ID)[S.CATEGORY]
    # a customer's favoured categories: those they bought most of
    tx = shop.transactions[shop.transactions[S.CUSTOMER_ID].notna()]
    counts = tx.groupby([S.CUSTOMER_ID, S.CATEGORY]).size()
    share = counts / counts.groupby(level=0).transform("sum")
    key = pd.MultiIndex.from_arrays([reviews[S.CUSTOMER_ID],
                                     category.reindex(reviews[S.PRODUCT_ID]).to_numpy()])
    favoured = share.reindex(key).to_numpy() > 1.5 / len(CATEGORY_NAMES)
    assert reviews[S.RATING][favoured].mean() > reviews[S.RATING][~favoured].mean() + 0.2


def test_generated_reviews_same_seed_same_reviews_and_buyers_unchanged():
    a, b = generate_shop(n_customers=120, seed=9), generate_shop(n_customers=120, seed=9)
    pd.testing.assert_frame_equal(a.reviews.reviews, b.reviews.reviews)
    pd.testing.assert_frame_equal(a.customers, b.customers)
    c = generate_shop(n_customers=120, seed=10)
    assert not a.reviews.reviews[S.RATING].equals(c.reviews.reviews[S.RATING])


def test_generated_customers_have_income_and_household_bands(synthetic_shop):
    customers = synthetic_shop.customers
    assert set(customers[S.INCOME]) <= set(INCOME_BANDS)
    assert set(customers[S.HOUSEHOLD]) <= set(HOUSEHOLD_BANDS)
    truth = synthetic_shop.ground_truth.set_index(S.CUSTOMER_ID)["planted_segment"]
    rank = pd.Series(np.arange(len(INCOME_BANDS)), index=INCOME_BANDS)
    income = rank[customers[S.INCOME]].to_numpy()
    segment = truth[customers[S.CUSTOMER_ID]].to_numpy()
    assert income[segment == "Loyal high spenders"].mean() > income[
        segment == "Bargain hunters"].mean() + 1


def test_generated_dataset_carries_the_reviews(synthetic_shop, synthetic_dataset):
    assert synthetic_dataset.has_reviews
    assert len(synthetic_dataset.reviews) == len(synthetic_shop.reviews.reviews)
    assert synthetic_dataset.reviews[S.RATING].dtype == np.float64
