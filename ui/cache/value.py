"""Cached customer value: the fitted BG/NBD + Gamma-Gamma, the holdout check, audiences,
segment movement and cohorts.

Keyed by the data fingerprint (and a :class:`~ui.cache.keys.SegmentKey` where segments
matter); the data set travels as the unhashed ``_dataset``. A data set too small or too
short for the value models raises :class:`recsys.errors.DataError` from
:func:`customer_value`; :func:`value_or_none` turns that into ``None`` for the pages that
show value beside other things.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from recsys.errors import DataError
from ui.cache.data import product_category_table
from ui.cache.kept import kept
from ui.cache.keys import SegmentKey
from ui.cache.segments import segments_or_none


@st.cache_data(show_spinner="Counting purchase days…", max_entries=8)
@kept
def purchase_days(fingerprint: str, _dataset):
    """Return :func:`recsys.value.summary.purchase_days` of the data set (net of cancellations)."""
    from recsys.value.summary import purchase_days as compute

    return compute(_dataset.customer_transactions, cancellations=_dataset.cancellations)


@st.cache_data(show_spinner="Predicting customer value (BG/NBD and Gamma-Gamma)…", max_entries=8)
@kept
def customer_value(fingerprint: str, _dataset):
    """Return :func:`recsys.value.clv.customer_value` on every purchase of the data set."""
    from recsys.value.clv import customer_value as compute

    return compute(_dataset)


def value_or_none(fingerprint: str, _dataset):
    """Return :func:`customer_value`, or ``None`` when the data set is too small or short for it."""
    try:
        return customer_value(fingerprint, _dataset)
    except DataError:
        return None


@st.cache_data(show_spinner="Fitting on the calibration period and comparing with what followed…",
               max_entries=16)
@kept
def holdout(fingerprint: str, calibration_end: dt.date, _dataset):
    """Return :func:`recsys.value.holdout.holdout_check` calibrated up to ``calibration_end``."""
    from recsys.value.holdout import holdout_check

    return holdout_check(purchase_days(fingerprint, _dataset), calibration_end=calibration_end)


@st.cache_data(show_spinner=False, max_entries=8)
@kept
def audience_table(key: SegmentKey, _dataset):
    """Return :func:`recsys.value.audience.audience_table` with the segments of ``key``.

    Value columns are NaN when the value models cannot be fitted, segment columns missing
    when the data set cannot be segmented.
    """
    from recsys.value.audience import audience_table as compute

    value = value_or_none(key.fingerprint, _dataset)
    return compute(_dataset, value.table if value is not None else None,
                   assignments=segments_or_none(key, _dataset))


@st.cache_data(show_spinner=False, max_entries=8)
@kept
def customer_categories(fingerprint: str, _dataset):
    """Return :func:`recsys.value.audience.customer_categories` (fully cancelled purchases left out)."""
    from recsys.value.audience import customer_categories as compute

    return compute(_dataset.customer_transactions, product_category_table(fingerprint, _dataset),
                   cancellations=_dataset.cancellations)


@st.cache_data(show_spinner=False, max_entries=8)
@kept
def category_choices(fingerprint: str, _dataset) -> list[str]:
    """Return the categories customers bought, most buyers first."""
    pairs = customer_categories(fingerprint, _dataset)
    return pairs["category"].value_counts().index.astype(str).tolist()


@st.cache_data(show_spinner="Forming segments at both dates and matching them…", max_entries=16)
@kept
def movement(key: SegmentKey, before: dt.date, after: dt.date, _dataset):
    """Return :func:`recsys.segments.movement.segment_movement` between two dates."""
    from recsys.segments.movement import segment_movement

    return segment_movement(
        _dataset, before=before, after=after, k=key.k, feature_set=key.feature_set,
        random_state=key.seed, products=product_category_table(key.fingerprint, _dataset),
    )


@st.cache_data(show_spinner="Forming segments at each month end (a few seconds, once)…", max_entries=8)
@kept
def segment_sizes(key: SegmentKey, _dataset):
    """Return :func:`recsys.segments.movement.segment_sizes_over_time` at every month end.

    The month ends of the data, and its last day (the reference: today's segments).
    """
    import pandas as pd

    from recsys.data import schema as S
    from recsys.segments.movement import segment_sizes_over_time

    dates = _dataset.customer_transactions[S.INVOICE_DATE]
    last = dates.max().normalize()
    ends = list(pd.date_range(dates.min().normalize(), last, freq="ME")) + [last]
    return segment_sizes_over_time(
        _dataset, dates=ends, k=key.k, feature_set=key.feature_set, random_state=key.seed,
        products=product_category_table(key.fingerprint, _dataset),
    )


@st.cache_data(show_spinner="Grouping customers by month of first purchase…", max_entries=8)
@kept
def cohorts(fingerprint: str, _dataset):
    """Return ``(activity, curve)``: :func:`recsys.value.cohorts.cohort_activity` and
    :func:`recsys.value.cohorts.repeat_purchase_curve` (up to a year, day by day)."""
    from recsys.value.cohorts import cohort_activity, repeat_purchase_curve

    days = purchase_days(fingerprint, _dataset)
    return cohort_activity(days), repeat_purchase_curve(days, max_days=365)


@st.cache_data(show_spinner="Preparing the CSV…", max_entries=8)
@kept
def value_csv(fingerprint: str, _dataset, technical: bool = False) -> tuple[bytes, int]:
    """Return every customer's value (:func:`recsys.value.clv.value_export`) as CSV bytes, and rows.

    Under readable column names (``ui.campaign.value_table``), the models' inputs only with
    ``technical``; the CLI's ``clv --out`` keeps the machine names.
    """
    from recsys.export import to_csv_bytes
    from recsys.value.clv import value_export
    from ui.campaign import value_table

    value = customer_value(fingerprint, _dataset)
    table = value_table(value_export(value), technical=technical, time_unit=value.time_unit)
    return to_csv_bytes(table), len(table)
