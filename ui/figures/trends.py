"""Figures of the Trends page: totals over time, by category and segment, weekday × hour,
seasonality, year over year and the biggest movers.

Each builder takes a DataFrame from :mod:`recsys.trends` and returns a plotly figure
with units (and the currency for money) in every axis and hover label. Text from the
data (categories, product descriptions) is escaped: plotly reads a few HTML tags.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import plotly.graph_objects as go

from ui.figures.common import apply_layout, plain_label
from ui.format import CURRENCY

MEASURES: dict[str, str] = {
    "revenue": f"Revenue ({CURRENCY})",
    "orders": "Orders (invoices)",
    "customers": "Customers (distinct)",
    "units": "Units sold",
}
"""Axis label of each measure of :func:`recsys.trends.period_totals`."""

LINE_COLOUR = "#2563eb"
UP, DOWN = "#16a34a", "#dc2626"
LABEL_CHARS = 42
LEGEND_ON_TOP = {"legend_orientation": "h", "legend_yanchor": "bottom", "legend_y": 1.02, "legend_x": 0}

_plain = partial(plain_label, limit=LABEL_CHARS)


def _value_format(measure: str) -> dict:
    if measure == "revenue":
        return {"tickprefix": CURRENCY, "tickformat": ",.0f"}
    return {"tickformat": ",.0f"}


def _hover_value(measure: str) -> str:
    return f"{CURRENCY}%{{y:,.0f}}" if measure == "revenue" else "%{y:,.0f}"


def _period_title(freq: str) -> str:
    return "Month" if freq == "M" else "Week (starting Monday)"


def totals_over_time(totals: pd.DataFrame, *, measure: str = "revenue", freq: str = "M") -> go.Figure:
    """Line of one measure per period (``totals`` from :func:`recsys.trends.period_totals`)."""
    fig = go.Figure(
        go.Scatter(
            x=pd.to_datetime(totals["period"]),
            y=totals[measure],
            mode="lines+markers",
            line={"color": LINE_COLOUR},
            hovertemplate=f"%{{x|%d %b %Y}}<br>{MEASURES[measure]}: {_hover_value(measure)}<extra></extra>",
        )
    )
    fig.update_yaxes(title_text=MEASURES[measure], rangemode="tozero", **_value_format(measure))
    fig.update_xaxes(title_text=_period_title(freq))
    return apply_layout(fig, height=360)


def grouped_over_time(
    table: pd.DataFrame, *, group: str, measure: str = "revenue", freq: str = "M",
    top: int = 8,
) -> go.Figure:
    """Lines of one measure per period for each group (category or segment name).

    Parameters
    ----------
    table : DataFrame
        ``period``, the ``group`` column, and the measure (from
        :func:`recsys.trends.category_totals` or :func:`recsys.trends.segment_totals`).
    top : int
        Draw the ``top`` groups by total of the measure; the rest are summed as "Other
        groups".
    """
    totals = table.groupby(group, observed=True)[measure].sum().sort_values(ascending=False)
    keep = list(totals.index[:top])
    label = table[group].astype(object).where(table[group].isin(keep), "Other groups")
    data = table.assign(_group=label).groupby(["_group", "period"], observed=True)[measure].sum()
    names = keep + (["Other groups"] if len(totals) > top else [])
    fig = go.Figure()
    value = _hover_value(measure)
    for name in names:
        series = data.loc[name]
        fig.add_scatter(
            x=series.index, y=series.to_numpy(), mode="lines+markers", name=_plain(name),
            hovertemplate=f"{_plain(name)}<br>%{{x|%d %b %Y}}<br>{MEASURES[measure]}: "
            f"{value}<extra></extra>",
        )
    fig.update_xaxes(title_text=_period_title(freq))
    fig.update_yaxes(title_text=MEASURES[measure], rangemode="tozero", **_value_format(measure))
    return apply_layout(fig, height=420, legend=True, **LEGEND_ON_TOP)


def weekday_hour_heatmap(table: pd.DataFrame, *, measure: str = "revenue") -> go.Figure:
    """Heatmap of a measure by weekday (rows) and hour (columns), from
    :func:`recsys.trends.weekday_hour`."""
    from recsys.trends import WEEKDAYS

    grid = table.set_index(["weekday", "hour"])[measure].unstack().reindex(index=range(7))
    hours = list(grid.columns)
    value = f"{CURRENCY}%{{z:,.0f}}" if measure == "revenue" else "%{z:,.0f}"
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"{h:02d}:00" for h in hours],
            y=list(WEEKDAYS),
            colorscale="Blues",
            colorbar={"title": {"text": MEASURES[measure]}},
            hovertemplate=f"%{{y}} %{{x}}<br>{MEASURES[measure]}: {value}<extra></extra>",
            hoverongaps=False,
        )
    )
    fig.update_yaxes(autorange="reversed", title_text="Day of the week")
    fig.update_xaxes(title_text="Hour of the day (invoice time)")
    return apply_layout(fig, height=330)


def seasonality_heatmap(season: pd.DataFrame, *, keys: list[str] | None = None) -> go.Figure:
    """Heatmap of the seasonality index (rows: categories or products; columns: months).

    ``season`` from :func:`recsys.seasonality.seasonality_index`; ``keys`` picks and orders rows.
    """
    from recsys.trends import MONTHS

    grid = season.set_index(["key", "month"])["index"].unstack()
    if keys is not None:
        grid = grid.reindex([k for k in keys if k in grid.index])
    grid = grid.reindex(columns=range(1, 13))
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=list(MONTHS),
            y=[_plain(k) for k in grid.index],
            colorscale="RdBu_r",
            zmid=1.0,
            colorbar={"title": {"text": "Index (1 = average month)"}},
            hovertemplate="%{y}<br>%{x}: %{z:.2f}× an average month<extra></extra>",
            hoverongaps=False,
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="Month of the year (revenue per day, all years)")
    return apply_layout(fig, height=max(260, 26 * len(grid) + 90))


def year_over_year_chart(yoy: pd.DataFrame, *, measure: str = "revenue") -> go.Figure:
    """One line per year over the months of the year (from :func:`recsys.seasonality.year_over_year`)."""
    from recsys.trends import MONTHS

    fig = go.Figure()
    for year, group in yoy.groupby("year"):
        fig.add_scatter(
            x=[MONTHS[m - 1] for m in group["month"]],
            y=group[measure],
            mode="lines+markers",
            name=str(year),
            hovertemplate=f"%{{x}} {year}<br>{MEASURES[measure]}: {_hover_value(measure)}<extra></extra>",
        )
    fig.update_xaxes(title_text="Month", categoryorder="array", categoryarray=list(MONTHS))
    fig.update_yaxes(title_text=MEASURES[measure], rangemode="tozero", **_value_format(measure))
    return apply_layout(fig, height=360, legend=True, **LEGEND_ON_TOP)


def movers_chart(movers: pd.DataFrame, *, n: int = 10) -> go.Figure:
    """Bars of the revenue change of the ``n`` biggest risers and fallers
    (from :func:`recsys.trends.movers`)."""
    rising = movers[movers["change"] > 0].head(n)
    falling = movers[movers["change"] < 0].tail(n)
    data = pd.concat([rising, falling]).sort_values("change")
    fig = go.Figure(
        go.Bar(
            x=data["change"],
            y=[_plain(k) for k in data["key"]],
            orientation="h",
            marker_color=[UP if c > 0 else DOWN for c in data["change"]],
            customdata=data[["recent_revenue", "previous_revenue"]].to_numpy(),
            hovertemplate=(
                f"%{{y}}<br>Change: {CURRENCY}%{{x:,.0f}}<br>Recent weeks: {CURRENCY}"
                f"%{{customdata[0]:,.0f}}<br>Weeks before: {CURRENCY}%{{customdata[1]:,.0f}}"
                "<extra></extra>"
            ),
        )
    )
    fig.update_xaxes(title_text=f"Change in revenue ({CURRENCY}), recent weeks − weeks before",
                     tickprefix=CURRENCY, tickformat=",.0f")
    return apply_layout(fig, height=max(260, 24 * len(data) + 80))


def seasonality_bars(season: pd.DataFrame, key: str) -> go.Figure:
    """Bars of one key's seasonality index by month (from :func:`recsys.seasonality.seasonality_index`)."""
    from recsys.trends import MONTHS

    rows = season[season["key"] == key].set_index("month").reindex(range(1, 13))
    index = rows["index"].to_numpy(dtype=float)
    fig = go.Figure(
        go.Bar(
            x=list(MONTHS),
            y=index,
            marker_color=[UP if v >= 1.2 else LINE_COLOUR for v in index],
            customdata=rows["revenue"].to_numpy(dtype=float),
            hovertemplate=(
                f"%{{x}}: %{{y:.2f}}× an average month<br>Revenue: {CURRENCY}%{{customdata:,.0f}}"
                "<extra></extra>"
            ),
        )
    )
    fig.add_hline(y=1.0, line_dash="dot", line_color="#6b7280")
    fig.update_yaxes(title_text="Index (1 = average month)")
    fig.update_xaxes(title_text="Month of the year")
    return apply_layout(fig, height=300)
