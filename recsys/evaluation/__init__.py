"""Offline evaluation of recommendations on a time split.

``split`` cuts the lines in time and derives each customer's targets; ``metrics`` are pure
functions of (truth, recommendations, k); ``compare`` fits several recommenders and scores
them overall and per history band.

The top layer of the library: imports :mod:`recsys.recommend` and everything below it.
"""
