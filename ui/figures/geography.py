"""The map of the Overview: revenue or customers per country, drawn without the internet.

Plotly's geo maps draw country outlines from a TopoJSON file that plotly.js fetches from
its CDN unless told otherwise. The app serves the file itself (``static/world_110m.json``,
at ``app/static/``) and points plotly at it through :data:`MAP_CONFIG`, so the map draws
on a machine without internet access, and nothing is fetched from elsewhere at run time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from recsys.data import schema as S
from recsys.insights.geography import ISO3
from ui.figures.common import plain_label
from ui.format import CURRENCY

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
OUTLINES = STATIC_DIR / "world_110m.json"
MAP_CONFIG = {"topojsonURL": "./app/static/", "displayModeBar": False, "scrollZoom": False}
"""Plotly config of the map: outlines from the app's own static folder (relative to the
page, so it also works under a ``server.baseUrlPath``)."""

METRICS = {"revenue": f"Revenue ({CURRENCY})", "customers": "Customers"}


@lru_cache(maxsize=1)
def drawable_codes() -> frozenset[str]:
    """ISO alpha-3 codes of the countries the map's outlines have (small ones are missing)."""
    topology = json.loads(OUTLINES.read_text(encoding="utf-8"))
    return frozenset(g["id"] for g in topology["objects"]["countries"]["geometries"] if g.get("id"))


def _short(value: float) -> str:
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if value >= size:
            return f"{value / size:,.0f}{suffix}"
    return f"{value:,.0f}"


def country_map(figures: pd.DataFrame, *, metric: str = "revenue") -> go.Figure:
    """Choropleth of one figure per country, the others in the hover.

    Parameters
    ----------
    figures : DataFrame
        From :func:`recsys.insights.geography.country_figures`: ``country``, ``iso3``,
        ``revenue``, ``customers``, ``orders``, ``share``. Rows without a code are left
        out (the page lists them in words).
    metric : {"revenue", "customers"}
        What the colour shows (on a log scale: one home market often dwarfs the rest).
    """
    placed = figures[figures[ISO3].notna()]
    hover = [
        f"<b>{plain_label(c)}</b><br>Revenue: {CURRENCY}{r:,.0f} ({s:.1%})<br>"
        f"Customers: {n:,}<br>Orders: {o:,}"
        for c, r, s, n, o in zip(placed[S.COUNTRY], placed["revenue"], placed["share"],
                                 placed["customers"], placed["orders"], strict=True)
    ]
    money = metric == "revenue"
    values = placed[metric].astype(float).clip(lower=0).to_numpy()
    # one country (the home market) often has most of the revenue: a log colour scale
    # keeps the others apart, the colour bar labelled in plain figures
    top = max(float(values.max(initial=1.0)), 1.0)
    low = float(values[values > 0].min(initial=1.0))
    ticks = [10.0 ** p for p in range(int(np.floor(np.log10(max(low, 1.0)))),
                                      int(np.floor(np.log10(top))) + 1)]
    fig = go.Figure(go.Choropleth(
        locations=placed[ISO3].astype(str).tolist(),
        locationmode="ISO-3",
        z=np.log10(values + 1.0).tolist(),
        zmin=0.0,
        zmax=float(np.log10(top + 1.0)),
        colorscale="Blues",
        marker_line_color="#ffffff",
        marker_line_width=0.5,
        hovertext=hover,
        hoverinfo="text",
        colorbar={"title": {"text": METRICS[metric]}, "thickness": 12,
                  "tickvals": [float(np.log10(t + 1.0)) for t in ticks],
                  "ticktext": [(CURRENCY if money else "") + _short(t) for t in ticks]},
    ))
    fig.update_geos(projection_type="natural earth", showframe=False, showcoastlines=False,
                    showland=True, landcolor="#eef0f4", showcountries=True,
                    countrycolor="#ffffff", resolution=110, lataxis_range=[-58, 85])
    fig.update_layout(height=420, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                      hoverlabel={"align": "left"})
    return fig
