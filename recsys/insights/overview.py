"""The shop at a glance: headline figures, top products and top countries.

Pure functions of the canonical tables (see :mod:`recsys.data.schema`); inputs are never
changed. Revenue of a line is ``quantity * unit_price``; every kept line counts, with or
without a customer id, so the figures match the shop's own till. Cancellations are set
aside by cleaning and not subtracted: revenue is what was ordered (gross), and the value
cancelled is reported beside it (:attr:`ShopKpis.cancelled`, :func:`with_cancellations`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.dataset import Dataset
from recsys.errors import DataError
from recsys.insights.trends import TOTAL_COLUMNS, grouped_totals

UNKNOWN_COUNTRY = "Unknown"
"""Country shown for lines whose country is missing."""


@dataclass(frozen=True)
class ShopKpis:
    """Headline figures of a data set.

    Attributes
    ----------
    customers : int
        Distinct customers with at least one clean line.
    invoices : int
        Distinct invoices among the clean lines (with or without a customer).
    lines : int
        Clean invoice lines.
    products : int
        Distinct products sold.
    countries : int
        Distinct countries (0 when the data has none).
    revenue : float
        Sum of ``quantity * unit_price`` over the clean lines, in the shop's currency
        (gross: cancellations are not subtracted).
    average_order_value : float
        ``revenue / invoices``; ``nan`` without invoices.
    first_date, last_date : Timestamp or None
        First and last invoice date; ``None`` without lines.
    cancelled : float, default 0.0
        Value of the cancellation lines set aside by cleaning (see
        :func:`cancelled_value`), a positive amount.
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

    @property
    def days(self) -> int:
        """Days covered, first and last day included (0 without lines)."""
        if self.first_date is None or self.last_date is None:
            return 0
        return int((self.last_date.normalize() - self.first_date.normalize()).days) + 1


def shop_kpis(dataset: Dataset) -> ShopKpis:
    """Return the headline figures of ``dataset``.

    Parameters
    ----------
    dataset : Dataset
        Its ``transactions`` (``invoice_id``, ``invoice_date``, ``customer_id``,
        ``product_id``, ``quantity``, ``unit_price``, optional ``country``).

    Returns
    -------
    ShopKpis
    """
    tx = dataset.transactions
    revenue = float((tx[S.QUANTITY] * tx[S.UNIT_PRICE]).sum())
    invoices = int(tx[S.INVOICE_ID].nunique())
    dates = tx[S.INVOICE_DATE]
    countries = int(tx[S.COUNTRY].nunique()) if S.COUNTRY in tx else 0
    return ShopKpis(
        customers=int(tx[S.CUSTOMER_ID].nunique()),
        invoices=invoices,
        lines=len(tx),
        products=int(tx[S.PRODUCT_ID].nunique()),
        countries=countries,
        revenue=revenue,
        average_order_value=revenue / invoices if invoices else float("nan"),
        first_date=dates.min() if len(tx) else None,
        last_date=dates.max() if len(tx) else None,
        cancelled=cancelled_value(dataset.cancellations),
    )


def _line_values(cancellations: pd.DataFrame) -> pd.Series:
    # Source files give cancelled quantities as negatives; the value is reported positive.
    return (cancellations[S.QUANTITY] * cancellations[S.UNIT_PRICE]).abs()


def cancelled_value(cancellations: pd.DataFrame) -> float:
    """Return the value of cancellation lines as a positive amount.

    Parameters
    ----------
    cancellations : DataFrame
        Cancellation lines (``Dataset.cancellations``): ``quantity`` (negative in the
        source files), ``unit_price``.

    Returns
    -------
    float
        Sum of ``|quantity * unit_price|``, in the shop's currency; 0.0 without lines.
    """
    if cancellations.empty:
        return 0.0
    return float(_line_values(cancellations).sum())


def with_cancellations(top: pd.DataFrame, cancellations: pd.DataFrame) -> pd.DataFrame:
    """Return ``top`` (e.g. :func:`top_products`) with the value cancelled per product.

    Parameters
    ----------
    top : DataFrame
        ``product_id`` and ``revenue`` (gross), any further columns. Not modified.
    cancellations : DataFrame
        Cancellation lines: ``product_id``, ``quantity``, ``unit_price``.

    Returns
    -------
    DataFrame
        ``top`` in the same order, plus ``cancelled`` (value of the product's
        cancellation lines, positive, 0.0 where none) and ``net_revenue``
        (``revenue - cancelled``, may be negative).
    """
    out = top.copy()
    if cancellations.empty:
        per_product = pd.Series(dtype=float)
    else:
        values = _line_values(cancellations)
        per_product = values.groupby(cancellations[S.PRODUCT_ID].astype("string").to_numpy()).sum()
    out["cancelled"] = out[S.PRODUCT_ID].astype("string").map(per_product).fillna(0.0).astype(float)
    out["net_revenue"] = out["revenue"] - out["cancelled"]
    return out


MOSTLY_CANCELLED = 0.5
"""Share of its revenue cancelled above which a product counts as mostly cancelled."""


def mostly_cancelled(top: pd.DataFrame, *, share: float = MOSTLY_CANCELLED) -> pd.DataFrame:
    """Return the rows of ``top`` whose cancelled value is at least ``share`` of their revenue.

    Parameters
    ----------
    top : DataFrame
        :func:`with_cancellations` output: ``revenue`` and ``cancelled``, any further columns.
    share : float, default 0.5

    Returns
    -------
    DataFrame
        Those rows of ``top``, in its order (same columns).
    """
    return top[top["cancelled"] >= share * top["revenue"]]


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
        Canonical lines: ``customer_id`` (may be missing), ``quantity``, ``unit_price``.

    Returns
    -------
    RevenueSplit
    """
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
    as a string column."""
    totals = grouped_totals(transactions, keys.rename(name))
    totals[name] = totals[name].astype("string")
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
        ``product_id``, ``quantity``, ``unit_price``.
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
        ``share`` (of total revenue, in [0, 1]).
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
    return out[[S.PRODUCT_ID, S.DESCRIPTION, S.CATEGORY, *TOTAL_COLUMNS, "share"]]


def top_countries(transactions: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """Return the ``n`` countries with the most revenue.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines: ``invoice_id``, ``customer_id`` (may be missing),
        ``quantity``, ``unit_price``, ``country`` (missing values count as
        ``"Unknown"``; a table without the column gives one ``"Unknown"`` row).
    n : int, default 10

    Returns
    -------
    DataFrame
        Sorted by revenue, highest first (ties by name): ``country``, ``revenue``
        (float), ``orders``, ``customers``, ``units`` (int), ``share`` (of total
        revenue, in [0, 1]).
    """
    _check_n(n)
    if S.COUNTRY in transactions:
        country = transactions[S.COUNTRY].astype("string").fillna(UNKNOWN_COUNTRY)
    else:
        country = pd.Series(UNKNOWN_COUNTRY, index=transactions.index, dtype="string")
    totals = _totals(transactions, country, S.COUNTRY)
    return _with_share(totals, n=n)[[S.COUNTRY, *TOTAL_COLUMNS, "share"]]
