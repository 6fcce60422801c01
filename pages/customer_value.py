"""Customer value: who will still buy and how much — predicted value, churn risk, the check."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recsys.data import schema as S
from recsys.errors import DataError
from recsys.value import views
from recsys.value.audience import REVENUE
from recsys.value.clv import EXPECTED_90D, P_ALIVE, PREDICTED_VALUE
from recsys.value.summary import REPEAT_PURCHASES
from ui import cache, state
from ui.campaign import TECHNICAL_HELP, TECHNICAL_TOGGLE
from ui.columns import customer_columns, with_links
from ui.figures import value as figures
from ui.format import CURRENCY, money, number, percent, plain_text

HOLDOUT_WEEKS_KEY = "value_holdout_weeks"
HOLDOUT_WEEKS_DEFAULT = 12
RISK_MEASURE_KEY = "value_risk_measure"
AT_RISK_ROWS = 50


st.title("Customer value")
dataset = state.page_dataset(min_buyers=state.MIN_SEGMENT_BUYERS)
fingerprint = dataset.fingerprint
try:
    value = cache.value.customer_value(fingerprint, dataset)
except DataError as exc:
    st.warning(
        f"Customer value cannot be predicted for this data set: {plain_text(str(exc).rstrip('.'))}."
    )
    st.stop()
key = state.segment_key(dataset, k=min(state.get_k(), dataset.n_buyers - 1))
table = cache.value.audience_table(key, dataset)
valued = table[table[P_ALIVE].notna()]

st.caption(
    f"Predicted from every purchase up to {value.calibration_end:%d %b %Y}: repeat purchases and "
    "drop-out by BG/NBD, spend per purchase by Gamma-Gamma (Fader & Hardie). Spend is net of "
    f"cancellations; the 12-month value is discounted at {value.discount_rate:.0%} a year; amounts in {CURRENCY}."
)
repeaters = valued[valued[REPEAT_PURCHASES] > 0]
likely_lost = int((repeaters[P_ALIVE] < views.LOST_BELOW).sum())
cols = st.columns(4)
cancelled_only = max(dataset.n_buyers - len(valued), 0)
cols[0].metric("Customers valued", number(len(valued)),
               help=f"Every customer with a purchase not cancelled in full; {number(len(valued) - len(repeaters))} "
                    "bought on a single day."
                    + (f" Left out: {number(cancelled_only)} whose every purchase was cancelled (nothing to predict from)."
                       if cancelled_only else ""))
cols[1].metric(
    "Predicted value, next 12 months", money(valued[PREDICTED_VALUE].sum()),
    help="Sum over customers of expected purchases × expected spend per purchase, discounted.",
)
cols[2].metric(
    "Expected orders, next 90 days", number(valued[EXPECTED_90D].sum()),
    help="Expected purchase days of all customers in the 90 days after the last day of the data.",
)
cols[3].metric(
    "Likely lost", number(likely_lost),
    help=f"Customers who bought on more than one day ({number(len(repeaters))}) and whose P(active) is "
         f"below {views.LOST_BELOW:.0%}. BG/NBD lets a customer leave only after a repeat purchase, so a "
         "one-time buyer's P(active) is 100% by construction: their expected orders say more.",
)
little_dropout = bool(len(repeaters)) and repeaters[P_ALIVE].quantile(0.1) > 0.9
if little_dropout:
    st.info(
        "On this data the model finds little drop-out: most customers are likely still active, and "
        "a long silence reads as slow buying rather than leaving (a year or so of data often cannot "
        "tell the two apart). Expected orders in the next 90 days show who is slowing down; see how "
        "well the model predicted a past period at the bottom of the page."
    )

left, right = st.columns(2)
with left:
    st.subheader("Predicted value")
    st.plotly_chart(figures.value_histogram(valued[PREDICTED_VALUE]), key="chart_value")
    top = views.value_concentration(valued[PREDICTED_VALUE], top_share=0.1)
    st.caption(f"The top 10% of customers hold {percent(top)} of the predicted value.")
with right:
    st.subheader("Churn risk by segment")
    by_segment = views.value_by_segment(table)
    if by_segment.empty:
        st.caption("This data set has no segments.")
    else:
        measures = {views.MEAN_P_ALIVE: "P(active)", views.ORDERS_90D_PER_CUSTOMER: "Expected orders, next 90 days"}
        st.session_state.setdefault(
            RISK_MEASURE_KEY, views.ORDERS_90D_PER_CUSTOMER if little_dropout else views.MEAN_P_ALIVE
        )
        measure = st.segmented_control("Show", list(measures), format_func=measures.get, key=RISK_MEASURE_KEY,
                                       label_visibility="collapsed") or views.MEAN_P_ALIVE
        st.plotly_chart(figures.segment_risk_chart(by_segment, measure=measure), key="chart_segment_risk")
        st.caption(
            "P(active): mean of the customers who bought on more than one day. Expected orders: per "
            f"customer, all of them. k = {key.k} segments as on the Segments page (change k in the sidebar)."
        )

if not by_segment.empty:
    st.dataframe(
        by_segment, hide_index=True, key="segment_value_table",
        column_config={
            S.SEGMENT: None,
            S.SEGMENT_NAME: st.column_config.TextColumn("Segment", width=340, pinned=True),
            views.CUSTOMERS: st.column_config.NumberColumn("Customers", format="localized", width=80),
            views.ONE_TIME: st.column_config.NumberColumn(
                "Bought once", format="localized", width=80,
                help="Customers with purchases on a single day: P(active) says nothing about them yet."),
            views.MEAN_P_ALIVE: st.column_config.ProgressColumn(
                "Mean P(active)", format="percent", min_value=0.0, max_value=1.0, width=100,
                help="Of the customers who bought on more than one day."),
            views.LIKELY_LOST: st.column_config.NumberColumn(
                "Likely lost", format="localized", width=80,
                help=f"Customers who bought more than once and whose P(active) is below {views.LOST_BELOW:.0%}."),
            views.LIKELY_LOST_SHARE: None,
            views.ORDERS_90D_PER_CUSTOMER: st.column_config.NumberColumn(
                "Orders next 90 days", format="%.2f", width=125,
                help="Expected orders per customer in the 90 days after the data ends."),
            REVENUE: st.column_config.NumberColumn(
                f"Revenue ({CURRENCY}, net)", format="localized", step=1, width=105,
                help="Purchases to date, net of cancellations."),
            PREDICTED_VALUE: st.column_config.NumberColumn(
                f"Predicted ({CURRENCY})", format="localized", step=1, width=105,
                help="Predicted value of the next 12 months, net, discounted at 10% a year."),
            views.VALUE_PER_CUSTOMER: None,
            views.VALUE_SHARE: st.column_config.ProgressColumn(
                "Share of predicted", format="percent", min_value=0.0, max_value=1.0, width=120),
        },
    )

st.subheader("Valuable customers at risk")
risky = views.at_risk_valuable(table, n=AT_RISK_ROWS)
st.caption(
    f"The {number(len(risky))} customers with the lowest P(active) among the top quarter by revenue to "
    "date. Click an id for the customer's history and recommendations; build a wider list on the "
    "Audiences page."
)
st.dataframe(with_links(risky), hide_index=True, key="at_risk_table", column_config=customer_columns(),
             height=300)
if len(risky):
    down = st.columns([2, 1])
    technical = down[1].toggle(TECHNICAL_TOGGLE, key="at_risk_technical_columns", help=TECHNICAL_HELP)
    down[0].download_button(
        f"Download these {number(len(risky))} customers (CSV, with top 5 recommendations)",
        data=cache.recommend.customers_csv_later(key, tuple(risky[S.CUSTOMER_ID].astype(str)), 5, dataset,
                                                 technical=technical),
        file_name="valuable_customers_at_risk.csv", mime="text/csv", key="download_at_risk",
        icon=":material/download:",
    )

st.subheader("How good are the predictions?")
first = pd.Timestamp(dataset.customer_transactions[S.INVOICE_DATE].min()).normalize()
last = value.calibration_end
max_weeks = int(((last - first).days / 7) // 2)
if max_weeks < 2:
    st.caption("The data covers too short a period to hold some of it back and check the model.")
    st.stop()
default_weeks = min(HOLDOUT_WEEKS_DEFAULT, max_weeks)
st.session_state.setdefault(HOLDOUT_WEEKS_KEY, default_weeks)
if st.session_state[HOLDOUT_WEEKS_KEY] > max_weeks:
    st.session_state[HOLDOUT_WEEKS_KEY] = default_weeks
weeks = st.slider(
    "Weeks held back", min_value=2, max_value=min(max_weeks, 52), key=HOLDOUT_WEEKS_KEY,
    help="The model is fitted on the purchases before these last weeks and predicts them; the "
         "charts compare its prediction with what customers actually did.",
)
calibration_end = (last - pd.Timedelta(weeks=weeks)).date()
try:
    check = cache.value.holdout(fingerprint, calibration_end, dataset)
except DataError as exc:
    st.warning(f"The check cannot run with this split: {plain_text(str(exc).rstrip('.'))}.")
    st.stop()
cols = st.columns(4)
cols[0].metric("Fitted on purchases up to", f"{check.calibration_end:%d %b %Y}")
cols[1].metric("Repeat purchases held back", number(check.actual_total),
               help=f"Purchase days from {check.calibration_end:%d %b} to {check.holdout_end:%d %b %Y} "
                    "of the customers who had bought before.")
cols[2].metric("Predicted", number(check.predicted_total), delta=percent(check.total_error),
               delta_color="off", help="The model's expected repeat purchases for the same customers and period.")
cols[3].metric("Average miss per customer", number(check.mean_absolute_error, decimals=2),
               help="Mean absolute difference between predicted and actual purchases per customer.")
left, right = st.columns(2)
with left:
    st.plotly_chart(figures.tracking_chart(check.tracking, calibration_end=check.calibration_end),
                    key="chart_tracking")
    st.caption("Repeat purchases of these customers per week: the model follows the average rhythm, not seasons.")
with right:
    st.plotly_chart(figures.holdout_frequency_chart(check.by_frequency), key="chart_holdout_frequency")
    st.caption("Customers grouped by their repeat purchases before the cut: the bars should be close.")

with st.expander("Model details and every customer's value"):
    params = value.parameters()
    bg, gg = params["bgnbd"], params["gamma_gamma"]
    unit = "days" if value.time_unit == "D" else "weeks"
    st.markdown(
        f"BG/NBD (time in {unit}): r = {bg['r']:.3g}, α = {bg['alpha']:.3g}, a = {bg['a']:.3g}, "
        f"b = {bg['b']:.3g}; {number(params['repeat_customers'])} of {number(params['customers'])} customers "
        f"bought on more than one day.  \nGamma-Gamma: p = {gg['p']:.3g}, q = {gg['q']:.3g}, "
        f"v = {gg['v']:.3g}, fitted on {number(params['spend_model_customers'])} customers with repeat "
        "purchases. The same figures: `python -m recsys clv DATA --json`."
    )
    down = st.columns([2, 1])
    technical = down[1].toggle(TECHNICAL_TOGGLE, key="value_technical_columns", help=TECHNICAL_HELP)
    csv, rows = cache.value.value_csv(fingerprint, dataset, technical)
    down[0].download_button(
        f"Download every customer's value ({number(rows)} customers, CSV)", data=csv,
        file_name="customer_value.csv", mime="text/csv", key="download_value", icon=":material/download:",
    )
