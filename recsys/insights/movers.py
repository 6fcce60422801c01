"""Rising and falling products or categories: the last weeks against the weeks before.

:func:`movers` compares two windows for any label per line; :func:`movers_by` is the
Trends page's view, by product (labelled with its description) or by category.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.catalogue import product_labels
from recsys.data.categories import line_categories
from recsys.errors import DataError, ParameterError
from recsys.insights.trends import line_revenue, run_codes

BY_PRODUCT, BY_CATEGORY = "product", "category"
CATEGORY_MIN_UNITS = 50
"""Fewest units over both windows for a category to count: a category sums many products,
so the floor of one product (20 units) would let noise through."""


def movers(
    transactions: pd.DataFrame,
    *,
    keys: pd.Series | None = None,
    weeks: int = 4,
    min_units: int = 20,
    min_orders: int = 3,
    as_of: object = None,
) -> pd.DataFrame:
    """Return the products (or categories) rising and falling most.

    Compares the last ``weeks`` weeks before ``as_of`` with the ``weeks`` weeks before
    those. Keys sold fewer than ``min_units`` units, or in fewer than ``min_orders``
    invoices, over both windows are left out, so that noise (one big order) does not
    top the list.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines: ``invoice_date``, ``product_id``, ``quantity``, ``unit_price``.
    keys : Series or None
        A label per line (e.g. categories); None uses ``product_id``.
    weeks : int, default 4
    min_units : int, default 20
    min_orders : int, default 3
    as_of : date-like or None
        End of the recent window (exclusive); None is the day after the last sale.

    Returns
    -------
    DataFrame
        By ``change`` (descending): ``key``, ``recent_revenue``, ``previous_revenue``,
        ``recent_units``, ``previous_units``, ``change`` (revenue, recent minus
        previous), ``change_share`` (change / previous revenue; inf for new sellers).
    """
    if weeks < 1:
        raise DataError(f"`weeks` must be at least 1; got {weeks!r}")
    columns = ["key", "recent_revenue", "previous_revenue", "recent_units", "previous_units",
               "change", "change_share"]
    if len(transactions) == 0:
        return pd.DataFrame(columns=columns)
    dates = transactions[S.INVOICE_DATE]
    end = (pd.Timestamp(as_of) if as_of is not None
           else dates.max().normalize() + pd.Timedelta(days=1))
    mid = end - pd.Timedelta(weeks=weeks)
    start = mid - pd.Timedelta(weeks=weeks)
    in_window = ((dates >= start) & (dates < end)).to_numpy()
    tx = transactions[in_window]
    label = (keys[in_window] if keys is not None else tx[S.PRODUCT_ID]).astype(str).to_numpy()
    recent = (tx[S.INVOICE_DATE] >= mid).to_numpy()
    frame = pd.DataFrame({"key": label, "window": np.where(recent, "recent", "previous"),
                          "revenue": line_revenue(tx).to_numpy(),
                          "units": tx[S.QUANTITY].to_numpy()})
    orders = pd.Series(run_codes(tx[S.INVOICE_ID]), index=label).groupby(level=0).nunique()
    table = frame.pivot_table(index="key", columns="window", values=["revenue", "units"],
                              aggfunc="sum", fill_value=0)
    out = pd.DataFrame(index=table.index)
    for measure in ("revenue", "units"):
        for window in ("recent", "previous"):
            col = (measure, window)
            out[f"{window}_{measure}"] = table[col] if col in table else 0
    enough = (out["recent_units"] + out["previous_units"]) >= min_units
    out = out[enough & (orders.reindex(out.index).fillna(0) >= min_orders)]
    out["change"] = out["recent_revenue"] - out["previous_revenue"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change_share"] = np.where(out["previous_revenue"] > 0,
                                       out["change"] / out["previous_revenue"], np.inf)
    out = out.reset_index().rename(columns={"index": "key"})
    return out[columns].sort_values("change", ascending=False, kind="stable").reset_index(drop=True)


def movers_by(
    transactions: pd.DataFrame,
    *,
    by: str = BY_PRODUCT,
    products: pd.DataFrame | None = None,
    categories: pd.DataFrame | None = None,
    weeks: int = 4,
    end: object = None,
) -> pd.DataFrame:
    """Return the products or categories rising and falling most, up to the day ``end``.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines: ``invoice_date``, ``invoice_id``, ``product_id``, ``quantity``,
        ``unit_price``.
    by : {"product", "category"}
        Products are keyed ``"DESCRIPTION (id)"`` (:func:`recsys.data.catalogue.product_labels`);
        categories need at least :data:`CATEGORY_MIN_UNITS` units over both windows.
    products : DataFrame or None
        ``product_id``, ``description`` (for ``by="product"``).
    categories : DataFrame or None
        ``product_id``, ``category`` (:func:`recsys.data.categories.dataset_categories`;
        required for ``by="category"``).
    weeks : int, default 4
        Weeks in each window.
    end : date-like or None
        Last day of the recent window (inclusive); None is the last day with a sale.

    Returns
    -------
    DataFrame
        As :func:`movers`.

    Raises
    ------
    recsys.errors.ParameterError
        When ``by`` is neither, or ``by="category"`` comes without ``categories``.
    """
    as_of = None if end is None else pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    if by == BY_CATEGORY:
        if categories is None:
            raise ParameterError("movers by category need the product categories; pass `categories`")
        keys = line_categories(transactions, categories)
        return movers(transactions, keys=keys, weeks=int(weeks), min_units=CATEGORY_MIN_UNITS,
                      as_of=as_of)
    if by != BY_PRODUCT:
        raise ParameterError(f"`by` must be {BY_PRODUCT!r} or {BY_CATEGORY!r}; got {by!r}")
    keys = product_labels(transactions[S.PRODUCT_ID], products)
    return movers(transactions, keys=keys, weeks=int(weeks), as_of=as_of)
