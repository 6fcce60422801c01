"""Shopify's orders export as invoice lines.

Shopify's *Orders > Export* writes one CSV line per line item. Order-level fields
(``Email``, ``Financial Status``, ``Created at``, ``Billing Country``, ``Cancelled at``,
``Refunded Amount``, …) are filled on an order's first line only and left empty on its
other lines; ``Name`` (``#1001``) is on every line. :func:`order_lines` reads it the way
the cleaning rules read every other layout:

- order fields are carried down to every line of their order;
- the customer is the e-mail address (lower case); orders without one (point of sale,
  guest drafts) are lines without a customer;
- the product is ``Lineitem sku``, or the line item's name where an item has no SKU;
- the country is the billing country, else the shipping country;
- an order that was cancelled (``Cancelled at``), refunded in full (``Financial Status``
  ``refunded``) or voided is a purchase followed by its cancellation: each of its lines
  gets a cancellation line (invoice ``C`` + the order's name, negative quantity, dated
  when it was cancelled, else when ordered), which cleaning sets aside as it does UCI's
  ``C`` invoices, so net figures leave the order out;
- a partial refund (``partially_refunded``, or a ``Refunded Amount`` short of the order)
  that equals whole units of exactly one line is read as the return of those units (a
  cancellation line for them); any other partial refund (shipping, taxes, a discount, or
  an amount several lines could make) is left as bought and counted in the report,
  since the export does not say which items it was for.

Every one of these readings is stated in the cleaning report's notes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.sniff import read_numbers

FINANCIAL_STATUS = "financial_status"
SHIPPING_COUNTRY = "shipping_country"
CANCELLED_AT = "cancelled_at"
REFUNDED_AMOUNT = "refunded_amount"
CURRENCY = "currency"
ORDER_FIELDS = (
    S.CUSTOMER_ID, S.INVOICE_DATE, S.COUNTRY, SHIPPING_COUNTRY, FINANCIAL_STATUS,
    CANCELLED_AT, REFUNDED_AMOUNT, CURRENCY,
)  # fmt: skip
"""Fields Shopify writes on an order's first line only."""
CANCELLING_STATUSES = frozenset({"refunded", "voided"})
_CENT = 0.005


def order_lines(raw: pd.DataFrame, *, delimiter: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Turn a Shopify orders export into invoice lines, cancellations included.

    Parameters
    ----------
    raw : DataFrame
        The export with the names of :data:`recsys.data.layouts.SHOPIFY`: ``invoice_id``
        (Name), ``invoice_date`` (Created at), ``quantity``, ``description``,
        ``unit_price`` and optionally ``customer_id`` (Email), ``product_id`` (Lineitem
        sku), ``country`` (Billing Country), ``shipping_country``, ``financial_status``,
        ``cancelled_at``, ``refunded_amount``, ``currency``. Values as read. Not modified.
    delimiter : str, optional
        The CSV separator (how ``1,250`` is read).

    Returns
    -------
    lines : DataFrame
        ``invoice_id, invoice_date, customer_id, product_id, description, quantity,
        unit_price, country``: every line item, then the cancellation lines (invoice
        ``C#1001``, quantity negative) of cancelled, refunded and voided orders and of
        partial refunds read as returns.
    notes : list of str
        What was read how, for the cleaning report.
    """
    frame = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    order = raw[S.INVOICE_ID].astype(object).where(raw[S.INVOICE_ID].notna(), None)
    order = pd.Series(order.to_numpy(), index=frame.index).astype("string").str.strip()
    frame[S.INVOICE_ID] = order
    for col in ORDER_FIELDS:
        values = raw[col].astype(object) if col in raw.columns else pd.Series(None, index=raw.index, dtype=object)
        values = pd.Series(values.to_numpy(), index=frame.index)
        frame[col] = values.groupby(order, sort=False).transform("first")
    for col in (S.DESCRIPTION, S.QUANTITY, S.UNIT_PRICE):
        frame[col] = raw[col].astype(object).to_numpy()
    notes: list[str] = []
    email = frame[S.CUSTOMER_ID].astype("string").str.strip().str.lower()
    frame[S.CUSTOMER_ID] = email.mask(email == "")
    name = raw[S.DESCRIPTION].astype(object).to_numpy()
    sku = raw[S.PRODUCT_ID].astype(object).to_numpy() if S.PRODUCT_ID in raw.columns else np.full(len(raw), None)
    no_sku = pd.isna(sku) | (pd.Series(sku, dtype="string").str.strip() == "").fillna(True).to_numpy()
    frame[S.PRODUCT_ID] = np.where(no_sku, name, sku)
    if no_sku.any() and S.PRODUCT_ID in raw.columns:
        n = int(no_sku.sum())
        notes.append(
            f"Lineitem sku: {_count(n, 'line item')} without a SKU {'is' if n == 1 else 'are'} "
            f"identified by the item's name (first: {str(name[int(np.argmax(no_sku))])!r})."
        )
    frame[S.COUNTRY] = frame[S.COUNTRY].where(frame[S.COUNTRY].notna(), frame[SHIPPING_COUNTRY])
    notes.append(
        "Shopify orders export: order fields (Email, Created at, Financial Status, Billing "
        "Country, Cancelled at, Refunded Amount) carried down to every line of their order; "
        "the customer is the e-mail address."
    )
    quantity = read_numbers(pd.Series(frame[S.QUANTITY]), delimiter=delimiter, whole=True).values
    price = read_numbers(pd.Series(frame[S.UNIT_PRICE]), delimiter=delimiter).values
    refunded = read_numbers(frame[REFUNDED_AMOUNT], delimiter=delimiter).values.fillna(0.0)
    status = frame[FINANCIAL_STATUS].astype("string").str.strip().str.lower()
    cancelled = frame[CANCELLED_AT].notna() | status.isin(CANCELLING_STATUSES).fillna(False)
    returned, partial = _partial_returns(frame[S.INVOICE_ID], quantity, price, refunded, cancelled)
    lines = frame[[S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID, S.DESCRIPTION,
                   S.QUANTITY, S.UNIT_PRICE, S.COUNTRY]]  # fmt: skip
    cancel = lines[cancelled.to_numpy()].copy()
    cancel[S.QUANTITY] = -quantity[cancelled.to_numpy()]
    cancel[S.INVOICE_DATE] = frame[CANCELLED_AT].where(frame[CANCELLED_AT].notna(), frame[S.INVOICE_DATE])[
        cancelled.to_numpy()
    ]
    back = lines[returned > 0].copy()
    back[S.QUANTITY] = -returned[returned > 0]
    extra = pd.concat([cancel, back], ignore_index=True)
    extra[S.INVOICE_ID] = "C" + extra[S.INVOICE_ID].astype("string")
    notes += _cancel_notes(frame, cancelled, returned, partial)
    out = pd.concat([lines, extra], ignore_index=True) if len(extra) else lines.reset_index(drop=True)
    return out, notes


def _partial_returns(order, quantity, price, refunded, cancelled):
    """Units returned per line (a partial refund equal to whole units of exactly one line
    of its order), and the partial refunds that could not be read so (order -> amount)."""
    returned = np.zeros(len(order))
    partial: dict[str, float] = {}
    amounts = refunded.groupby(order, sort=False).first()
    done = cancelled.groupby(order, sort=False).any()
    wanted = amounts[(amounts > _CENT) & ~done.reindex(amounts.index, fill_value=False)]
    if wanted.empty:
        return returned, partial
    rows_of = pd.Series(np.arange(len(order)))[order.isin(wanted.index).fillna(False).to_numpy()]
    for name, rows in rows_of.groupby(order.to_numpy()[rows_of.to_numpy()], sort=False):
        amount = float(wanted[name])
        matches = []
        for row in rows:
            p, q = price.iloc[row], quantity.iloc[row]
            if not (p > 0 and q > 0):
                continue
            units = amount / p
            if abs(units - round(units)) * p <= _CENT and 1 <= round(units) <= q:
                matches.append((row, round(units)))
        if len(matches) == 1:
            row, units = matches[0]
            returned[row] = units
        else:
            partial[name] = amount
    return returned, partial


def _cancel_notes(frame, cancelled, returned, partial) -> list[str]:
    notes = []
    orders = frame.loc[cancelled.to_numpy(), S.INVOICE_ID].drop_duplicates()
    if len(orders):
        notes.append(
            f"{_count(len(orders), 'order')} cancelled (Cancelled at), refunded in full or "
            f"voided (Financial Status) ({_count(int(cancelled.sum()), 'line')}; first: "
            f"{orders.iloc[0]}): each line is followed by its cancellation (invoice "
            f"C{orders.iloc[0]}), set aside like every cancellation, so net figures leave these "
            "orders out."
        )
    if (returned > 0).any():
        first = frame.loc[int(np.argmax(returned > 0)), S.INVOICE_ID]
        notes.append(
            f"Refunded Amount: {_count(int((returned > 0).sum()), 'partial refund')} equal to whole "
            f"units of one line (first: {first}) read as the return of those units (cancellation "
            "lines)."
        )
    if partial:
        name, amount = next(iter(partial.items()))
        notes.append(
            f"Refunded Amount: {_count(len(partial), 'partial refund')} ({sum(partial.values()):,.2f} "
            f"in all; first: {name}, {amount:,.2f}) left as bought: the export does not say which "
            "items they were for (shipping, taxes or several items), so revenue is before them."
        )
    return notes


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
