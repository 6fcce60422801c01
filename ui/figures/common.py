"""What every figure module shares: data text made safe for plotly, and the common layout.

Plotly reads a few HTML tags in labels, hover text and legend names (``<b>``, ``<a href>``,
``<br>``, …), so text from the data (product descriptions, countries, categories) goes
through :func:`plain_label` before it reaches a figure, and shows as typed.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

GRID_COLOUR = "#e5e7eb"


def plain_label(text: object, *, limit: int | None = None) -> str:
    """Return ``text`` as a plotly label that shows as typed.

    HTML special characters are escaped (``"<b>"`` gives ``"&lt;b&gt;"``, which plotly
    draws as ``<b>``); a missing value (``None``, NaN, ``pd.NA``, NaT) gives ``""``, never
    ``"nan"``; text longer than ``limit`` characters is cut to ``limit`` with a final "…".
    """
    if text is None or (pd.api.types.is_scalar(text) and pd.isna(text)):
        return ""
    value = str(text)
    if limit is not None and len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return html.escape(value, quote=False)


def figure_layout(
    *, height: int, legend: bool = False, top: int = 30, grid: bool = True, **extra
) -> dict:
    """Return the layout the figures share, updated with ``extra`` (plotly layout keys).

    White plot, 10 px margins (``top`` above, room for a title or legend), hover text
    aligned left, the legend hidden unless ``legend``; with ``grid``, light grey grid
    lines on both axes (merged into any ``xaxis`` / ``yaxis`` given in ``extra``).
    """
    base = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": top, "b": 10},
        "plot_bgcolor": "white",
        "showlegend": legend,
        "hoverlabel": {"align": "left"},
    }
    if grid:
        for axis in ("xaxis", "yaxis"):
            extra[axis] = {"gridcolor": GRID_COLOUR, **extra.get(axis, {})}
    return {**base, **extra}


def apply_layout(fig: go.Figure, **settings) -> go.Figure:
    """Give ``fig`` the shared layout (arguments of :func:`figure_layout`) and return it."""
    fig.update_layout(**figure_layout(**settings))
    return fig
