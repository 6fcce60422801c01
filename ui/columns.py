"""Column settings of the customer tables the value pages share (Streamlit ``column_config``)."""

from __future__ import annotations

import streamlit as st

from recsys.data import schema as S
from recsys.value.audience import DAYS_SINCE_LAST_ORDER, LAST_ORDER, ORDERS, REVENUE
from recsys.value.clv import EXPECTED_90D, P_ALIVE, PREDICTED_VALUE
from ui.format import CURRENCY

CUSTOMER_TABLE_COLUMNS: tuple[str, ...] = (
    S.CUSTOMER_ID, S.SEGMENT_NAME, S.COUNTRY, P_ALIVE, DAYS_SINCE_LAST_ORDER, ORDERS, REVENUE,
    PREDICTED_VALUE, EXPECTED_90D,
)
"""Columns of a customer table, in display order (rows of the audience table)."""


def customer_link(customer_id: object) -> str:
    """Return the relative link to the Customer page of ``customer_id``."""
    return f"customer?customer={customer_id}"


def with_links(table):
    """Return ``table`` (a customer table) with ``customer_id`` as links to the Customer page."""
    return table.assign(**{S.CUSTOMER_ID: table[S.CUSTOMER_ID].map(customer_link)})[
        [c for c in CUSTOMER_TABLE_COLUMNS if c in table.columns]
    ]


def customer_columns() -> dict:
    """Return the ``column_config`` of a customer table shown through :func:`with_links`."""
    return {
        S.CUSTOMER_ID: st.column_config.LinkColumn(
            "Customer", display_text=r"customer=(.*)$", width=90, pinned=True,
            help="Opens the Customer page: history and recommendations."),
        S.SEGMENT: None,
        S.SEGMENT_NAME: st.column_config.TextColumn("Segment", width=260),
        S.COUNTRY: st.column_config.TextColumn("Country", width=105),
        P_ALIVE: st.column_config.ProgressColumn(
            "P(active)", format="percent", min_value=0.0, max_value=1.0, width=95,
            help="Probability that the customer still buys (BG/NBD)."),
        DAYS_SINCE_LAST_ORDER: st.column_config.NumberColumn("Last order (days ago)", format="%d", width=130),
        ORDERS: st.column_config.NumberColumn("Orders", format="%d", width=60),
        REVENUE: st.column_config.NumberColumn(
            f"Revenue ({CURRENCY}, net)", format="localized", step=1, width=100,
            help="Purchases to date, net of cancellations."),
        PREDICTED_VALUE: st.column_config.NumberColumn(
            f"Predicted ({CURRENCY})", format="localized", step=1, width=100,
            help="Predicted value: expected spend over the next 12 months, net of cancellations, "
                 "discounted at 10% a year."),
        EXPECTED_90D: st.column_config.NumberColumn(
            "Orders next 90 days", format="%.1f", width=125,
            help="Expected orders (purchase days) in the 90 days after the data ends (BG/NBD)."),
        LAST_ORDER: None,
    }
