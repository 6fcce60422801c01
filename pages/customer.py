"""Customer: look up one customer — who they are, what they bought, what to recommend next."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recsys.data import schema as S
from recsys.data.cancellations import CANCELLED_QUANTITY
from recsys.data.catalogue import describe_recommendations, product_names
from recsys.errors import RecsysError
from recsys.export import to_csv_bytes
from recsys.insights.customer_ids import suggest_customer_ids
from recsys.insights.customers import customer_profile, purchase_history
from recsys.insights.reviews import RATING_LABEL, with_ratings
from ui import cache, state
from ui.format import CURRENCY, money, number, percent, plain_text
from ui.glossary import NET_RULE


def product_columns(score_label: str, score_help: str) -> dict:
    """Column settings of a table of products (recommendations or similar products)."""
    return {
        S.RANK: st.column_config.NumberColumn("Rank", format="%d", width=50),
        S.PRODUCT_ID: st.column_config.TextColumn("Product", width=80),
        S.DESCRIPTION: st.column_config.TextColumn("Description", width=260),
        S.UNIT_PRICE: st.column_config.NumberColumn(
            f"Price ({CURRENCY})", format=PRICE_FORMAT, help="Median unit price paid", width=80
        ),
        S.SCORE: st.column_config.NumberColumn(score_label, format="%.3f", help=score_help, width=80),
        # Wide enough that a reason ("bought by 12 customers who also bought …") is read whole.
        S.REASON: st.column_config.TextColumn("Why", width=600),
        RATING_LABEL: st.column_config.TextColumn(
            "Rating", width=90, help="Mean rating out of 5 stars (number of reviews)."),
    }


PRODUCT_COLUMNS = [S.RANK, S.PRODUCT_ID, S.DESCRIPTION, S.UNIT_PRICE, S.SCORE, S.REASON]
KEEP_BOUGHT_KEY = "customer_keep_bought"
N_RECS_KEY = "customer_n_recs"
SIMILAR_KEY = "customer_similar_product"
N_RECS_DEFAULT = 10
PRICE_FORMAT = f"{CURRENCY}%.2f"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """Return ``"1 invoice line"`` / ``"3 invoice lines"``: a count with its noun agreeing."""
    return f"{number(n)} {singular if n == 1 else plural or singular + 's'}"


def cancel_mark(quantity: int, cancelled: int) -> str:
    """Return how much of a history line was cancelled: ``"all"``, ``"2 of 10"`` or ``""``."""
    if cancelled <= 0:
        return ""
    return "all" if cancelled >= quantity else f"{number(cancelled)} of {number(quantity)}"

st.title("Customer")
st.caption(
    "Look up one customer: who they are, what they bought, and which products to suggest "
    "next — each with the reason behind it."
)

dataset = state.page_dataset()

known = cache.insights.known_customers(dataset.fingerprint, dataset)
if not known:
    st.warning(
        "This data set has no customer ids, so there is no one to look up. "
        "Load a file with a customer column (see the Data page)."
    )
    st.stop()

customer = state.sync_customer_from_url()
known_set = frozenset(known)
st.session_state[state.CUSTOMER_PICK_KEY] = customer if customer in known_set else None

left, right = st.columns([1, 2])
left.text_input(
    "Customer ID",
    key=state.CUSTOMER_INPUT_KEY,
    on_change=state.on_customer_typed,
    placeholder=f"e.g. {known[0]}",
    help="Type an id and press Enter. The address bar keeps it (?customer=…), so the link can be shared.",
)
registered_only = len(known) - dataset.n_buyers
right.selectbox(
    f"…or search the {counted(len(known), 'customer')}"
    + (f" ({number(dataset.n_buyers)} with purchases)" if registered_only > 0 else ""),
    options=known,
    key=state.CUSTOMER_PICK_KEY,
    on_change=state.on_customer_picked,
    placeholder="Start typing an id",
)

if not customer:
    st.info("Type a customer ID or pick one from the list to see their profile and recommendations.")
    st.stop()

state.publish_customer_to_url(customer)

segmentation = state.segment_key(dataset)
k = segmentation.k
lookup = cache.insights.customer_lookup(dataset.fingerprint, dataset)
unknown = customer not in known_set
if unknown:
    suggestions = suggest_customer_ids(cache.insights.customer_id_index(dataset.fingerprint, dataset), customer, n=3)
    hint = f" Did you mean {', '.join(map(plain_text, suggestions))}?" if suggestions else ""
    st.warning(
        f"No customer {plain_text(customer)} in this data set.{hint} Below: the starter "
        "recommendations a new customer gets."
    )
    if suggestions:
        cols = st.columns(len(suggestions) + 3)
        for col, suggestion in zip(cols, suggestions, strict=False):
            col.button(
                plain_text(suggestion),
                key=f"customer_suggest_{suggestion}",
                on_click=state.set_customer_id,
                args=(suggestion,),
                help=f"Open customer {plain_text(suggestion)}",
            )
else:
    # ---- Who the customer is -----------------------------------------------------------
    segments = cache.segments.segments_or_none(segmentation, dataset)
    features = cache.segments.customer_features(dataset.fingerprint, dataset)
    profile = customer_profile(dataset, customer, features=features, assignments=segments, lookup=lookup)

    if profile.segment is not None:
        segment_text = f"segment {profile.segment} — {profile.segment_name}"
    elif profile.all_cancelled:
        segment_text = "no segment (every purchase was cancelled)"
    else:
        segment_text = "no segment (no purchases)" if not profile.has_history else "no segment"
    st.subheader(f"Customer {plain_text(profile.customer_id)}")
    st.markdown(f"**{plain_text(profile.country or 'Country unknown')}** · {plain_text(segment_text)} (k = {k})")
    if profile.segment is not None:
        fit = cache.segments.name_fit(segmentation, customer, dataset)
        if fit is not None and fit.unmet:
            st.caption(
                f"The segment's name does not fit this customer: unlike them, most members "
                f"{plain_text(' and '.join(fit.unmet))}. Own RFM cell: **{plain_text(fit.rfm_segment)}** "
                f"(R {fit.r} · F {fit.f} · M {fit.m}, scores 1–5 by fifths of all customers)."
            )

    metric_columns = st.columns(5 if profile.cancelled > 0 else 4)
    if profile.has_history and not profile.all_cancelled:
        c1, c2, c3, c4 = metric_columns[:4]
        c1.metric(
            "Last purchase (days ago)",
            number(profile.recency_days),
            help=f"Recency: days from the last purchase not cancelled in full ({profile.last_purchase:%d %b %Y}) "
            f"to {profile.as_of:%d %b %Y}, the day after the data set's last invoice.",
        )
        c2.metric("Orders", number(profile.orders), help="Frequency: distinct invoices not cancelled in full.")
        c3.metric(
            f"Spend ({CURRENCY})",
            money(profile.spend),
            help=f"Monetary value, net: {money(profile.gross_spend)} ordered less {money(profile.cancelled)} "
            f"cancelled. {NET_RULE}",
        )
        c4.metric(f"Average order ({CURRENCY})", money(profile.average_order_value, decimals=2))
        st.caption(
            f"Customer since {profile.first_purchase:%d %b %Y} · {counted(profile.lines, 'invoice line')} · "
            f"{counted(profile.products, 'different product')} · {counted(profile.units, 'unit')} kept"
        )
    else:
        metric_columns[0].metric("Orders", "0")
        metric_columns[1].metric(f"Spend ({CURRENCY})", money(0))
        if profile.all_cancelled:
            st.caption(
                f"Every purchase of this customer was cancelled: {money(profile.gross_spend)} ordered, "
                "nothing kept. Cancelled lines are marked in the history below."
            )
        else:
            st.caption("This customer is in the customers table but has no clean purchase lines.")
    if profile.cancelled > 0:
        metric_columns[4].metric(
            f"Cancelled ({CURRENCY})",
            money(profile.cancelled),
            help="Value of this customer's purchases that later cancellations took back; "
            "subtracted from spend. " + NET_RULE,
        )

    # ---- What the customer is likely to do next (customer value) -------------------------
    value = cache.value.value_or_none(dataset.fingerprint, dataset) if profile.has_history else None
    if value is not None and profile.customer_id in value.table.index:
        row = value.table.loc[profile.customer_id]
        v1, v2, v3, v4 = st.columns(4)
        v1.metric(
            "P(active)", percent(row["p_alive"]),
            help="Probability that this customer still buys (BG/NBD, from their purchase days so far).",
        )
        v2.metric("Expected orders, next 90 days", number(row["expected_purchases_90d"], decimals=1))
        v3.metric(
            f"Predicted value, 12 months ({CURRENCY})", money(row["predicted_value"]),
            help="Expected purchases × expected spend per purchase over the next 12 months, net of "
            "cancellations, discounted at 10% a year.",
        )
        v4.metric(f"Expected spend per order ({CURRENCY})", money(row["expected_spend"]))
        if row["repeat_purchases"] == 0:
            st.caption(
                "Bought on a single day so far: the model counts such a customer as active (they have "
                "not had the chance to leave); expected orders say how likely they are to come back."
            )

# ---- Recommendations -------------------------------------------------------------------
st.subheader("Recommended products")
opt1, opt2 = st.columns([2, 1])
keep_bought = opt1.toggle(
    "Keep already bought (replenishment)",
    key=KEEP_BOUGHT_KEY,
    help="Off: only products this customer has not bought yet. On: products they buy "
    "again and again may be suggested as well.",
)
n_recs = opt2.number_input(
    "How many", min_value=1, max_value=50, value=N_RECS_DEFAULT, step=1, key=N_RECS_KEY
)

try:
    model = cache.recommend.fitted_recommender(segmentation, dataset)
    recs = model.recommend([customer], n=int(n_recs), exclude_purchased=not keep_bought)
except RecsysError as exc:
    model = None
    st.error(
        f"Recommendations could not be computed for this data set: {plain_text(exc)}. "
        "Try a larger data set (the Data page can generate one)."
    )
    recs = pd.DataFrame(columns=[S.CUSTOMER_ID, S.PRODUCT_ID, S.SCORE, S.RANK, S.REASON])
table = describe_recommendations(recs, dataset.products)
if dataset.has_reviews:
    table = with_ratings(table, cache.reviews.product_reviews(dataset.fingerprint, dataset))

if unknown:
    st.info(
        f"Customer {plain_text(customer)} is not in this data set, so these are **cold-start** "
        "recommendations, the ones any new customer gets: what is popular right now."
    )
elif not profile.has_history:
    st.info(
        f"Customer {plain_text(customer)} has no purchase history yet, so these are **cold-start** "
        "recommendations: chosen from what is known of them (country, segment, details "
        "where present) and from what is popular right now."
    )
if table.empty and model is not None:
    st.warning("No products to recommend for this customer with these settings.")
elif not table.empty:
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        # the rating before the wide "Why" column, where it is seen without scrolling
        column_order=(PRODUCT_COLUMNS[:-1] + [RATING_LABEL, S.REASON] if dataset.has_reviews
                      else PRODUCT_COLUMNS),
        column_config=product_columns("Score", "The hybrid's blended score: higher is a stronger match."),
    )
    export = table.assign(**{S.CUSTOMER_ID: customer})[
        [S.CUSTOMER_ID, S.RANK, S.PRODUCT_ID, S.DESCRIPTION, S.UNIT_PRICE, S.SCORE, S.REASON]
    ]
    st.download_button(
        "Download recommendations (CSV)",
        data=to_csv_bytes(export),
        file_name=f"recommendations_customer_{customer}.csv",
        mime="text/csv",
        icon=":material/download:",
    )

if unknown:
    st.stop()

# ---- Buy again -------------------------------------------------------------------------
st.subheader("Buy again")
if not profile.has_history:
    st.caption("Nothing to buy again: this customer has no purchases yet.")
else:
    try:
        again_model = cache.recommend.buy_again_model(dataset.fingerprint, dataset)
        again = describe_recommendations(again_model.recommend([customer], n=int(n_recs)), dataset.products)
    except RecsysError as exc:
        again = None
        st.error(f"The buy-again list could not be computed for this data set: {plain_text(exc)}.")
    if again is not None and again.empty:
        st.caption("Nothing to buy again for this customer.")
    elif again is not None:
        st.caption(
            "Products this customer bought before, the ones they are most likely to buy again "
            "soon first: their own rhythm for each product, how long ago they last bought it, "
            "and how often the product's buyers come back for it."
        )
        st.dataframe(
            again,
            hide_index=True,
            width="stretch",
            column_order=PRODUCT_COLUMNS,
            column_config=product_columns(
                "Due score", "How strongly this product is due again: higher comes first."
            ),
        )
        st.download_button(
            "Download buy-again list (CSV)",
            data=to_csv_bytes(again.assign(**{S.CUSTOMER_ID: customer})[
                [S.CUSTOMER_ID, S.RANK, S.PRODUCT_ID, S.DESCRIPTION, S.UNIT_PRICE, S.SCORE, S.REASON]
            ]),
            file_name=f"buy_again_customer_{customer}.csv",
            mime="text/csv",
            icon=":material/download:",
            key="download_buy_again",
        )

# ---- Purchase history ------------------------------------------------------------------
history = purchase_history(dataset, customer, lookup=lookup)
st.subheader(f"Purchase history ({counted(len(history), 'line')}, newest first)")
if history.empty:
    st.caption("No purchases in this data set.")
else:
    cancelled_lines = int((history[CANCELLED_QUANTITY] > 0).sum())
    if cancelled_lines:
        st.caption(
            f"{counted(cancelled_lines, 'line')} later cancelled, in full or in part: marked in the "
            f"Cancelled column; revenue is what was kept. {NET_RULE}"
        )
    shown = history.assign(cancelled=[
        cancel_mark(q, c) for q, c in zip(history[S.QUANTITY], history[CANCELLED_QUANTITY], strict=True)
    ])
    st.dataframe(
        shown,
        column_order=[S.INVOICE_DATE, S.INVOICE_ID, S.PRODUCT_ID, S.DESCRIPTION, S.QUANTITY, "cancelled",
                      S.UNIT_PRICE, S.REVENUE],
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(history), 420),
        column_config={
            S.INVOICE_DATE: st.column_config.DatetimeColumn("Date", format="D MMM YYYY, HH:mm"),
            S.INVOICE_ID: st.column_config.TextColumn("Invoice"),
            S.PRODUCT_ID: st.column_config.TextColumn("Product"),
            S.DESCRIPTION: st.column_config.TextColumn("Description", width="large"),
            S.QUANTITY: st.column_config.NumberColumn("Quantity (units)", format="localized"),
            "cancelled": st.column_config.TextColumn(
                "Cancelled", help="Units of the line that a later cancellation took back."
            ),
            S.UNIT_PRICE: st.column_config.NumberColumn(f"Unit price ({CURRENCY})", format=PRICE_FORMAT),
            S.REVENUE: st.column_config.NumberColumn(
                f"Revenue kept ({CURRENCY})", format="localized", step=0.01,
                help="Quantity less cancelled units, times the unit price.",
            ),
        },
    )

# ---- Similar products ------------------------------------------------------------------
with st.expander("Similar products"):
    names = product_names(table, history)
    candidates = list(names.index)
    if model is None or not candidates:
        st.caption("No products to start from.")
    else:
        chosen = st.selectbox(
            "Products like",
            options=candidates,
            key=SIMILAR_KEY,
            format_func=lambda pid: f"{pid} — {names.get(pid, '')}" if isinstance(names.get(pid), str) else pid,
            help="Recommended and bought products of this customer.",
        )
        st.caption(
            "Counted by customers: two products are related when the same customers bought "
            "both, even months apart. The Baskets page counts orders that hold both, so its "
            "order of products bought together can differ."
        )
        similar = describe_recommendations(
            model.similar_items(chosen, n=10).assign(**{S.RANK: lambda f: range(1, len(f) + 1)}),
            dataset.products,
        )
        st.dataframe(
            similar,
            hide_index=True,
            width="stretch",
            column_order=PRODUCT_COLUMNS,
            column_config=product_columns(
                "Similarity", "Bought by the same customers or described alike: higher is more similar."
            ),
        )
