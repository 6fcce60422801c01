"""Evaluation: how good are the recommendations? The hybrid against simple baselines, on a time split."""

from __future__ import annotations

import streamlit as st

from recsys.data import schema as S
from recsys.errors import RecsysError
from recsys.recommend.sequence import torch_available
from ui import cache, state
from ui.figures.recommend import (
    METRIC_LABELS,
    evaluation_display,
    metric_by_slice,
    metric_label,
    reach_sentence,
    sameness_sentence,
    settings_display,
    side_by_side,
    small_slices,
)
from ui.format import number, plain_text

TEST_DAYS_KEY = "eval_test_days"
K_AT_KEY = "eval_k"
RUN_KEY = "_eval_params"
CHART_METRIC_KEY = "eval_chart_metric"
NEURAL_KEY = "_eval_neural"
TEST_DAYS_DEFAULT, K_AT_DEFAULT = 30, 10
RATE_METRICS = ("precision", "recall", "ndcg", "hit_rate", "map")
AGAIN_LABELS = {
    "buy again": "Buy again (the customer's rhythm)",
    "most frequent": "Most frequent first",
    "most recent": "Most recent first",
}

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

lines = dataset.customer_transactions
if len(lines):
    first_day = lines[S.INVOICE_DATE].min().normalize()
    last_day = lines[S.INVOICE_DATE].max().normalize()
    span = (last_day - first_day).days
    if test_days >= span:
        # Said in days, with a period that works, rather than the splitter's words.
        shorter = f"to at most {span - 1} days (for example {max(1, span // 3)})" if span > 1 else ""
        st.warning(
            f"This data covers {span + 1} day{'s' if span else ''} ({first_day:%d %b %Y} – "
            f"{last_day:%d %b %Y}): a {test_days}-day test period leaves no day before it to learn from. "
            + (f"Set the test period {shorter} and run the evaluation again." if shorter
               else "An evaluation needs purchases on at least three different days.")
        )
        st.stop()
try:
    split = cache.recommend.evaluation_split(dataset.fingerprint, test_days, dataset)
except RecsysError as exc:
    st.error(f"This data set cannot be split {test_days} days before its end: {plain_text(str(exc).rstrip('.'))}.")
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
    table, settings = cache.recommend.evaluation_table(dataset.fingerprint, test_days, k_at, dataset)
except RecsysError as exc:
    st.error(f"The evaluation could not run on this data set: {plain_text(exc)}. Try a shorter test period.")
    st.stop()

sample = cache.recommend.evaluation_sample(dataset.fingerprint, test_days, k_at)
if sample is not None:
    st.info(
        f"**Measured on a sample of customers.** To keep this large shop's analysis quick, the "
        f"models were trained and scored on the purchases of {number(sample['customers'])} of its "
        f"{number(sample['of_customers'])} customers, drawn at random (seed {sample['seed']}): "
        f"{number(sample['lines'])} of {number(sample['of_lines'])} lines. The figures estimate "
        "those of the whole shop; the split above is the whole shop's.",
        icon=":material/science:",
    )

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
    height=min(38 + 35 * len(shown), 38 + 35 * 30),  # every row of 6 models x 5 groups
    # sameness right beside the accuracy it is traded against
    column_order=["slice", "model", "users", "ndcg", "top_share", "gini", "precision", "recall",
                  "hit_rate", "map", "coverage", "novelty"],
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
        "top_share": st.column_config.NumberColumn(
            "Top product in top 5 of (share)", format="%.2f",
            help="Share of these customers (0 to 1) whose first 5 recommendations hold the product "
            "the model recommends most: high means everyone gets the same best-seller.",
        ),
        "gini": st.column_config.NumberColumn(
            "Sameness (Gini)", format="%.2f",
            help="How unevenly recommendations fall on the catalogue: 0 = every product equally "
            "often, 1 = all on one product.",
        ),
    },
)

spread = sameness_sentence(table)
if spread:
    st.caption(spread)

few = small_slices(table)
if few:
    listed = ", ".join(f"{name} ({n} customer{'s' if n != 1 else ''})" for name, n in few)
    st.caption(f"Few customers in {listed}: treat those figures as anecdotes, not evidence.")

# ---- The settings the hybrid chose ---------------------------------------------------
st.subheader("Settings the hybrid chose for this shop")
if settings is None or settings.empty:
    st.caption(
        "The hybrid kept its default settings: the lines before the cut are too few to check "
        "other settings on (or these stored results predate the record of them)."
    )
else:
    st.caption(
        "Chosen from the lines before the cut alone: the last three 30-day windows of them each "
        "play the future in turn, and every setting is tried on them, one after another. "
        "Validation NDCG@10 is the score on those windows, with the value chosen and with the "
        "default; the later rows start from the earlier rows' choices."
    )
    st.dataframe(
        settings_display(settings),
        hide_index=True,
        width="stretch",
        column_config={
            "setting": st.column_config.TextColumn("Setting", width="medium"),
            "value": st.column_config.TextColumn("Chosen", width="large"),
            "default": st.column_config.TextColumn("Default", width="large"),
            "ndcg": st.column_config.NumberColumn(
                "Validation NDCG@10", format="%.4f", help="With the value chosen."),
            "ndcg_default": st.column_config.NumberColumn(
                "… with the default", format="%.4f", help="With the default value instead."),
        },
    )

# ---- Buy again ------------------------------------------------------------------------
st.subheader("Buy again: products customers bought before and buy again")
try:
    again = cache.recommend.again_table(dataset.fingerprint, test_days, k_at, dataset)
except RecsysError as exc:
    again = None
    st.caption(f"The buy-again lists could not be scored on this data set: {plain_text(exc)}.")
if again is not None and not again.empty and int(again["users"].max()) > 0:
    st.caption(
        f"Scored on repeat purchases: the products each customer bought after the cut **and had "
        f"bought before it** ({number(int(again['users'].max()))} customers). The Customer page's "
        "buy-again list against the two rules a marketer would otherwise use."
    )
    st.dataframe(
        again.assign(model=again["model"].map(AGAIN_LABELS).fillna(again["model"])),
        hide_index=True,
        width="stretch",
        column_order=["model", "users", *RATE_METRICS],
        column_config={
            "model": st.column_config.TextColumn("List"),
            "users": st.column_config.NumberColumn("Customers scored", format="localized"),
            **{m: st.column_config.NumberColumn(metric_label(m, k=k_at), format="%.3f") for m in RATE_METRICS},
        },
    )
elif again is not None:
    st.caption("No customer bought again after the cut a product they had bought before: nothing to score.")

# ---- The chart -------------------------------------------------------------------------
metric = st.segmented_control(
    "Chart",
    options=[*RATE_METRICS, "coverage", "novelty"],
    default="ndcg",
    format_func=lambda m: metric_label(m, k=k_at),
    key=CHART_METRIC_KEY,
) or "ndcg"
st.plotly_chart(metric_by_slice(table, metric=metric, k=k_at), width="stretch")

# ---- The neural sequence model, side by side ------------------------------------------
st.subheader("Neural sequence model, side by side")
st.caption(
    "A small self-attention network (SASRec-style) reads each customer's baskets in the order "
    "they were bought and predicts what comes next. It learns from this shop's own purchases "
    "on the computer's processor (nothing is downloaded), on the same lines before the cut, "
    "and is scored on the same customers. Training takes a while, so it runs when you ask."
)
if not torch_available():
    st.info(
        "The neural model is an optional extra that is not installed here. To compare it, "
        "install PyTorch's CPU build (about 750 MB) with `pip install -r requirements-neural.txt` "
        "and reload the page."
    )
else:
    if st.button("Train and score the neural model", icon=":material/model_training:",
                 help="Seconds on a small shop, minutes on a large file; once per setting."):
        st.session_state[NEURAL_KEY] = (test_days, k_at)
    if st.session_state.get(NEURAL_KEY) == (test_days, k_at):
        try:
            neural, seconds = cache.recommend.sequence_evaluation(
                dataset.fingerprint, test_days, k_at, dataset)
        except RecsysError as exc:
            st.error(f"The neural model could not be trained on this data set: {plain_text(exc)}.")
        else:
            side = side_by_side(table, neural)
            st.dataframe(
                side,
                hide_index=True,
                width="stretch",
                column_config={
                    "model": st.column_config.TextColumn("Model"),
                    **{s: st.column_config.NumberColumn(f"NDCG@{k_at}, {s}", format="%.3f")
                       for s in side.columns if s != "model"},
                },
            )
            st.caption(
                f"NDCG@{k_at} by customer group (higher is better); trained and scored in "
                f"{seconds:.0f} s. The hybrid does not blend the neural model in: it is shown "
                "here so you can see what reading the order of purchases adds on your shop."
            )

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
- **Top product in top 5 of (share)** and **Sameness (Gini)** — how much everyone gets the same
  products: the share of customers whose first five suggestions include the single most
  recommended product, and how unevenly suggestions fall on the catalogue.
- **Novelty** — how far from the best-sellers the suggestions are (the average surprise,
  in bits, of each recommended product given how many customers bought it).

**Models.** *Hybrid* is the recommender the Customer page uses: it blends co-purchase,
description similarity, the customer's categories and price bands, and popularity, with
weights chosen for this shop (see the settings above). *EASE* is the strongest single model
(co-purchase with recent purchases counting more): what the hybrid adds is the gap to it. *Popularity*
recommends the best-sellers; *ALS (implicit)* is a matrix-factorisation model; *Item-kNN*
recommends products bought by the same people as the customer's products.

**Customer groups.** *with history*: every customer who bought before the cut (the headline
figure); *1–2*, *3–9*, *10+ invoices*: the same customers by how many orders they placed
before the cut; *no history*: customers whose first purchase came after the cut (cold start).
"""
    )
