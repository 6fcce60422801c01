"""Frequent product sets and association rules with MLlib FPGrowth.

Baskets are invoices (distinct products; invoices with more than ``max_basket_items``
products left out, as :func:`recsys.baskets.itemsets.basket_matrix` does); the support
threshold is :func:`recsys.baskets.itemsets.basket_threshold`, sets are kept up to
``max_len`` products, and rules have one product on the right, so the tables have the
columns of :func:`recsys.baskets.itemsets.frequent_itemsets`; the rules come from those
sets through :func:`recsys.baskets.rules.association_rules` itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.pipeline.steps import PipelineParams, as_lists


def rule_tables(shop, params: PipelineParams) -> dict[str, pd.DataFrame]:
    """Return ``{"itemsets": ..., "rules": ...}`` (product ids as sorted lists)."""
    from pyspark.ml.fpm import FPGrowth
    from pyspark.sql import functions as fn

    from recsys.baskets.itemsets import basket_threshold
    from recsys.baskets.rules import association_rules

    baskets = shop.transactions.groupBy(S.INVOICE_ID).agg(
        fn.array_sort(fn.collect_set(S.PRODUCT_ID)).alias("items"))
    if params.max_basket_items:
        baskets = baskets.filter(fn.size("items") <= params.max_basket_items)
    baskets = baskets.cache()
    n = baskets.count()
    threshold = basket_threshold(n, params.min_support)
    model = FPGrowth(itemsCol="items", minSupport=threshold / n, minConfidence=0.0).fit(baskets)
    sets = (model.freqItemsets.filter(fn.size("items") <= params.max_len)
            .filter(fn.col("freq") >= threshold).toPandas())
    baskets.unpersist()
    sets["items"] = [sorted(map(str, items)) for items in sets["items"]]
    sets = sets.assign(length=sets["items"].map(len), count=sets["freq"].astype(np.int64))
    sets["support"] = sets["count"] / n
    sets = sets.sort_values(["length", "support", "items"], ascending=[True, False, True],
                            key=lambda c: c.map(tuple) if c.name == "items" else c)
    itemsets = pd.DataFrame({"support": sets["support"].to_numpy(),
                             "itemsets": [frozenset(items) for items in sets["items"]],
                             "count": sets["count"].to_numpy(), "length": sets["length"].to_numpy()})
    rules = association_rules(itemsets, min_confidence=params.min_confidence)
    return {
        "itemsets": itemsets.assign(itemsets=as_lists(itemsets["itemsets"])),
        "rules": rules.assign(antecedents=as_lists(rules["antecedents"]),
                              consequents=as_lists(rules["consequents"])),
    }
