"""Evaluation: how good are the recommendations? The hybrid against simple baselines, on a time split."""

from __future__ import annotations

import streamlit as st

from recsys.errors import RecsysError
from ui import cache, state
from ui.figures.recommend import (
    METRIC_LABELS,
    evaluation_display,
    metric_by_slice,
    metric_label,
    reach_sentence,
    small_slices,
)
from ui.format import number, plain_text

TEST_DAYS_KEY = "eval_test_days"
K_AT_KEY = "eval_k"
RUN_KEY = "_eval_params"
CHART_METRIC_KEY = "eval_chart_metric"
TEST_DAYS_DEFAULT, K_AT_DEFAULT = 30, 10
RATE_METRICS = ("precision", "recall", "ndcg", "hit_rate", "map")

st.title("Evaluation")
st.caption(
    "Can the recommendations be trusted? The hybrid recommender against simple baselines, "
    "scored on purchases it was not allowed to see."
)

dataset = state.page_dataset()

with st.form("evaluation_settings", border=False):
    c1, c2, c3 = st.columns([1, 1, 1], vertical_alignment="bottom")
    test_days = c1.number_input(
        "Test period (days)",
        min_value=1,
        max_value=365,
        value=TEST_DAYS_DEFAULT,
        step=1,
        key=TEST_DAYS_KEY,
        help="The last days of the data are held out: models train on everything before them.",
    )
    k_at = c2.number_input(
        "Recommendations scored per customer (k)",
        min_value=1,
        max_value=50,
        value=K_AT_DEFAULT,
        step=1,
        key=K_AT_KEY,
        help="Each model recommends k products per customer; the metrics look at those k.",
    )
    submitted = c3.form_submit_button("Run evaluation", type="primary", icon=":material/play_arrow:")

# The table follows the submitted settings; it runs once with the defaults on arrival.
if submitted or RUN_KEY not in st.session_state:
    st.session_state[RUN_KEY] = (int(test_days), int(k_at))
test_days, k_at = st.session_state[RUN_KEY]

try:
    split = cache.recommend.evaluation_split(dataset.fingerprint, test_days, dataset)
except RecsysError as exc:
    st.error(f"This data set cannot be split {test_days} days before its end: {plain_text(exc)}. Try a shorter test period.")
    st.stop()

st.markdown(
    f"""
**How it is measured.** The data is cut on **{split.cut:%d %b %Y}**, {test_days} days
before its last day ({split.last_date:%d %b %Y}). Every model is trained only on the
**{number(split.train_lines)} lines before the cut** ({number(split.train_customers)}
customers) and then recommends {k_at} products to each customer. Those recommendations are
checked against the **{number(split.test_lines)} lines after the cut**
({number(split.test_customers)} customers). A recommendation counts as a hit when the
customer bought that product after the cut **and had not bought it before** — suggesting
what someone already buys is easy, finding what they will buy next is the real test.
"""
)

try:
    table = cache.recommend.evaluation_table(dataset.fingerprint, test_days, k_at, dataset)
except RecsysError as exc:
    st.error(f"The evaluation could not run on this data set: {plain_text(exc)}. Try a shorter test period.")
    st.stop()

if table.empty or int(table["users"].max()) == 0:
    st.warning(
        "No customer bought a new product after the cut date, so there is nothing to score. "
        "Try a longer test period."
    )
    st.stop()

# ---- The table -------------------------------------------------------------------------
shown = evaluation_display(table)

lead = reach_sentence(table, k=k_at, test_days=test_days)
if lead is not None:
    sentence, fine_print = lead
    st.subheader(sentence, anchor=False)
    st.caption(fine_print)

st.subheader(f"Scores at k = {k_at}, by model and customer group")
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * len(shown), 760),
    column_order=["slice", "model", "users", *RATE_METRICS, "coverage", "novelty"],
    column_config={
        "slice": st.column_config.TextColumn("Customers", help="Group by purchase history before the cut."),
        "model": st.column_config.TextColumn("Model"),
        "users": st.column_config.NumberColumn(
            "Customers scored", format="localized", help="Customers of this group with at least one new product after the cut."
        ),
        **{
            m: st.column_config.NumberColumn(metric_label(m, k=k_at), format="%.3f")
            for m in RATE_METRICS
        },
        "coverage": st.column_config.NumberColumn(
            "Catalogue coverage", format="%.3f", help="Share of the products that were recommended to anyone."
        ),
        "novelty": st.column_config.NumberColumn(
            "Novelty (bits)", format="%.2f", help="How unexpected the recommended products are: higher = less mainstream."
        ),
    },
)

few = small_slices(table)
if few:
    listed = ", ".join(f"{name} ({n} customer{'s' if n != 1 else ''})" for name, n in few)
    st.caption(f"Few customers in {listed}: treat those figures as anecdotes, not evidence.")

# ---- The chart -------------------------------------------------------------------------
metric = st.segmented_control(
    "Chart",
    options=[*RATE_METRICS, "coverage", "novelty"],
    default="ndcg",
    format_func=lambda m: metric_label(m, k=k_at),
    key=CHART_METRIC_KEY,
) or "ndcg"
st.plotly_chart(metric_by_slice(table, metric=metric, k=k_at), width="stretch")

# ---- What the numbers mean -------------------------------------------------------------
with st.expander("What the numbers mean", expanded=True):
    st.markdown(
        f"""
All scores are averages over the customers scored (those who bought at least one new product
after the cut); each lies between 0 and 1 except novelty, and higher is better.

- **{METRIC_LABELS["precision"].format(k=k_at)}** — the share of the {k_at} recommended products
  that the customer went on to buy.
- **{METRIC_LABELS["recall"].format(k=k_at)}** — the share of the customer's new products that
  were among the {k_at} recommendations.
- **{METRIC_LABELS["hit_rate"].format(k=k_at)}** — the share of customers with at least one hit.
- **{METRIC_LABELS["ndcg"].format(k=k_at)}** and **{METRIC_LABELS["map"].format(k=k_at)}** — like
  recall, but a hit near the top of the list counts more than one at place {k_at}.
- **Catalogue coverage** — the share of all products recommended to at least one customer: a
  model that only ever suggests best-sellers covers little of the catalogue.
- **Novelty** — how far from the best-sellers the suggestions are (the average surprise,
  in bits, of each recommended product given how many customers bought it).

**Models.** *Hybrid* is the recommender the Customer page uses: it blends co-purchase,
description similarity and popularity by how much history a customer has. *Popularity*
recommends the best-sellers; *ALS (implicit)* is a matrix-factorisation model; *Item-kNN*
recommends products bought by the same people as the customer's products.

**Customer groups.** *with history*: every customer who bought before the cut (the headline
figure); *1–2*, *3–9*, *10+ invoices*: the same customers by how many orders they placed
before the cut; *no history*: customers whose first purchase came after the cut (cold start).
"""
    )
