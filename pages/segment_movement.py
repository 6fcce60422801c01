"""Segment movement: segments at two dates with the same names, who moved where, each flow as a CSV."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from recsys.data import schema as S
from recsys.errors import RecsysError
from recsys.segments.movement import CUSTOMERS, FROM_NAME, NEW_CUSTOMERS, TO_NAME
from ui import cache, dates, state
from ui.campaign import TECHNICAL_HELP, TECHNICAL_TOGGLE
from ui.columns import customer_columns, with_links
from ui.figures import value as figures
from ui.format import number, percent, plain_text

BEFORE_KEY = "movement_before"
AFTER_KEY = "movement_after"
FLOW_KEY = "movement_flow"
EXPORT_RECS = 5


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "segment"


st.title("Segment movement")
dataset = state.page_dataset(min_buyers=state.MIN_SEGMENT_BUYERS)
key = state.segment_key(dataset, k=min(state.get_k(), dataset.n_buyers - 1))
sold_on = dataset.customer_transactions[S.INVOICE_DATE]
first, last = sold_on.min().date(), sold_on.max().date()
if first == last:
    st.warning("The data covers a single day: there is no earlier date to compare with.")
    st.stop()

st.caption(
    f"Segments formed at two dates from the figures as they stood then (same features, k = {key.k}); "
    "the earlier segments are matched to the later ones by their centres, so a name means the same "
    "kind of customer at both dates. Customers who had not bought yet at the first date come from "
    f"“{NEW_CUSTOMERS}”."
)
default_before = max(first, (pd.Timestamp(last) - pd.DateOffset(months=3)).date())
left, right, _ = st.columns([1, 1, 2])
before, before_note = dates.day_input(left, "From", first=first, last=last, key=BEFORE_KEY, default=default_before,
                                      help="Segments as they stood at the end of this day.")
after, after_note = dates.day_input(right, "To", first=first, last=last, key=AFTER_KEY, default=last,
                                    help="The later date, whose segments give the names (default: the last day "
                                    "of the data).")
for note in (before_note, after_note):
    if note:
        st.info(note, icon=":material/event:")
if before >= after:
    st.warning(f"Choose a “From” date before the “To” date ({after:%d %b %Y}).")
    st.stop()
try:
    movement = cache.value.movement(key, before, after, dataset)
except RecsysError as exc:
    st.warning(f"Segments cannot be compared between these dates: {plain_text(str(exc).rstrip('.'))}.")
    st.stop()

counts = movement.counts()
known = max(counts.customers - counts.new, 1)
cols = st.columns(5)
cols[0].metric("Customers", number(counts.customers), help=f"Customers who had bought by {after:%d %b %Y}.")
cols[1].metric("Same segment", number(counts.stayed), help=f"{percent(counts.stayed / known)} of those who had bought by {before:%d %b %Y}.")
cols[2].metric("Moved up", number(counts.up), help="To a more valuable segment (a lower number).")
cols[3].metric("Moved down", number(counts.down), help="To a less valuable segment (a higher number).")
cols[4].metric("New customers", number(counts.new), help=f"First purchase after {before:%d %b %Y}.")

flows_tab, matrix_tab = st.tabs(["Who moved where", "Transition matrix"])
with flows_tab:
    st.plotly_chart(
        figures.sankey_chart(movement.transitions, before=f"{before:%d %b %Y}", after=f"{after:%d %b %Y}"),
        key="chart_sankey",
    )
with matrix_tab:
    st.plotly_chart(figures.transition_heatmap(movement.matrix()), key="chart_transitions")
    st.caption("Customers, and the share of the row's segment at the first date that went to each segment.")

st.subheader("A flow as an audience")
flows = movement.transitions.sort_values(CUSTOMERS, ascending=False, kind="stable")
options = [f"{a} → {b}" for a, b in zip(flows[FROM_NAME], flows[TO_NAME], strict=True)]
sizes = dict(zip(options, flows[CUSTOMERS], strict=True))
if st.session_state.get(FLOW_KEY) not in sizes:
    # The biggest move between two segments; failing that, any flow.
    moved = [o for o, a, b in zip(options, flows[FROM_NAME], flows[TO_NAME], strict=True)
             if a != b and a != NEW_CUSTOMERS]
    st.session_state[FLOW_KEY] = moved[0] if moved else options[0]
choice = st.selectbox("Flow", options, key=FLOW_KEY, format_func=lambda o: f"{o} ({number(sizes[o])} customers)",
                      help="Biggest flows first; pick one to see and download its customers.")
from_name, to_name = flows.iloc[options.index(choice)][[FROM_NAME, TO_NAME]]
members = movement.flow(from_name, to_name)
table = cache.value.audience_table(key, dataset)
rows = table[table[S.CUSTOMER_ID].isin(members[S.CUSTOMER_ID])].sort_values("predicted_value", ascending=False)
down = st.columns([2, 1])
technical = down[1].toggle(TECHNICAL_TOGGLE, key="flow_technical_columns", help=TECHNICAL_HELP)
down[0].download_button(
    f"Download these {number(len(rows))} customers (CSV, with top {EXPORT_RECS} recommendations)",
    data=cache.recommend.customers_csv_later(key, tuple(rows[S.CUSTOMER_ID].astype(str)), EXPORT_RECS, dataset,
                                             technical=technical),
    file_name=f"moved_{_slug(from_name)}_to_{_slug(to_name)}_{after:%Y%m%d}.csv", mime="text/csv",
    key="download_flow", icon=":material/download:",
)
st.caption(
    f"Their segment today (as on the Segments page), figures, value and the top {EXPORT_RECS} "
    "recommendations: the same spreadsheet-safe CSV as a segment download."
)
st.dataframe(with_links(rows), hide_index=True, key="flow_table", column_config=customer_columns(), height=320)
