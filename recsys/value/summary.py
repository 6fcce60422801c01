"""Purchase days and the Fader–Hardie summary of each customer.

The probabilistic models count **purchase days**, as the literature does: several invoices
of one customer on one day are one purchase, whose amount is their sum. A customer's
first purchase day is their "birth"; the models look at what happened after it:

- ``repeat_purchases`` (x): purchase days after the first, up to the calibration end;
- ``t_last`` (t_x): time from the first to the last purchase day;
- ``t_observed`` (T): time from the first purchase day to the calibration end;
- ``avg_repeat_spend`` (m_x): mean amount of the repeat purchase days.

Times are in days (``time_unit="D"``) or weeks (``"W"``, days / 7). The calibration end
is the last day of the calibration period, its purchases included.

Purchases are **net of cancellations**, by the rule of :mod:`recsys.data.cancellations`
that every page follows: a cancellation takes back the same customer's most recent
purchases of the same product, never below zero; a line cancelled in full is no purchase,
so a day whose every line was cancelled is no purchase day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.cancellations import net_lines
from recsys.errors import DataError, ParameterError

DAY = "day"
AMOUNT = "amount"
"""Columns of a purchase-days table: the day (midnight) and its spend, net of cancellations."""

REPEAT_PURCHASES = "repeat_purchases"
T_LAST = "t_last"
T_OBSERVED = "t_observed"
AVG_REPEAT_SPEND = "avg_repeat_spend"
SPEND = "spend"
FIRST_PURCHASE = "first_purchase"
LAST_PURCHASE = "last_purchase"
HOLDOUT_PURCHASES = "holdout_purchases"
HOLDOUT_LENGTH = "holdout_length"

TIME_UNITS: dict[str, float] = {"D": 1.0, "W": 7.0}
"""Length of one time unit in days: ``"D"`` (days) or ``"W"`` (weeks)."""


def check_time_unit(time_unit: str) -> float:
    """Return the length in days of ``time_unit`` (``"D"`` or ``"W"``), else raise."""
    if time_unit not in TIME_UNITS:
        raise ParameterError(f"time unit must be 'D' (days) or 'W' (weeks), got {time_unit!r}")
    return TIME_UNITS[time_unit]


def as_day(value: object, *, what: str = "date") -> pd.Timestamp:
    """Return ``value`` (a date, timestamp or ``YYYY-MM-DD`` text) as a midnight Timestamp."""
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{what} must be a date such as 2011-09-30, got {value!r}") from exc
    if pd.isna(day):
        raise ParameterError(f"{what} must be a date such as 2011-09-30, got {value!r}")
    return day.normalize()


def purchase_days(
    transactions: pd.DataFrame,
    *,
    cancellations: pd.DataFrame | None = None,
    end: object | None = None,
) -> pd.DataFrame:
    """Return one row per customer and purchase day with its spend, net of cancellations.

    Parameters
    ----------
    transactions : DataFrame
        Canonical invoice lines (``customer_id``, ``invoice_date``, ``product_id``,
        ``quantity``, ``unit_price``); lines without a customer are left out.
    cancellations : DataFrame, optional
        Cancellation lines (as ``Dataset.cancellations``): the lines are taken net of those
        up to ``end`` (:func:`recsys.data.cancellations.net_lines`; lines cancelled in full
        are left out). Without them every line counts in full.
    end : date, optional
        Last day to include (its purchases included). Default: every line.

    Returns
    -------
    DataFrame
        Columns ``customer_id`` (str), ``day`` (datetime64, midnight), ``amount`` (float,
        net spend of the day, > 0 for positive prices); sorted by customer then day.
    """
    tx = transactions[transactions[S.CUSTOMER_ID].notna()]
    canc = cancellations
    if end is not None:
        stop = as_day(end, what="end") + pd.Timedelta(days=1)
        tx = tx[tx[S.INVOICE_DATE] < stop]
        if canc is not None and not canc.empty:
            canc = canc[canc[S.INVOICE_DATE] < stop]
    tx = net_lines(tx, canc)
    frame = pd.DataFrame(
        {
            S.CUSTOMER_ID: tx[S.CUSTOMER_ID].astype(str).to_numpy(),
            DAY: tx[S.INVOICE_DATE].dt.normalize().to_numpy(),
            AMOUNT: tx[S.QUANTITY].to_numpy(dtype=np.float64) * tx[S.UNIT_PRICE].to_numpy(dtype=np.float64),
        }
    )
    days = frame.groupby([S.CUSTOMER_ID, DAY], sort=True, as_index=False)[AMOUNT].sum()
    days[S.CUSTOMER_ID] = days[S.CUSTOMER_ID].astype("string")
    return days


def customer_summary(
    days: pd.DataFrame,
    *,
    calibration_end: object | None = None,
    time_unit: str = "D",
) -> pd.DataFrame:
    """Return the Fader–Hardie summary (x, t_x, T, m_x) of each customer.

    Parameters
    ----------
    days : DataFrame
        Purchase days: ``customer_id``, ``day`` (datetime64), ``amount`` (float), at most
        one row per customer and day (as from :func:`purchase_days`).
    calibration_end : date, optional
        Last day of the calibration period, its purchases included. Default: the last day
        in ``days``. Customers whose first purchase is after it are left out.
    time_unit : {"D", "W"}, default "D"
        Unit of ``t_last`` and ``t_observed``: days or weeks (days / 7).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (str, sorted), columns ``repeat_purchases`` (int, x:
        purchase days after the first), ``t_last`` (float, t_x: first to last purchase
        day), ``t_observed`` (float, T: first purchase day to ``calibration_end``),
        ``avg_repeat_spend`` (float, m_x: mean amount of the repeat purchase days, 0 when
        x = 0), ``spend`` (float: total amount up to ``calibration_end``, net where the
        days are), ``first_purchase`` and ``last_purchase`` (datetime64).
    """
    unit = check_time_unit(time_unit)
    if days.empty:
        raise DataError("no purchases with a customer id: customer value needs customers' purchases")
    end = as_day(calibration_end if calibration_end is not None else days[DAY].max(), what="calibration end")
    cal = days[days[DAY] <= end]
    if cal.empty:
        first = pd.Timestamp(days[DAY].min())
        raise ParameterError(
            f"no purchases up to the calibration end {end:%Y-%m-%d}: the first purchase is on "
            f"{first:%Y-%m-%d}; choose a later date"
        )
    cal = cal.sort_values([S.CUSTOMER_ID, DAY], kind="stable")
    codes, ids = pd.factorize(cal[S.CUSTOMER_ID].astype(str), sort=True)
    n = len(ids)
    day = cal[DAY].to_numpy(dtype="datetime64[D]")
    amount = cal[AMOUNT].to_numpy(dtype=np.float64)
    count = np.bincount(codes, minlength=n)
    first = np.full(n, np.datetime64("9999-12-31", "D"))
    last = np.full(n, np.datetime64("0001-01-01", "D"))
    np.minimum.at(first, codes, day)
    np.maximum.at(last, codes, day)
    # Rows are sorted by day within each customer: the first row of each is the birth day.
    is_first = np.r_[True, codes[1:] != codes[:-1]]
    repeat_total = np.bincount(codes, weights=np.where(is_first, 0.0, amount), minlength=n)
    x = count - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        m_x = np.where(x > 0, repeat_total / np.maximum(x, 1), 0.0)
    end_day = np.datetime64(end.date(), "D")
    one = np.timedelta64(1, "D")
    return pd.DataFrame(
        {
            REPEAT_PURCHASES: x.astype(np.int64),
            T_LAST: (last - first) / one / unit,
            T_OBSERVED: (end_day - first) / one / unit,
            AVG_REPEAT_SPEND: m_x,
            SPEND: np.bincount(codes, weights=amount, minlength=n),
            FIRST_PURCHASE: first.astype("datetime64[ns]"),
            LAST_PURCHASE: last.astype("datetime64[ns]"),
        },
        index=pd.Index(ids, name=S.CUSTOMER_ID, dtype="string"),
    )


def calibration_holdout(
    days: pd.DataFrame,
    *,
    calibration_end: object,
    holdout_end: object | None = None,
    time_unit: str = "D",
) -> pd.DataFrame:
    """Return the calibration summary plus each customer's purchases in the holdout period.

    Parameters
    ----------
    days : DataFrame
        Purchase days as for :func:`customer_summary`.
    calibration_end : date
        Last day of the calibration period (included).
    holdout_end : date, optional
        Last day of the holdout period (included); default the last day in ``days``.
    time_unit : {"D", "W"}

    Returns
    -------
    DataFrame
        The columns of :func:`customer_summary` for the customers who bought by
        ``calibration_end``, plus ``holdout_purchases`` (int: purchase days in
        ``(calibration_end, holdout_end]``) and ``holdout_length`` (float, the same for
        every row: the holdout period in the time unit).
    """
    unit = check_time_unit(time_unit)
    end = as_day(calibration_end, what="calibration end")
    stop = as_day(holdout_end if holdout_end is not None else days[DAY].max(), what="holdout end")
    if stop <= end:
        raise ParameterError(
            f"the holdout period must end after the calibration end {end:%Y-%m-%d}, got "
            f"{stop:%Y-%m-%d}; choose an earlier calibration end"
        )
    summary = customer_summary(days, calibration_end=end, time_unit=time_unit)
    hold = days[(days[DAY] > end) & (days[DAY] <= stop)]
    counts = hold.groupby(hold[S.CUSTOMER_ID].astype(str)).size()
    summary[HOLDOUT_PURCHASES] = (
        counts.reindex(summary.index.astype(str), fill_value=0).to_numpy().astype(np.int64)
    )
    summary[HOLDOUT_LENGTH] = (stop - end).days / unit
    return summary
