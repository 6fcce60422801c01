"""Segments: choose k with the evidence (elbow, silhouette), then see who the segments are."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from recsys.errors import RecsysError
from recsys.segments import features as F
from recsys.segments import rfm
from recsys.segments.demographics import demographic_attributes, mix_attributes
from recsys.segments.kmeans import DEFAULT_FEATURE_SET, DEMOGRAPHICS_SET, FEATURE_SETS
from ui import cache, source, state
from ui.figures import segments as figures
from ui.format import CURRENCY, money, money_table, number, percent, plain_text
from ui.state import MIN_SEGMENT_BUYERS

_FEATURE_SET_WIDGET = "_segments_feature_set"
_SEED_WIDGET = "_segments_seed"


def _keep_feature_set() -> None:
    st.session_state[state.FEATURE_SET_KEY] = st.session_state[_FEATURE_SET_WIDGET]


def _keep_seed() -> None:
    st.session_state[state.SEGMENT_SEED_KEY] = int(st.session_state[_SEED_WIDGET])


def _use_k(k: int) -> None:
    st.session_state[state.K_KEY] = int(k)


st.title("Segments")

dataset = state.page_dataset(min_buyers=MIN_SEGMENT_BUYERS)
fingerprint = dataset.fingerprint
n_customers = dataset.n_buyers

# The demographics feature set is offered only to a shop that knows its customers' ages,
# incomes or household sizes; it is never the default.
feature_sets = [f for f in FEATURE_SETS
                if f != DEMOGRAPHICS_SET or demographic_attributes(dataset.customers)]
if state.get_feature_set() not in feature_sets:
    st.session_state[state.FEATURE_SET_KEY] = DEFAULT_FEATURE_SET
# Widgets get their value from the plain session keys (which outlive this page).
st.session_state[_FEATURE_SET_WIDGET] = state.get_feature_set()
st.session_state[_SEED_WIDGET] = state.get_segment_seed()
controls = st.columns([3, 1])
controls[0].radio(
    "Features used to form segments",
    options=feature_sets,
    format_func=FEATURE_SETS.get,
    key=_FEATURE_SET_WIDGET,
    on_change=_keep_feature_set,
    horizontal=True,
    help="RFM uses only how recently, how often and how much customers buy. RFM + behaviour "
    "also uses order size, product range, tenure, the rhythm of orders, cancellations and, "
    "where the data has them, category shares. Demographics (offered when the customers file "
    "has them) adds age, income and household size, numbers or bands such as 45-54 or 50-74K.",
)
controls[1].number_input(
    "Seed", min_value=0, step=1, key=_SEED_WIDGET, on_change=_keep_seed,
    help="Seed of k-means. The same seed gives the same segments.",
)
k_max = min(state.K_MAX, n_customers - 1)
segmentation = state.segment_key(dataset, k=min(state.get_k(), k_max))
k, feature_set = segmentation.k, segmentation.feature_set

try:
    sweep = cache.segments.k_sweep(segmentation, dataset)
    result = cache.segments.segmentation(segmentation, dataset)
    profile = cache.segments.segment_profiles(segmentation, dataset)
except RecsysError as exc:
    st.error(
        f"Segments could not be formed: {plain_text(str(exc).rstrip('.'))}. "
        "Try another feature set or data set."
    )
    st.stop()

summary = result.summary
st.caption(
    f"{plain_text(source.get_data_choice().label)} · {number(sweep.n_customers)} customers · revenue in "
    f"pounds sterling ({CURRENCY}) · change the number of segments with the k slider in the sidebar"
)

top = st.columns([1, 1, 3])
top[0].metric("Segments (k)", k, help="Set with the slider in the sidebar; the link carries it (?k=).")
top[1].metric("Suggested k", sweep.suggested_k)
with top[2]:
    st.info(sweep.reason, icon=":material/lightbulb:")
    if sweep.suggested_k != k:
        st.button(f"Use k = {sweep.suggested_k}", on_click=_use_k, args=(sweep.suggested_k,))

st.subheader("How many segments?")
left, right = st.columns(2)
left.plotly_chart(
    figures.sweep_chart(sweep.table, metric="inertia", chosen_k=k, suggested_k=sweep.suggested_k),
    key="chart_inertia",
)
right.plotly_chart(
    figures.sweep_chart(sweep.table, metric="silhouette", chosen_k=k, suggested_k=sweep.suggested_k),
    key="chart_silhouette",
)
st.caption(
    f"Inertia: how tightly customers sit around their segment's centre; it always falls as k "
    f"grows, and the bend (elbow, here k = {sweep.elbow_k}) is where more segments stop paying off. "
    f"Silhouette: how clearly each customer belongs to its own segment rather than the next "
    f"(−1 to 1; best here at k = {sweep.best_silhouette_k}), computed on "
    + (
        f"a random sample of {number(sweep.sample_size)} of the {number(sweep.n_customers)} customers."
        if sweep.sample_size < sweep.n_customers
        else f"all {number(sweep.n_customers)} customers."
    )
)

st.subheader("Segment sizes and value")
split = cache.insights.revenue_split(dataset.fingerprint, dataset)
st.caption(
    f"Shares of {money(split.identified)} bought by identified customers; "
    f"{money(split.anonymous)} of lines without a customer id "
    f"(of {money(split.total)} on the Overview) are left out of segments."
    if split.anonymous > 0
    else f"Shares of {money(split.identified)}, all revenue, every line having a customer id."
)
st.plotly_chart(figures.sizes_chart(summary), key="chart_sizes")
segment_rows = profile[profile["segment"] > 0]
table = money_table(summary[["segment", "segment_name", "customers", "customer_share", "revenue", "revenue_share"]],
                    ["revenue"])
typical = {int(row["segment"]): figures.describe_segment(row) for _, row in segment_rows.iterrows()}
table["typical"] = table["segment"].map(typical)
table["description"] = summary["description"]
# Wide enough for the longest name at this k (about 7 px a character), so none is cut.
name_width = int(min(max(120, 7 * table["segment_name"].astype(str).str.len().max() + 24), 460))
# The figures only: the typical customer and who they are (sentences of 100 characters and
# more) are cut in a table cell, so they are written out whole under it. Every row in
# view (35 px each, and the header), so that none hides behind a scroll bar at k = 12.
st.dataframe(
    table[["segment", "segment_name", "customers", "customer_share", "revenue", "revenue_share"]],
    hide_index=True,
    key="segment_table",
    height=35 * (len(table) + 1) + 3,
    column_config={
        "segment": st.column_config.NumberColumn("Segment", help="1 = most valuable (highest mean spend)", width=72),
        "segment_name": st.column_config.TextColumn("Name", width=name_width),
        "customers": st.column_config.NumberColumn("Customers", format="localized", width=80),
        "customer_share": st.column_config.ProgressColumn(
            "Customers (share)", format="percent", min_value=0.0, max_value=1.0, width=120
        ),
        "revenue": st.column_config.NumberColumn(f"Revenue ({CURRENCY})", format="localized", step=1, width=90),
        "revenue_share": st.column_config.ProgressColumn(
            "Revenue (share)", format="percent", min_value=0.0, max_value=1.0, width=115
        ),
    },
)

st.markdown("**Typical customer of each segment** (medians) **and who they are**")
st.markdown(
    "\n".join(
        f"- **{figures.segment_label(r.segment, r.segment_name)}** ({percent(r.customer_share)} of customers, "
        f"{percent(r.revenue_share)} of revenue): {r.typical}. {plain_text(r.description)}"
        for r in table.itertuples(index=False)
    )
)

st.subheader("Profiles against the average customer")
everyone = profile[profile["segment"] == 0].iloc[0]
st.caption(
    f"The average (median) customer {figures.describe_segment(everyone)}. "
    "Blue: above the average on that figure, red: below (in standard deviations)."
)
st.plotly_chart(figures.profile_heatmap(result.centers, summary), key="chart_profile")
columns = [c for c in figures.FEATURE_LABELS if c in profile.columns] + F.category_share_columns(profile)
medians = money_table(profile[["segment", "segment_name", *columns]], [F.MONETARY, F.AVG_ORDER_VALUE, "annual_spend"])
medians["segment_name"] = medians["segment_name"].astype(str)
config = {"segment": st.column_config.NumberColumn("Segment"), "segment_name": st.column_config.TextColumn("Name", width=name_width)}
for column in columns:
    is_share = column == F.CANCELLATION_RATE or column.startswith(F.CATEGORY_SHARE_PREFIX)
    config[column] = st.column_config.NumberColumn(
        figures.feature_label(column), format="percent" if is_share else "localized"
    )
with st.expander("Figures per segment (medians; shares are means)"):
    st.dataframe(medians, hide_index=True, column_config=config, key="profile_table")

attributes = mix_attributes(dataset.customers)
if attributes:
    st.subheader("Who they are")
    st.caption("Share of each segment's customers in each band, from the customers file "
               "(ages in ten-year bands; bands such as 50-74K as the file writes them).")
    for tab, attribute in zip(st.tabs([figures.DEMOGRAPHIC_LABELS.get(a, a) for a in attributes]),
                              attributes, strict=True):
        mix = cache.segments.demographic_mix(segmentation, attribute, dataset)
        bands = list(dict.fromkeys(mix["band"]))
        table = mix.pivot_table(index=["segment", "segment_name"], columns="band", values="share",
                                observed=True, sort=False)[bands].reset_index()
        table["segment_name"] = [figures.segment_label(s, n) for s, n in
                                 zip(table["segment"], table["segment_name"], strict=True)]
        with tab:
            st.dataframe(
                table.drop(columns="segment"), hide_index=True, key=f"mix_{attribute}",
                column_config={"segment_name": st.column_config.TextColumn("Segment", width=260),
                               **{b: st.column_config.NumberColumn(str(b), format="percent")
                                  for b in bands}},
            )

st.subheader("Map of customers")
points, explained = cache.segments.segment_projection(segmentation, dataset)
st.plotly_chart(figures.projection_chart(points, explained), key="chart_projection")
shown = f"a random sample of {number(len(points))} customers" if len(points) < sweep.n_customers else "every customer"
st.caption(
    f"Each dot is a customer ({shown}), placed by the two directions along which customers "
    f"differ most (principal components of the features); colours are segments."
)

st.subheader("Classic RFM grid")
scores = cache.segments.rfm_scores(fingerprint, dataset)
grid_left, grid_right = st.columns([2, 3])
grid_left.plotly_chart(figures.rfm_grid_chart(rfm.rfm_grid(scores)), key="chart_rfm")
rfm_table = money_table(rfm.rfm_segment_summary(cache.segments.customer_features(fingerprint, dataset), scores),
                        [F.MONETARY])
grid_right.caption(
    "Every customer scored 1–5 on recency (R) and frequency (F) by fifths of the customers; "
    "the pair gives the standard RFM segment."
)
grid_right.dataframe(
    rfm_table,
    hide_index=True,
    key="rfm_table",
    column_config={
        "rfm_segment": st.column_config.TextColumn("RFM segment", width=115),
        "customers": st.column_config.NumberColumn("Customers", format="localized", width=75),
        "customer_share": st.column_config.NumberColumn("% of customers", format="percent", width=102),
        "revenue_share": st.column_config.NumberColumn("% of revenue", format="percent", width=92),
        F.RECENCY_DAYS: st.column_config.NumberColumn(
            "Days since last order", format="localized", step=1, width=135,
            help="Median days since the last order.",
        ),
        F.FREQUENCY: st.column_config.NumberColumn("Orders", format="localized", step=1, width=60),
        F.MONETARY: st.column_config.NumberColumn(f"Revenue ({CURRENCY})", format="localized", step=1, width=90),
    },
)

best = summary.iloc[0]
link = (
    f"Explore the segments: members, what they buy, CSV download (segment 1, {best['segment_name']}, "
    f"brings {percent(best['revenue_share'])} of revenue, {money(best['revenue'])})"
)
try:
    st.page_link("pages/segment_explorer.py", label=link, icon=":material/groups:")
except StreamlitAPIException:  # the page runs on its own (tests): no navigation to link to
    st.caption(link)
