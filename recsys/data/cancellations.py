"""Net figures: which purchases the cancellation lines cancel.

Cleaning sets cancellation lines aside (``Dataset.cancellations``, invoice ids starting
with C). This module matches them to the purchases they cancel, so that customer and
product figures can be **net of cancellations**. The rule:

- A cancellation line cancels the same customer's purchases of the same product made
  at or before it, the most recent purchase first, up to the quantity it cancels.
- Cancelled quantity beyond what the customer bought of that product before the
  cancellation (a purchase before the data starts, a cancellation without a customer
  id) matches nothing and subtracts nothing: no line's net quantity goes below zero.
- A purchase line whose whole quantity is cancelled is *fully cancelled*: net figures
  leave it out (it is no spend, no order, no reason for a recommendation).

The value cancelled from a purchase line is the cancelled quantity at that line's own
unit price, so a line's net revenue is ``(quantity - cancelled_quantity) * unit_price``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.dataset import Dataset

CANCELLED_QUANTITY = "cancelled_quantity"
"""Column: units of a purchase line cancelled by matched cancellation lines (int)."""


@dataclass(frozen=True)
class CancellationMatch:
    """How cancellation lines match purchase lines.

    Attributes
    ----------
    cancelled : ndarray of int64
        Per purchase line (in the order of the transactions given), the units cancelled
        by matched cancellation lines, from 0 to the line's quantity.
    unmatched : ndarray of int64
        Per cancellation line (in the order given), the units that matched no purchase.
    """

    cancelled: np.ndarray
    unmatched: np.ndarray


def match_cancellations(transactions: pd.DataFrame, cancellations: pd.DataFrame | None) -> CancellationMatch:
    """Match cancellation lines to the purchase lines they cancel (see the module rule).

    Parameters
    ----------
    transactions : DataFrame
        Purchase lines: ``invoice_date``, ``customer_id`` (may be missing: such lines are
        never matched), ``product_id``, ``quantity`` (positive).
    cancellations : DataFrame or None
        Cancellation lines with the same columns; ``quantity`` negative as in the source
        files (its absolute value is the cancelled quantity).

    Returns
    -------
    CancellationMatch
        Arrays aligned with the rows of the two frames. Inputs are not modified.
    """
    n_tx = len(transactions)
    if cancellations is None or cancellations.empty or n_tx == 0:
        n_c = 0 if cancellations is None else len(cancellations)
        unmatched = np.zeros(n_c, dtype=np.int64)
        if n_c:
            unmatched = np.abs(cancellations[S.QUANTITY].to_numpy(dtype=np.int64))
        return CancellationMatch(np.zeros(n_tx, dtype=np.int64), unmatched)

    c_qty = np.abs(cancellations[S.QUANTITY].to_numpy(dtype=np.int64))
    unmatched = c_qty.copy()
    cancelled = np.zeros(n_tx, dtype=np.int64)
    t_key, c_key = _pair_keys(transactions, cancellations)
    usable = (c_key >= 0) & (c_qty > 0)
    # Only the purchase lines of (customer, product) pairs that have a cancellation matter.
    rows = np.flatnonzero(np.isin(t_key, c_key[usable]) & (t_key >= 0))
    if len(rows) == 0:
        return CancellationMatch(cancelled, unmatched)

    t_date = transactions[S.INVOICE_DATE].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    c_date = cancellations[S.INVOICE_DATE].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    order = rows[np.lexsort((rows, t_date[rows], t_key[rows]))]
    keys, dates = t_key[order], t_date[order]
    remaining = transactions[S.QUANTITY].to_numpy(dtype=np.int64)[order].copy()
    remaining[remaining < 0] = 0
    todo = np.flatnonzero(usable)
    todo = todo[np.lexsort((todo, c_date[todo], c_key[todo]))]
    # Python-level loop over cancellation lines only (a few per cent of the lines); each
    # walks back over the purchases of its pair from the latest one at or before it.
    lo_all = np.searchsorted(keys, c_key[todo], side="left")
    hi_all = np.searchsorted(keys, c_key[todo], side="right")
    for i, lo, hi in zip(todo.tolist(), lo_all.tolist(), hi_all.tolist(), strict=True):
        if lo == hi:
            continue
        j = lo + int(np.searchsorted(dates[lo:hi], c_date[i], side="right")) - 1
        need = int(c_qty[i])
        while need > 0 and j >= lo:
            take = min(int(remaining[j]), need)
            remaining[j] -= take
            need -= take
            j -= 1
        unmatched[i] = need
    cancelled[order] = transactions[S.QUANTITY].to_numpy(dtype=np.int64)[order].clip(min=0) - remaining
    return CancellationMatch(cancelled, unmatched)


def _pair_keys(transactions: pd.DataFrame, cancellations: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One integer per (customer, product) pair shared by both frames; -1 without a customer."""
    customers = pd.concat([transactions[S.CUSTOMER_ID], cancellations[S.CUSTOMER_ID]], ignore_index=True)
    products = pd.concat([transactions[S.PRODUCT_ID], cancellations[S.PRODUCT_ID]], ignore_index=True)
    c_codes, _ = pd.factorize(customers.astype("string"))
    p_codes, p_uniques = pd.factorize(products.astype("string"))
    key = c_codes.astype(np.int64) * (len(p_uniques) + 1) + p_codes
    key[c_codes < 0] = -1
    n_tx = len(transactions)
    return key[:n_tx], key[n_tx:]


def with_cancelled_quantity(transactions: pd.DataFrame, cancellations: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``transactions`` with a ``cancelled_quantity`` column (units cancelled per line).

    Parameters
    ----------
    transactions, cancellations : DataFrame
        As for :func:`match_cancellations`.

    Returns
    -------
    DataFrame
        A copy of ``transactions`` (same index and columns) plus ``cancelled_quantity``
        (int64, 0 to ``quantity``).
    """
    out = transactions.copy()
    out[CANCELLED_QUANTITY] = match_cancellations(transactions, cancellations).cancelled
    return out


def net_lines(transactions: pd.DataFrame, cancellations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the purchase lines net of matched cancellations.

    Parameters
    ----------
    transactions : DataFrame
        As for :func:`match_cancellations`; or lines that already carry
        ``cancelled_quantity`` (from :func:`with_cancelled_quantity`), when
        ``cancellations`` is None.
    cancellations : DataFrame or None
        As for :func:`match_cancellations`.

    Returns
    -------
    DataFrame
        The columns (without ``cancelled_quantity``) and index labels of
        ``transactions``: ``quantity`` reduced by the matched cancelled units, and the
        lines cancelled in full left out. When no line is cancelled at all, the lines
        themselves are returned (do not modify them).
    """
    if cancellations is None and CANCELLED_QUANTITY in transactions.columns:
        cancelled = transactions[CANCELLED_QUANTITY].to_numpy()
        transactions = transactions.drop(columns=CANCELLED_QUANTITY)
    else:
        cancelled = match_cancellations(transactions, cancellations).cancelled
    if not cancelled.any():
        return transactions
    quantity = transactions[S.QUANTITY].to_numpy() - cancelled
    keep = quantity > 0
    out = transactions.loc[keep].copy()
    out[S.QUANTITY] = quantity[keep].astype(transactions[S.QUANTITY].dtype)
    return out


def customer_lines_with_cancellations(dataset: Dataset) -> pd.DataFrame:
    """Return ``dataset.customer_transactions`` with ``cancelled_quantity`` (see
    :func:`with_cancelled_quantity`): what recommenders fit on, so that a purchase cancelled
    in full is never named in a reason."""
    return with_cancelled_quantity(dataset.customer_transactions, dataset.cancellations)


def net_transactions(dataset: Dataset) -> pd.DataFrame:
    """Return ``dataset.transactions`` net of ``dataset.cancellations`` (see :func:`net_lines`)."""
    return net_lines(dataset.transactions, dataset.cancellations)


def cancelled_values(lines: pd.DataFrame) -> pd.Series:
    """Return the value cancelled from each line of ``with_cancelled_quantity`` output.

    Returns
    -------
    Series of float
        ``cancelled_quantity * unit_price``, same index (0.0 for untouched lines).
    """
    return (lines[CANCELLED_QUANTITY] * lines[S.UNIT_PRICE]).astype(float)


@dataclass(frozen=True)
class CancelledValue:
    """Value of a set of cancellation lines, split by whether they matched a purchase.

    Attributes
    ----------
    matched : float
        Value subtracted from purchases: cancelled units at the purchase lines' prices.
    unmatched : float
        Value of cancelled units that matched no purchase (at the cancellation lines'
        prices): not subtracted from any figure.
    """

    matched: float
    unmatched: float

    @property
    def total(self) -> float:
        """Both together."""
        return self.matched + self.unmatched


def cancelled_value(transactions: pd.DataFrame, cancellations: pd.DataFrame | None) -> CancelledValue:
    """Return the value that cancellation lines subtract from ``transactions`` and what is left over.

    Parameters
    ----------
    transactions, cancellations : DataFrame
        As for :func:`match_cancellations`, with ``unit_price`` in both.

    Returns
    -------
    CancelledValue
        Amounts in the shop's currency, both at least 0.
    """
    match = match_cancellations(transactions, cancellations)
    matched = float((match.cancelled * transactions[S.UNIT_PRICE].to_numpy(dtype=float)).sum()) if len(
        transactions) else 0.0
    unmatched = 0.0
    if cancellations is not None and len(cancellations):
        unmatched = float((match.unmatched * np.abs(cancellations[S.UNIT_PRICE].to_numpy(dtype=float))).sum())
    return CancelledValue(matched, unmatched)
