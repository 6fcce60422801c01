"""Product to product: "customers who bought this also bought" agrees with the baskets."""

from __future__ import annotations

import pytest

from recsys.baskets.insights import bought_together
from recsys.baskets.itemsets import basket_matrix
from recsys.data import schema as S
from recsys.recommend.hybrid import HybridRecommender


@pytest.fixture(scope="module")
def bundle_shop():
    """A generated shop with planted bundles (products sold together on purpose)."""
    from recsys.synth.shop import generate_shop

    shop = generate_shop(n_customers=1000, seed=0)
    ds = shop.to_dataset()
    model = HybridRecommender(tune=False).fit(ds.customer_transactions, products=ds.products)
    return shop, model, basket_matrix(ds.customer_transactions)


def test_also_bought_names_the_planted_bundle_like_the_basket_view(bundle_shop):
    shop, model, baskets = bundle_shop
    assert shop.bundles
    for bundle in shop.bundles:
        for product in bundle:
            others = set(bundle) - {product}
            also = model.similar_items(product, n=len(others))
            together = bought_together(baskets, product, n=len(others))
            # the top co-purchases agree: both are the rest of the bundle
            assert set(also[S.PRODUCT_ID]) == others == set(together[S.PRODUCT_ID])
            assert also["reason"].str.startswith("bought together by ").all()


def test_cart_of_part_of_a_bundle_suggests_the_rest(bundle_shop):
    shop, model, _ = bundle_shop
    bundle = max(shop.bundles, key=len)
    cart, rest = list(bundle[:2]), set(bundle[2:])
    suggested = model.basket_items(cart, n=len(rest))
    assert set(suggested[S.PRODUCT_ID]) == rest
    assert not set(suggested[S.PRODUCT_ID]) & set(cart)
    assert suggested["reason"].str.startswith("bought with ").all()
