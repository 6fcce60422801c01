"""Figures of the Customer value, Segment movement and Cohorts pages.

Builders take the tables of :mod:`recsys.value` and :mod:`recsys.segments.movement` and
return plotly figures; segment colours are those of the Segments page (by number), and
segment names go through :func:`~ui.figures.common.plain_label`.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from recsys.data import schema as S
from recsys.segments.movement import CUSTOMERS, FROM_NAME, FROM_SEGMENT, TO_NAME, TO_SEGMENT
from recsys.value import cohorts as C
from recsys.value import holdout as H
from recsys.value import views as V
from ui.figures.common import figure_layout, plain_label
from ui.figures.segments import colour, segment_label
from ui.format import CURRENCY

ACTUAL_COLOUR = "#111827"
MODEL_COLOUR = "#2563eb"
NEW_COLOUR = "#9ca3af"


TOP_LEGEND = {"orientation": "h", "y": 1.12, "x": 0}


def wrapped_label(text: object, *, width: int = 26, lines: int = 3) -> str:
    """Return ``text`` as a plotly label on up to ``lines`` lines of about ``width`` characters.

    Segment names are claims of several words ("Frequent low spenders with small orders"):
    broken at spaces instead of cut, so the whole name shows; escaped as
    :func:`~ui.figures.common.plain_label` does. Only text beyond ``lines`` lines is cut, with "…".
    """
    plain = "" if text is None or (pd.api.types.is_scalar(text) and pd.isna(text)) else str(text)
    parts = textwrap.wrap(plain, width=width, max_lines=lines, placeholder=" …") or [""]
    return "<br>".join(plain_label(part) for part in parts)


def _figure(data: list, *, height: int, legend: bool = False, legend_style: dict | None = None,
            **layout) -> go.Figure:
    settings = figure_layout(height=height, legend=legend, **layout)
    if legend_style:
        settings["legend"] = legend_style
    return go.Figure(data=data, layout=settings)


def value_histogram(values: pd.Series) -> go.Figure:
    """Customers by predicted 12-month value, on a logarithmic value axis (bars per bin)."""
    clean = values.dropna().to_numpy(dtype=np.float64)
    clean = clean[clean > 0]
    if not len(clean):
        return _figure([], height=300)
    low, high = np.log10(clean.min()), np.log10(clean.max())
    edges = np.logspace(low, high + 1e-9, 31) if high > low else np.array([clean.min() * 0.9, clean.max() * 1.1])
    counts, edges = np.histogram(clean, bins=edges)
    centres = np.sqrt(edges[:-1] * edges[1:])
    hover = [f"{CURRENCY}{a:,.0f} – {CURRENCY}{b:,.0f}: {n:,} customers" for a, b, n in
             zip(edges[:-1], edges[1:], counts, strict=True)]
    bar = go.Bar(x=centres, y=counts, width=np.diff(edges) * 0.95, marker_color=MODEL_COLOUR,
                 hovertext=hover, hoverinfo="text")
    return _figure([bar], height=300,
                   xaxis={"type": "log", "title": f"Predicted value, next 12 months ({CURRENCY}, log scale)",
                          "tickprefix": CURRENCY, "dtick": 1},
                   yaxis={"title": "Customers"}, bargap=0.05)


def segment_risk_chart(by_segment: pd.DataFrame, *, measure: str = V.MEAN_P_ALIVE) -> go.Figure:
    """Per segment, mean P(active) of its repeat buyers (0–100 %) or expected orders per customer.

    ``measure`` is ``"mean_p_alive"`` or ``"orders_90d_per_customer"``; counts in the hover.
    """
    labels = [wrapped_label(segment_label(s, n), width=30)
              for s, n in zip(by_segment[S.SEGMENT], by_segment[S.SEGMENT_NAME], strict=True)]
    hover = []
    for label, p, lost, n, once, orders, v in zip(
        labels, by_segment[V.MEAN_P_ALIVE], by_segment[V.LIKELY_LOST], by_segment[V.CUSTOMERS],
        by_segment[V.ONE_TIME], by_segment[V.ORDERS_90D_PER_CUSTOMER], by_segment[V.VALUE_PER_CUSTOMER],
        strict=True,
    ):
        risk = ("no customer bought more than once" if pd.isna(p) else
                f"{p:.1%} likely still active on average (of {n - once:,} who bought more than once)"
                f"<br>{lost:,} likely lost (P(active) < {V.LOST_BELOW:.0%})")
        hover.append(f"{label}<br>{risk}<br>{once:,} bought once<br>{orders:.2f} expected orders per "
                     f"customer in the next 90 days<br>{CURRENCY}{v:,.0f} predicted per customer")
    if measure == V.ORDERS_90D_PER_CUSTOMER:
        values = by_segment[V.ORDERS_90D_PER_CUSTOMER]
        text = [f"{v:.2f}" for v in values]
        xaxis = {"title": "Expected orders per customer, next 90 days", "rangemode": "tozero"}
    else:
        values = by_segment[V.MEAN_P_ALIVE].fillna(0.0)
        text = ["–" if pd.isna(p) else f"{p:.0%}" for p in by_segment[V.MEAN_P_ALIVE]]
        xaxis = {"title": "Mean P(active) of repeat buyers", "tickformat": ".0%", "range": [0, 1]}
    bar = go.Bar(y=labels, x=values, orientation="h", marker_color=[colour(s) for s in by_segment[S.SEGMENT]],
                 text=text, textposition="auto", hovertext=hover, hoverinfo="text")
    return _figure([bar], height=60 + 38 * len(labels), xaxis=xaxis,
                   yaxis={"autorange": "reversed", "automargin": True})


def tracking_chart(tracking: pd.DataFrame, *, calibration_end: pd.Timestamp) -> go.Figure:
    """Repeat purchases per week, actual and expected, with the calibration end marked."""
    periods = tracking[H.PERIOD]
    actual = go.Scatter(x=periods, y=tracking[H.ACTUAL], name="Actual", mode="lines",
                        line={"color": ACTUAL_COLOUR, "width": 2},
                        hovertemplate="Week of %{x|%d %b %Y}: %{y:,} repeat purchases<extra>Actual</extra>")
    expected = go.Scatter(x=periods, y=tracking[H.EXPECTED], name="Model", mode="lines",
                          line={"color": MODEL_COLOUR, "width": 2, "dash": "dash"},
                          hovertemplate="Week of %{x|%d %b %Y}: %{y:,.0f} expected<extra>Model</extra>")
    fig = _figure([actual, expected], height=320, legend=True, legend_style=TOP_LEGEND,
                  xaxis={"title": None}, yaxis={"title": "Repeat purchases per week", "rangemode": "tozero"})
    fig.add_vline(x=calibration_end, line={"color": "#6b7280", "dash": "dot"})
    fig.add_annotation(x=calibration_end, y=1, yref="paper", text="calibration end", showarrow=False,
                       xanchor="right", yanchor="top", font={"color": "#6b7280"})
    return fig


def holdout_frequency_chart(by_frequency: pd.DataFrame) -> go.Figure:
    """Mean repeat purchases in the holdout by calibration-period repeat purchases."""
    groups = by_frequency[H.FREQUENCY_GROUP]
    hover_n = [f"{n:,} customers" for n in by_frequency[H.CUSTOMERS]]
    bars = [
        go.Bar(x=groups, y=by_frequency[H.ACTUAL_MEAN], name="Actual", marker_color=ACTUAL_COLOUR,
               customdata=hover_n, hovertemplate="%{x} before: %{y:.2f} actual (%{customdata})<extra></extra>"),
        go.Bar(x=groups, y=by_frequency[H.PREDICTED_MEAN], name="Model", marker_color=MODEL_COLOUR,
               customdata=hover_n, hovertemplate="%{x} before: %{y:.2f} predicted (%{customdata})<extra></extra>"),
    ]
    return _figure(bars, height=320, legend=True, barmode="group", legend_style=TOP_LEGEND,
                   xaxis={"title": "Repeat purchases in the calibration period", "type": "category"},
                   yaxis={"title": "Repeat purchases per customer in the holdout"})


def sankey_chart(transitions: pd.DataFrame, *, before: str, after: str) -> go.Figure:
    """Who moved from which segment (left, at ``before``) to which (right, at ``after``)."""
    left = transitions[[FROM_SEGMENT, FROM_NAME]].drop_duplicates().sort_values(FROM_SEGMENT)
    left = pd.concat([left[left[FROM_SEGMENT] != 0], left[left[FROM_SEGMENT] == 0]])
    right = transitions[[TO_SEGMENT, TO_NAME]].drop_duplicates().sort_values(TO_SEGMENT)
    labels = [wrapped_label(n, width=24) for n in left[FROM_NAME]] + [wrapped_label(n, width=24) for n in right[TO_NAME]]
    colours = [NEW_COLOUR if s == 0 else colour(s) for s in left[FROM_SEGMENT]] + [colour(s) for s in right[TO_SEGMENT]]
    left_index = {s: i for i, s in enumerate(left[FROM_SEGMENT])}
    right_index = {s: len(left) + i for i, s in enumerate(right[TO_SEGMENT])}
    link_colours = [_fade(NEW_COLOUR if s == 0 else colour(s)) for s in transitions[FROM_SEGMENT]]
    hover = [f"{plain_label(a)} → {plain_label(b)}: {n:,} customers" for a, b, n in
             zip(transitions[FROM_NAME], transitions[TO_NAME], transitions[CUSTOMERS], strict=True)]
    # Fixed positions: segments top to bottom in number order on both sides, the new
    # customers last on the left, each node as tall as its customers.
    left_sizes = transitions.groupby(FROM_SEGMENT)[CUSTOMERS].sum().reindex(left[FROM_SEGMENT]).to_numpy()
    right_sizes = transitions.groupby(TO_SEGMENT)[CUSTOMERS].sum().reindex(right[TO_SEGMENT]).to_numpy()
    node_y = [*_stacked_centres(left_sizes), *_stacked_centres(right_sizes)]
    node_x = [0.001] * len(left) + [0.999] * len(right)
    sankey = go.Sankey(
        arrangement="fixed",
        textfont={"size": 13, "color": "#111827"},
        node={"label": labels, "color": colours, "pad": 14, "thickness": 16, "x": node_x, "y": node_y,
              "line": {"width": 0}, "hovertemplate": "%{label}: %{value:,} customers<extra></extra>"},
        link={"source": [left_index[s] for s in transitions[FROM_SEGMENT]],
              "target": [right_index[s] for s in transitions[TO_SEGMENT]],
              "value": transitions[CUSTOMERS].tolist(), "color": link_colours,
              "customdata": hover, "hovertemplate": "%{customdata}<extra></extra>"},
    )
    fig = go.Figure(data=[sankey], layout=figure_layout(height=460, top=40, grid=False))
    fig.add_annotation(x=0, y=1.08, xref="paper", yref="paper", text=plain_label(before), showarrow=False,
                       xanchor="left", font={"size": 13})
    fig.add_annotation(x=1, y=1.08, xref="paper", yref="paper", text=plain_label(after), showarrow=False,
                       xanchor="right", font={"size": 13})
    return fig


def _stacked_centres(sizes: np.ndarray, *, gap: float = 0.03) -> list[float]:
    """Vertical centres (0 = top, 1 = bottom) of nodes stacked in order with gaps between them."""
    sizes = np.asarray(sizes, dtype=np.float64)
    room = 1.0 - gap * max(len(sizes) - 1, 0)
    heights = room * sizes / sizes.sum() if sizes.sum() > 0 else np.zeros_like(sizes)
    tops = np.concatenate([[0.0], np.cumsum(heights + gap)[:-1]])
    return [float(min(max(t + h / 2, 0.001), 0.999)) for t, h in zip(tops, heights, strict=True)]


def _fade(hex_colour: str, alpha: float = 0.35) -> str:
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def transition_heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Customers by segment at the first date (rows) and the second (columns), share of row in colour."""
    counts = matrix.to_numpy(dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, counts / np.maximum(totals, 1), 0.0)
    rows = [wrapped_label(n, width=24) for n in matrix.index]
    cols = [wrapped_label(n, width=16) for n in matrix.columns]
    text = [[f"{int(c):,}<br>{s:.0%}" for c, s in zip(rc, rs, strict=True)] for rc, rs in zip(counts, shares, strict=True)]
    heat = go.Heatmap(z=shares, x=cols, y=rows, text=text, texttemplate="%{text}", colorscale="Blues",
                      zmin=0, zmax=1, colorbar={"title": "Share<br>of row", "tickformat": ".0%"},
                      hovertemplate="%{y} → %{x}: %{text}<extra></extra>")
    return _figure([heat], height=90 + 46 * len(rows), grid=False,
                   xaxis={"title": "Segment at the second date", "side": "top", "automargin": True},
                   yaxis={"title": "At the first date", "autorange": "reversed", "automargin": True})


def retention_heatmap(activity: pd.DataFrame) -> go.Figure:
    """Share of each cohort buying N months after its first month (the cohort's own month is 100 %)."""
    table = activity.pivot(index=C.COHORT, columns=C.MONTHS_SINCE, values=C.RETENTION).sort_index()
    sizes = activity.groupby(C.COHORT)[C.COHORT_SIZE].first().reindex(table.index)
    rows = [f"{c:%b %Y} ({n:,})" for c, n in zip(table.index, sizes, strict=True)]
    z = table.to_numpy(dtype=np.float64)
    text = [["" if np.isnan(v) else f"{v:.0%}" for v in row] for row in z]
    heat = go.Heatmap(z=z, x=[str(m) for m in table.columns], y=rows, text=text, texttemplate="%{text}",
                      colorscale="Greens", zmin=0, zmax=max(0.5, float(np.nanmax(z[:, 1:])) if z.shape[1] > 1 else 1),
                      colorbar={"title": "Still<br>buying", "tickformat": ".0%"},
                      hovertemplate="Cohort %{y}, month %{x}: %{text} bought<extra></extra>")
    return _figure([heat], height=110 + 26 * len(rows), grid=False,
                   xaxis={"title": "Months after the first purchase", "side": "top", "type": "category"},
                   yaxis={"title": "First purchase (customers)", "autorange": "reversed", "automargin": True})


def cohort_revenue_chart(activity: pd.DataFrame) -> go.Figure:
    """Cumulative net revenue per customer of each cohort, by months since its first month."""
    lines = []
    cohorts = sorted(activity[C.COHORT].unique())
    # One hue per cohort along a perceptual scale (oldest dark, newest light), stopping short of
    # viridis' pale yellow so the newest cohort still reads on white; shades of one blue run together.
    shades = sample_colorscale("Viridis", list(np.linspace(0.0, 0.85, max(len(cohorts), 1))))
    for cohort, shade in zip(cohorts, shades[:len(cohorts)], strict=True):
        rows = activity[activity[C.COHORT] == cohort]
        lines.append(go.Scatter(
            x=rows[C.MONTHS_SINCE], y=rows[C.CUMULATIVE_PER_CUSTOMER], mode="lines+markers",
            name=f"{pd.Timestamp(cohort):%b %Y}", line={"color": shade, "width": 2},
            marker={"size": 4},
            hovertemplate=f"{pd.Timestamp(cohort):%b %Y} cohort, month %{{x}}: "
                          f"{CURRENCY}%{{y:,.0f}} per customer so far<extra></extra>",
        ))
    return _figure(lines, height=360, legend=True,
                   xaxis={"title": "Months after the first purchase", "dtick": 1},
                   yaxis={"title": f"Net revenue per customer, cumulative ({CURRENCY})", "tickprefix": CURRENCY})


def cohort_totals_chart(activity: pd.DataFrame) -> go.Figure:
    """Net revenue of each cohort to date (bars), customers in the hover."""
    totals = activity.groupby(C.COHORT).agg(revenue=(C.REVENUE, "sum"), customers=(C.COHORT_SIZE, "first"))
    labels = [f"{c:%b %Y}" for c in totals.index]
    bar = go.Bar(x=labels, y=totals["revenue"], marker_color=MODEL_COLOUR, customdata=totals["customers"],
                 hovertemplate=f"%{{x}}: {CURRENCY}%{{y:,.0f}} from %{{customdata:,}} customers<extra></extra>")
    return _figure([bar], height=300, xaxis={"title": "Month of first purchase", "type": "category"},
                   yaxis={"title": f"Net revenue to date ({CURRENCY})", "tickprefix": CURRENCY})


def repeat_curve_chart(curve: pd.DataFrame) -> go.Figure:
    """Share of customers with a second order within N days of their first."""
    shown = curve[curve[C.ELIGIBLE] > 0]
    line = go.Scatter(x=shown[C.DAYS], y=shown[C.SHARE_RETURNED], mode="lines", line={"color": MODEL_COLOUR, "width": 2},
                      customdata=shown[C.ELIGIBLE],
                      hovertemplate="Within %{x} days: %{y:.1%} came back (of %{customdata:,} customers "
                                    "observed that long)<extra></extra>")
    return _figure([line], height=300, xaxis={"title": "Days after the first order"},
                   yaxis={"title": "Placed a second order", "tickformat": ".0%", "rangemode": "tozero"})


def segment_sizes_chart(sizes: pd.DataFrame) -> go.Figure:
    """Customers per segment at each month end (stacked areas, today's names)."""
    areas = []
    for (segment, name), rows in sizes.groupby([S.SEGMENT, S.SEGMENT_NAME], sort=True):
        label = wrapped_label(segment_label(segment, name), width=30)
        areas.append(go.Scatter(
            x=rows["date"], y=rows[CUSTOMERS], name=label, stackgroup="one", mode="lines",
            line={"color": colour(segment), "width": 1},
            hovertemplate=f"{label}<br>%{{x|%d %b %Y}}: %{{y:,}} customers<extra></extra>",
        ))
    return _figure(areas, height=340, legend=True, xaxis={"title": None},
                   yaxis={"title": "Customers (who had bought by then)"})

