"""Recommenders sharing one contract (see :mod:`recsys.recommend.base`).

Every model scores :class:`recsys.recommend.interactions.Histories` (what customers
bought, from the fitted index or folded in from new lines); the hybrid composes its
parts through that public API.

* :class:`recsys.recommend.popularity.PopularityRecommender` — global, per segment or
  per country, optionally time-decayed.
* :class:`recsys.recommend.itemknn.ItemKNNRecommender` — item-item neighbours
  (BM25 or cosine), top-k sparse, for any catalogue size.
* :class:`recsys.recommend.ease.EASERecommender` — closed-form linear item model over
  recency-weighted purchases (dense; up to 6,000 products).
* :class:`recsys.recommend.als.ALSRecommender` — implicit ALS matrix factorisation.
* :class:`recsys.recommend.content.ContentRecommender` — TF-IDF over descriptions and
  categories; reaches products without sales.
* :class:`recsys.recommend.hybrid.HybridRecommender` — the blend the product uses, with
  reasons and cold start; its weights are chosen by inner time-split validation.

Submodules are imported on use, so importing this package stays cheap.
"""
