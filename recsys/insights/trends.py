"""What sells when: totals by period, category and segment, weekday × hour.

Every function takes the canonical transactions table (see :mod:`recsys.data.schema`) and
returns a new DataFrame; inputs are never changed (seasonality and year over year are in
:mod:`recsys.insights.seasonality`, rising and falling products in
:mod:`recsys.insights.movers`). Revenue of a line is
``quantity * unit_price``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
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


def run_codes(values: pd.Series) -> np.ndarray:
    """Integer codes of ``values``; missing values get -1.

    Lines of one invoice sit together, so only the first value of each run of equal
    values is factorised (a few thousand instead of a million strings).
    """
    array = values.to_numpy(dtype=object, na_value=None)
    if len(array) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.ones(len(array), dtype=bool)
    starts[1:] = array[1:] != array[:-1]
    run_codes, _ = pd.factorize(array[starts], use_na_sentinel=True)
    return run_codes[np.cumsum(starts) - 1].astype(np.int64)


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
    # One integer code per group (sorted by key), then bincounts: much faster than a
    # pandas groupby with nunique on a million lines.
    group = np.zeros(len(keys), dtype=np.int64)
    levels = []
    for name in keys.columns:
        codes, uniques = pd.factorize(keys[name], sort=True, use_na_sentinel=False)
        group = group * len(uniques) + codes
        levels.append(uniques)
    used, group = np.unique(group, return_inverse=True)
    n_groups = len(used)
    out = pd.DataFrame(index=range(n_groups))
    for name, uniques in zip(reversed(keys.columns), reversed(levels), strict=True):
        values = uniques.take(used % len(uniques))
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = pd.array(np.asarray(values, dtype=object), dtype="string")
        out[name] = values
        used = used // len(uniques)
    out = out[list(keys.columns)]
    revenue = np.bincount(group, weights=line_revenue(transactions).to_numpy(), minlength=n_groups)
    units = np.bincount(group, weights=transactions[S.QUANTITY].to_numpy(dtype=np.float64),
                        minlength=n_groups)
    out["revenue"] = revenue
    out["orders"] = _distinct_per_group(group, run_codes(transactions[S.INVOICE_ID]), n_groups)
    out["customers"] = _distinct_per_group(group, run_codes(transactions[S.CUSTOMER_ID]), n_groups)
    out["units"] = np.rint(units).astype(np.int64)
    return out


def _distinct_per_group(group: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Number of distinct non-negative ``codes`` in each group (missing values are -1)."""
    present = codes >= 0
    width = int(codes.max(initial=0)) + 1
    pairs = group[present].astype(np.int64) * width + codes[present]
    if len(pairs) > 1:
        # Repeats of a pair are mostly adjacent (lines of one invoice): drop those first.
        pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    return np.bincount(pd.unique(pairs) // width, minlength=n_groups).astype(np.int64)


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


def partial_periods(start: object, end: object, *, freq: str = "M") -> pd.DataFrame:
    """Return the periods that the days ``start`` to ``end`` cover only in part.

    Only the first and the last period can be partial: a range from 1 to 9 December
    covers 9 of December's 31 days, and a chart should not read it as a fall.

    Parameters
    ----------
    start, end : date-like
        First and last day of the range (inclusive).
    freq : {"M", "W"}

    Returns
    -------
    DataFrame
        One row per partial period, in order: ``period`` (Timestamp, start of the
        period), ``days`` (days of it in the range), ``period_days`` (days it has).
    """
    key = _check_freq(freq)
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if last < first:
        raise DataError(f"`end` must not be before `start`; got {start!r} to {end!r}")
    bounds = period_start(pd.Series([first, last]), freq=key)
    rows = []
    for period in bounds.drop_duplicates():
        period_end = (period + pd.offsets.MonthEnd(0) if key == "M"
                      else period + pd.Timedelta(days=6))
        period_days = (period_end - period).days + 1
        days = (min(period_end, last) - max(period, first)).days + 1
        if days < period_days:
            rows.append((period, days, period_days))
    out = pd.DataFrame(rows, columns=[PERIOD, "days", "period_days"])
    out[PERIOD] = pd.to_datetime(out[PERIOD])
    return out.astype({"days": "int64", "period_days": "int64"})


def category_totals(
    transactions: pd.DataFrame, categories: pd.DataFrame, *, freq: str = "M"
) -> pd.DataFrame:
    """Return totals per period and category.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines (see :func:`period_totals`) with ``product_id``.
    categories : DataFrame
        ``product_id``, ``category`` (from :func:`recsys.data.categories.dataset_categories`).
    freq : {"M", "W"}

    Returns
    -------
    DataFrame
        ``period``, ``category``, ``revenue``, ``orders``, ``customers``, ``units``;
        only period-category pairs with sales.
    """
    from recsys.data.categories import line_categories

    key = _check_freq(freq)
    keys = pd.DataFrame(
        {
            PERIOD: period_start(transactions[S.INVOICE_DATE], freq=key),
            S.CATEGORY: line_categories(transactions, categories),
        }
    )
    return grouped_totals(transactions, keys)


def segment_totals(
    transactions: pd.DataFrame, segments: pd.DataFrame, *, freq: str = "M"
) -> pd.DataFrame:
    """Return totals per period and customer segment.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines (see :func:`period_totals`); lines without a customer or of a
        customer without a segment are left out.
    segments : DataFrame
        ``customer_id``, ``segment`` (int), ``segment_name`` (str).
    freq : {"M", "W"}

    Returns
    -------
    DataFrame
        ``period``, ``segment``, ``segment_name``, ``revenue``, ``orders``,
        ``customers``, ``units``.
    """
    key = _check_freq(freq)
    lookup = segments.drop_duplicates(S.CUSTOMER_ID).set_index(
        segments.drop_duplicates(S.CUSTOMER_ID)[S.CUSTOMER_ID].astype("string")
    )
    codes = lookup.index.get_indexer(transactions[S.CUSTOMER_ID].astype("string"))
    known = codes >= 0
    tx = transactions[known]
    keys = pd.DataFrame(
        {
            PERIOD: period_start(tx[S.INVOICE_DATE], freq=key),
            "segment": lookup["segment"].to_numpy()[codes[known]],
            "segment_name": lookup["segment_name"].astype(str).to_numpy()[codes[known]],
        },
        index=tx.index,
    )
    return grouped_totals(tx, keys)


def top_groups(
    table: pd.DataFrame, *, group: str, measure: str = "revenue", top: int = 8, other: str
) -> pd.DataFrame:
    """Return one measure per period of the ``top`` groups by total; the rest summed as ``other``.

    Parameters
    ----------
    table : DataFrame
        ``period``, the ``group`` column and the ``measure`` column (e.g. from
        :func:`category_totals` or :func:`segment_totals`).
    group : str
        The column naming the groups.
    measure : str, default "revenue"
    top : int, default 8
        Groups kept by name, the largest totals of ``measure`` first.
    other : str
        Name of the group the others are summed into (only present when there are more
        than ``top`` groups).

    Returns
    -------
    DataFrame
        Columns ``group``, ``period``, ``measure``: the kept groups by total (descending),
        then ``other``; periods ascending within each group; periods without a row for a
        group are absent.
    """
    totals = table.groupby(group, observed=True)[measure].sum().sort_values(ascending=False)
    keep = list(totals.index[:top])
    label = table[group].astype(object).where(table[group].isin(keep), other)
    data = table.assign(**{group: label}).groupby([group, PERIOD], observed=True)[measure].sum()
    names = keep + ([other] if len(totals) > top else [])
    parts = [data.loc[[name]] for name in names]
    if not parts:
        return pd.DataFrame(columns=[group, PERIOD, measure])
    return pd.concat(parts).reset_index()


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def weekday_hour(transactions: pd.DataFrame) -> pd.DataFrame:
    """Return totals by day of the week and hour of the day.

    Returns
    -------
    DataFrame
        One row per (weekday, hour) with sales: ``weekday`` (0 = Monday),
        ``weekday_name`` ("Mon"...), ``hour`` (0-23), ``revenue``, ``orders``,
        ``customers``, ``units``.
    """
    dates = transactions[S.INVOICE_DATE]
    keys = pd.DataFrame({"weekday": dates.dt.dayofweek.astype(np.int64),
                         "hour": dates.dt.hour.astype(np.int64)})
    out = grouped_totals(transactions, keys)
    out.insert(1, "weekday_name", [WEEKDAYS[d] for d in out["weekday"]])
    return out
