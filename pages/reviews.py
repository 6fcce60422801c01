"""Reviews: what customers say about products (ratings, sentiment, themes), the most praised
and the most complained about, and one product's ratings per star."""

from __future__ import annotations

import streamlit as st

from recsys.data import schema as S
from recsys.insights import reviews as R
from ui import cache, state
from ui.figures import reviews as figures
from ui.format import number, percent, plain_text

PRODUCT_KEY = "reviews_product"
LISTED = 10


def _sentiment_word(score: float) -> str:
    if score != score:  # NaN: no review text
        return "no text"
    if score >= 0.05:
        return "positive"
    if score <= -0.05:
        return "negative"
    return "neutral"


def _listing(rows, themes: str):
    shown = rows[[S.PRODUCT_ID, S.DESCRIPTION, R.N_REVIEWS, R.MEAN_RATING, themes]].copy()
    shown[themes] = [", ".join(t) for t in shown[themes]]
    st.dataframe(
        shown, hide_index=True,
        column_config={
            S.PRODUCT_ID: st.column_config.TextColumn("Product"),
            S.DESCRIPTION: st.column_config.TextColumn("Description", width=260),
            R.N_REVIEWS: st.column_config.NumberColumn("Reviews", format="localized"),
            R.MEAN_RATING: st.column_config.NumberColumn("Rating", format="%.1f ★",
                                                         help="Mean rating, out of 5 stars."),
            themes: st.column_config.TextColumn(
                "What reviews say", width=360,
                help="Words and phrases these reviews use more than other products' reviews."),
        },
    )


st.title("Reviews")
dataset = state.page_dataset()
if not dataset.has_reviews:
    st.info(
        "This data set has no reviews. Put a reviews.csv (columns customer_id, product_id, "
        "rating from 1 to 5, text, review_date) beside transactions.csv, or generate a shop on "
        "the Data page: generated shops come with reviews."
    )
    st.stop()

table = cache.reviews.product_reviews(dataset.fingerprint, dataset)
reviews = dataset.reviews
complaints = R.complaint_mask(reviews[S.RATING]).mean()

kpis = st.columns(4)
kpis[0].metric("Reviews", number(len(reviews)))
kpis[1].metric("Products reviewed", number(len(table)))
kpis[2].metric("Average rating", f"{reviews[S.RATING].mean():.2f} ★",
               help="Mean of every review's rating, out of 5 stars.")
kpis[3].metric("Complaining reviews", percent(complaints),
               help="Share of reviews rating 1 or 2 stars.")

st.subheader("Most praised")
praised = R.most_praised(table, n=LISTED)
if praised.empty:
    st.caption(f"No product has {R.MIN_REVIEWS} reviews and praise yet.")
else:
    _listing(praised, R.PRAISE_THEMES)
st.subheader("Most complained about")
complained = R.most_complained(table, n=LISTED)
if complained.empty:
    st.caption(f"No product with {R.MIN_REVIEWS} reviews or more has "
               f"{percent(R.MIN_COMPLAINT_SHARE, decimals=0)} of them complaining.")
else:
    _listing(complained, R.COMPLAINT_THEMES)
st.caption(
    f"Products with at least {R.MIN_REVIEWS} reviews, ranked by their mean rating pulled "
    f"towards the shop's average by {R.PRIOR_REVIEWS:.0f} reviews, so that a single 5-star "
    "review does not outrank many good ones. Praise is 4–5 stars, a complaint 1–2 stars; "
    f"a product is complained about when {percent(R.MIN_COMPLAINT_SHARE, decimals=0)} of its "
    "reviews or more complain."
)

st.subheader("One product's reviews")
ordered = table.sort_values([R.N_REVIEWS, S.PRODUCT_ID], ascending=[False, True])
names = dict(zip(ordered[S.PRODUCT_ID], ordered[S.DESCRIPTION], strict=True))
counts = dict(zip(ordered[S.PRODUCT_ID], ordered[R.N_REVIEWS], strict=True))
if st.session_state.get(PRODUCT_KEY) not in names:
    st.session_state[PRODUCT_KEY] = (complained[S.PRODUCT_ID].iloc[0] if not complained.empty
                                     else ordered[S.PRODUCT_ID].iloc[0])
product = st.selectbox(
    "Product", options=list(names), key=PRODUCT_KEY,
    format_func=lambda p: f"{names[p]} ({p}) · {counts[p]:,} review{'' if counts[p] == 1 else 's'}",
)
row = table.set_index(S.PRODUCT_ID).loc[product]
cols = st.columns([1, 1, 1, 2.4])
cols[0].metric("Product rating", f"{row[R.MEAN_RATING]:.1f} ★", help="Mean rating, out of 5 stars.")
cols[1].metric("Product reviews", number(row[R.N_REVIEWS]))
cols[2].metric("Sentiment of the text", _sentiment_word(row[R.SENTIMENT]),
               help="VADER's compound score of the review texts, averaged: below -0.05 "
                    "negative, above 0.05 positive.")
with cols[3]:
    st.plotly_chart(figures.rating_bars(
        cache.reviews.rating_distribution(dataset.fingerprint, product, dataset)))
for label, themes in (("Praised for", row[R.PRAISE_THEMES]),
                      ("Complained about", row[R.COMPLAINT_THEMES])):
    if themes:
        st.markdown(f"**{label}:** " + ", ".join(plain_text(t) for t in themes))
latest = reviews[reviews[S.PRODUCT_ID] == product].sort_values(S.REVIEW_DATE, ascending=False)
latest = latest.assign(**{S.TEXT: latest[S.TEXT].fillna("(rating only)")})
st.dataframe(
    latest[[S.REVIEW_DATE, S.RATING, S.TEXT, S.CUSTOMER_ID]].head(50), hide_index=True,
    column_config={
        S.REVIEW_DATE: st.column_config.DatetimeColumn("Date", format="D MMM YYYY"),
        S.RATING: st.column_config.NumberColumn("Rating", format="%d ★"),
        S.TEXT: st.column_config.TextColumn("Review", width=420),
        S.CUSTOMER_ID: st.column_config.TextColumn("Customer"),
    },
)
st.caption("The 50 latest reviews of this product.")
