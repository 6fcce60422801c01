"""Cohorts: customers by month of first purchase — retention, revenue, second orders, segment sizes."""

from __future__ import annotations

import numpy as np
import streamlit as st

from recsys.errors import RecsysError
from recsys.value.cohorts import DAYS, ELIGIBLE, SHARE_RETURNED, days_to_second_order
from ui import cache, state
from ui.figures import value as figures
from ui.format import CURRENCY, number, percent, plain_text

st.title("Cohorts")
dataset = state.page_dataset(min_buyers=state.MIN_SEGMENT_BUYERS)
fingerprint = dataset.fingerprint
activity, curve = cache.value.cohorts(fingerprint, dataset)
days = cache.value.purchase_days(fingerprint, dataset)

st.caption(
    "Customers grouped by the month of their first purchase in the data (customers who bought before "
    "the data starts look new in its first month). Revenue is net of cancellations, amounts in "
    f"{CURRENCY}; a purchase is a day with an order."
)
gap = days_to_second_order(days)
within_90 = curve[curve[DAYS] == 90]
cols = st.columns(4)
cols[0].metric("Cohorts", number(activity["cohort"].nunique()))
cols[1].metric("Came back for a second order", percent(float(gap.notna().mean())),
               help="Share of all customers with a purchase on a second day, at any time.")
cols[2].metric("Median days to the second order", number(float(np.nanmedian(gap))) if gap.notna().any() else "–",
               help="Among the customers who came back.")
if len(within_90) and within_90[ELIGIBLE].iloc[0] > 0:
    cols[3].metric("Second order within 90 days", percent(float(within_90[SHARE_RETURNED].iloc[0])),
                   help=f"Of the {number(int(within_90[ELIGIBLE].iloc[0]))} customers whose first order was "
                        "at least 90 days before the data ends.")

st.subheader("Retention")
st.plotly_chart(figures.retention_heatmap(activity), key="chart_retention")
st.caption("Share of each cohort that bought again N months after its first month (month 0 is 100%).")

left, right = st.columns(2)
with left:
    st.subheader("Revenue per cohort")
    st.plotly_chart(figures.cohort_totals_chart(activity), key="chart_cohort_totals")
with right:
    st.subheader("Revenue per customer over time")
    st.plotly_chart(figures.cohort_revenue_chart(activity), key="chart_cohort_revenue")

st.subheader("Days to the second order")
st.plotly_chart(figures.repeat_curve_chart(curve), key="chart_repeat_curve")
st.caption(
    "Share of customers who placed a second order within N days of their first; at each N, only the "
    "customers whose first order was at least N days before the data ends count."
)

st.subheader("Segment sizes over time")
key = state.segment_key(dataset, k=min(state.get_k(), dataset.n_buyers - 1))
try:
    sizes = cache.value.segment_sizes(key, dataset)
except RecsysError as exc:
    st.caption(f"Segments over time are not available: {plain_text(str(exc).rstrip('.'))}.")
else:
    st.plotly_chart(figures.segment_sizes_chart(sizes), key="chart_segment_sizes")
    st.caption(
        f"Customers in each of today's k = {key.k} segments at every month end, segments formed from the "
        "figures as they stood then and matched to today's by their centres (see Segment movement)."
    )
