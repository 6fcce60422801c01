"""Figures and labels of the Segments and Segment explorer pages.

Builders take the tables of :mod:`recsys.segments.kmeans`, :mod:`recsys.segments.profile`
and :mod:`recsys.segments.rfm` and return plotly figures. Colours follow the segment number
(1 = most valuable), so a segment keeps its colour when k or the seed changes. Text
from the data (product descriptions) is escaped: plotly reads a few HTML tags.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import plotly.graph_objects as go

from recsys.segments import features as F
from recsys.segments.demographics import DEMOGRAPHIC_PREFIX
from ui.figures.common import figure_layout, plain_label
from ui.format import CURRENCY, money, number, round_money

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


DEMOGRAPHIC_LABELS = {"age": "Age", "income": "Income", "household": "Household size",
                      "gender": "Gender", "region": "Region"}
"""Labels of the customer attributes (demographic features and segment mixes)."""


def feature_label(column: str) -> str:
    """Return the label of a feature column (category shares: "Share in <category>")."""
    if column.startswith(F.CATEGORY_SHARE_PREFIX):
        return f"Share of spend in {column[len(F.CATEGORY_SHARE_PREFIX):]}"
    if column.startswith(DEMOGRAPHIC_PREFIX):
        return DEMOGRAPHIC_LABELS.get(column[len(DEMOGRAPHIC_PREFIX):],
                                      column[len(DEMOGRAPHIC_PREFIX):].capitalize())
    return FEATURE_LABELS.get(column, column.replace("_", " ").capitalize())


def colour(segment: int) -> str:
    """Return the colour of segment number ``segment`` (1-based)."""
    return PALETTE[(int(segment) - 1) % len(PALETTE)]


def segment_label(segment: int, name: str) -> str:
    """Return e.g. ``"1 · Champions"``."""
    return f"{int(segment)} · {name}"

_plain = partial(plain_label, limit=40)


def _figure(data: list, *, height: int, legend: bool = False, **layout) -> go.Figure:
    """Build a figure in one go (plotly validates each later update: slow on reruns)."""
    return go.Figure(data=data, layout=figure_layout(height=height, legend=legend, **layout))


def describe_segment(row: pd.Series) -> str:
    """Say in plain words how a segment's typical customer behaves.

    ``row`` is a row of :func:`recsys.segments.profile.segment_profile` (medians), e.g.
    ``"last ordered 23 days ago, 7 orders of £346, one every 18 days, £2,400 spent in all"``.

    The figures are the ones the segment's name speaks of (days since the last order,
    orders, total spend), so that a name and its sentence cannot disagree: more than 90%
    of a "Recent" segment's members ordered more recently than the median customer, so
    their median does too. A segment whose typical member ordered once gets that order's
    value and no rhythm or total, which would be medians of the few who ordered again.
    """
    recency = row[F.RECENCY_DAYS]
    parts = ["last ordered " + ("on the data's last day" if round(recency) == 0 else f"{_days(recency)} ago")]
    orders = row[F.FREQUENCY]
    if orders <= 1:
        parts.append(f"a single order of {money(row[F.AVG_ORDER_VALUE])}")
        return ", ".join(parts)
    parts.append(f"{number(orders)} orders of {money(row[F.AVG_ORDER_VALUE])}")
    gap = row.get(F.MEAN_DAYS_BETWEEN_ORDERS)
    if gap is not None and not pd.isna(gap):
        parts.append("on the same day or the next" if gap < 1.5 else f"one every {_days(gap)}")
    parts.append(f"{money(row[F.MONETARY])} spent in all")
    return ", ".join(parts)


def _days(value: float) -> str:
    return "1 day" if round(value) == 1 else f"{number(value)} days"


def sweep_chart(table: pd.DataFrame, *, metric: str, chosen_k: int, suggested_k: int) -> go.Figure:
    """Line chart of ``inertia`` or ``silhouette`` against k, chosen and suggested k marked."""
    title = {
        "inertia": "Inertia (lower = tighter segments)",
        "silhouette": "Silhouette (higher = better separated)",
    }[metric]
    line = {
        "type": "scatter", "x": table["k"].tolist(), "y": table[metric].tolist(), "mode": "lines+markers",
        "line": {"color": "#4b5563"}, "hovertemplate": "k = %{x}<br>" + metric + " = %{y:.3f}<extra></extra>",
    }
    shapes, notes = [], []
    ks = set(table["k"])
    middle = (float(table["k"].min()) + float(table["k"].max())) / 2
    marks = [(suggested_k, "suggested", "dot", "#059669", 0), (chosen_k, "chosen", "solid", "#1d4ed8", 1)]
    if chosen_k == suggested_k:
        marks = [(chosen_k, "chosen = suggested", "solid", "#1d4ed8", 0)]
    for k, label, dash, col, row in marks:
        if k in ks:
            shapes.append({"type": "line", "x0": k, "x1": k, "y0": 0, "y1": 1, "yref": "paper",
                           "line": {"color": col, "dash": dash, "width": 2}})
            # Written towards the middle of the chart, so a mark at either end is not cut
            # off ("chosen k = 12" at the right edge); the two marks on rows of their own.
            notes.append({"x": k, "y": 1, "yref": "paper", "text": f"{label} k = {k}", "showarrow": False,
                          "xanchor": "right" if k > middle else "left", "yanchor": "bottom",
                          "yshift": 16 * row, "font": {"color": col}})
    return _figure(
        [line], height=300, shapes=shapes, annotations=notes, top=50,
        xaxis={"title": {"text": "Number of segments (k)"}, "dtick": 1,
               "range": [float(table["k"].min()) - 0.5, float(table["k"].max()) + 0.5]},
        yaxis={"title": {"text": title}},
    )


def sizes_chart(summary: pd.DataFrame) -> go.Figure:
    """Horizontal bars: share of customers and share of revenue of each segment.

    Segments on the vertical axis, their whole names beside the bars (a name runs to some
    50 characters at k = 12; slanted under vertical bars it was cut), segment 1 on top.
    """
    labels = [segment_label(s, n) for s, n in zip(summary["segment"], summary["segment_name"], strict=True)]
    bars = [
        {"type": "bar", "y": labels, "x": summary["customer_share"].tolist(), "name": "Customers",
         "orientation": "h", "marker": {"color": "#9ca3af"},
         "hovertemplate": "%{y}<br>%{x:.1%} of customers<extra></extra>"},
        {"type": "bar", "y": labels, "x": summary["revenue_share"].tolist(), "name": "Revenue",
         "orientation": "h", "marker": {"color": [colour(s) for s in summary["segment"]]},
         "hovertemplate": "%{y}<br>%{x:.1%} of revenue<extra></extra>"},
    ]
    return _figure(
        bars, height=110 + 44 * len(labels), legend=True, barmode="group", legend_orientation="h", legend_y=1.02,
        xaxis={"title": {"text": "Share"}, "tickformat": ".0%"},
        yaxis={"autorange": "reversed", "automargin": True},
    )


def profile_heatmap(centers: pd.DataFrame, summary: pd.DataFrame) -> go.Figure:
    """Heatmap of each segment's mean standardised feature: blue above average, red below.

    ``centers`` is :attr:`recsys.segments.kmeans.Segmentation.centers` (standard deviations
    from the average customer, after the log transform). Recency is flipped so that blue
    always means "better" (more recent).
    """
    z = centers.copy()
    if F.RECENCY_DAYS in z:
        z[F.RECENCY_DAYS] = -z[F.RECENCY_DAYS]
    names = dict(zip(summary["segment"], summary["segment_name"], strict=True))
    y = [segment_label(s, names.get(s, "")) for s in z.index]
    x = [("Recency (recent = high)" if c == F.RECENCY_DAYS else feature_label(c)) for c in z.columns]
    heat = {
        "type": "heatmap", "z": z.to_numpy().round(3).tolist(), "x": x, "y": y, "zmid": 0, "zmin": -2, "zmax": 2,
        "colorscale": "RdBu", "colorbar": {"title": {"text": "SD from<br>average"}},
        "hovertemplate": "%{y}<br>%{x}: %{z:+.2f} SD<extra></extra>",
    }
    # Whole labels on both axes: the plot gives way to them (automargin) instead of cutting
    # them, and the feature names are slanted so that neighbours do not overlap.
    return _figure([heat], height=220 + 36 * len(y), yaxis={"autorange": "reversed", "automargin": True},
                   xaxis={"tickangle": -35, "automargin": True})


def projection_chart(points: pd.DataFrame, explained: tuple[float, float]) -> go.Figure:
    """Scatter of customers on the first two principal components, coloured by segment."""
    traces = []
    for (segment, name), part in points.groupby(["segment", "segment_name"], sort=True):
        traces.append({
            "type": "scattergl", "x": part["pc1"].to_numpy().round(3), "y": part["pc2"].to_numpy().round(3),
            "mode": "markers", "name": segment_label(segment, name),
            "marker": {"color": colour(segment), "size": 5, "opacity": 0.6},
            "text": part["customer_id"].astype(str).to_numpy(dtype=object),
            "hovertemplate": "Customer %{text}<extra>" + _plain(name) + "</extra>",
        })
    return _figure(
        traces, height=430, legend=True,
        xaxis={"title": {"text": f"Component 1 ({explained[0]:.0%} of variance)"}},
        yaxis={"title": {"text": f"Component 2 ({explained[1]:.0%} of variance)"}},
    )


def _two_lines(name: str) -> str:
    """Break a multi-word name at the space nearest its middle (``"Potential<br>loyalists"``):
    a grid cell is too narrow for "Potential loyalists" on one line."""
    spaces = [i for i, c in enumerate(name) if c == " "]
    if not spaces or len(name) <= 11:  # "Hibernating", "At risk" fit a cell as they are
        return name
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return f"{name[:cut]}<br>{name[cut + 1:]}"


def rfm_grid_chart(grid: pd.DataFrame) -> go.Figure:
    """5 × 5 heatmap of customers by R and F score, each cell labelled with its segment."""
    counts = grid.pivot(index="r", columns="f", values="customers").sort_index(ascending=False)
    names = grid.pivot(index="r", columns="f", values="rfm_segment").sort_index(ascending=False)
    text = [
        [f"{_two_lines(_plain(names.loc[r, f]))}<br>{number(counts.loc[r, f])}" for f in counts.columns]
        for r in counts.index
    ]
    heat = {
        "type": "heatmap", "z": counts.to_numpy().tolist(), "x": [str(f) for f in counts.columns],
        "y": [str(r) for r in counts.index], "text": text, "texttemplate": "%{text}", "textfont": {"size": 10}, "colorscale": "Blues",
        "showscale": False, "hovertemplate": "R %{y}, F %{x}<br>%{z} customers<extra></extra>",
    }
    return _figure(
        [heat], height=430,
        xaxis={"title": {"text": "Frequency score (5 = most orders)"}},
        yaxis={"title": {"text": "Recency score (5 = most recent)"}},
    )


def monthly_revenue_chart(monthly: pd.DataFrame, *, segment: int) -> go.Figure:
    """Bars of a segment's revenue per month."""
    bars = {
        "type": "bar", "x": monthly["period"].tolist(), "y": round_money(monthly["revenue"]).tolist(),
        "marker": {"color": colour(segment)}, "customdata": monthly[["orders", "customers"]].to_numpy().tolist(),
        "hovertemplate": "%{x|%b %Y}<br>" + CURRENCY + "%{y:,.0f}<br>%{customdata[0]} orders, "
        "%{customdata[1]} customers<extra></extra>",
    }
    return _figure(
        [bars], height=300,
        xaxis={"title": {"text": "Month"}, "dtick": "M1", "tickformat": "%b %Y"},
        yaxis={"title": {"text": f"Revenue ({CURRENCY})"}, "tickprefix": CURRENCY},
    )


def top_products_chart(top: pd.DataFrame, *, segment: int) -> go.Figure:
    """Horizontal bars of the segment's top products by revenue (descriptions escaped)."""
    labels = [_plain(d if isinstance(d, str) and d else p) for p, d in zip(top["product_id"], top["description"], strict=True)]
    bars = {
        "type": "bar", "x": round_money(top["revenue"]).tolist(), "y": labels, "orientation": "h",
        "marker": {"color": colour(segment)}, "hovertemplate": "%{y}<br>" + CURRENCY + "%{x:,.0f}<extra></extra>",
    }
    return _figure(
        [bars], height=80 + 28 * len(top),
        xaxis={"title": {"text": f"Revenue ({CURRENCY})"}, "tickprefix": CURRENCY},
        yaxis={"autorange": "reversed"},
    )
