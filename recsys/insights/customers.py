"""One customer at a glance: profile and purchase history.

Pure functions behind the Customer page. They take a :class:`recsys.Dataset` (or a list
of known ids) and return small frozen dataclasses, DataFrames or lists, so the page
only lays them out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.cancellations import CANCELLED_QUANTITY, match_cancellations
from recsys.data.catalogue import with_descriptions
from recsys.data.dataset import Dataset
from recsys.errors import DataError
from recsys.insights.customer_ids import normalise_customer_id
from recsys.segments.features import RECENCY_DAYS, default_as_of


@dataclass(frozen=True)
class CustomerProfile:
    """Who a customer is, in figures a marketer reads.

    Attributes
    ----------
    customer_id : str
        The customer's id.
    segment : int or None
        Segment number (1 = most valuable), ``None`` when no segmentation was given or
        the customer has no segment (e.g. no purchase history).
    segment_name : str or None
        Human name of the segment.
    country : str or None
        Country from the customers table, else the customer's most frequent country on
        invoice lines.
    first_purchase, last_purchase : Timestamp or None
        Dates of the first and last invoice line; ``None`` without history.
    recency_days : int or None
        Whole days from the day of the last purchase to ``as_of`` (so a customer who
        bought on the data set's last day has a recency of 1, as on the segment pages).
    orders : int
        Distinct invoices not cancelled in full (the frequency of RFM).
    spend : float
        Net spend: revenue of the customer's lines less the value of the cancellations
        matched to them (never below 0), in the shop's currency (the monetary value).
    lines : int
        Invoice lines, cancelled or not (the rows of the purchase history).
    products : int
        Distinct products bought and not cancelled in full.
    units : int
        Units bought, net of cancelled units.
    as_of : Timestamp or None
        The date recency is measured against: the day after the data set's last
        invoice (see :func:`recsys.segments.features.default_as_of`).
    cancelled : float, default 0.0
        Value subtracted from ``spend`` by the customer's cancellations, matched to the
        purchases they cancel (see :mod:`recsys.data.cancellations`), a positive amount.
    unmatched_cancelled : float, default 0.0
        Value of the customer's cancellation lines that match no purchase in the data
        (bought before the data starts): subtracted from nothing.

    ``first_purchase``, ``last_purchase`` and ``recency_days`` are those of purchases
    not cancelled in full; a customer whose every purchase was cancelled has none.
    """

    customer_id: str
    segment: int | None
    segment_name: str | None
    country: str | None
    first_purchase: pd.Timestamp | None
    last_purchase: pd.Timestamp | None
    recency_days: int | None
    orders: int
    spend: float
    lines: int
    products: int
    units: int
    as_of: pd.Timestamp | None
    cancelled: float = 0.0
    unmatched_cancelled: float = 0.0

    @property
    def has_history(self) -> bool:
        """Whether the customer has at least one clean invoice line (cancelled or not)."""
        return self.lines > 0

    @property
    def gross_spend(self) -> float:
        """Spend as ordered, before matched cancellations."""
        return self.spend + self.cancelled

    @property
    def all_cancelled(self) -> bool:
        """Whether the customer has lines but every one was cancelled in full."""
        return self.lines > 0 and self.orders == 0

    @property
    def average_order_value(self) -> float:
        """Spend per order; NaN without orders."""
        return self.spend / self.orders if self.orders else math.nan


@dataclass(frozen=True)
class CustomerLines:
    """A data set's customer lines grouped by customer, for fast one-customer look-ups.

    Build it once per data set with :func:`customer_lines` (the app caches it); then
    :meth:`of` finds a customer's lines by binary search instead of a scan.

    Attributes
    ----------
    lines : DataFrame
        ``Dataset.customer_transactions`` sorted by ``customer_id`` (stable).
    ids : ndarray of str
        Distinct customer ids, sorted.
    starts : ndarray of int
        ``lines`` rows of ``ids[i]`` are ``starts[i]:starts[i + 1]``.
    as_of : Timestamp or None
        The day after the last invoice (see :func:`recsys.segments.features.default_as_of`).
    """

    lines: pd.DataFrame
    ids: np.ndarray
    starts: np.ndarray
    as_of: pd.Timestamp | None

    def of(self, customer_id: str) -> pd.DataFrame:
        """Return the lines of one customer (empty, same columns, when it has none)."""
        i = int(np.searchsorted(self.ids, customer_id))
        if i < len(self.ids) and self.ids[i] == customer_id:
            return self.lines.iloc[self.starts[i] : self.starts[i + 1]]
        return self.lines.iloc[0:0]


def customer_lines(dataset: Dataset) -> CustomerLines:
    """Return the :class:`CustomerLines` of ``dataset`` (one sort of its customer lines)."""
    tx = dataset.customer_transactions
    codes, uniques = pd.factorize(tx[S.CUSTOMER_ID].astype(str), sort=True)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(uniques))
    return CustomerLines(
        lines=tx.iloc[order].reset_index(drop=True),
        ids=np.asarray(uniques, dtype=object),
        starts=np.concatenate([[0], np.cumsum(counts)]),
        as_of=default_as_of(tx) if len(tx) else None,
    )


def _lines_of(dataset: Dataset, cid: str, lookup: CustomerLines | None) -> pd.DataFrame:
    if lookup is not None:
        return lookup.of(cid)
    tx = dataset.customer_transactions
    return tx[tx[S.CUSTOMER_ID] == cid]


def customer_profile(
    dataset: Dataset,
    customer_id: str,
    *,
    features: pd.DataFrame | None = None,
    assignments: pd.DataFrame | None = None,
    lookup: CustomerLines | None = None,
) -> CustomerProfile:
    """Return the profile of one customer.

    Parameters
    ----------
    dataset : Dataset
        The shop; its ``customer_transactions`` give the figures and its
        ``customers`` table the country.
    customer_id : str
        The customer (normalised with :func:`normalise_customer_id`).
    features : DataFrame, optional
        Customer features indexed by ``customer_id`` (as
        :func:`recsys.segments.features.customer_features` returns). When given and it has a
        row for the customer with a ``recency_days`` column, that recency is used so
        the page agrees with the segment pages; the other figures always come from the
        lines.
    assignments : DataFrame, optional
        Segments, columns ``customer_id``, ``segment`` (int), ``segment_name`` (str).
    lookup : CustomerLines, optional
        :func:`customer_lines` of ``dataset``, for a fast look-up; without it the
        lines are found by a scan.

    Returns
    -------
    CustomerProfile

    Raises
    ------
    DataError
        When the customer is neither in the customers table nor on any line.
    """
    cid = normalise_customer_id(customer_id)
    lines = _lines_of(dataset, cid, lookup)
    customers = dataset.customers
    row = customers[customers[S.CUSTOMER_ID] == cid] if len(customers) else customers
    if lines.empty and row.empty:
        raise DataError(f"no customer {cid!r} in this data set")

    country = _first_valid(row[S.COUNTRY]) if S.COUNTRY in row else None
    if country is None and S.COUNTRY in lines and lines[S.COUNTRY].notna().any():
        country = str(lines[S.COUNTRY].dropna().mode().iloc[0])

    segment = segment_name = None
    if assignments is not None and len(assignments):
        match = assignments[assignments[S.CUSTOMER_ID].astype(str) == cid]
        if not match.empty:
            segment = int(match[S.SEGMENT].iloc[0])
            segment_name = str(match[S.SEGMENT_NAME].iloc[0])

    own_cancellations = _cancellations_of(dataset, cid)
    match = match_cancellations(lines, own_cancellations)
    cancelled = float((match.cancelled * lines[S.UNIT_PRICE].to_numpy(dtype=float)).sum()) if len(lines) else 0.0
    unmatched = float((match.unmatched * own_cancellations[S.UNIT_PRICE].abs().to_numpy(dtype=float)).sum())
    if lookup is not None:
        as_of = lookup.as_of
    else:
        tx = dataset.customer_transactions
        as_of = default_as_of(tx) if len(tx) else None
    net_quantity = lines[S.QUANTITY].to_numpy() - match.cancelled
    net = lines[net_quantity > 0]
    net_quantity = net_quantity[net_quantity > 0]
    if net.empty:
        return CustomerProfile(
            customer_id=cid,
            segment=segment,
            segment_name=segment_name,
            country=country,
            first_purchase=None,
            last_purchase=None,
            recency_days=None,
            orders=0,
            spend=0.0,
            lines=len(lines),
            products=0,
            units=0,
            as_of=as_of,
            cancelled=cancelled,
            unmatched_cancelled=unmatched,
        )

    first, last = net[S.INVOICE_DATE].min(), net[S.INVOICE_DATE].max()
    recency = int((as_of - last.normalize()).days)
    if features is not None and RECENCY_DAYS in features and cid in features.index:
        value = features.at[cid, RECENCY_DAYS]
        if pd.notna(value):
            recency = int(value)
    return CustomerProfile(
        customer_id=cid,
        segment=segment,
        segment_name=segment_name,
        country=country,
        first_purchase=first,
        last_purchase=last,
        recency_days=recency,
        orders=int(net[S.INVOICE_ID].nunique()),
        spend=float((net_quantity * net[S.UNIT_PRICE].to_numpy(dtype=float)).sum()),
        lines=len(lines),
        products=int(net[S.PRODUCT_ID].nunique()),
        units=int(net_quantity.sum()),
        as_of=as_of,
        cancelled=cancelled,
        unmatched_cancelled=unmatched,
    )


def _cancellations_of(dataset: Dataset, cid: str) -> pd.DataFrame:
    """The cancellation lines of one customer (matching never crosses customers)."""
    canc = dataset.cancellations
    if canc.empty or S.CUSTOMER_ID not in canc:
        return canc
    return canc[(canc[S.CUSTOMER_ID].astype("string") == cid).fillna(False).to_numpy()]


def purchase_history(
    dataset: Dataset, customer_id: str, *, lookup: CustomerLines | None = None
) -> pd.DataFrame:
    """Return a customer's invoice lines, newest first, with what was cancelled of each.

    Parameters
    ----------
    dataset : Dataset
        The shop.
    customer_id : str
        The customer (normalised with :func:`normalise_customer_id`).
    lookup : CustomerLines, optional
        :func:`customer_lines` of ``dataset``, for a fast look-up.

    Returns
    -------
    DataFrame
        Columns ``invoice_date``, ``invoice_id``, ``product_id``, ``description``
        (``<NA>`` when the product table has none), ``quantity`` (as ordered),
        ``cancelled_quantity`` (units of the line cancelled later, 0 to ``quantity``:
        equal to it for a line cancelled in full), ``unit_price``, ``revenue`` (net:
        (quantity − cancelled_quantity) × unit price), sorted by date descending, then
        invoice and product. Empty (same columns) for a customer without lines.
    """
    cid = normalise_customer_id(customer_id)
    columns = [S.INVOICE_DATE, S.INVOICE_ID, S.PRODUCT_ID, S.QUANTITY, S.UNIT_PRICE]
    found = _lines_of(dataset, cid, lookup)
    cancelled = match_cancellations(found, _cancellations_of(dataset, cid)).cancelled
    lines = found[columns].assign(**{CANCELLED_QUANTITY: cancelled})
    out = with_descriptions(lines, dataset.products).assign(
        **{S.REVENUE: (lines[S.QUANTITY] - lines[CANCELLED_QUANTITY]) * lines[S.UNIT_PRICE]}
    )
    out = out[
        [
            S.INVOICE_DATE,
            S.INVOICE_ID,
            S.PRODUCT_ID,
            S.DESCRIPTION,
            S.QUANTITY,
            CANCELLED_QUANTITY,
            S.UNIT_PRICE,
            S.REVENUE,
        ]
    ]
    out = out.sort_values(
        [S.INVOICE_DATE, S.INVOICE_ID, S.PRODUCT_ID], ascending=[False, True, True], kind="stable"
    )
    return out.reset_index(drop=True)


def _first_valid(values: pd.Series) -> str | None:
    values = values.dropna()
    return str(values.iloc[0]) if len(values) else None
