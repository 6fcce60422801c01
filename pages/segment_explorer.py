"""Segment explorer: one segment's members, what they buy, where they are, CSV downloads."""

from __future__ import annotations

import re

import streamlit as st

from recsys.data import schema as S
from recsys.errors import RecsysError
from recsys.segments import features as F
from recsys.segments.export import CONTACT_COLUMNS
from recsys.segments.profile import segment_members
from recsys.value.clv import P_ALIVE, PREDICTED_VALUE, export_columns
from ui import cache, source, state
from ui.campaign import campaign_label
from ui.figures import segments as figures
from ui.format import CURRENCY, money, money_table, number, percent, plain_text
from ui.state import MIN_SEGMENT_BUYERS

_SEGMENT_WIDGET = "_explorer_segment_widget"
EXPORT_RECS = 5
"""Top recommendations per customer in the CSV downloads (columns rec_1 .. rec_5)."""
MONEY_COLUMNS = frozenset({F.MONETARY, F.AVG_ORDER_VALUE, "annual_spend"})
"""Member columns in pounds: shown as whole pounds."""
WHOLE_COLUMNS = frozenset({F.RECENCY_DAYS, F.FREQUENCY, F.DISTINCT_PRODUCTS, F.TENURE_DAYS})
"""Member columns that are counts, shown without decimals (other figures with one)."""
_WITH_TECHNICAL = ", with the technical columns"


def _keep_segment() -> None:
    st.session_state[state.EXPLORER_SEGMENT_KEY] = int(st.session_state[_SEGMENT_WIDGET])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "segment"


st.title("Segment explorer")

dataset = state.page_dataset(min_buyers=MIN_SEGMENT_BUYERS)
fingerprint = dataset.fingerprint
n_customers = dataset.n_buyers

segmentation = state.segment_key(dataset, k=min(state.get_k(), n_customers - 1))
k, feature_set, seed = segmentation.k, segmentation.feature_set, segmentation.seed
try:
    result = cache.segments.segmentation(segmentation, dataset)
    features = cache.segments.customer_features(fingerprint, dataset)
    profile = cache.segments.segment_profiles(segmentation, dataset)
except RecsysError as exc:
    st.error(f"Segments could not be formed: {plain_text(str(exc).rstrip('.'))}. Try another data set.")
    st.stop()

summary = result.summary
assignments = result.assignments
names = dict(zip(summary["segment"], summary["segment_name"], strict=True))
sizes = dict(zip(summary["segment"], summary["customers"], strict=True))

st.caption(
    f"{plain_text(source.get_data_choice().label)} · k = {k} segments "
    f"({'RFM only' if feature_set == 'rfm' else 'RFM + behaviour'}, seed {seed}; change them on the "
    f"Segments page and with the k slider) · amounts in {CURRENCY}"
)

chosen = st.session_state.get(state.EXPLORER_SEGMENT_KEY, 1)
st.session_state[_SEGMENT_WIDGET] = chosen if chosen in names else 1
segment = int(
    st.selectbox(
        "Segment",
        options=list(names),
        format_func=lambda s: f"{figures.segment_label(s, names[s])} ({number(sizes[s])} customers)",
        key=_SEGMENT_WIDGET,
        on_change=_keep_segment,
        help="Segment 1 is the most valuable (highest mean spend per customer).",
    )
)
row = summary[summary["segment"] == segment].iloc[0]
typical = profile[profile["segment"] == segment].iloc[0]

split = cache.insights.revenue_split(dataset.fingerprint, dataset)
if split.anonymous > 0:
    st.caption(
        f"Shares of {money(split.identified)} bought by identified customers; "
        f"{money(split.anonymous)} of lines without a customer id "
        f"(of {money(split.total)} on the Overview) are left out of segments."
    )
cols = st.columns(4)
cols[0].metric("Customers", number(row["customers"]), help=f"{percent(row['customer_share'])} of all customers")
cols[1].metric("Revenue", money(row["revenue"]), help="Sum of their purchases over the whole period.")
cols[2].metric("Share of revenue", percent(row["revenue_share"]))
cols[3].metric("Median spend per year", money(typical["annual_spend"]))
st.info(f"**{names[segment]}**: {row['description']} Typically: {figures.describe_segment(typical)}.")

value = cache.value.value_or_none(fingerprint, dataset)
members = money_table(
    segment_members(features.join(export_columns(value, features.index)), assignments, segment=segment),
    [*MONEY_COLUMNS, PREDICTED_VALUE],
)
n_recs = EXPORT_RECS
try:
    cache.recommend.customer_recommendations(segmentation, n_recs, dataset)
except RecsysError as exc:
    n_recs = 0
    st.warning(f"The CSV leaves out recommendations: they could not be computed ({plain_text(str(exc).rstrip('.'))}).")
hash_ids = st.checkbox(
    "Hash customer ids in the CSV (SHA-256)",
    key="explorer_hash_ids",
    help="Writes customer_id_sha256 instead of customer_id: the SHA-256 of the trimmed, "
    "lower-case id. For e-mail addresses (a Shopify export) this is the form advertising "
    "platforms match customer lists on, so the file carries no address.",
)
technical = st.toggle(
    "Add the technical columns", key="explorer_technical_columns",
    help="Order rhythm, product range, cancellations and category shares. Without them the CSV "
    "holds what a campaign needs: who, how to reach them, segment, last order, orders, spend "
    "and the recommendations.",
)
one_csv, one_rows = cache.recommend.segment_csv(segmentation, segment, n_recs, dataset, hash_ids,
                                                technical=technical)
all_csv, all_rows = cache.recommend.segment_csv(segmentation, None, n_recs, dataset, hash_ids,
                                                technical=technical)
down = st.columns(2)
down[0].download_button(
    f"Download this segment ({number(one_rows)} customers, CSV{_WITH_TECHNICAL if technical else ''})",
    data=one_csv,
    file_name=f"segment_{segment}_{_slug(names[segment])}.csv",
    mime="text/csv",
    key="download_segment",
    icon=":material/download:",
)
down[1].download_button(
    f"Download every customer ({number(all_rows)}, CSV{_WITH_TECHNICAL if technical else ''})",
    data=all_csv,
    file_name=f"customer_segments_k{k}.csv",
    mime="text/csv",
    key="download_all",
    icon=":material/download:",
)
contact = [c for c in CONTACT_COLUMNS if c != S.COUNTRY and c in dataset.customers.columns
           and dataset.customers[c].notna().any()]
st.caption(
    "For a campaign tool: one row per customer with readable column names — Customer ID, "
    + (", ".join(campaign_label(c) for c in contact) + ", " if contact else "")
    + "Country, Segment, Last order (days ago), Orders, Spend"
    + (f", the top {n_recs} recommended products (Recommendation 1 …)" if n_recs else "")
    + ". UTF-8 with BOM, safe to open in a spreadsheet (text that "
    "looks like a formula is neutralised). Scripts that join on machine names use "
    "`python -m recsys segment --out`."
)

st.subheader("Members")
config = {
    S.CUSTOMER_ID: st.column_config.TextColumn("Customer"),
    "segment": None,
    "segment_name": None,
}
for column in members.columns:
    if column in config:
        continue
    if column == S.COUNTRY:
        config[column] = st.column_config.TextColumn("Country")
    elif column == P_ALIVE:
        config[column] = st.column_config.ProgressColumn(
            "P(active)", format="percent", min_value=0.0, max_value=1.0,
            help="Probability that the customer still buys (BG/NBD; 100% for a customer who bought on one day).",
        )
    elif column == PREDICTED_VALUE:
        config[column] = st.column_config.NumberColumn(
            f"Predicted 12-month value ({CURRENCY})", format="localized", step=1,
            help="Expected spend over the next 12 months, net of cancellations, discounted at 10% a year.",
        )
    elif column == F.CANCELLATION_RATE or column.startswith(F.CATEGORY_SHARE_PREFIX):
        config[column] = st.column_config.NumberColumn(figures.feature_label(column), format="percent")
    elif column in MONEY_COLUMNS:
        config[column] = st.column_config.NumberColumn(figures.feature_label(column), format="localized", step=1)
    else:
        step = 1 if column in WHOLE_COLUMNS else 0.1
        config[column] = st.column_config.NumberColumn(figures.feature_label(column), format="localized", step=step)
st.dataframe(members, hide_index=True, column_config=config, key="members_table", height=320)
st.caption("Sorted by revenue; click a column header to sort by it.")

bought = cache.segments.segment_purchases(segmentation, segment, dataset)
st.subheader("Revenue by month")
if bought.monthly.empty:
    st.caption("No purchases in this segment.")
else:
    st.plotly_chart(figures.monthly_revenue_chart(bought.monthly, segment=segment), key="chart_monthly")

# The top products get the page's whole width: in a column beside the categories their
# descriptions were cut and the table scrolled sideways.
st.subheader("Top products")
if bought.top_products.empty:
    st.caption("No purchases in this segment.")
else:
    # As wide as the longest description (about 7 px a character), so none is cut.
    longest = bought.top_products[S.DESCRIPTION].astype(str).str.len().max()
    st.plotly_chart(figures.top_products_chart(bought.top_products, segment=segment), key="chart_products")
    st.dataframe(
        money_table(bought.top_products, ["revenue"]),
        hide_index=True,
        key="products_table",
        column_config={
            S.PRODUCT_ID: st.column_config.TextColumn("Product", width=65),
            S.DESCRIPTION: st.column_config.TextColumn("Description", width=int(min(max(160, 7 * longest + 24), 420))),
            "revenue": st.column_config.NumberColumn(
                f"Revenue ({CURRENCY})", format="localized", step=1, width=85
            ),
            "units": st.column_config.NumberColumn("Units", format="localized", width=60),
            "customers": st.column_config.NumberColumn("Members who bought it", format="localized", width=150,
                                                       help="Members of the segment who bought it."),
            "share": st.column_config.NumberColumn(
                "Share of revenue", format="percent", width=110, help="Share of the segment's revenue."
            ),
        },
    )
left, right = st.columns(2)
with left:
    st.subheader("Top categories")
    if bought.top_categories.empty:
        st.caption("No purchases in this segment.")
    else:
        if not dataset.has_categories:
            st.caption("The data has no product categories: these are grouped from the product "
                       "descriptions, the same groups as the segments' category shares.")
        st.dataframe(
            money_table(bought.top_categories, ["revenue"]),
            hide_index=True,
            key="categories_table",
            column_config={
                S.CATEGORY: st.column_config.TextColumn("Category"),
                "revenue": st.column_config.NumberColumn(f"Revenue ({CURRENCY})", format="localized", step=1),
                "share": st.column_config.ProgressColumn("Share of segment revenue", format="percent", min_value=0.0, max_value=1.0),
            },
        )
with right:
    st.subheader("Countries")
    if bought.countries.empty:
        st.caption("This data set has no customer countries.")
    else:
        st.dataframe(
            bought.countries.head(10),
            hide_index=True,
            key="countries_table",
            column_config={
                S.COUNTRY: st.column_config.TextColumn("Country"),
                "customers": st.column_config.NumberColumn("Customers", format="localized"),
                "share": st.column_config.ProgressColumn("Share of members", format="percent", min_value=0.0, max_value=1.0),
            },
        )
