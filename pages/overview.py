"""Overview: the shop at a glance (headline figures, revenue over time, top sellers)."""

from __future__ import annotations

import streamlit as st

from recsys.data import schema as S
from recsys.insights.geography import unplaced
from ui import cache, source, state
from ui.figures import geography
from ui.figures import overview as figures
from ui.format import CURRENCY, money, money_table, number, percent, plain_text
from ui.glossary import NET_RULE, UNMATCHED_RULE

st.title("Overview")

dataset = state.page_dataset()

st.caption(f"{plain_text(source.get_data_choice().label)} · revenue in pounds sterling ({CURRENCY})")

if dataset.transactions.empty:
    st.warning("This data set has no clean invoice lines. See the Data page for the cleaning report.")
    st.stop()

kpis, top_products, top_countries = cache.insights.shop_overview(dataset.fingerprint, dataset)

top_row = st.columns([1, 1, 1.6, 1.2])
top_row[0].metric(
    "Customers", number(kpis.customers),
    help="Distinct customers with at least one purchase that was not cancelled in full.",
)
top_row[1].metric(
    "Invoices", number(kpis.invoices), help="Distinct invoices (orders) with a line not cancelled in full."
)
top_row[2].metric(
    "Revenue (net)",
    money(kpis.revenue),
    help=f"Quantity × unit price over the clean lines, {money(kpis.gross_revenue)} as ordered, less "
    f"{money(kpis.cancelled)} of matched cancellations. {NET_RULE}",
)
top_row[3].metric("Average order value", money(kpis.average_order_value, decimals=2), help="Revenue ÷ invoices.")
second_row = st.columns([0.8, 0.7, 1.0, 2.2])
second_row[0].metric(
    "Products sold",
    number(kpis.products),
    help="Distinct products on the clean lines (the Data page's products table also lists products never sold).",
)
second_row[1].metric("Countries", number(kpis.countries), help="Distinct countries of the invoice lines.")
second_row[2].metric(
    "Cancelled",
    money(kpis.cancelled),
    help=f"Value subtracted from revenue by cancellations matched to the purchases they cancel. "
    f"A further {money(kpis.unmatched_cancelled)} of cancellations match no purchase. {UNMATCHED_RULE}",
)
second_row[3].metric(
    "Date range",
    f"{kpis.first_date.day} {kpis.first_date:%b %Y} – {kpis.last_date.day} {kpis.last_date:%b %Y}",
    help=f"{number(kpis.days)} days, from the first to the last invoice.",
)

st.subheader("Revenue over time")
freq = st.segmented_control(
    "Period", options=["M", "W"], format_func={"M": "Month", "W": "Week"}.get,
    default="M", key="overview_freq", label_visibility="collapsed",
) or "M"
totals = cache.insights.revenue_by_period(dataset.fingerprint, freq, dataset)
st.plotly_chart(figures.revenue_over_time(totals, freq=freq))

left, right = st.columns(2)
with left:
    st.subheader("Top products by revenue")
    st.plotly_chart(figures.top_products_chart(top_products))
    st.caption("Net revenue: what customers kept after cancellations (see Cancelled in the table).")
with right:
    st.subheader("Top countries by revenue")
    st.plotly_chart(figures.top_countries_chart(top_countries))
    leader = top_countries.iloc[0]
    st.caption(f"{plain_text(leader[S.COUNTRY])} brings {percent(leader['share'])} of revenue.")

st.caption(f"{NET_RULE} {UNMATCHED_RULE}")

st.subheader("Where the customers are")
countries = cache.insights.country_figures(dataset.fingerprint, dataset)
shown = st.segmented_control(
    "Colour by", options=list(geography.METRICS), format_func=geography.METRICS.get,
    default="revenue", key="overview_map_metric",
) or "revenue"
st.plotly_chart(geography.country_map(countries, metric=shown), config=geography.MAP_CONFIG)
off_map = unplaced(countries, drawable=set(geography.drawable_codes()))
if len(off_map):
    listed = "; ".join(
        f"{plain_text(row[S.COUNTRY])} ({money(row['revenue'])}, {number(row['customers'])} "
        f"customer{'' if row['customers'] == 1 else 's'})"
        for _, row in off_map.iterrows()
    )
    st.caption(f"Not on the map (no single country, or too small to draw at this scale): {listed}.")

# Full width: with the cancelled value the table does not fit a half column.
with st.expander("Top products as a table"):
    st.dataframe(
        money_table(top_products[[S.PRODUCT_ID, S.DESCRIPTION, "revenue", "cancelled", "units", "share"]],
                    ["revenue", "cancelled"]),
        hide_index=True,
        column_config={
            S.PRODUCT_ID: st.column_config.TextColumn("Product"),
            S.DESCRIPTION: st.column_config.TextColumn("Description", width=300),
            "revenue": st.column_config.NumberColumn(
                f"Net revenue ({CURRENCY})", format="localized", step=1, help="Revenue less matched cancellations."
            ),
            "cancelled": st.column_config.NumberColumn(
                f"Cancelled ({CURRENCY})", format="localized", step=1,
                help="Value subtracted by cancellations matched to this product's purchases.",
            ),
            "units": st.column_config.NumberColumn("Units kept", format="localized", help="Units sold less units cancelled."),
            "share": st.column_config.NumberColumn("Share of revenue", format="percent"),
        },
    )
