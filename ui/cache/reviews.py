"""Cached analysis of the shop's reviews: ratings, sentiment and themes per product."""

from __future__ import annotations

import streamlit as st

from ui.cache.kept import kept


@st.cache_data(show_spinner="Reading the reviews (sentiment and themes)…", max_entries=4)
@kept
def product_reviews(fingerprint: str, _dataset):
    """Return :func:`recsys.insights.reviews.product_reviews` of the data set's reviews."""
    from recsys.insights.reviews import product_reviews as analyse

    return analyse(_dataset.reviews, _dataset.products)


@st.cache_data(show_spinner=False, max_entries=64)
def rating_distribution(fingerprint: str, product_id: str, _dataset):
    """Return :func:`recsys.insights.reviews.rating_distribution` of one product."""
    from recsys.insights.reviews import rating_distribution as distribution

    return distribution(_dataset.reviews, product_id)
