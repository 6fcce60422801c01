"""One customer at a glance: profile, purchase history, and id lookup helpers.

Pure functions behind the Customer page. They take a :class:`recsys.Dataset` (or a list
of known ids) and return small frozen dataclasses, DataFrames or lists, so the page
only lays them out.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.catalogue import with_descriptions
from recsys.data.dataset import Dataset
from recsys.errors import DataError
from recsys.insights.overview import cancelled_value
from recsys.segments.features import RECENCY_DAYS, default_as_of

_FLOAT_ID = re.compile(r"^([+-]?\d+)\.0*$")
_WHITESPACE = re.compile(r"\s+")


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
        Distinct invoices (the frequency of RFM).
    spend : float
        Total revenue of the customer's lines, in the shop's currency (the monetary value).
    lines : int
        Invoice lines.
    products : int
        Distinct products bought.
    units : int
        Units bought (sum of quantities).
    as_of : Timestamp or None
        The date recency is measured against: the day after the data set's last
        invoice (see :func:`recsys.segments.features.default_as_of`).
    cancelled : float, default 0.0
        Value of the customer's cancellation lines (set aside by cleaning, not
        subtracted from ``spend``), as a positive amount in the shop's currency.
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

    @property
    def has_history(self) -> bool:
        """Whether the customer has at least one clean invoice line."""
        return self.lines > 0

    @property
    def average_order_value(self) -> float:
        """Spend per order; NaN without orders."""
        return self.spend / self.orders if self.orders else math.nan


def normalise_customer_id(text: object) -> str:
    """Return a typed or linked customer id in canonical form.

    Whitespace is removed anywhere, and a float rendering of an integer id (as
    spreadsheets produce it) loses its decimals: ``" 17850.0 "`` becomes ``"17850"``.

    Parameters
    ----------
    text : object
        What the user typed, a URL value, or a number. ``None`` and NaN give ``""``.

    Returns
    -------
    str
        The id, or ``""`` when nothing usable was given.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    cleaned = _WHITESPACE.sub("", str(text))
    match = _FLOAT_ID.match(cleaned)
    return match.group(1) if match else cleaned


def known_customer_ids(dataset: Dataset) -> list[str]:
    """Return every customer id of ``dataset``, sorted (numerically where all are numbers).

    A customer counts as known when it is in the customers table or on a clean invoice
    line.
    """
    ids = pd.concat(
        [
            dataset.customers[S.CUSTOMER_ID]
            if len(dataset.customers)
            else pd.Series([], dtype="string"),
            dataset.customer_transactions[S.CUSTOMER_ID],
        ],
        ignore_index=True,
    )
    unique = pd.Series(ids.dropna().astype(str).unique())
    numeric = pd.to_numeric(unique, errors="coerce")
    if len(unique) and numeric.notna().all():
        return unique.iloc[np.argsort(numeric.to_numpy(), kind="stable")].tolist()
    return sorted(unique.tolist())


def suggest_customer_ids(known_ids: Iterable[str], typed: str, *, n: int = 3) -> list[str]:
    """Return up to ``n`` known ids close to an id that was not found.

    For a numeric id the nearest numeric known ids are returned (by absolute
    difference, the smaller id first on ties), so ``17851`` suggests ``17850, 17852``;
    otherwise the closest spellings by :func:`difflib.get_close_matches`.

    Parameters
    ----------
    known_ids : iterable of str
        The ids that exist.
    typed : str
        What was typed (normalised here with :func:`normalise_customer_id`).
    n : int, default 3
        Largest number of suggestions; must be positive.

    Returns
    -------
    list of str
        Suggestions, best first; the typed id itself is never suggested. Empty when
        nothing is close.
    """
    if n < 1:
        raise ValueError(f"n must be a positive number of suggestions, got {n!r}")
    typed = normalise_customer_id(typed)
    known = [str(k) for k in dict.fromkeys(known_ids) if str(k) != typed]
    if not typed or not known:
        return []
    if typed.lstrip("+-").isdigit():
        numeric = pd.to_numeric(pd.Series(known, dtype=object), errors="coerce").to_numpy(float)
        usable = ~np.isnan(numeric)
        if usable.any():
            candidates = np.asarray(known, dtype=object)[usable]
            values = numeric[usable]
            order = np.lexsort((values, np.abs(values - float(typed))))
            return [str(c) for c in candidates[order[:n]]]
    return difflib.get_close_matches(typed, known, n=n, cutoff=0.5)


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

    cancelled = cancelled_value(
        dataset.cancellations[dataset.cancellations[S.CUSTOMER_ID].astype("string") == cid]
    )
    if lookup is not None:
        as_of = lookup.as_of
    else:
        tx = dataset.customer_transactions
        as_of = default_as_of(tx) if len(tx) else None
    if lines.empty:
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
            lines=0,
            products=0,
            units=0,
            as_of=as_of,
            cancelled=cancelled,
        )

    first, last = lines[S.INVOICE_DATE].min(), lines[S.INVOICE_DATE].max()
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
        orders=int(lines[S.INVOICE_ID].nunique()),
        spend=float((lines[S.QUANTITY] * lines[S.UNIT_PRICE]).sum()),
        lines=len(lines),
        products=int(lines[S.PRODUCT_ID].nunique()),
        units=int(lines[S.QUANTITY].sum()),
        as_of=as_of,
        cancelled=cancelled,
    )


def purchase_history(
    dataset: Dataset, customer_id: str, *, lookup: CustomerLines | None = None
) -> pd.DataFrame:
    """Return a customer's invoice lines, newest first.

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
        (``<NA>`` when the product table has none), ``quantity``, ``unit_price``,
        ``revenue`` (quantity × unit price), sorted by date descending, then invoice
        and product. Empty (same columns) for a customer without lines.
    """
    cid = normalise_customer_id(customer_id)
    columns = [S.INVOICE_DATE, S.INVOICE_ID, S.PRODUCT_ID, S.QUANTITY, S.UNIT_PRICE]
    lines = _lines_of(dataset, cid, lookup)[columns]
    out = with_descriptions(lines, dataset.products).assign(
        **{S.REVENUE: lines[S.QUANTITY] * lines[S.UNIT_PRICE]}
    )
    out = out[
        [
            S.INVOICE_DATE,
            S.INVOICE_ID,
            S.PRODUCT_ID,
            S.DESCRIPTION,
            S.QUANTITY,
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
