"""Cohorts: customers grouped by the month of their first purchase.

The views marketers know from Google Analytics and Klaviyo: the share of each cohort still
buying N months later (retention), the revenue each cohort brings month by month, and how
long customers take to come back for a second order. All work on purchase days
(:func:`recsys.value.summary.purchase_days`), so spend is net of cancellations where the
days are.

A customer's first purchase is their first in the data: customers who bought before the
data starts look new in its first month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.value.summary import AMOUNT, DAY

COHORT = "cohort"
MONTHS_SINCE = "months_since"
COHORT_SIZE = "cohort_size"
ACTIVE = "active"
RETENTION = "retention"
REVENUE = "revenue"
REVENUE_PER_CUSTOMER = "revenue_per_customer"
CUMULATIVE_PER_CUSTOMER = "cumulative_per_customer"
DAYS_TO_SECOND = "days_to_second_order"
DAYS = "days"
ELIGIBLE = "eligible"
SHARE_RETURNED = "share_returned"


def _month(days: pd.Series) -> pd.Series:
    return days.dt.to_period("M").dt.start_time


def cohort_activity(days: pd.DataFrame) -> pd.DataFrame:
    """Return retention and revenue of each cohort by months since its first month.

    Parameters
    ----------
    days : DataFrame
        Purchase days: ``customer_id``, ``day`` (datetime64), ``amount`` (float, spend of
        the day).

    Returns
    -------
    DataFrame
        One row per cohort and month since the cohort's month (0 = the first month) up to
        the last month of the data, also months with no buyer: ``cohort`` (datetime64,
        first day of the month of first purchase), ``months_since`` (int ≥ 0),
        ``cohort_size`` (int, customers), ``active`` (int, customers of the cohort who
        bought in that month), ``retention`` (active / cohort_size, in [0, 1]),
        ``revenue`` (float, the cohort's spend in that month), ``revenue_per_customer``
        (revenue / cohort_size) and ``cumulative_per_customer`` (running total of it).
    """
    if days.empty:
        return pd.DataFrame(columns=[COHORT, MONTHS_SINCE, COHORT_SIZE, ACTIVE, RETENTION, REVENUE,
                                     REVENUE_PER_CUSTOMER, CUMULATIVE_PER_CUSTOMER])
    month = _month(days[DAY])
    cohort = month.groupby(days[S.CUSTOMER_ID]).transform("min")
    since = (month.dt.year - cohort.dt.year) * 12 + (month.dt.month - cohort.dt.month)
    frame = pd.DataFrame(
        {S.CUSTOMER_ID: days[S.CUSTOMER_ID].to_numpy(), COHORT: cohort.to_numpy(),
         MONTHS_SINCE: since.to_numpy(), REVENUE: days[AMOUNT].to_numpy(dtype=np.float64)}
    )
    grouped = frame.groupby([COHORT, MONTHS_SINCE])
    table = pd.DataFrame(
        {ACTIVE: grouped[S.CUSTOMER_ID].nunique(), REVENUE: grouped[REVENUE].sum()}
    )
    sizes = frame.groupby(COHORT)[S.CUSTOMER_ID].nunique()
    last = month.max()
    cells = [
        (c, m)
        for c in sizes.index
        for m in range((last.year - c.year) * 12 + last.month - c.month + 1)
    ]
    full = table.reindex(pd.MultiIndex.from_tuples(cells, names=[COHORT, MONTHS_SINCE]), fill_value=0)
    out = full.reset_index()
    out[ACTIVE] = out[ACTIVE].astype(np.int64)
    out.insert(2, COHORT_SIZE, out[COHORT].map(sizes).astype(np.int64))
    out.insert(4, RETENTION, out[ACTIVE] / out[COHORT_SIZE])
    out[REVENUE_PER_CUSTOMER] = out[REVENUE] / out[COHORT_SIZE]
    out[CUMULATIVE_PER_CUSTOMER] = out.groupby(COHORT)[REVENUE_PER_CUSTOMER].cumsum()
    return out


def days_to_second_order(days: pd.DataFrame) -> pd.Series:
    """Return each customer's days from the first to the second purchase day (NaN if none).

    Parameters
    ----------
    days : DataFrame
        Purchase days: ``customer_id``, ``day``, at most one row per customer and day.

    Returns
    -------
    Series of float indexed by ``customer_id`` (sorted), name ``days_to_second_order``.
    """
    ordered = days.sort_values([S.CUSTOMER_ID, DAY], kind="stable")
    rank = ordered.groupby(S.CUSTOMER_ID).cumcount()
    first = ordered[rank == 0].set_index(S.CUSTOMER_ID)[DAY]
    second = ordered[rank == 1].set_index(S.CUSTOMER_ID)[DAY]
    gap = (second.reindex(first.index) - first).dt.days.astype("float64")
    return gap.rename(DAYS_TO_SECOND)


def repeat_purchase_curve(days: pd.DataFrame, *, max_days: int = 365, step: int = 1) -> pd.DataFrame:
    """Return the share of customers who placed a second order within N days of their first.

    Only customers observed for at least N days after their first purchase (first
    purchase at least N days before the last day of the data) count for N, so recent
    customers do not pull the curve down for horizons they could not reach.

    Parameters
    ----------
    days : DataFrame
        Purchase days: ``customer_id``, ``day``.
    max_days : int, default 365
    step : int, default 1

    Returns
    -------
    DataFrame
        Columns ``days`` (int, 0..max_days by ``step``), ``eligible`` (int: customers
        observed at least that long), ``share_returned`` (float in [0, 1]; NaN where no
        customer is eligible).
    """
    if max_days < 1 or step < 1:
        raise ParameterError(f"max_days and step must be at least 1, got {max_days} and {step}")
    gap = days_to_second_order(days)
    first = days.groupby(S.CUSTOMER_ID)[DAY].min().reindex(gap.index)
    observed = (days[DAY].max() - first).dt.days.to_numpy()
    gap_values = gap.to_numpy()
    horizons = np.arange(0, max_days + 1, step)
    eligible = (observed[None, :] >= horizons[:, None])
    returned = eligible & (np.nan_to_num(gap_values, nan=np.inf)[None, :] <= horizons[:, None])
    n_eligible = eligible.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_eligible > 0, returned.sum(axis=1) / np.maximum(n_eligible, 1), np.nan)
    return pd.DataFrame({DAYS: horizons, ELIGIBLE: n_eligible.astype(np.int64), SHARE_RETURNED: share})
