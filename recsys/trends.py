"""What sells when: totals by period, category and segment, seasonality, movers.

Every function takes the canonical transactions table (see :mod:`recsys.schema`) and
returns a new DataFrame; inputs are never changed. Revenue of a line is
``quantity * unit_price``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys import schema as S
from recsys.errors import DataError

FREQUENCIES: dict[str, str] = {"M": "month", "W": "week"}
"""Accepted ``freq`` values and what they mean (weeks start on Monday)."""

TOTAL_COLUMNS: tuple[str, ...] = ("revenue", "orders", "customers", "units")
"""The measures of :func:`period_totals`, in order."""

PERIOD = "period"


def _check_freq(freq: str) -> str:
    key = str(freq).upper()
    if key not in FREQUENCIES:
        raise DataError(f"`freq` must be one of {sorted(FREQUENCIES)} (month, week); got {freq!r}")
    return key


def period_start(dates: pd.Series, *, freq: str = "M") -> pd.Series:
    """Return the start of the month (``"M"``) or Monday-week (``"W"``) of each date.

    Parameters
    ----------
    dates : Series of datetime64
    freq : {"M", "W"}

    Returns
    -------
    Series of datetime64[ns], midnight of the first day of the period, same index.
    """
    key = _check_freq(freq)
    values = pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]")
    if key == "M":
        starts = values.astype("datetime64[M]")
    else:
        days = values.astype("datetime64[D]")
        # 1970-01-01 was a Thursday: (days + 3) % 7 is 0 on Mondays.
        weekday = (days.astype(np.int64) + 3) % 7
        starts = days - weekday.astype("timedelta64[D]")
    return pd.Series(starts.astype("datetime64[ns]"), index=dates.index, name=PERIOD)


def line_revenue(transactions: pd.DataFrame) -> pd.Series:
    """Return ``quantity * unit_price`` of each line (float64), named ``revenue``."""
    return (transactions[S.QUANTITY] * transactions[S.UNIT_PRICE]).astype("float64").rename(
        S.REVENUE
    )


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of ``values``; missing values get -1."""
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    return codes


def grouped_totals(
    transactions: pd.DataFrame, keys: pd.DataFrame | pd.Series
) -> pd.DataFrame:
    """Return revenue, orders, customers and units per value of ``keys``.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines: ``invoice_id``, ``customer_id`` (may be missing),
        ``quantity``, ``unit_price``.
    keys : Series or DataFrame
        One or more grouping columns aligned with ``transactions`` (same index).

    Returns
    -------
    DataFrame
        The key columns, then ``revenue`` (float), ``orders`` (distinct invoices),
        ``customers`` (distinct non-missing customers), ``units`` (sum of quantity).
    """
    keys = keys.to_frame() if isinstance(keys, pd.Series) else keys
    key_names = list(keys.columns)
    work = keys.copy()
    work["revenue"] = line_revenue(transactions).to_numpy()
    work["units"] = transactions[S.QUANTITY].to_numpy(dtype=np.int64)
    work["_inv"] = _codes(transactions[S.INVOICE_ID])
    cust = _codes(transactions[S.CUSTOMER_ID])
    work["_cust"] = np.where(cust < 0, np.nan, cust)
    grouped = work.groupby(key_names, sort=True, observed=True, dropna=False)
    out = grouped.agg(
        revenue=("revenue", "sum"),
        orders=("_inv", "nunique"),
        customers=("_cust", "nunique"),
        units=("units", "sum"),
    ).reset_index()
    out["orders"] = out["orders"].astype(np.int64)
    out["customers"] = out["customers"].astype(np.int64)
    out["units"] = out["units"].astype(np.int64)
    return out


def _full_periods(starts: pd.Series, *, freq: str) -> pd.DatetimeIndex:
    first, last = starts.min(), starts.max()
    return pd.date_range(first, last, freq="MS" if freq == "M" else "W-MON", name=PERIOD)


def period_totals(transactions: pd.DataFrame, *, freq: str = "M") -> pd.DataFrame:
    """Return the shop's totals per month or week.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines: ``invoice_id``, ``invoice_date``, ``customer_id`` (may be
        missing), ``quantity``, ``unit_price``.
    freq : {"M", "W"}, default "M"
        Months, or weeks starting on Monday.

    Returns
    -------
    DataFrame
        One row per period from the first to the last (periods without sales are
        zero), sorted: ``period`` (Timestamp, start of the period), ``revenue``
        (float, sum of quantity * unit_price), ``orders`` (distinct invoices),
        ``customers`` (distinct non-missing customers), ``units`` (sum of quantity).
    """
    key = _check_freq(freq)
    columns = [PERIOD, *TOTAL_COLUMNS]
    if len(transactions) == 0:
        dtypes = {PERIOD: "datetime64[ns]", "revenue": "float64"}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "int64")) for c in columns})
    starts = period_start(transactions[S.INVOICE_DATE], freq=key)
    out = grouped_totals(transactions, starts).set_index(PERIOD)
    out = out.reindex(_full_periods(starts, freq=key), fill_value=0)
    out["revenue"] = out["revenue"].astype("float64")
    return out.reset_index()[columns]
