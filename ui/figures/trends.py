"""Figures of the Trends page: totals over time, by category and segment, weekday × hour,
seasonality, year over year and the biggest movers.

Each builder takes a DataFrame from :mod:`recsys.insights.trends` and returns a plotly figure
with units (and the currency for money) in every axis and hover label. Text from the
data (categories, product descriptions) is escaped: plotly reads a few HTML tags.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go

from recsys.insights.trends import top_groups
from ui.figures.common import apply_layout, plain_label
from ui.format import CURRENCY

MEASURES: dict[str, str] = {
    "revenue": f"Revenue ({CURRENCY})",
    "orders": "Orders (invoices)",
    "customers": "Customers (distinct)",
    "units": "Units sold",
}
"""Axis label of each measure of :func:`recsys.insights.trends.period_totals`."""

LINE_COLOUR = "#2563eb"
OTHER_GROUPS = "Other groups"
"""Legend name of the groups beyond the top ones, summed."""
UP, DOWN = "#16a34a", "#dc2626"
LABEL_CHARS = 42
LEGEND_ON_TOP = {"legend_orientation": "h", "legend_yanchor": "bottom", "legend_y": 1.02, "legend_x": 0}

SEASON_MAX = 2.0
"""Top of the seasonality colour scale (twice an average month); 1.0 is its middle."""

_plain = partial(plain_label, limit=LABEL_CHARS)


def _value_format(measure: str) -> dict:
    if measure == "revenue":
        return {"tickprefix": CURRENCY, "tickformat": ",.0f"}
    return {"tickformat": ",.0f"}


def _hover_value(measure: str) -> str:
    return f"{CURRENCY}%{{y:,.0f}}" if measure == "revenue" else "%{y:,.0f}"


def _period_title(freq: str) -> str:
    return "Month" if freq == "M" else "Week (starting Monday)"


PALETTE = tuple(plotly.colors.qualitative.Plotly)
"""Line colours of the grouped charts (plotly's default order, given so that the dashed
partial-period segment of a line takes the line's colour)."""


def _period_axis(fig: go.Figure, periods: pd.Series, *, freq: str) -> None:
    """Label the x axis with whole periods: one tick per period (``"Nov 2011"`` or
    ``"07 Nov"``), half a period of room either side, so that one or two points do not
    make plotly zoom in to milliseconds."""
    values = pd.DatetimeIndex(pd.to_datetime(pd.Series(periods)).drop_duplicates().sort_values())
    settings: dict = {"title_text": _period_title(freq),
                      "tickformat": "%b %Y" if freq == "M" else "%d %b %Y"}
    if len(values):
        half = pd.Timedelta(days=15 if freq == "M" else 3.5)
        settings["range"] = [values[0] - half, values[-1] + half]
        if len(values) <= 16:
            settings["tickvals"] = list(values)
        else:
            settings["dtick"] = "M1" if freq == "M" else 7 * 86_400_000
    fig.update_xaxes(**settings)
    if 0 < len(values) <= 2:
        # plotly leaves no room above one or two markers: the top one sat over the grid
        top = max((max(trace.y, default=0) for trace in fig.data if trace.y is not None), default=0)
        if top > 0:
            fig.update_yaxes(range=[0, top * 1.12])


def _partial_note(row: pd.Series, freq: str) -> str:
    unit = "month" if freq == "M" else "week"
    return f"partial {unit}: {row['days']} of {row['period_days']} days in the range"


def _add_line(fig: go.Figure, series: pd.Series, *, name: str, colour: str, hover: str,
              partial: pd.DataFrame | None, freq: str, legend: bool) -> None:
    """Draw ``series`` (index: period) as a solid line; a partial period is an open marker
    joined by a dashed segment, with the days it covers in its hover text."""
    x = pd.to_datetime(pd.Series(series.index))
    notes = {} if partial is None else {
        row["period"]: _partial_note(row, freq) for _, row in partial.iterrows()
    }
    is_partial = x.isin(list(notes)).to_numpy()
    values = series.to_numpy()
    fig.add_scatter(
        x=x[~is_partial], y=values[~is_partial], mode="lines+markers", name=name,
        legendgroup=name, showlegend=legend, line={"color": colour},
        hovertemplate=f"{hover}<extra></extra>",
    )
    for position in np.flatnonzero(is_partial):
        # the neighbour on the full side, so the dashed segment leads into the partial point
        neighbour = position - 1 if position > 0 else position + 1
        points = sorted({position, neighbour} & set(range(len(x))))
        fig.add_scatter(
            x=x.iloc[points], y=values[points], mode="lines+markers", name=name,
            legendgroup=name, showlegend=False,
            line={"color": colour, "dash": "dash"},
            marker={"symbol": ["circle-open" if p == position else "circle" for p in points],
                    "size": [10 if p == position else 6 for p in points]},
            text=[notes[x.iloc[p]] if p == position else "" for p in points],
            hovertemplate=f"{hover}<br>%{{text}}<extra></extra>",
        )


def totals_over_time(
    totals: pd.DataFrame, *, measure: str = "revenue", freq: str = "M",
    partial: pd.DataFrame | None = None,
) -> go.Figure:
    """Line of one measure per period (``totals`` from :func:`recsys.insights.trends.period_totals`).

    ``partial`` (from :func:`recsys.insights.trends.partial_periods`) marks periods the date range
    covers only in part: an open marker on a dashed segment, so a short last month does
    not read as a fall.
    """
    fig = go.Figure()
    series = totals.set_index(pd.to_datetime(totals["period"]))[measure]
    _add_line(fig, series, name=MEASURES[measure], colour=LINE_COLOUR, partial=partial,
              freq=freq, legend=False,
              hover=f"%{{x|%d %b %Y}}<br>{MEASURES[measure]}: {_hover_value(measure)}")
    fig.update_yaxes(title_text=MEASURES[measure], rangemode="tozero", **_value_format(measure))
    _period_axis(fig, totals["period"], freq=freq)
    return apply_layout(fig, height=360)


def grouped_over_time(
    table: pd.DataFrame, *, group: str, measure: str = "revenue", freq: str = "M",
    top: int = 8, partial: pd.DataFrame | None = None,
) -> go.Figure:
    """Lines of one measure per period for each group (category or segment name).

    Parameters
    ----------
    table : DataFrame
        ``period``, the ``group`` column, and the measure (from
        :func:`recsys.insights.trends.category_totals` or :func:`recsys.insights.trends.segment_totals`).
    top : int
        Draw the ``top`` groups by total of the measure; the rest are summed as "Other
        groups".
    partial : DataFrame or None
        ``period``, ``days``, ``period_days`` (from :func:`recsys.insights.trends.partial_periods`):
        periods drawn as an open marker on a dashed segment.
    """
    data = top_groups(table, group=group, measure=measure, top=top, other=OTHER_GROUPS)
    names = list(dict.fromkeys(data[group]))
    fig = go.Figure()
    value = _hover_value(measure)
    for number, name in enumerate(names):
        series = data[data[group] == name].set_index("period")[measure]
        _add_line(fig, series, name=_plain(name), colour=PALETTE[number % len(PALETTE)],
                  partial=partial, freq=freq, legend=True,
                  hover=f"{_plain(name)}<br>%{{x|%d %b %Y}}<br>{MEASURES[measure]}: {value}")
    _period_axis(fig, table["period"], freq=freq)
    fig.update_yaxes(title_text=MEASURES[measure], rangemode="tozero", **_value_format(measure))
    return apply_layout(fig, height=420, legend=True, **LEGEND_ON_TOP)


def weekday_hour_heatmap(table: pd.DataFrame, *, measure: str = "revenue") -> go.Figure:
    """Heatmap of a measure by weekday (rows) and hour (columns), from
    :func:`recsys.insights.trends.weekday_hour`."""
    from recsys.insights.trends import WEEKDAYS

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

    ``season`` from :func:`recsys.insights.seasonality.seasonality_index`; ``keys`` picks and orders rows.
    """
    from recsys.insights.trends import MONTHS

    grid = season.set_index(["key", "month"])["index"].unstack()
    if keys is not None:
        grid = grid.reindex([k for k in keys if k in grid.index])
    grid = grid.reindex(columns=range(1, 13))
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=list(MONTHS),
            y=[_plain(k) for k in grid.index],
            # 0 (no sales) to 2 (twice an average month), so 1 sits in the middle and the
            # bar never runs negative; stronger peaks share the top colour, their hover
            # gives the value.
            colorscale="RdBu_r",
            zmin=0.0,
            zmax=SEASON_MAX,
            colorbar={"title": {"text": "Index (1 = average month)"},
                      "tickvals": [0, 0.5, 1, 1.5, SEASON_MAX],
                      "ticktext": ["0×", "0.5×", "1× average", "1.5×", f"{SEASON_MAX:g}× or more"]},
            hovertemplate="%{y}<br>%{x}: %{z:.2f}× an average month<extra></extra>",
            hoverongaps=False,
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="Month of the year (revenue per day, all years)")
    return apply_layout(fig, height=max(260, 26 * len(grid) + 90))


def year_over_year_chart(yoy: pd.DataFrame, *, measure: str = "revenue") -> go.Figure:
    """One line per year over the months of the year (from :func:`recsys.insights.seasonality.year_over_year`).

    A month the data covers only in part is an open marker on a dashed segment, its hover
    naming the days covered; for revenue, a diamond on the year before shows the same
    days of that month a year earlier, so like is compared with like.
    """
    from recsys.insights.trends import MONTHS

    fig = go.Figure()
    value = _hover_value(measure)
    colours = {year: PALETTE[number % len(PALETTE)]
               for number, year in enumerate(sorted(yoy["year"].unique()))}
    for year, group in yoy.groupby("year"):
        group = group.sort_values("month").reset_index(drop=True)
        x = [MONTHS[m - 1] for m in group["month"]]
        partial = group["partial"].to_numpy(dtype=bool)
        notes = [f"partial month: {d} of {pd.Period(f'{year}-{m:02d}').days_in_month} days in the data"
                 if p else "" for d, m, p in zip(group["days"], group["month"], partial, strict=True)]
        full = ~partial
        fig.add_scatter(
            x=[x[i] for i in np.flatnonzero(full)], y=group[measure][full], mode="lines+markers",
            name=str(year), legendgroup=str(year), line={"color": colours[year]},
            hovertemplate=f"%{{x}} {year}<br>{MEASURES[measure]}: {value}<extra></extra>",
        )
        for position in np.flatnonzero(partial):
            # the neighbour on the full side, so the dashed segment leads into the partial point
            neighbour = position - 1 if position > 0 else position + 1
            points = sorted({position, neighbour} & set(range(len(group))))
            fig.add_scatter(
                x=[x[p] for p in points], y=group[measure].iloc[points], mode="lines+markers",
                name=str(year), legendgroup=str(year), showlegend=False,
                line={"color": colours[year], "dash": "dash"},
                marker={"symbol": ["circle-open" if p == position else "circle" for p in points],
                        "size": [10 if p == position else 6 for p in points]},
                text=[notes[p] for p in points],
                hovertemplate=f"%{{x}} {year}<br>{MEASURES[measure]}: {value}<br>%{{text}}"
                "<extra></extra>",
            )
    same_days = yoy[yoy["partial"].astype(bool) & yoy["revenue_before"].notna()]
    if measure == "revenue" and not same_days.empty:
        fig.add_scatter(
            x=[MONTHS[m - 1] for m in same_days["month"]], y=same_days["revenue_before"],
            mode="markers", name="Same days a year before",
            marker={"symbol": "diamond-open", "size": 11,
                    "color": [colours.get(y - 1, "#6b7280") for y in same_days["year"]]},
            customdata=np.column_stack([same_days["year"] - 1, same_days["days"]]),
            hovertemplate=(f"%{{x}} %{{customdata[0]}}, the same %{{customdata[1]}} days<br>"
                           f"{MEASURES[measure]}: {value}<extra></extra>"),
        )
    fig.update_xaxes(title_text="Month", categoryorder="array", categoryarray=list(MONTHS))
    fig.update_yaxes(title_text=MEASURES[measure], rangemode="tozero", **_value_format(measure))
    return apply_layout(fig, height=360, legend=True, **LEGEND_ON_TOP)


def movers_chart(movers: pd.DataFrame, *, n: int = 10) -> go.Figure:
    """Bars of the revenue change of the ``n`` biggest risers and fallers
    (from :func:`recsys.insights.trends.movers`)."""
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
    """Bars of one key's seasonality index by month (from :func:`recsys.insights.seasonality.seasonality_index`)."""
    from recsys.insights.trends import MONTHS

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
