"""Cached segmentation: customer features, the k sweep, segments, profiles, the RFM grid.

Every step is keyed by the data fingerprint plus its own small parameters (a
:class:`~ui.cache.keys.SegmentKey` where k matters). The sweep keeps the k-means labels of
every k, so moving the k slider reuses a fit instead of refitting.
"""

from __future__ import annotations

import streamlit as st

from recsys.errors import RecsysError
from ui.cache.data import artifacts_for, product_category_table
from ui.cache.kept import kept
from ui.cache.keys import SegmentKey


def _stored(fingerprint: str, feature_set: str | None = None, seed: int | None = None):
    """The pipeline artifacts of this data set computed with these settings, or None."""
    from recsys.pipeline.home import matches

    found = artifacts_for(fingerprint)
    if found is None or not found.has("segments_by_k"):
        return None
    return found if matches(found, fingerprint=fingerprint, feature_set=feature_set, seed=seed) else None


@st.cache_data(show_spinner="Computing customer figures…", max_entries=8)
@kept
def customer_features(fingerprint: str, _dataset):
    """Return :func:`recsys.segments.features.customer_features` of the data set (indexed by customer_id).

    Category shares use :func:`ui.cache.data.product_category_table` (the Trends page's
    categories, derived from descriptions where the source has none), so UCI data has them too.
    """
    from recsys.segments.features import customer_features as compute

    stored = _stored(fingerprint)
    if stored is not None:
        from recsys.pipeline.home import stored_features

        return stored_features(stored)
    return compute(_dataset, products=product_category_table(fingerprint, _dataset))


@st.cache_data(show_spinner=False, max_entries=8)
@kept
def prepared_features(fingerprint: str, feature_set: str, _dataset):
    """Return :func:`recsys.segments.kmeans.prepare_features` of the data set's customer figures
    (with the customers' demographics for the demographics feature set)."""
    from recsys.segments.demographics import with_demographics
    from recsys.segments.kmeans import DEMOGRAPHICS_SET, prepare_features

    features = customer_features(fingerprint, _dataset)
    if feature_set == DEMOGRAPHICS_SET:
        features = with_demographics(features, _dataset.customers)
    return prepare_features(features, feature_set=feature_set)


@st.cache_data(show_spinner="Trying k = 2 to 12 (k-means and silhouette)…", max_entries=8)
@kept
def _k_sweep(fingerprint: str, feature_set: str, seed: int, _dataset):
    from recsys.segments.ksweep import sweep_k

    stored = _stored(fingerprint, feature_set, seed)
    if stored is not None:
        from recsys.pipeline.home import segment_sweep

        return segment_sweep(stored)

    prepared = prepared_features(fingerprint, feature_set, _dataset)
    k_range = range(2, min(12, len(prepared) - 1) + 1)
    return sweep_k(prepared, k_range=k_range, random_state=int(seed))


def k_sweep(key: SegmentKey, _dataset):
    """Return the :class:`recsys.segments.ksweep.KSweep` (k = 2..12) of the data set.

    One sweep per data set, feature set and seed: ``key.k`` does not matter.
    """
    return _k_sweep(key.fingerprint, key.feature_set, key.seed, _dataset)


@st.cache_data(show_spinner="Forming segments…", max_entries=32)
@kept
def segmentation(key: SegmentKey, _dataset):
    """Return the :class:`recsys.segments.kmeans.Segmentation` of the data set at ``key.k``.

    Reuses the sweep's k-means labels for ``k`` (same seed, same fit) when it has them.
    """
    from recsys.segments.kmeans import segment_customers

    features = customer_features(key.fingerprint, _dataset)
    prepared = prepared_features(key.fingerprint, key.feature_set, _dataset)
    sweep = k_sweep(key, _dataset)
    return segment_customers(
        features,
        k=key.k,
        feature_set=key.feature_set,
        random_state=key.seed,
        prepared=prepared,
        labels=sweep.labels.get(key.k),
    )


def segment_assignments(key: SegmentKey, _dataset):
    """Return the segments of every customer (cached through :func:`segmentation`).

    Returns
    -------
    DataFrame
        Columns ``customer_id`` (str), ``segment`` (int, 1 = most valuable),
        ``segment_name`` (str).
    """
    return segmentation(key, _dataset).assignments


def segments_or_none(key: SegmentKey, _dataset):
    """Return :func:`segment_assignments`, or ``None`` when this data set cannot be segmented.

    A shop with fewer customers than ``k`` (or without the features a feature set
    needs) has no segments; recommendations and profiles then go without them, and
    the Segments page explains why.
    """
    try:
        return segment_assignments(key, _dataset)
    except RecsysError:
        return None


@st.cache_data(show_spinner=False, max_entries=32)
@kept
def demographic_mix(key: SegmentKey, attribute: str, _dataset):
    """Return :func:`recsys.segments.demographics.demographic_mix` of the segments at ``key``."""
    from recsys.segments.demographics import demographic_mix as mix

    return mix(segment_assignments(key, _dataset), _dataset.customers, attribute)


@st.cache_data(show_spinner=False, max_entries=8)
@kept
def rfm_scores(fingerprint: str, _dataset):
    """Return :func:`recsys.segments.rfm.rfm_scores` of the data set's customers."""
    from recsys.segments.rfm import rfm_scores as compute

    return compute(customer_features(fingerprint, _dataset))


@st.cache_data(show_spinner=False, max_entries=64)
def name_fit(key: SegmentKey, customer_id: str, _dataset):
    """Return :func:`recsys.segments.profile.customer_fit` of one customer (None without a segment)."""
    from recsys.segments.profile import customer_fit

    try:
        result = segmentation(key, _dataset)
    except RecsysError:
        return None
    features = customer_features(key.fingerprint, _dataset)
    return customer_fit(features, result.assignments, result.claims, rfm_scores(key.fingerprint, _dataset),
                        str(customer_id))


@st.cache_data(show_spinner=False, max_entries=16)
@kept
def segment_projection(key: SegmentKey, _dataset):
    """Return ``(points, explained)`` of :func:`recsys.segments.profile.project_2d`."""
    from recsys.segments.profile import project_2d

    prepared = prepared_features(key.fingerprint, key.feature_set, _dataset)
    return project_2d(prepared, segment_assignments(key, _dataset), random_state=key.seed)


@st.cache_data(show_spinner=False, max_entries=16)
@kept
def segment_profiles(key: SegmentKey, _dataset):
    """Return :func:`recsys.segments.profile.segment_profile` (figures per segment and overall)."""
    from recsys.segments.profile import segment_profile

    features = customer_features(key.fingerprint, _dataset)
    return segment_profile(features, segment_assignments(key, _dataset))


@st.cache_data(show_spinner=False, max_entries=32)
@kept
def segment_purchases(key: SegmentKey, segment: int, _dataset):
    """Return :func:`recsys.segments.profile.segment_purchases` of one segment.

    Categories are those the segments were formed with (:func:`customer_features`):
    derived from descriptions where the data has none.
    """
    from recsys.segments.profile import segment_purchases as compute

    return compute(_dataset, segment_assignments(key, _dataset), segment=int(segment),
                   categories=product_category_table(key.fingerprint, _dataset))


@st.cache_data(show_spinner=False, max_entries=16)
@kept
def segment_choices(key: SegmentKey, _dataset):
    """Return :func:`recsys.segments.profile.segment_choices`: ``[(segment, segment_name), ...]``."""
    from recsys.segments.profile import segment_choices as choices

    return choices(segment_assignments(key, _dataset))


def segment_customers(key: SegmentKey, segments, _dataset) -> list[str] | None:
    """Return the ids of the customers in ``segments`` (None when no segment is chosen)."""
    from recsys.segments.profile import segment_customer_ids

    if not segments:
        return None
    return segment_customer_ids(segment_assignments(key, _dataset), segments)
