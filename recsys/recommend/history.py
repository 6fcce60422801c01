"""History bands: how much a customer has bought, in the words the app and evaluation use.

The hybrid blends its parts differently for customers with little history, and the
evaluation reports its metrics per band; both read the bands from here.
"""

from __future__ import annotations

NO_HISTORY = "no history"
LIGHT = "1–2 invoices"
REGULAR = "3–9 invoices"
RICH = "10+ invoices"

HISTORY_BANDS: tuple[str, ...] = (NO_HISTORY, LIGHT, REGULAR, RICH)
"""Every band, from no history to the most."""

LIGHT_INVOICES = 2
"""Customers with at most this many invoices count as having little history."""

REGULAR_INVOICES = 9
"""Customers with more invoices than this are in the richest band."""


def history_band(invoices: int) -> str:
    """Return the band of a customer with ``invoices`` invoices (one of :data:`HISTORY_BANDS`).

    Parameters
    ----------
    invoices : int
        Distinct invoices of the customer before the cut (0 for a new customer).

    Returns
    -------
    str
        ``"no history"`` (0), ``"1–2 invoices"``, ``"3–9 invoices"`` or ``"10+ invoices"``.
    """
    if invoices <= 0:
        return NO_HISTORY
    if invoices <= LIGHT_INVOICES:
        return LIGHT
    if invoices <= REGULAR_INVOICES:
        return REGULAR
    return RICH
