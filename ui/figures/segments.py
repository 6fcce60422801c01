"""Figures and labels of the Segments and Segment explorer pages.

Builders take the tables of :mod:`recsys.segmentation`, :mod:`recsys.segment_profile`
and :mod:`recsys.rfm` and return plotly figures. Colours follow the segment number
(1 = most valuable), so a segment keeps its colour when k or the seed changes. Text
from the data (product descriptions) is escaped: plotly reads a few HTML tags.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go

from recsys import features as F
from ui.format import CURRENCY, money, number

PALETTE: tuple[str, ...] = (
    "#1d4ed8", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2",
    "#65a30d", "#dc2626", "#4b5563", "#a16207", "#0f766e", "#9333ea",
)
"""Colour of segment 1, 2, …: the same number always gets the same colour."""

FEATURE_LABELS: dict[str, str] = {
    F.RECENCY_DAYS: "Days since last order",
    F.FREQUENCY: "Orders (invoices)",
    F.MONETARY: f"Revenue ({CURRENCY})",
    F.AVG_ORDER_VALUE: f"Average order value ({CURRENCY})",
    F.ITEMS_PER_ORDER: "Items per order (units)",
    F.DISTINCT_PRODUCTS: "Distinct products",
    F.TENURE_DAYS: "Days since first order",
    F.MEAN_DAYS_BETWEEN_ORDERS: "Days between orders",
    F.CANCELLATION_RATE: "Cancelled orders (share)",
    "annual_spend": f"Spend per year ({CURRENCY})",
}
"""Human label, with unit, of each feature column."""


def feature_label(column: str) -> str:
    """Return the label of a feature column (category shares: "Share in <category>")."""
    if column.startswith(F.CATEGORY_SHARE_PREFIX):
        return f"Share of spend in {column[len(F.CATEGORY_SHARE_PREFIX):]}"
    return FEATURE_LABELS.get(column, column.replace("_", " ").capitalize())


def colour(segment: int) -> str:
    """Return the colour of segment number ``segment`` (1-based)."""
    return PALETTE[(int(segment) - 1) % len(PALETTE)]


def segment_label(segment: int, name: str) -> str:
    """Return e.g. ``"1 · Champions"``."""
    return f"{int(segment)} · {name}"


def _plain(text: object, limit: int = 40) -> str:
    value = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return html.escape(value, quote=False)


def _layout(fig: go.Figure, *, height: int, legend: bool = False) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        plot_bgcolor="white",
        showlegend=legend,
        hoverlabel={"align": "left"},
    )
    fig.update_xaxes(gridcolor="#e5e7eb")
    fig.update_yaxes(gridcolor="#e5e7eb")
    return fig


def describe_segment(row: pd.Series) -> str:
    """Say in plain words how a segment's typical customer behaves.

    ``row`` is a row of :func:`recsys.segment_profile.segment_profile` (medians), e.g.
    ``"last ordered 23 days ago, orders every 18 days, spends £1,240 a year (7 orders)"``.
    """
    parts = [f"last ordered {number(row[F.RECENCY_DAYS])} days ago"]
    gap = row.get(F.MEAN_DAYS_BETWEEN_ORDERS)
    if row[F.FREQUENCY] <= 1:
        parts.append("usually a single order")
    elif gap is not None and not pd.isna(gap):
        parts.append(f"orders every {number(gap)} days")
    parts.append(f"spends {money(row['annual_spend'])} a year")
    parts.append(f"{number(row[F.FREQUENCY])} orders of {money(row[F.AVG_ORDER_VALUE])}")
    return ", ".join(parts)


def sweep_chart(table: pd.DataFrame, *, metric: str, chosen_k: int, suggested_k: int) -> go.Figure:
    """Line chart of ``inertia`` or ``silhouette`` against k, chosen and suggested k marked."""
    title = {
        "inertia": "Inertia (lower = tighter segments)",
        "silhouette": "Silhouette (higher = better separated)",
    }[metric]
    fig = go.Figure(
        go.Scatter(
            x=table["k"], y=table[metric], mode="lines+markers", line={"color": "#4b5563"},
            hovertemplate="k = %{x}<br>" + metric + " = %{y:.3f}<extra></extra>",
        )
    )
    for k, label, dash, col in ((suggested_k, "suggested", "dot", "#059669"), (chosen_k, "chosen", "solid", "#1d4ed8")):
        if k in set(table["k"]):
            fig.add_vline(x=k, line_dash=dash, line_color=col, annotation_text=f"{label} k = {k}",
                          annotation_position="top right" if label == "chosen" else "top left")
    fig.update_xaxes(title="Number of segments (k)", dtick=1)
    fig.update_yaxes(title=title)
    return _layout(fig, height=300)


def sizes_chart(summary: pd.DataFrame) -> go.Figure:
    """Grouped bars: share of customers and share of revenue of each segment."""
    labels = [segment_label(s, n) for s, n in zip(summary["segment"], summary["segment_name"], strict=True)]
    fig = go.Figure()
    fig.add_bar(
        x=labels, y=summary["customer_share"], name="Customers", marker_color="#9ca3af",
        hovertemplate="%{x}<br>%{y:.1%} of customers<extra></extra>",
    )
    fig.add_bar(
        x=labels, y=summary["revenue_share"], name="Revenue", marker_color=[colour(s) for s in summary["segment"]],
        hovertemplate="%{x}<br>%{y:.1%} of revenue<extra></extra>",
    )
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": 1.1})
    fig.update_yaxes(title="Share", tickformat=".0%")
    return _layout(fig, height=330, legend=True)


def profile_heatmap(centers: pd.DataFrame, summary: pd.DataFrame) -> go.Figure:
    """Heatmap of each segment's mean standardised feature: blue above average, red below.

    ``centers`` is :attr:`recsys.segmentation.Segmentation.centers` (standard deviations
    from the average customer, after the log transform). Recency is flipped so that blue
    always means "better" (more recent).
    """
    z = centers.copy()
    if F.RECENCY_DAYS in z:
        z[F.RECENCY_DAYS] = -z[F.RECENCY_DAYS]
    names = dict(zip(summary["segment"], summary["segment_name"], strict=True))
    y = [segment_label(s, names.get(s, "")) for s in z.index]
    x = [("Recency (recent = high)" if c == F.RECENCY_DAYS else feature_label(c)) for c in z.columns]
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(), x=x, y=y, zmid=0, zmin=-2, zmax=2, colorscale="RdBu",
            colorbar={"title": "SD from<br>average"},
            hovertemplate="%{y}<br>%{x}: %{z:+.2f} SD<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=120 + 36 * len(y))


def projection_chart(points: pd.DataFrame, explained: tuple[float, float]) -> go.Figure:
    """Scatter of customers on the first two principal components, coloured by segment."""
    fig = go.Figure()
    for (segment, name), part in points.groupby(["segment", "segment_name"], sort=True):
        fig.add_scattergl(
            x=part["pc1"], y=part["pc2"], mode="markers", name=segment_label(segment, name),
            marker={"color": colour(segment), "size": 5, "opacity": 0.6},
            text=part["customer_id"], hovertemplate="Customer %{text}<extra>" + _plain(name) + "</extra>",
        )
    fig.update_xaxes(title=f"Component 1 ({explained[0]:.0%} of variance)")
    fig.update_yaxes(title=f"Component 2 ({explained[1]:.0%} of variance)")
    return _layout(fig, height=430, legend=True)


def rfm_grid_chart(grid: pd.DataFrame) -> go.Figure:
    """5 × 5 heatmap of customers by R and F score, each cell labelled with its segment."""
    counts = grid.pivot(index="r", columns="f", values="customers").sort_index(ascending=False)
    names = grid.pivot(index="r", columns="f", values="rfm_segment").sort_index(ascending=False)
    text = [[f"{_plain(names.loc[r, f])}<br>{number(counts.loc[r, f])}" for f in counts.columns] for r in counts.index]
    fig = go.Figure(
        go.Heatmap(
            z=counts.to_numpy(), x=[str(f) for f in counts.columns], y=[str(r) for r in counts.index],
            text=text, texttemplate="%{text}", colorscale="Blues", showscale=False,
            hovertemplate="R %{y}, F %{x}<br>%{z} customers<extra></extra>",
        )
    )
    fig.update_xaxes(title="Frequency score (5 = most orders)")
    fig.update_yaxes(title="Recency score (5 = most recent)")
    return _layout(fig, height=430)


def monthly_revenue_chart(monthly: pd.DataFrame, *, segment: int) -> go.Figure:
    """Bars of a segment's revenue per month."""
    fig = go.Figure(
        go.Bar(
            x=monthly["period"], y=monthly["revenue"], marker_color=colour(segment),
            customdata=monthly[["orders", "customers"]],
            hovertemplate="%{x|%b %Y}<br>" + CURRENCY + "%{y:,.0f}<br>%{customdata[0]} orders, "
            "%{customdata[1]} customers<extra></extra>",
        )
    )
    fig.update_yaxes(title=f"Revenue ({CURRENCY})", tickprefix=CURRENCY)
    fig.update_xaxes(title="Month", dtick="M1", tickformat="%b %Y")
    return _layout(fig, height=300)


def top_products_chart(top: pd.DataFrame, *, segment: int) -> go.Figure:
    """Horizontal bars of the segment's top products by revenue (descriptions escaped)."""
    labels = [_plain(d if isinstance(d, str) and d else p) for p, d in zip(top["product_id"], top["description"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=top["revenue"], y=labels, orientation="h", marker_color=colour(segment),
            hovertemplate="%{y}<br>" + CURRENCY + "%{x:,.0f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=f"Revenue ({CURRENCY})", tickprefix=CURRENCY)
    return _layout(fig, height=80 + 28 * len(top))
