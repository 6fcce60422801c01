"""Figures of the Reviews page: one product's ratings per star."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from recsys.insights.reviews import COUNT, STARS
from ui.figures.common import apply_layout

STAR_COLOURS = {1: "#dc2626", 2: "#f97316", 3: "#a3a3a3", 4: "#60a5fa", 5: "#2563eb"}


def rating_bars(distribution: pd.DataFrame) -> go.Figure:
    """Horizontal bars of reviews per star, 5 stars on top, with counts and shares.

    Parameters
    ----------
    distribution : DataFrame
        From :func:`recsys.insights.reviews.rating_distribution`: ``stars``, ``count``.
    """
    rows = distribution.sort_values(STARS)
    total = max(int(rows[COUNT].sum()), 1)
    labels = [f"{s} star{'' if s == 1 else 's'}" for s in rows[STARS]]
    text = [f"{c:,} ({c / total:.0%})" for c in rows[COUNT]]
    fig = go.Figure(go.Bar(
        x=rows[COUNT].tolist(), y=labels, orientation="h", text=text, textposition="outside",
        marker_color=[STAR_COLOURS.get(int(s), "#2563eb") for s in rows[STARS]],
        hovertext=[f"{label}: {t}" for label, t in zip(labels, text, strict=True)],
        hoverinfo="text", cliponaxis=False,
    ))
    # room on the right for the count and share written beside the longest bar
    fig.update_xaxes(title_text="Reviews", range=[0, max(int(rows[COUNT].max()), 1) * 1.3],
                     tickformat=",d")
    fig.update_yaxes(automargin=True)
    return apply_layout(fig, height=230, top=10)
