"""Figures of the Overview page: revenue over time, top products, top countries.

Each builder takes a DataFrame from :mod:`recsys.insights.trends` or :mod:`recsys.insights.overview` and
returns a plotly figure. Product text is escaped: plotly reads a few HTML tags in labels,
and a description must show as typed, never as markup.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import plotly.graph_objects as go

from recsys.data import schema as S
from ui.figures.common import apply_layout, plain_label
from ui.format import CURRENCY, money

BAR_COLOUR = "#2563eb"
LABEL_CHARS = 38

_plain = partial(plain_label, limit=LABEL_CHARS)


def revenue_over_time(totals: pd.DataFrame, *, freq: str = "M") -> go.Figure:
    """Bar chart of revenue per period, with orders and customers in the hover.

    Parameters
    ----------
    totals : DataFrame
        From :func:`recsys.insights.trends.period_totals`: ``period``, ``revenue``, ``orders``,
        ``customers``, ``units``.
    freq : {"M", "W"}
        Months or weeks (labels only).
    """
    label = "%b %Y" if freq == "M" else "week of %d %b %Y"
    periods = pd.to_datetime(totals["period"])
    hover = [
        f"{p:{label}}<br>Revenue: {money(r)}<br>Orders: {o:,}<br>Customers: {c:,}"
        for p, r, o, c in zip(periods, totals["revenue"], totals["orders"], totals["customers"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=periods,
            y=totals["revenue"],
            marker_color=BAR_COLOUR,
            hovertext=hover,
            hoverinfo="text",
        )
    )
    fig.update_yaxes(title_text=f"Revenue ({CURRENCY})", tickprefix=CURRENCY, tickformat=",.0f")
    fig.update_xaxes(title_text="Month" if freq == "M" else "Week")
    return apply_layout(fig, height=340, top=10)


def top_products_chart(top: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the top products' revenue, labelled with their descriptions.

    Parameters
    ----------
    top : DataFrame
        From :func:`recsys.insights.overview.top_products`: ``product_id``, ``description``,
        ``revenue`` (net of cancellations), ``units``, ``orders``, ``share``; optionally
        ``cancelled`` (the value cancellations took back), shown in the hover text.
    """
    labels = [
        f"{_plain(d) or _plain(p)} ({_plain(p, limit=12)})"
        for p, d in zip(top[S.PRODUCT_ID], top[S.DESCRIPTION], strict=True)
    ]
    cancelled = top["cancelled"] if "cancelled" in top else pd.Series(0.0, index=top.index)
    hover = [
        f"{_plain(d, limit=80)}<br>Product {_plain(p, limit=20)}<br>Net revenue: {money(r)} "
        f"({s:.1%})<br>Units: {u:,}<br>Orders: {o:,}"
        + (f"<br>Cancelled: {money(c)} (ordered {money(r + c)})" if c else "")
        for p, d, r, s, u, o, c in zip(
            top[S.PRODUCT_ID], top[S.DESCRIPTION], top["revenue"], top["share"], top["units"],
            top["orders"], cancelled, strict=True,
        )
    ]
    return _horizontal_bars(labels, top["revenue"], hover)


def top_countries_chart(top: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the top countries' revenue.

    Parameters
    ----------
    top : DataFrame
        From :func:`recsys.insights.overview.top_countries`: ``country``, ``revenue``,
        ``orders``, ``customers``, ``share``.
    """
    labels = [_plain(c) for c in top[S.COUNTRY]]
    hover = [
        f"{_plain(c)}<br>Revenue: {money(r)} ({s:.1%})<br>Customers: {n:,}<br>Orders: {o:,}"
        for c, r, s, n, o in zip(
            top[S.COUNTRY], top["revenue"], top["share"], top["customers"], top["orders"], strict=True
        )
    ]
    return _horizontal_bars(labels, top["revenue"], hover)


def _horizontal_bars(labels: list[str], values: pd.Series, hover: list[str]) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=list(values)[::-1],
            y=labels[::-1],
            orientation="h",
            marker_color=BAR_COLOUR,
            hovertext=hover[::-1],
            hoverinfo="text",
        )
    )
    fig.update_xaxes(
        title_text=f"Revenue ({CURRENCY})", tickprefix=CURRENCY, tickformat="~s", nticks=5, tickangle=0
    )
    fig.update_yaxes(automargin=True)
    return apply_layout(fig, height=max(220, 34 * len(labels) + 60), top=10)
