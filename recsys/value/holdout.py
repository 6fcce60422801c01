"""The calibration/holdout check of the repeat-purchase model on the shop's own data.

Fit BG/NBD on the purchases up to a calibration end, predict the holdout period that
follows, and compare with what customers actually did — the two plots of Fader, Hardie &
Lee (2005):

- **by frequency**: customers grouped by their repeat purchases in the calibration period
  (0, 1, …, 7+), the mean actual and mean predicted repeat purchases in the holdout;
- **tracking**: repeat purchases of the whole customer base per week, actual and expected,
  over the calibration and the holdout periods. Expected repeat purchases at a time are the
  sum over customers already born of E[X(t − birth)], the model's unconditional
  expectation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.value.bgnbd import BetaGeoModel
from recsys.value.summary import (
    DAY,
    HOLDOUT_LENGTH,
    HOLDOUT_PURCHASES,
    REPEAT_PURCHASES,
    TIME_UNITS,
    as_day,
    calibration_holdout,
)

PREDICTED_HOLDOUT = "predicted_holdout"
FREQUENCY_GROUP = "frequency_group"
CUSTOMERS = "customers"
ACTUAL_MEAN = "actual_mean"
PREDICTED_MEAN = "predicted_mean"
PERIOD = "period"
ACTUAL = "actual"
EXPECTED = "expected"
ACTUAL_CUMULATIVE = "actual_cumulative"
EXPECTED_CUMULATIVE = "expected_cumulative"
MIN_HOLDOUT_DAYS = 7


@dataclass(frozen=True)
class HoldoutCheck:
    """How well the repeat-purchase model predicted a period it did not see.

    Attributes
    ----------
    customers : DataFrame
        One row per customer who bought by the calibration end: the columns of
        :func:`recsys.value.summary.calibration_holdout` plus ``predicted_holdout``
        (expected purchase days in the holdout period).
    by_frequency : DataFrame
        See :func:`holdout_by_frequency`.
    tracking : DataFrame
        See :func:`tracking_curve`.
    model : BetaGeoModel
        Fitted on the calibration period.
    calibration_end, holdout_end : Timestamp
    actual_total, predicted_total : float
        Repeat purchases in the holdout period, actual and predicted, all customers.
    mean_absolute_error : float
        Mean over customers of |actual − predicted| holdout purchases.
    """

    customers: pd.DataFrame
    by_frequency: pd.DataFrame
    tracking: pd.DataFrame
    model: BetaGeoModel
    calibration_end: pd.Timestamp
    holdout_end: pd.Timestamp
    actual_total: float
    predicted_total: float
    mean_absolute_error: float

    @property
    def total_error(self) -> float:
        """(predicted − actual) / actual repeat purchases in the holdout (0 = spot on)."""
        return (self.predicted_total - self.actual_total) / self.actual_total if self.actual_total else float("nan")


def holdout_by_frequency(customers: pd.DataFrame, *, max_frequency: int = 7) -> pd.DataFrame:
    """Return mean actual and predicted holdout purchases per calibration frequency.

    Parameters
    ----------
    customers : DataFrame
        Columns ``repeat_purchases`` (int), ``holdout_purchases`` (int) and
        ``predicted_holdout`` (float).
    max_frequency : int, default 7
        Customers with this many repeat purchases or more form the last group.

    Returns
    -------
    DataFrame
        One row per group present, in order: ``frequency_group`` (str: ``"0"``, ``"1"``,
        …, ``"7+"``), ``customers`` (int), ``actual_mean`` and ``predicted_mean`` (float,
        purchases per customer in the holdout).
    """
    if max_frequency < 1:
        raise ParameterError(f"max_frequency must be at least 1, got {max_frequency}")
    x = customers[REPEAT_PURCHASES].to_numpy()
    group = np.minimum(x, max_frequency)
    frame = pd.DataFrame(
        {
            "g": group,
            ACTUAL_MEAN: customers[HOLDOUT_PURCHASES].to_numpy(dtype=np.float64),
            PREDICTED_MEAN: customers[PREDICTED_HOLDOUT].to_numpy(dtype=np.float64),
        }
    )
    grouped = frame.groupby("g", sort=True)
    out = grouped[[ACTUAL_MEAN, PREDICTED_MEAN]].mean()
    out.insert(0, CUSTOMERS, grouped.size())
    labels = [f"{g}+" if g == max_frequency else str(g) for g in out.index]
    out.insert(0, FREQUENCY_GROUP, labels)
    return out.reset_index(drop=True)


def tracking_curve(
    days: pd.DataFrame,
    model: BetaGeoModel,
    *,
    calibration_end: object,
    end: object,
    freq: str = "W",
) -> pd.DataFrame:
    """Return actual and expected repeat purchases of the customer base per period.

    Parameters
    ----------
    days : DataFrame
        Purchase days: ``customer_id``, ``day``.
    model : BetaGeoModel
        Fitted (its ``time_unit`` converts days).
    calibration_end : date
        Customers born after it are left out (the model did not see them).
    end : date
        Last day of the curve (included).
    freq : {"W", "D"}, default "W"
        Periods of weeks starting on Monday, or days.

    Returns
    -------
    DataFrame
        One row per period from the first purchase to ``end``: ``period`` (datetime64,
        first day), ``actual`` (int: repeat purchase days in the period), ``expected``
        (float), ``actual_cumulative``, ``expected_cumulative``.
    """
    cal_end, stop = as_day(calibration_end, what="calibration end"), as_day(end, what="end")
    unit = TIME_UNITS[model.time_unit]
    first = days.groupby(S.CUSTOMER_ID, sort=False)[DAY].transform("min")
    born = first <= cal_end
    in_range = born & (days[DAY] <= stop)
    repeat = days.loc[in_range & (days[DAY] > first), DAY]
    start = pd.Timestamp(first[born].min())
    grid = pd.date_range(start, stop, freq="D")
    actual_daily = repeat.value_counts().reindex(grid, fill_value=0).to_numpy(dtype=np.float64)
    births = days.loc[born].groupby(S.CUSTOMER_ID)[DAY].min().value_counts()
    birth_days = births.index.to_numpy(dtype="datetime64[D]")
    ends = (grid + pd.Timedelta(days=1)).to_numpy(dtype="datetime64[D]")
    # E[X] at the end of each day for each birth day (births × days), weighted by births.
    age = (ends[None, :] - birth_days[:, None]) / np.timedelta64(1, "D") / unit
    cumulative = births.to_numpy(dtype=np.float64) @ model.expected_purchases_new(np.maximum(age, 0.0))
    expected_daily = np.diff(np.r_[0.0, cumulative])
    daily = pd.DataFrame({ACTUAL: actual_daily, EXPECTED: expected_daily}, index=grid)
    if freq == "W":
        periods = grid.to_period("W-SUN").start_time
        daily = daily.groupby(periods).sum()
    elif freq != "D":
        raise ParameterError(f"freq must be 'W' (weeks) or 'D' (days), got {freq!r}")
    out = daily.rename_axis(PERIOD).reset_index()
    out[ACTUAL] = out[ACTUAL].round().astype(np.int64)
    out[ACTUAL_CUMULATIVE] = out[ACTUAL].cumsum()
    out[EXPECTED_CUMULATIVE] = out[EXPECTED].cumsum()
    return out


def holdout_check(
    days: pd.DataFrame,
    *,
    calibration_end: object,
    holdout_end: object | None = None,
    time_unit: str = "D",
    max_frequency: int = 7,
) -> HoldoutCheck:
    """Fit BG/NBD up to ``calibration_end`` and compare its holdout predictions with reality.

    Parameters
    ----------
    days : DataFrame
        Purchase days (``customer_id``, ``day``), e.g. from
        :func:`recsys.value.summary.purchase_days`.
    calibration_end : date
        Last day of the calibration period (included).
    holdout_end : date, optional
        Last day of the holdout period; default the last day in ``days``.
    time_unit : {"D", "W"}
    max_frequency : int, default 7
        Last group of :func:`holdout_by_frequency`.

    Returns
    -------
    HoldoutCheck
    """
    cal_end = as_day(calibration_end, what="calibration end")
    stop = as_day(holdout_end if holdout_end is not None else days[DAY].max(), what="holdout end")
    if (stop - cal_end).days < MIN_HOLDOUT_DAYS:
        raise ParameterError(
            f"the holdout period after {cal_end:%Y-%m-%d} is {(stop - cal_end).days} days; it needs "
            f"at least {MIN_HOLDOUT_DAYS}: choose an earlier calibration end"
        )
    customers = calibration_holdout(days, calibration_end=cal_end, holdout_end=stop, time_unit=time_unit)
    model = BetaGeoModel(time_unit=time_unit).fit(customers)
    length = float(customers[HOLDOUT_LENGTH].iloc[0])
    customers[PREDICTED_HOLDOUT] = model.expected_purchases(customers, length)
    actual = customers[HOLDOUT_PURCHASES].to_numpy(dtype=np.float64)
    predicted = customers[PREDICTED_HOLDOUT].to_numpy(dtype=np.float64)
    return HoldoutCheck(
        customers=customers,
        by_frequency=holdout_by_frequency(customers, max_frequency=max_frequency),
        tracking=tracking_curve(days, model, calibration_end=cal_end, end=stop),
        model=model,
        calibration_end=cal_end,
        holdout_end=stop,
        actual_total=float(actual.sum()),
        predicted_total=float(predicted.sum()),
        mean_absolute_error=float(np.abs(actual - predicted).mean()),
    )

