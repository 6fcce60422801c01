"""Trends: what sells when (over time, by category and segment, weekday × hour,
seasonality with peak months, year over year, rising and falling products)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from recsys.data.filters import date_bounds
from recsys.errors import RecsysError
from recsys.export import to_csv_bytes
from recsys.insights.seasonality import months_covered
from recsys.insights.trends import partial_periods
from ui import cache, dates, source, state
from ui.cache.keys import LineFilter
from ui.figures import trends as figures
from ui.format import CURRENCY, money, number, percent, plain_text

DATES_KEY = "trends_dates"  # the date-range widget
MONEY_FORMAT = f"{CURRENCY}%,.0f"  # whole pounds with thousands separators, as in money()

st.title("Trends")

dataset = state.page_dataset(require_lines=True)

fingerprint = dataset.fingerprint
first, last = date_bounds(dataset.transactions)
ss = st.session_state

controls = st.columns([2, 1, 1])
start, end = dates.range_input(
    controls[0], "Date range", first=first.date(), last=last.date(), key=DATES_KEY,
    help=f"Applies to everything on this page. The data covers {dates.day(first.date())} – "
    f"{dates.day(last.date())}; type a date and press Enter, or pick one in the calendar.",
)
freq = controls[1].segmented_control(
    "Period", options=["M", "W"], format_func={"M": "Month", "W": "Week"}.get, default="M",
    key="trends_freq",
) or "M"
measure = controls[2].selectbox(
    "Measure", options=list(figures.MEASURES), format_func=figures.MEASURES.get, key="trends_measure",
)

lines = LineFilter(fingerprint, start, end)
try:
    tables = cache.insights.trend_tables(lines, freq, dataset)
except RecsysError as exc:
    st.error(f"Trends could not be computed: {plain_text(exc)}. Try a wider date range.")
    st.stop()

totals = tables["totals"]
view = (fingerprint, start, end, freq)  # what every chart below depends on
partial = partial_periods(start, end, freq=freq)
_unit = "month" if freq == "M" else "week"
partial_note = "".join(
    f" {row.period:{'%b %Y' if freq == 'M' else 'week of %d %b %Y'}} is a partial {_unit} "
    f"({row.days} of {row.period_days} days in the range): open marker, dashed line."
    for row in partial.itertuples()
)
if totals.empty or totals["orders"].sum() == 0:
    st.warning("No sales in the selected date range. Widen the date range above.")
    st.stop()

st.caption(
    f"{plain_text(source.get_data_choice().label)} · {start:%d %b %Y} – {end:%d %b %Y} · money in pounds "
    f"sterling ({CURRENCY}), revenue = quantity × unit price"
)
kpis = st.columns(4)
kpis[0].metric("Revenue", money(totals["revenue"].sum()))
kpis[1].metric("Orders", number(totals["orders"].sum()), help="Invoices in the date range.")
kpis[2].metric("Units sold", number(totals["units"].sum()))
kpis[3].metric(
    "Average order value", money(totals["revenue"].sum() / max(totals["orders"].sum(), 1), decimals=2)
)

(tab_time, tab_category, tab_segment, tab_when, tab_season, tab_yoy, tab_movers) = st.tabs(
    ["Over time", "By category", "By segment", "Weekday × hour", "Seasonality",
     "Year over year", "Rising & falling"]
)

with tab_time:
    st.plotly_chart(cache.insights.insight_figure(
        ("trends_total", *view, measure),
        lambda: figures.totals_over_time(totals, measure=measure, freq=freq, partial=partial),
    ))
    short_tip = (" With a range this short, pick Week above for more points."
                 if freq == "M" and (end - start).days < 62 else "")
    st.caption(
        "Each point is a whole month or week (weeks start on Monday). Periods without "
        f"sales show as zero.{partial_note}{short_tip}"
    )
    st.download_button(
        "Download totals (CSV)",
        to_csv_bytes(totals.assign(period=totals["period"].dt.strftime("%Y-%m-%d"))),
        file_name=f"totals_by_{'month' if freq == 'M' else 'week'}.csv", mime="text/csv",
        key="trends_download",
    )

with tab_category:
    if tables["derived"]:
        st.caption(
            "This data set has no product categories: these are derived from the product "
            "descriptions (groups of products whose descriptions share words, named by "
            "their most telling words)."
        )
    st.plotly_chart(cache.insights.insight_figure(
        ("trends_category", *view, measure),
        lambda: figures.grouped_over_time(tables["by_category"], group="category",
                                          measure=measure, freq=freq, partial=partial),
    ))
    if partial_note:
        st.caption(partial_note.strip())

with tab_segment:
    segmentation = state.segment_key(dataset)
    k = segmentation.k
    try:
        by_segment = cache.insights.segment_trend_table(lines, freq, segmentation, dataset)
    except RecsysError as exc:
        st.info(f"Segments are not available for this data set ({plain_text(exc)}).")
    else:
        st.caption(f"{k} segments (set k in the sidebar); only lines with a known customer.")
        st.plotly_chart(cache.insights.insight_figure(
            ("trends_segment", *view, measure, segmentation),
            lambda: figures.grouped_over_time(by_segment, group="segment_name",
                                              measure=measure, freq=freq, top=12,
                                              partial=partial),
        ))

with tab_when:
    st.plotly_chart(cache.insights.insight_figure(
        ("trends_weekday_hour", *view, measure),
        lambda: figures.weekday_hour_heatmap(tables["weekday_hour"], measure=measure),
    ))
    st.caption("Invoice times as recorded by the shop. Empty cells: no invoices at that hour.")

with tab_season:
    covered = months_covered(start, end)
    if covered < 12:
        st.info(
            "Seasonality compares the 12 months of the year, so it needs a year of data. "
            f"The selected range covers {number((end - start).days + 1)} day(s), "
            f"{covered} of the 12 months: widen the date range to a year or more."
        )
    else:
        peaks = tables["peaks"]
        st.markdown(
            "**Seasonality index**: revenue per day in each month of the year, against an "
            "average month (1.0). Plan stock ahead of the peak months."
        )
        st.plotly_chart(cache.insights.insight_figure(
            ("trends_season", *view),
            lambda: figures.seasonality_heatmap(tables["season"], keys=peaks["key"].tolist()),
        ))
        st.dataframe(
            peaks,
            hide_index=True,
            column_order=["key", "summary", "peak_index", "revenue"],
            column_config={
                "key": st.column_config.TextColumn("Category"),
                "summary": st.column_config.TextColumn("Peak months"),
                "peak_index": st.column_config.NumberColumn("Highest index", format="%.2f×"),
                "revenue": st.column_config.NumberColumn("Revenue", format=MONEY_FORMAT),
            },
        )
        st.subheader("Most seasonal products")
        floor = float(totals["revenue"].sum()) * 0.0005
        season_p, peaks_p = cache.insights.product_seasonality(lines, floor, dataset)
        top_products = peaks_p[peaks_p["peak_months"] != ""].head(15)
        if top_products.empty:
            st.info("No product sells clearly more in some months than in others in this range.")
        else:
            st.caption(f"Products with at least {money(floor)} of revenue in the range.")
            st.plotly_chart(cache.insights.insight_figure(
                ("trends_season_products", *view),
                lambda: figures.seasonality_heatmap(season_p, keys=top_products["key"].tolist()),
            ))
        by_revenue = peaks_p.sort_values("revenue", ascending=False, kind="stable")
        if not by_revenue.empty:
            product = st.selectbox(
                "Any product's season", by_revenue["key"].tolist(), key="trends_season_product",
                help="Products by revenue in the range; type to search.",
            )
            picked_row = by_revenue[by_revenue["key"] == product].iloc[0]
            st.caption(f"{plain_text(product)}: {plain_text(picked_row['summary'])} · {money(picked_row['revenue'])} in the range.")
            st.plotly_chart(cache.insights.insight_figure(
                ("trends_season_product", *view, product),
                lambda: figures.seasonality_bars(season_p, product),
            ))

with tab_yoy:
    yoy = tables["year_over_year"]
    if yoy.empty:
        st.info(
            "Year-over-year needs more than a year of data; the selected range covers "
            f"{number((end - start).days + 1)} day(s). Widen the date range if the data allows."
        )
    else:
        st.plotly_chart(cache.insights.insight_figure(
            ("trends_yoy", *view, measure),
            lambda: figures.year_over_year_chart(yoy, measure=measure),
        ))
        if yoy["partial"].any():
            st.caption(
                "Open markers on a dashed line are months the data covers only in part; "
                + ("the diamond shows the same days of that month a year before, the fair "
                   "comparison." if measure == "revenue" else
                   "switch the measure to revenue to see the same days a year before.")
            )
        latest = yoy.dropna(subset=["revenue_change"]).tail(1)
        if not latest.empty:
            row = latest.iloc[0]
            change = row["revenue_change"]
            days = f" ({row['days']} days in the data)" if row["partial"] else ""
            st.caption(
                f"{row['month_name']} {row['year']}{days}: revenue {money(row['revenue'])}, "
                f"{'+' if change >= 0 else ''}{percent(change)} against "
                f"{money(row['revenue_before'])} over the same days of "
                f"{row['month_name']} {row['year'] - 1}."
            )

with tab_movers:
    left, right = st.columns([1, 2])
    by = left.radio("Compare", ["product", "category"], format_func=str.capitalize,
                    key="trends_movers_by", horizontal=True)
    # Both windows must lie inside the range: at most half of its whole weeks each.
    most_weeks = min(12, ((end - start).days + 1) // 14)
    if most_weeks < 1:
        movers = None
        st.info(
            "Rising & falling compares the last weeks of the range with the same number of "
            f"weeks before them, so it needs at least 2 weeks; the selected range covers "
            f"{number((end - start).days + 1)} day(s). Widen the date range."
        )
    else:
        if most_weeks == 1:
            weeks = 1
        else:
            if ss.get("trends_movers_weeks", 0) > most_weeks:
                ss["trends_movers_weeks"] = most_weeks
            weeks = right.slider(
                "Weeks in each window", 1, most_weeks, min(4, most_weeks),
                key="trends_movers_weeks",
                help="The last N weeks of the range against the N weeks before, both inside "
                     "the range.",
            )
        recent_from = end - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
        before_from = recent_from - dt.timedelta(weeks=weeks)
        movers = cache.insights.trend_movers(lines, by, weeks, dataset)
        st.caption(
            f"Revenue {recent_from:%d %b} – {end:%d %b %Y} against "
            f"{before_from:%d %b} – {recent_from - dt.timedelta(days=1):%d %b %Y} "
            f"({weeks} week(s) each, inside the selected range); products with little "
            "volume (under 20 units or 3 invoices) are left out."
        )
    if movers is not None and movers.empty:
        st.info("Too little sold in these weeks to compare. Widen the range.")
    elif movers is not None:
        st.plotly_chart(cache.insights.insight_figure(
            ("trends_movers", *view, by, weeks), lambda: figures.movers_chart(movers)
        ))
