"""Shop insights: the router. Page config, the shared sidebar (data set, k), navigation.

Run with ``streamlit run app.py`` (or ``make run``). ``RECSYS_DATA=path`` starts the app on
another data set than the bundled sample. Widgets drawn here keep their values across
pages; ``?k=`` and ``?customer=`` in the URL are copied into the session on the first run
and written back on every run, so a link carries them.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path

import streamlit as st

STARTING_STEP = "Starting the dashboard: loading the analysis libraries (pandas, scikit-learn, plotly)…"
"""Shown on the first run after the server starts, while the imports below take seconds
(later runs find them loaded): without it the page stayed blank. Written at once, not as a
spinner (Streamlit shows those after half a second), and followed by the data set's step."""
STARTING_DATA_STEP = "Starting the dashboard: loading the data set…"

_starting = st.empty()
_starting_up = "ui.state" not in sys.modules
if _starting_up:
    _starting.info(STARTING_STEP, icon=":material/hourglass_top:")
# These imports come after the message on purpose.
from recsys.data import schema as S  # noqa: E402
from recsys.errors import RecsysError  # noqa: E402
from recsys.insights.customers import normalise_customer_id  # noqa: E402
from ui import dates, errors, source, state  # noqa: E402
from ui.format import number, plain_text  # noqa: E402

ROOT = Path(__file__).resolve().parent

# (section, script, title, icon); the first page is the default one.
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("Shop", "pages/overview.py", "Overview", ":material/storefront:"),
    ("Customers", "pages/segments.py", "Segments", ":material/donut_small:"),
    ("Customers", "pages/segment_explorer.py", "Segment explorer", ":material/groups:"),
    ("Customers", "pages/segment_movement.py", "Segment movement", ":material/swap_horiz:"),
    ("Customers", "pages/customer_value.py", "Customer value", ":material/savings:"),
    ("Customers", "pages/customer.py", "Customer", ":material/person_search:"),
    ("Campaigns", "pages/audiences.py", "Audiences", ":material/campaign:"),
    ("Insights", "pages/trends.py", "Trends", ":material/trending_up:"),
    ("Insights", "pages/cohorts.py", "Cohorts", ":material/calendar_view_month:"),
    ("Insights", "pages/baskets.py", "Baskets", ":material/shopping_basket:"),
    ("Insights", "pages/reviews.py", "Reviews", ":material/reviews:"),
    ("Insights", "pages/evaluation.py", "Evaluation", ":material/fact_check:"),
    ("Data", "pages/data.py", "Data", ":material/database:"),
)

FIRST_VISIT_STEPS: dict[str, str] = {
    "Overview": "adding up sales, top products and countries",
    "Segments": "customer figures, k-means for k = 2 to 12 and the segments' names",
    "Segment explorer": "the segments and every customer's recommendations for the CSV",
    "Customer": "fitting the recommender",
    "Trends": "sales per period and the seasonal products",
    "Baskets": "the baskets and the products bought together",
    "Evaluation": "training every model on the lines before the cut and scoring it after",
    "Data": "the cleaning report",
}
"""What a page computes on its first visit, for the spinner shown meanwhile (each step's
own spinner then names it more precisely); later visits read the cache."""
_VISITED_KEY = "_pages_visited"
_UPLOAD_ERROR_KEY = "_upload_error"
"""This run's message about an upload that could not be read (shown in the main area)."""

_QUERY_LOADED_KEY = "_query_loaded"


def read_query_params() -> None:
    """Copy ``?k=`` and ``?customer=`` into the session once, on its first run."""
    ss = st.session_state
    if not ss.get(_QUERY_LOADED_KEY):
        ss[_QUERY_LOADED_KEY] = True
        raw_k = st.query_params.get("k")
        if raw_k is not None:
            try:
                asked = int(raw_k)
            except ValueError:
                st.toast(f"Ignored ?k={plain_text(raw_k)}: k must be a whole number from {state.K_MIN} to {state.K_MAX}.")
            else:
                ss[state.K_KEY] = min(max(asked, state.K_MIN), state.K_MAX)
                if ss[state.K_KEY] != asked:
                    st.toast(f"k={asked} is outside {state.K_MIN}–{state.K_MAX}; showing k={ss[state.K_KEY]}.")
        customer = normalise_customer_id(st.query_params.get(state.CUSTOMER_KEY, ""))
        if customer:
            ss[state.CUSTOMER_KEY] = customer
    ss.setdefault(state.K_KEY, state.K_DEFAULT)


def write_query_params() -> None:
    """Write k and the customer back into the URL (page switches clear it)."""
    st.query_params["k"] = str(st.session_state[state.K_KEY])
    state.publish_customer_to_url(state.get_customer_id())


def data_source_sidebar() -> None:
    """Draw the data-source picker; a bad upload shows an error and keeps the old data."""
    ss = st.session_state
    work_file = source.working_file()
    # Radio options render Markdown, and these labels hold file names.
    labels = {
        source.SOURCE_STARTUP: plain_text(source.startup_choice().label),
        source.SOURCE_GENERATED: "Generated shop",
        source.SOURCE_UPLOAD: "Upload a file",
    }
    if work_file is not None:
        labels[source.SOURCE_FILE] = plain_text(work_file.label)
    if ss.get(source.SOURCE_KEY) not in labels:
        ss[source.SOURCE_KEY] = source.SOURCE_STARTUP
    picked = st.radio("Data source", list(labels), format_func=labels.get, key=source.SOURCE_KEY)

    if picked == source.SOURCE_STARTUP:
        source.set_data_choice(source.startup_choice())
    elif picked == source.SOURCE_FILE:
        source.set_data_choice(work_file)
    elif picked == source.SOURCE_GENERATED:
        ss.setdefault(source.GEN_CUSTOMERS_KEY, source.GEN_CUSTOMERS_DEFAULT)
        ss.setdefault(source.GEN_SEED_KEY, source.GEN_SEED_DEFAULT)
        left, right = st.columns(2)
        n_customers = left.number_input(
            "Customers",
            min_value=source.GEN_CUSTOMERS_MIN,
            max_value=source.GEN_CUSTOMERS_MAX,
            step=100,
            key=source.GEN_CUSTOMERS_KEY,
            help="Number of customers of the generated shop.",
        )
        seed = right.number_input(
            "Seed", min_value=0, step=1, key=source.GEN_SEED_KEY,
            help="The same seed gives the same shop.",
        )
        source.set_data_choice(
            source.DataChoice(source.SOURCE_GENERATED, n_customers=int(n_customers), seed=int(seed))
        )
    else:
        uploaded = st.file_uploader(
            "Transactions file",
            type=["csv", "xlsx", "parquet"],
            key=source.UPLOAD_KEY,
            help=(
                "UCI Online Retail (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, "
                "UnitPrice, CustomerID, Country), Online Retail II (Invoice, …, Price, "
                "Customer ID, Country) or the canonical layout (invoice_id, invoice_date, "
                "customer_id, product_id, description, quantity, unit_price), or a Shopify "
                "orders export; any other table's columns can be mapped on the Data page."
            ),
        )
        if uploaded is None:
            st.caption(f"Showing: {plain_text(source.get_data_choice().label)} (until a file is uploaded)")
        else:
            error = source.use_upload(uploaded.getvalue(), uploaded.name)
            if error:
                # The message lists the accepted layouts: too long for the narrow sidebar (it
                # pushed the k slider off screen), so it goes to the top of the page.
                ss[_UPLOAD_ERROR_KEY] = (
                    f"{plain_text(error)}\n\nStill showing: {plain_text(source.get_data_choice().label)}; "
                    "upload a corrected file to replace it, or map its columns on the Data page."
                )
                st.warning("That file could not be read: the message is at the top of the page.",
                           icon=":material/error:")


def load_dataset_or_fall_back():
    """Return the selected data set; if it cannot be loaded, say why and use the start-up one."""
    try:
        return state.get_dataset()
    except RecsysError as exc:
        failed = source.get_data_choice()
        if failed.kind == source.SOURCE_STARTUP:
            raise
        st.error(
            f"{plain_text(failed.label)} could not be loaded: {plain_text(str(exc).rstrip('.'))}. "
            "Showing the start-up data set instead."
        )
        source.set_data_choice(source.startup_choice())
        return state.get_dataset()


def report_at_a_glance(dataset) -> None:
    """Show the cleaning report in three short lines."""
    report = dataset.report
    tx = dataset.transactions
    kept = f"{number(report.kept_lines)} of {number(report.raw_lines)} lines kept"
    customers = f"{number(dataset.n_buyers)} customers with purchases"
    registered = len(dataset.customers) - dataset.n_buyers
    if registered > 0:
        customers += f" + {number(registered)} registered without a purchase"
    dates = tx[S.INVOICE_DATE] if len(tx) else None
    if dates is not None:
        span = f"{dates.min().day} {dates.min():%b %Y} – {dates.max().day} {dates.max():%b %Y}"
    else:
        span = "no dates"
    st.caption(f"{kept}  \n{customers}  \n{span}")
    if report.dates_ambiguous:
        order = report.date_order.replace("-", " ")
        st.caption(f":material/event: Dates read {order}: nothing in the file proves it. Check "
                   "on the Data page, Cleaning report.")


def sidebar() -> None:
    """Draw the shared sidebar: data set, its report at a glance, and k."""
    with st.sidebar:
        st.subheader("Data set")
        data_source_sidebar()
        try:
            dataset = load_dataset_or_fall_back()
        except RecsysError as exc:
            st.error(
                f"The data set could not be loaded: {plain_text(str(exc).rstrip('.'))}. "
                "Pick another source above."
            )
        else:
            report_at_a_glance(dataset)
        st.subheader("Segments")
        st.slider(
            "Number of segments (k)",
            min_value=state.K_MIN,
            max_value=state.K_MAX,
            key=state.K_KEY,
            help="How many customer segments to form. The Segments page suggests a k and says why.",
        )


def navigation():
    """Return the navigation over the pages whose script exists (the first is the default)."""
    sections: dict[str, list] = {}
    first = True
    for section, script, title, icon in PAGES:
        if not (ROOT / script).exists():
            continue
        page = st.Page(script, title=title, icon=icon, default=first)
        first = False
        sections.setdefault(section, []).append(page)
    # Every page listed: with more than twelve, Streamlit would otherwise fold the last ones
    # (the Data page among them) behind a "View more" button.
    return st.navigation(sections, expanded=True)


def main() -> None:
    st.set_page_config(page_title="Shop insights", page_icon=":material/insights:", layout="wide")
    dates.enter_applies_dates()
    source.apply_pending_choice()
    read_query_params()
    page = navigation()
    visited = st.session_state.setdefault(_VISITED_KEY, set())
    first = page.title not in visited
    visited.add(page.title)
    # On a page's first visit the main area says what is being computed instead of
    # staying blank (Streamlit shows a spinner only when its block lasts over half a second).
    if _starting_up:
        # The first run since the server started: the message at the top follows the steps.
        _starting.info(STARTING_DATA_STEP, icon=":material/hourglass_top:")
    with st.spinner("Loading the data set…", show_time=True) if first and not _starting_up else nullcontext():
        with errors.reported("the sidebar"):
            sidebar()
    _starting.empty()
    write_query_params()
    upload_error = st.session_state.pop(_UPLOAD_ERROR_KEY, None)
    if upload_error:
        st.error(upload_error)
    steps = FIRST_VISIT_STEPS.get(page.title, "computing its figures")
    with st.spinner(f"Opening {page.title}: {steps}…", show_time=True) if first else nullcontext():
        with errors.reported(f"the {page.title} page"):
            page.run()
    write_query_params()


main()
