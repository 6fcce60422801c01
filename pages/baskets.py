"""Baskets: what sells together (frequent product sets and association rules, in words),
with filters by date range, country and segment, and a "bought together with …" lookup."""

from __future__ import annotations

import streamlit as st

from recsys.baskets.itemsets import (
    DEFAULT_MAX_BASKET_ITEMS,
    MAX_LEN_LIMIT,
    MIN_BASKETS,
    MIN_SUPPORT_FLOOR,
    TooManySets,
    basket_threshold,
)
from recsys.data.filters import date_bounds
from recsys.errors import RecsysError
from ui import cache, dates, state
from ui.cache.keys import BasketFilter, LineFilter
from ui.figures import baskets as figures
from ui.format import number, percent, plain_text

DATES_KEY = "baskets_dates"
_FILTERS_FOR_KEY = "_baskets_filters_for"
SUPPORT_KEY = "baskets_support"
CONFIDENCE_KEY = "baskets_confidence"
MAX_LEN_KEY = "baskets_max_len"
COUNTRIES_KEY = "baskets_countries"
_COUNTRIES_KEPT_KEY = "_baskets_countries_kept"
SEGMENTS_KEY = "baskets_segments"
PRODUCT_KEY = "baskets_product"
WEAK_KEY = "baskets_weak_rules"
TOP_SENTENCES = 5
DEFAULT_SUPPORT_PCT = 1.0
MAX_SUPPORT_PCT = 10.0


def _why_no_rules(n_baskets: int, itemsets, weak_rules: int) -> str:
    """Say what keeps every rule out, and what to change."""
    support = st.session_state[SUPPORT_KEY] / 100
    if weak_rules:
        return ("Every rule at these settings has a lift of 1 or less: those products are "
                "not bought together more often than chance. Tick “Show rules with a lift of "
                "1 or less” to see them, or change the filters.")
    if (itemsets["length"] >= 2).any():
        return (f"Some products are bought together, but no rule reaches "
                f"{st.session_state[CONFIDENCE_KEY]}% confidence. Lower the minimum confidence.")
    threshold = basket_threshold(n_baskets, support)
    if threshold == MIN_BASKETS and basket_threshold(n_baskets, support, min_baskets=1) < threshold:
        return (f"Only {number(n_baskets)} baskets match these filters, and a product set must "
                f"appear in at least {MIN_BASKETS} baskets; no set does. Lowering the minimum "
                "support cannot help here: widen the date range or pick more countries or "
                "segments.")
    return (f"No two products share {support:.1%} of the {number(n_baskets)} baskets "
            f"({number(threshold)} baskets). Lower the minimum support, or widen the filters.")


def _lowest_words(lowest_pct: float, max_len: int) -> str:
    """Say why the support slider starts where it does."""
    if lowest_pct <= MIN_SUPPORT_FLOOR * 100:
        return f"The floor is {MIN_SUPPORT_FLOOR:.1%}: rarer sets are too rare to act on."
    return (f"{lowest_pct:.1f}% is the lowest support at which these baskets can be counted "
            f"quickly with sets of up to {max_len} products; lower ones give too many sets. "
            "A smaller largest set or narrower filters allow lower ones.")


st.title("Baskets")
st.caption("What sells together: product sets that often share an invoice, and the rules they give.")

dataset = state.page_dataset(require_lines=True)

fingerprint = dataset.fingerprint
first, last = date_bounds(dataset.transactions)
if st.session_state.get(_FILTERS_FOR_KEY) != fingerprint:
    # A new data set: no filter that may not exist in it.
    st.session_state[COUNTRIES_KEY] = st.session_state[_COUNTRIES_KEPT_KEY] = []
    st.session_state[SEGMENTS_KEY] = []
    st.session_state.pop(PRODUCT_KEY, None)
    st.session_state[_FILTERS_FOR_KEY] = fingerprint

segmentation = state.segment_key(dataset)
k = segmentation.k
try:
    segment_names = dict(cache.segments.segment_choices(segmentation, dataset))
except RecsysError:
    segment_names = {}
st.session_state[SEGMENTS_KEY] = [
    s for s in st.session_state.get(SEGMENTS_KEY, []) if s in segment_names
]

country_names = cache.data.country_choices(fingerprint, dataset)
if COUNTRIES_KEY not in st.session_state:  # dropped while the page was not shown
    st.session_state[COUNTRIES_KEY] = [
        c for c in st.session_state.get(_COUNTRIES_KEPT_KEY, []) if c in country_names
    ]

with st.container(border=True):
    filters = st.columns([2, 2, 2])
    start, end = dates.range_input(
        filters[0], "Date range", first=first.date(), last=last.date(), key=DATES_KEY,
        help=f"The data covers {dates.day(first.date())} – {dates.day(last.date())}; type a "
        "date and press Enter, or pick one in the calendar.",
    )
    countries = filters[1].multiselect(
        "Countries", country_names, key=COUNTRIES_KEY, placeholder="All countries",
    )
    st.session_state[_COUNTRIES_KEPT_KEY] = list(countries)
    segments = filters[2].multiselect(
        "Customer segments", list(segment_names),
        format_func=lambda s: f"{s}. {segment_names.get(s, s)}", key=SEGMENTS_KEY,
        placeholder="All customers", help=f"Segments at k = {k} (set k in the sidebar). "
        "With a segment chosen, only invoices of its customers count.",
        disabled=not segment_names,
    )
    settings = st.columns([2, 2, 1, 1])
    # The support slider is drawn last: the supports it offers depend on the other settings.
    confidence_pct = settings[1].slider(
        "Minimum confidence (%)", min_value=5, max_value=100, value=20, step=5, format="%d%%",
        key=CONFIDENCE_KEY,
        help="A rule A → B is kept when at least this share of baskets with A also hold B.",
    )
    max_len = settings[2].selectbox(
        "Largest set", list(range(2, MAX_LEN_LIMIT + 1)), index=1, key=MAX_LEN_KEY,
        help="Most products in one frequent set (rules have one product on the right).",
    )
    max_basket = settings[3].number_input(
        "Largest basket", min_value=10, max_value=10_000, value=DEFAULT_MAX_BASKET_ITEMS, step=50,
        key="baskets_max_items",
        help="Invoices with more distinct products than this (wholesale orders) are left out.",
    )
    key = BasketFilter(
        LineFilter(fingerprint, start, end, tuple(countries), tuple(segments), segmentation),
        int(max_basket),
    )
    matrix = cache.baskets.basket_matrix(key, dataset)
    lowest = (cache.baskets.lowest_support(key, int(max_len), MAX_SUPPORT_PCT / 100, dataset)
              if matrix.n_baskets else MIN_SUPPORT_FLOOR)
    # None: not even the highest support gets through (the run below then says what to do).
    lowest_pct = round(100 * lowest, 1) if lowest is not None else MAX_SUPPORT_PCT - 0.1
    raised = st.session_state.get(SUPPORT_KEY, DEFAULT_SUPPORT_PCT) < lowest_pct
    if raised:
        st.session_state[SUPPORT_KEY] = lowest_pct
    support_pct = settings[0].slider(
        "Minimum support (% of baskets)", min_value=lowest_pct, max_value=MAX_SUPPORT_PCT,
        value=max(DEFAULT_SUPPORT_PCT, lowest_pct), step=0.1, format="%.1f%%", key=SUPPORT_KEY,
        help="A product set counts as frequent when at least this share of invoices holds it "
        f"(and at least {MIN_BASKETS} invoices). {_lowest_words(lowest_pct, int(max_len))}",
    )
    if raised:
        settings[0].caption(f"Raised to {lowest_pct:.1f}%: {_lowest_words(lowest_pct, int(max_len))}")

rule_settings = (round(support_pct / 100, 6), int(max_len), round(confidence_pct / 100, 4))
settings_key = (key, *rule_settings)
lookup_key = key
found = None
if matrix.n_baskets == 0:
    st.info(
        "No baskets match these filters: no invoice falls in the chosen dates for these "
        "countries and segments. Widen the date range or pick other countries or segments."
    )
    # The lookup still works on every basket of the data set.
    lookup_key = BasketFilter(LineFilter(fingerprint), int(max_basket))
else:
    try:
        found = cache.baskets.basket_rules(key, *rule_settings, dataset,
                                       positive_only=not st.session_state.get(WEAK_KEY, False))
    except TooManySets:
        better = cache.baskets.workable_settings(key, support_pct / 100, int(max_len), dataset)
        advice = []
        if better.min_support is not None:
            advice.append(f"raise the minimum support to at least {better.min_support:.1%}")
        if better.max_len is not None:
            advice.append(f"set the largest set to {better.max_len}")
        advice = " or ".join(advice) if advice else "leave out more large baskets"
        st.warning(
            f"At {support_pct:.2f}% support this data would give too many product sets to "
            f"count quickly. To see rules, {advice}."
        )
    except RecsysError as exc:
        st.error(plain_text(exc))

if found is not None:
    itemsets, rules = found.itemsets, found.rules
    kpis = st.columns(4)
    kpis[0].metric("Baskets analysed", number(matrix.n_baskets),
                   help=f"Invoices in the filters; {number(matrix.dropped_baskets)} larger ones "
                   "left out.")
    kpis[1].metric("Frequent product sets", number((itemsets["length"] >= 2).sum()),
                   help="Sets of two or more products at or above the minimum support.")
    kpis[2].metric("Rules", number(len(rules)))
    kpis[3].metric("Strongest lift", f"{rules['lift'].max():.1f}×" if len(rules) else "–",
                   help="How many times more often than in baskets in general.")
    st.checkbox(
        "Show rules with a lift of 1 or less", key=WEAK_KEY,
        help="Lift 1 means the products share baskets as often as chance gives; below 1, less.",
    )
if found is None:
    pass
elif rules.empty:
    st.info(_why_no_rules(matrix.n_baskets, itemsets, found.weak_rules))
else:
    st.subheader("Top rules")
    # The sentences are long; the table cuts them, so the strongest ones are written out.
    st.markdown("\n".join(f"{i}. {plain_text(sentence)}"
                           for i, sentence in enumerate(rules["sentence"].head(TOP_SENTENCES), 1)))
    st.dataframe(
        rules.head(500),
        hide_index=True,
        column_order=["sentence", "antecedent_text", "consequent_text", "support", "confidence",
                      "lift", "leverage", "conviction", "count"],
        column_config={
            "sentence": st.column_config.TextColumn("Rule in words", width="large"),
            "antecedent_text": st.column_config.TextColumn("Basket holds"),
            "consequent_text": st.column_config.TextColumn("Also holds"),
            "support": st.column_config.NumberColumn("Support (% baskets)", format="percent"),
            "confidence": st.column_config.NumberColumn("Confidence", format="percent"),
            "lift": st.column_config.NumberColumn("Lift (×)", format="%.2f"),
            "leverage": st.column_config.NumberColumn("Leverage", format="%.4f",
                                                      help="Support minus what independence gives."),
            "conviction": st.column_config.NumberColumn("Conviction", format="%.2f"),
            "count": st.column_config.NumberColumn("Baskets", format="localized"),
        },
        key="baskets_rules_table",
    )
    if found.weak_rules:
        st.caption(
            f"{number(found.weak_rules)} rules with a lift of 1 or less are left out: "
            "those products are bought together no more often than chance would have it."
        )
    st.download_button(
        "Download rules (CSV)", found.csv,
        file_name="association_rules.csv", mime="text/csv", key="baskets_download",
    )
    left, right = st.columns(2)
    with left:
        st.subheader("Strongest pairs")
        pairs = found.pairs
        if pairs.empty:
            st.info("No one-product-to-one-product rule at these settings.")
        else:
            st.plotly_chart(cache.insights.insight_figure(
                ("baskets_pairs", *settings_key), lambda: figures.pair_heatmap(pairs)
            ))
    with right:
        st.subheader("All rules at a glance")
        st.plotly_chart(cache.insights.insight_figure(
            ("baskets_scatter", *settings_key), lambda: figures.rules_scatter(rules)
        ))

st.subheader("Bought together with …")
products = cache.baskets.basket_products(lookup_key, dataset)
if lookup_key != key:
    st.caption(f"The filters leave no baskets, so this looks at all "
               f"{number(cache.baskets.basket_matrix(lookup_key, dataset).n_baskets)} baskets.")
if products.empty:
    st.info("The data set has no baskets to look in.")
else:
    labels = dict(zip(products["product_id"], products["label"], strict=True))
    if st.session_state.get(PRODUCT_KEY) not in labels:
        st.session_state[PRODUCT_KEY] = products["product_id"].iloc[0]
    product = st.selectbox(
        "Product", list(labels), format_func=labels.get, key=PRODUCT_KEY,
        help="Products by how many baskets hold them; type to search.",
    )
    row = products.set_index("product_id").loc[product]
    together = cache.baskets.bought_together(lookup_key, product, 10, dataset)
    st.caption(f"{plain_text(labels[product])} is in {number(row['baskets'])} baskets "
               f"({percent(row['support'])} of them).")
    if together.empty:
        st.info(f"No other product shares at least {MIN_BASKETS} baskets with it in these "
                "filters. Widen the filters to count more baskets.")
    else:
        st.dataframe(
            together,
            hide_index=True,
            column_config={
                "product_id": st.column_config.TextColumn("Product"),
                "description": st.column_config.TextColumn("Description"),
                "together": st.column_config.NumberColumn("Baskets with both", format="localized"),
                "confidence": st.column_config.NumberColumn("Share of its baskets", format="percent"),
                "lift": st.column_config.NumberColumn("Lift (×)", format="%.1f"),
            },
        )
