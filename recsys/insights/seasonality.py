"""When things sell in the year: seasonality index, peak months, year over year.

Functions take the canonical transactions table (see :mod:`recsys.data.schema`) and return
new frames. Partial months (the first and last of the data) are counted for the days
the data covers, so a data set that ends on 9 December does not show a December slump.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.cancellations import CANCELLED_QUANTITY, net_lines
from recsys.insights.trends import MONTHS, PERIOD, TOTAL_COLUMNS, line_revenue, period_totals


def seasonality_index(
    transactions: pd.DataFrame, *, keys: pd.Series | None = None, min_revenue: float = 0.0
) -> pd.DataFrame:
    """Return each month's revenue against an average month, per key (category, product).

    Partial months count for the days the data covers: the index is revenue per
    covered day in that month of the year (over all years), divided by the mean of
    those daily rates over the months covered. 1.0 is an average month, 2.0 twice it.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines: ``invoice_date``, ``quantity``, ``unit_price``. Lines that
        carry ``cancelled_quantity`` (:func:`recsys.data.cancellations.with_cancelled_quantity`)
        count net of it: an order cancelled in full makes no month seasonal.
    keys : Series or None
        A label per line, aligned with ``transactions`` by index (e.g.
        :func:`recsys.data.categories.line_categories`), or ``product_id``; None gives
        the whole shop (key ``"All"``).
    min_revenue : float, default 0
        Leave out keys with less revenue than this in total (too little to read).

    Returns
    -------
    DataFrame
        One row per key and month of the year covered: ``key``, ``month`` (1-12),
        ``month_name``, ``revenue`` (total), ``index`` (float, >= 0).
    """
    columns = ["key", "month", "month_name", "revenue", "index"]
    if len(transactions) == 0:
        return pd.DataFrame(columns=columns)
    # The months covered are those of all lines, cancelled or not: the data spans them.
    dates = transactions[S.INVOICE_DATE]
    days = _covered_days_per_month(dates.min(), dates.max())
    if CANCELLED_QUANTITY in transactions.columns:
        transactions = net_lines(transactions)
        if keys is not None:
            keys = keys.loc[transactions.index]
        dates = transactions[S.INVOICE_DATE]
    label = keys if keys is not None else pd.Series("All", index=transactions.index)
    frame = pd.DataFrame({"key": label.astype(str).to_numpy(),
                          "month": dates.dt.month.to_numpy(),
                          "revenue": line_revenue(transactions).to_numpy()})
    table = frame.groupby(["key", "month"], sort=True)["revenue"].sum().unstack(fill_value=0.0)
    table = table.reindex(columns=days.index, fill_value=0.0)
    table = table[table.sum(axis=1) >= min_revenue]
    rate = table / days.to_numpy()[None, :]
    mean = rate.mean(axis=1).replace(0.0, np.nan)
    index = rate.div(mean, axis=0).fillna(0.0)
    out = index.stack().rename("index").reset_index()
    out["revenue"] = table.stack().to_numpy()
    out["month_name"] = [MONTHS[m - 1] for m in out["month"]]
    return out[columns]


def months_covered(start: object, end: object) -> int:
    """Return how many of the 12 months of the year the days ``start`` to ``end`` touch.

    A seasonality index compares the months of the year, so it means something only
    when this is 12 (about a year of data or more).
    """
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    if last < first:
        return 0
    return len(_covered_days_per_month(first, last))


def _covered_days_per_month(first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    """Days the data covers in each month of the year, over all years (index 1-12)."""
    span = pd.date_range(first.normalize(), last.normalize(), freq="D")
    return pd.Series(1, index=span).groupby(span.month).sum().rename_axis("month")


def peak_months(
    seasonality: pd.DataFrame, *, threshold: float = 1.2, most: int = 3
) -> pd.DataFrame:
    """Name the peak months of each key, for inventory planning.

    Parameters
    ----------
    seasonality : DataFrame
        From :func:`seasonality_index`.
    threshold : float, default 1.2
        A month peaks when its index is at least this (20% above an average month).
    most : int, default 3
        Name at most this many months (the strongest), in calendar order.

    Returns
    -------
    DataFrame
        One row per key, strongest peak first: ``key``, ``peak_months`` (e.g.
        ``"Nov, Dec"``, empty when none), ``peak_index`` (highest index),
        ``revenue`` (total), ``summary`` (e.g. ``"peaks in Nov, Dec"`` or
        ``"no clear peak"``).
    """
    rows = []
    for key, group in seasonality.groupby("key", sort=False):
        strongest = group.sort_values("index", ascending=False, kind="stable")
        peaks = strongest[strongest["index"] >= threshold].head(most).sort_values("month")
        names = ", ".join(peaks["month_name"])
        rows.append((key, names, float(strongest["index"].iloc[0]), float(group["revenue"].sum()),
                     f"peaks in {names}" if names else "no clear peak"))
    out = pd.DataFrame(rows, columns=["key", "peak_months", "peak_index", "revenue", "summary"])
    return out.sort_values("peak_index", ascending=False, kind="stable").reset_index(drop=True)


def year_over_year(transactions: pd.DataFrame) -> pd.DataFrame:
    """Return monthly totals side by side per year, where the data spans over a year.

    A month the data covers only in part (its first or last) is compared with the same
    days of the month a year before, so nine days of December are not read as a
    collapse.

    Returns
    -------
    DataFrame
        ``year``, ``month`` (1-12), ``month_name``, ``revenue``, ``orders``,
        ``customers``, ``units``, ``days`` (days of the month the data covers),
        ``partial`` (bool, fewer days than the month has), ``revenue_change`` (change of
        revenue against the same days a year before; NaN where there is no data a year
        before). Empty when the data spans one year or less.
    """
    columns = ["year", "month", "month_name", *TOTAL_COLUMNS, "days", "partial", "revenue_before",
               "revenue_change"]
    if len(transactions) == 0:
        return pd.DataFrame(columns=columns)
    dates = transactions[S.INVOICE_DATE]
    first, last = dates.min().normalize(), dates.max().normalize()
    if last - first <= pd.Timedelta(days=365):
        return pd.DataFrame(columns=columns)
    monthly = period_totals(transactions, freq="M")
    monthly = monthly[monthly["orders"] > 0].copy()
    monthly.insert(0, "year", monthly[PERIOD].dt.year)
    monthly.insert(1, "month", monthly[PERIOD].dt.month)
    monthly.insert(2, "month_name", [MONTHS[m - 1] for m in monthly["month"]])
    month_end = monthly[PERIOD] + pd.offsets.MonthEnd(0)
    covered_from = monthly[PERIOD].where(monthly[PERIOD] > first, first)
    covered_to = month_end.where(month_end < last, last)
    monthly["days"] = ((covered_to - covered_from).dt.days + 1).astype(np.int64)
    monthly["partial"] = monthly["days"] < monthly[PERIOD].dt.days_in_month
    # Revenue a year before over the same days of the month (cumulative sums by day).
    daily = line_revenue(transactions).groupby(dates.dt.normalize()).sum()
    days = pd.date_range(first - pd.DateOffset(years=1), last, freq="D")
    cumulative = daily.reindex(days, fill_value=0.0).cumsum()
    start_before = (covered_from - pd.DateOffset(years=1)).to_numpy()
    end_before = (covered_to - pd.DateOffset(years=1)).to_numpy()
    had_data = start_before >= first.to_datetime64()
    before = (cumulative.reindex(end_before).to_numpy()
              - cumulative.reindex(start_before - np.timedelta64(1, "D")).fillna(0.0).to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        change = monthly["revenue"].to_numpy() / before - 1
    monthly["revenue_before"] = np.where(had_data, before, np.nan)
    monthly["revenue_change"] = np.where(had_data & (before > 0), change, np.nan)
    return monthly[columns].reset_index(drop=True)
