"""The shop at a glance: headline figures, top products and top countries.

Pure functions of the canonical tables (see :mod:`recsys.data.schema`); inputs are never
changed. Revenue of a line is ``quantity * unit_price``; every kept line counts, with or
without a customer id, so the figures match the shop's own till. Figures are **net of
cancellations** when the lines carry ``cancelled_quantity``
(:func:`recsys.data.cancellations.with_cancelled_quantity`): a cancellation subtracts from
the purchase it cancels, no line goes below zero, a purchase cancelled in full counts for
nothing (see :mod:`recsys.data.cancellations` for the matching rule), and the value
subtracted is reported beside the figure (``cancelled``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.cancellations import (
    CANCELLED_QUANTITY,
    cancelled_values,
    match_cancellations,
    net_lines,
    with_cancelled_quantity,
)
from recsys.data.dataset import Dataset
from recsys.errors import DataError
from recsys.insights.trends import TOTAL_COLUMNS, grouped_totals

UNKNOWN_COUNTRY = "Unknown"
"""Country shown for lines whose country is missing."""
CANCELLED = "cancelled"
"""Column: value subtracted by matched cancellations (positive, in the shop's currency)."""


@dataclass(frozen=True)
class ShopKpis:
    """Headline figures of a data set, net of cancellations.

    Attributes
    ----------
    customers : int
        Distinct customers with at least one purchase not cancelled in full.
    invoices : int
        Distinct invoices with at least one line not cancelled in full (with or without
        a customer).
    lines : int
        Clean invoice lines not cancelled in full.
    products : int
        Distinct products sold (not cancelled in full).
    countries : int
        Distinct countries (0 when the data has none).
    revenue : float
        Net revenue: sum of ``quantity * unit_price`` over the clean lines less the
        value of matched cancellations, in the shop's currency.
    average_order_value : float
        ``revenue / invoices``; ``nan`` without invoices.
    first_date, last_date : Timestamp or None
        First and last invoice date of the clean lines; ``None`` without lines.
    cancelled : float, default 0.0
        Value subtracted from revenue by cancellations matched to the purchases they
        cancel (at the purchases' prices), a positive amount.
    unmatched_cancelled : float, default 0.0
        Value of cancellation lines that match no purchase in the data (a purchase
        before the data starts, a cancelled fee or postage line, a cancellation without
        a customer id): subtracted from nothing.
    """

    customers: int
    invoices: int
    lines: int
    products: int
    countries: int
    revenue: float
    average_order_value: float
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None
    cancelled: float = 0.0
    unmatched_cancelled: float = 0.0

    @property
    def gross_revenue(self) -> float:
        """Revenue as ordered, before matched cancellations."""
        return self.revenue + self.cancelled

    @property
    def days(self) -> int:
        """Days covered, first and last day included (0 without lines)."""
        if self.first_date is None or self.last_date is None:
            return 0
        return int((self.last_date.normalize() - self.first_date.normalize()).days) + 1


def shop_kpis(dataset: Dataset) -> ShopKpis:
    """Return the headline figures of ``dataset``, net of its cancellations.

    Parameters
    ----------
    dataset : Dataset
        Its ``transactions`` (``invoice_id``, ``invoice_date``, ``customer_id``,
        ``product_id``, ``quantity``, ``unit_price``, optional ``country``) and
        ``cancellations``.

    Returns
    -------
    ShopKpis
    """
    tx = dataset.transactions
    canc = dataset.cancellations
    match = match_cancellations(tx, canc)
    cancelled = float((match.cancelled * tx[S.UNIT_PRICE].to_numpy(dtype=float)).sum()) if len(tx) else 0.0
    unmatched = (float((match.unmatched * canc[S.UNIT_PRICE].abs().to_numpy(dtype=float)).sum())
                 if len(canc) else 0.0)
    net = net_lines(tx.assign(**{CANCELLED_QUANTITY: match.cancelled})) if len(tx) else tx
    revenue = float((net[S.QUANTITY] * net[S.UNIT_PRICE]).sum())
    invoices = int(net[S.INVOICE_ID].nunique())
    dates = tx[S.INVOICE_DATE]
    countries = int(net[S.COUNTRY].nunique()) if S.COUNTRY in net else 0
    return ShopKpis(
        customers=int(net[S.CUSTOMER_ID].nunique()),
        invoices=invoices,
        lines=len(net),
        products=int(net[S.PRODUCT_ID].nunique()),
        countries=countries,
        revenue=revenue,
        average_order_value=revenue / invoices if invoices else float("nan"),
        first_date=dates.min() if len(tx) else None,
        last_date=dates.max() if len(tx) else None,
        cancelled=cancelled,
        unmatched_cancelled=unmatched,
    )


def annotated_lines(dataset: Dataset) -> pd.DataFrame:
    """Return the data set's clean lines with ``cancelled_quantity``, the input of net figures.

    See :func:`recsys.data.cancellations.with_cancelled_quantity`; pass the result to
    :func:`top_products`, :func:`top_countries` or :func:`revenue_split` for net figures.
    """
    return with_cancelled_quantity(dataset.transactions, dataset.cancellations)


def _net(transactions: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series | None]:
    """Net lines and the value cancelled per line (None when the lines carry no cancellations)."""
    if CANCELLED_QUANTITY not in transactions.columns:
        return transactions, None
    return net_lines(transactions), cancelled_values(transactions)


@dataclass(frozen=True)
class RevenueSplit:
    """Revenue of the clean lines split by whether the line has a customer id.

    Attributes
    ----------
    identified : float
        Revenue of lines with a customer id (the base of every segment share).
    anonymous : float
        Revenue of lines without a customer id (left out of segments).
    """

    identified: float
    anonymous: float

    @property
    def total(self) -> float:
        """All revenue, as on the Overview."""
        return self.identified + self.anonymous


def revenue_split(transactions: pd.DataFrame) -> RevenueSplit:
    """Return the revenue of lines with and without a customer id.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines: ``customer_id`` (may be missing), ``quantity``, ``unit_price``;
        with ``cancelled_quantity`` (:func:`annotated_lines`) the revenue is net.

    Returns
    -------
    RevenueSplit
    """
    transactions, _ = _net(transactions)
    revenue = transactions[S.QUANTITY] * transactions[S.UNIT_PRICE]
    anonymous = transactions[S.CUSTOMER_ID].isna().to_numpy()
    return RevenueSplit(
        identified=float(revenue[~anonymous].sum()), anonymous=float(revenue[anonymous].sum())
    )


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise DataError(f"`n` must be a whole number of at least 1; got {n!r}")
    return int(n)


def _totals(transactions: pd.DataFrame, keys: pd.Series, name: str) -> pd.DataFrame:
    """:func:`recsys.insights.trends.grouped_totals` per value of ``keys``, the key named ``name``
    as a string column, plus ``cancelled`` (value subtracted per key; 0 for gross lines)."""
    net, cancelled = _net(transactions)
    totals = grouped_totals(net, keys.loc[net.index].rename(name))
    totals[name] = totals[name].astype("string")
    if cancelled is None:
        totals[CANCELLED] = 0.0
    else:
        per_key = cancelled.groupby(keys.astype("string").to_numpy()).sum()
        totals[CANCELLED] = totals[name].map(per_key).fillna(0.0).astype(float).to_numpy()
    return totals


def _with_share(totals: pd.DataFrame, *, n: int) -> pd.DataFrame:
    total = totals["revenue"].sum()
    out = totals.sort_values(["revenue", totals.columns[0]], ascending=[False, True], kind="stable")
    out = out.head(n).reset_index(drop=True)
    out["share"] = out["revenue"] / total if total else 0.0
    return out


def top_products(transactions: pd.DataFrame, products: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """Return the ``n`` products with the most revenue, with their descriptions.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines: ``invoice_id``, ``customer_id`` (may be missing),
        ``product_id``, ``quantity``, ``unit_price``; with ``cancelled_quantity``
        (:func:`annotated_lines`) every figure is net, and a product whose sales were
        all cancelled is not a top product.
    products : DataFrame
        ``product_id``, ``description`` and optional ``category``.
    n : int, default 10
        How many products (fewer when the data has fewer).

    Returns
    -------
    DataFrame
        Sorted by revenue, highest first (ties by product id): ``product_id``,
        ``description`` (empty string where unknown), ``category`` (``"Uncategorised"``
        where unknown), ``revenue`` (float), ``orders``, ``customers``, ``units`` (int),
        ``share`` (of total revenue, in [0, 1]), ``cancelled`` (value subtracted by
        cancellations, 0.0 for gross lines).
    """
    _check_n(n)
    totals = _totals(transactions, transactions[S.PRODUCT_ID], S.PRODUCT_ID)
    out = _with_share(totals, n=n)
    info = products.drop_duplicates(S.PRODUCT_ID).set_index(S.PRODUCT_ID)
    description = info[S.DESCRIPTION] if S.DESCRIPTION in info else pd.Series(dtype="string")
    category = info[S.CATEGORY] if S.CATEGORY in info else pd.Series(dtype="string")
    out.insert(1, S.DESCRIPTION, out[S.PRODUCT_ID].map(description).fillna("").astype("string"))
    out.insert(
        2, S.CATEGORY, out[S.PRODUCT_ID].map(category).fillna(S.MISSING_CATEGORY).astype("string")
    )
    return out[[S.PRODUCT_ID, S.DESCRIPTION, S.CATEGORY, *TOTAL_COLUMNS, "share", CANCELLED]]


def top_countries(transactions: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """Return the ``n`` countries with the most revenue.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines: ``invoice_id``, ``customer_id`` (may be missing),
        ``quantity``, ``unit_price``, ``country`` (missing values count as
        ``"Unknown"``; a table without the column gives one ``"Unknown"`` row); with
        ``cancelled_quantity`` the figures are net.
    n : int, default 10

    Returns
    -------
    DataFrame
        Sorted by revenue, highest first (ties by name): ``country``, ``revenue``
        (float), ``orders``, ``customers``, ``units`` (int), ``share`` (of total
        revenue, in [0, 1]), ``cancelled``.
    """
    _check_n(n)
    if S.COUNTRY in transactions:
        country = transactions[S.COUNTRY].astype("string").fillna(UNKNOWN_COUNTRY)
    else:
        country = pd.Series(UNKNOWN_COUNTRY, index=transactions.index, dtype="string")
    totals = _totals(transactions, country, S.COUNTRY)
    return _with_share(totals, n=n)[[S.COUNTRY, *TOTAL_COLUMNS, "share", CANCELLED]]
