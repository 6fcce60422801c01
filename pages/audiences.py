"""Audiences: build a campaign audience from conditions, see its worth, download it, share it by link."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import streamlit as st

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.value.audience import QUERY_KEYS, AudienceRule, audience_summary, select_audience
from recsys.value.clv import P_ALIVE
from ui import cache, state
from ui.campaign import TECHNICAL_HELP, TECHNICAL_TOGGLE
from ui.columns import customer_columns, with_links
from ui.format import CURRENCY, money, number, percent, plain_text

NAME_KEY = "aud_w_name"
SEGMENTS_KEY = "aud_w_segments"
P_RANGE_KEY = "aud_w_p_range"
VALUE_KEY = "aud_w_value"
CATEGORIES_KEY = "aud_w_categories"
QUIET_KEY = "aud_w_quiet_days"
COUNTRIES_KEY = "aud_w_countries"
SAVED_KEY = "saved_audiences"
RULE_KEY = "audience_rule"
"""Plain session key of the current audience's rule: survives visits to other pages."""
EXPORT_RECS = 5
PREVIEW_ROWS = 500


def url_items() -> tuple:
    """The audience conditions in the address, as a comparable tuple."""
    return tuple(sorted((k, tuple(st.query_params.get_all(k))) for k in st.query_params if k in QUERY_KEYS))


def adopt(rule: AudienceRule, *, segments: list[str], categories: list[str], countries: list[str]) -> list[str]:
    """Fill the widgets from ``rule``; return what it names that this data set does not have."""
    ss = st.session_state
    dropped = [v for v in rule.segments if v not in segments]
    dropped += [v for v in rule.categories if v not in categories]
    dropped += [v for v in rule.countries if v not in countries]
    ss[NAME_KEY] = rule.name
    ss[SEGMENTS_KEY] = [v for v in rule.segments if v in segments]
    low = 0 if rule.p_alive_above is None else round(100 * rule.p_alive_above)
    high = 100 if rule.p_alive_below is None else round(100 * rule.p_alive_below)
    ss[P_RANGE_KEY] = (low, high)
    ss[VALUE_KEY] = float(rule.value_above or 0.0)
    ss[CATEGORIES_KEY] = [v for v in rule.categories if v in categories]
    ss[QUIET_KEY] = int(rule.not_bought_days or 0)
    ss[COUNTRIES_KEY] = [v for v in rule.countries if v in countries]
    return dropped


def publish(rule: AudienceRule) -> None:
    """Write the rule's conditions into the address (and only them)."""
    wanted = rule.to_query()
    if url_items() == tuple(sorted((k, tuple(v)) for k, v in wanted.items())):
        return
    for name in [k for k in st.query_params if k in QUERY_KEYS]:
        del st.query_params[name]
    for name, values in wanted.items():
        st.query_params[name] = values


def link(rule: AudienceRule, k: int) -> str:
    """Relative link that reopens the audience (with its k, so segment names mean the same)."""
    return "audiences?" + urlencode({"k": str(k), **rule.to_query()}, doseq=True)


st.title("Audiences")
dataset = state.page_dataset(min_buyers=state.MIN_SEGMENT_BUYERS)
fingerprint = dataset.fingerprint
key = state.segment_key(dataset, k=min(state.get_k(), dataset.n_buyers - 1))
table = cache.value.audience_table(key, dataset)
has_value = bool(table[P_ALIVE].notna().any())
segment_names = table.dropna(subset=[S.SEGMENT]).sort_values(S.SEGMENT)[S.SEGMENT_NAME].drop_duplicates().tolist()
categories = cache.value.category_choices(fingerprint, dataset)
countries = cache.data.country_choices(fingerprint, dataset)

st.caption(
    "Pick the customers of a campaign by the conditions below (all must hold). Size, revenue and "
    f"predicted value follow at once; amounts in {CURRENCY}, net of cancellations. The address of this "
    "page holds the conditions: send it, or save the audience below, to open it again."
)
# The widgets are the truth once they exist; the address only fills them when the page opens
# (a shared link or a saved audience) or comes back from another page. Reading the address on
# every run would let a rerun that carries the previous run's address undo a condition just set.
if NAME_KEY not in st.session_state:
    seen = url_items()
    if seen:
        try:
            from_link = AudienceRule.from_query(dict(seen))
        except ParameterError as exc:
            st.warning(f"The link's audience could not be read: {plain_text(str(exc).rstrip('.'))}. "
                       "Showing every customer.")
            from_link = AudienceRule()
        dropped = adopt(from_link, segments=segment_names, categories=categories, countries=countries)
        if dropped:
            st.warning("Left out of the link's conditions, as this data set does not have them: "
                       + ", ".join(plain_text(d) for d in dropped) + ".")
    elif RULE_KEY in st.session_state:
        # Back from another page: Streamlit forgot the widgets, the rule is kept.
        adopt(st.session_state[RULE_KEY], segments=segment_names, categories=categories, countries=countries)
st.session_state.setdefault(P_RANGE_KEY, (0, 100))
st.session_state.setdefault(VALUE_KEY, 0.0)
st.session_state.setdefault(QUIET_KEY, 0)
# Choices kept from another data set or k may not exist here.
for widget, options in ((SEGMENTS_KEY, segment_names), (CATEGORIES_KEY, categories), (COUNTRIES_KEY, countries)):
    st.session_state[widget] = [v for v in st.session_state.get(widget, []) if v in options]

with st.container(border=True):
    st.text_input("Audience name", key=NAME_KEY, placeholder="e.g. Win back valuable customers",
                  help="A name for the file and the saved link; not a condition.")
    row1 = st.columns(3)
    row1[0].multiselect("Segment", segment_names, key=SEGMENTS_KEY, placeholder="Any segment",
                        help=f"Segments at k = {key.k}, as on the Segments page.")
    row1[1].slider("P(active) between", min_value=0, max_value=100, step=5, key=P_RANGE_KEY, format="%d%%",
                   disabled=not has_value,
                   help="Probability that the customer still buys (BG/NBD). 0–100% keeps everyone; "
                        "a customer who bought on one day only has 100%.")
    row1[2].number_input(f"Predicted 12-month value at least ({CURRENCY})", min_value=0.0, step=50.0,
                         format="%.0f", key=VALUE_KEY, disabled=not has_value, help="0 keeps everyone.")
    row2 = st.columns(3)
    row2[0].multiselect("Bought in category", categories, key=CATEGORIES_KEY, placeholder="Any category",
                        help="Customers with a purchase (not cancelled in full) in at least one of them.")
    row2[1].number_input("No order in the last N days", min_value=0, step=7, key=QUIET_KEY,
                         help="Days since the customer's last order, counted to the last day of the data; 0 keeps everyone.")
    row2[2].multiselect("Country", countries, key=COUNTRIES_KEY, placeholder="Any country")
if not has_value:
    st.caption("P(active) and predicted value are not available: the data set is too small or short for the value models.")

ss = st.session_state
low, high = ss[P_RANGE_KEY]
rule = AudienceRule(
    name=ss.get(NAME_KEY, "").strip(),
    segments=tuple(ss.get(SEGMENTS_KEY, ())),
    p_alive_above=low / 100 if low > 0 else None,
    p_alive_below=high / 100 if high < 100 else None,
    value_above=float(ss[VALUE_KEY]) if ss.get(VALUE_KEY) else None,
    categories=tuple(ss.get(CATEGORIES_KEY, ())),
    not_bought_days=int(ss[QUIET_KEY]) if ss.get(QUIET_KEY) else None,
    countries=tuple(ss.get(COUNTRIES_KEY, ())),
)
ss[RULE_KEY] = rule
publish(rule)
bought = cache.value.customer_categories(fingerprint, dataset) if rule.categories else None
selected = select_audience(table, rule, bought=bought)
summary = audience_summary(selected, table)

cols = st.columns(4)
cols[0].metric("Customers", number(summary.customers), help=f"{percent(summary.customer_share)} of all customers.")
cols[1].metric("Revenue to date", money(summary.past_revenue),
               help=f"Net of cancellations; {percent(summary.revenue_share)} of all customers' revenue.")
cols[2].metric("Predicted value, next 12 months", money(summary.predicted_value) if has_value else "–",
               help=f"{percent(summary.predicted_share)} of all customers' predicted value (discounted at 10% a year).")
cols[3].metric("Mean P(active)", percent(summary.mean_p_alive) if has_value else "–")

name = rule.name or "audience"
slug = "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_") or "audience"
buttons = st.columns([2, 1, 2])
technical = buttons[2].toggle(TECHNICAL_TOGGLE, key="audience_technical_columns", help=TECHNICAL_HELP)
if summary.customers:
    buttons[0].download_button(
        f"Download {number(summary.customers)} customers (CSV{', with the technical columns' if technical else ''})",
        data=cache.recommend.customers_csv_later(key, tuple(selected[S.CUSTOMER_ID].astype(str)), EXPORT_RECS,
                                                 dataset, technical=technical),
        file_name=f"{slug}.csv", mime="text/csv", key="download_audience", icon=":material/download:",
    )
else:
    buttons[0].caption("No customer meets every condition: loosen one.")
if buttons[1].button("Save audience", key="save_audience", icon=":material/bookmark_add:",
                     help="Keep a link to these conditions in the list below (for this session)."):
    saved = dict(ss.get(SAVED_KEY, {}))
    saved[rule.name or f"Audience {len(saved) + 1}"] = link(rule, key.k)
    ss[SAVED_KEY] = saved
st.caption(
    f"One row per customer, columns named in words: contact details where known, segment, last "
    f"order, orders, spend, predicted value and the top {EXPORT_RECS} recommended products; UTF-8 "
    "with BOM, safe to open in a spreadsheet."
)

origin = ""
try:
    parts = urlsplit(st.context.url or "")
    origin = f"{parts.scheme}://{parts.netloc}/" if parts.netloc else ""
except AttributeError:
    pass
with st.expander("Link to this audience", expanded=False):
    st.code(origin + link(rule, key.k), language=None)
    st.caption("Opens this audience on the data set the app starts with.")
saved = ss.get(SAVED_KEY, {})
if saved:
    st.markdown("**Saved audiences**  \n" + "  \n".join(f"[{plain_text(n)}]({url})" for n, url in saved.items()))

st.subheader("Customers")
if summary.customers:
    st.dataframe(with_links(selected.head(PREVIEW_ROWS)), hide_index=True, key="audience_table",
                 column_config=customer_columns(), height=360)
    if summary.customers > PREVIEW_ROWS:
        st.caption(f"The {number(PREVIEW_ROWS)} with the highest predicted value; the CSV has all {number(summary.customers)}.")
