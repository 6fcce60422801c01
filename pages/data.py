"""Data: preview the tables, read the cleaning report, generate or extend a shop, download."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from recsys.data import schema as S
from recsys.errors import RecsysError
from ui import source, state
from ui.format import CURRENCY, number, percent, plain_text

PREVIEW_ROWS = 1000
LAYOUT_NAMES = {
    "uci": "UCI Online Retail",
    "uci2": "Online Retail II",
    "canonical": "Canonical CSV (one file)",
    "canonical3": "Canonical CSVs (transactions, products, customers)",
    "generated": "Generated shop",
    "shopify": "Shopify orders export",
    "mapping": "Columns mapped (mapping file or form)",
}
COLUMNS = {
    S.INVOICE_ID: st.column_config.TextColumn("Invoice"),
    S.INVOICE_DATE: st.column_config.DatetimeColumn("Date", format="D MMM YYYY, HH:mm"),
    S.CUSTOMER_ID: st.column_config.TextColumn("Customer"),
    S.PRODUCT_ID: st.column_config.TextColumn("Product"),
    S.QUANTITY: st.column_config.NumberColumn("Quantity (units)", format="localized"),
    S.UNIT_PRICE: st.column_config.NumberColumn(f"Unit price ({CURRENCY})", format="%.2f"),
    S.COUNTRY: st.column_config.TextColumn("Country"),
    S.DESCRIPTION: st.column_config.TextColumn("Description"),
    S.CATEGORY: st.column_config.TextColumn("Category"),
    S.SIGNUP_DATE: st.column_config.DateColumn("Signed up", format="D MMM YYYY"),
    S.AGE: st.column_config.NumberColumn("Age (years)"),
    S.GENDER: st.column_config.TextColumn("Gender"),
}
_APPEND_RESULT_KEY = "_data_append_result"

st.title("Data")

dataset = state.page_dataset()

choice = source.get_data_choice()
st.caption(f"{plain_text(choice.label)} · change the data source in the sidebar")


def progress_callback(bar):
    """Return a ``progress(fraction, message)`` callback that moves ``bar``."""

    def report(fraction: float, message: str = "") -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message or None)

    return report


DATE_LABELS = {
    "day-first": "Day first: 05/12/2011 is 5 December 2011",
    "month-first": "Month first: 05/12/2011 is 12 May 2011",
}


def date_reading(dataset, choice) -> None:
    """Say how dates such as 05/12/2011 were read; let the user read them the other way."""
    report = dataset.report
    asked = source.date_order(choice)
    if not report.date_order and asked == "auto":
        return  # ISO dates, timestamps: nothing to choose
    tx = dataset.transactions
    order = report.date_order.replace("-", " ")
    if report.dates_ambiguous and report.date_alternative and len(tx):
        first, last = tx[S.INVOICE_DATE].min(), tx[S.INVOICE_DATE].max()
        other = "month first" if report.date_order == "day-first" else "day first"
        alt_first, alt_last = (pd.Timestamp(d) for d in report.date_alternative)
        column = plain_text(report.date_column or "dates")
        st.warning(
            f"Nothing in column {column} shows whether its dates are written day first or month "
            f"first (no day is over 12). They were read **{order}**: {first:%-d %b %Y} to "
            f"{last:%-d %b %Y}. Read {other} they would run {alt_first:%-d %b %Y} to "
            f"{alt_last:%-d %b %Y}. If that is right, choose {other} below.",
            icon=":material/event:",
        )
    options = ["auto", "day-first", "month-first"]
    labels = {"auto": f"Detect (read {order})" if asked == "auto" and order else "Detect",
              **DATE_LABELS}
    picked = st.radio(
        "How to read dates such as 05/12/2011",
        options,
        index=options.index(asked),
        format_func=labels.get,
        horizontal=True,
        help="Applies to this data set in this session; appends write new dates the same way.",
    )
    if picked != asked:
        source.set_date_order(choice, picked)
        st.rerun()


unmapped = source.unmapped_upload()
if unmapped is not None:
    from ui.mapping_form import mapping_form

    map_tab, tables, report_tab, make_tab, download_tab = st.tabs(
        ["Map columns", "Tables", "Cleaning report", "Generate or append", "Download"]
    )
    with map_tab:
        mapping_form(*unmapped, column_config=COLUMNS)
else:
    tables, report_tab, make_tab, download_tab = st.tabs(
        ["Tables", "Cleaning report", "Generate or append", "Download"]
    )

with tables:
    for title, frame in (
        ("Transactions", dataset.transactions),
        ("Products", dataset.products),
        ("Customers", dataset.customers),
    ):
        shown = min(len(frame), PREVIEW_ROWS)
        st.markdown(f"**{title}** · {number(len(frame))} rows (first {number(shown)} shown)")
        st.dataframe(frame.head(PREVIEW_ROWS), hide_index=True, column_config=COLUMNS, height=260)

with report_tab:
    report = dataset.report
    st.markdown(f"Layout detected: **{plain_text(LAYOUT_NAMES.get(report.layout, report.layout))}**")
    cols = st.columns(3)
    cols[0].metric("Lines read", number(report.raw_lines))
    cols[1].metric(
        "Lines kept",
        number(report.kept_lines),
        help="Clean invoice lines, with or without a customer.",
    )
    cols[2].metric(
        "Lines without a customer",
        number(report.lines_without_customer),
        help="Kept for product views (top products, trends, baskets); left out of customer views.",
    )
    rules = report.as_frame()
    rules["share"] = rules["lines"] / report.raw_lines if report.raw_lines else 0.0
    st.dataframe(
        rules[["label", "lines", "share"]],
        hide_index=True,
        column_config={
            "label": st.column_config.TextColumn("Cleaning rule", width="large"),
            "lines": st.column_config.NumberColumn("Lines", format="localized"),
            "share": st.column_config.NumberColumn("Share of lines read", format="percent"),
        },
    )
    st.caption(
        f"{percent(report.kept_lines / report.raw_lines if report.raw_lines else 0)} of the lines read "
        "were kept. Cancellations are set aside for cancellation rates, not deleted from the file."
    )
    date_reading(dataset, choice)
    if report.notes:
        st.markdown("**What reading the file found**")
        st.markdown("\n".join(f"- {plain_text(note)}" for note in report.notes))

with make_tab:
    gen_col, app_col = st.columns(2)
    with gen_col:
        st.subheader("Generate a new shop")
        st.caption(
            "A realistic random shop: products with categories and descriptions, customers "
            "with demographics and planted segments, seasonal invoices and bundles."
        )
        with st.form("generate_form", border=False):
            n_customers = st.number_input(
                "Customers",
                min_value=source.GEN_CUSTOMERS_MIN,
                max_value=source.GEN_CUSTOMERS_MAX,
                value=source.GEN_CUSTOMERS_DEFAULT,
                step=100,
                key="data_gen_customers",
            )
            seed = st.number_input(
                "Seed", min_value=0, value=source.GEN_SEED_DEFAULT, step=1, key="data_gen_seed"
            )
            generate_clicked = st.form_submit_button("Generate shop", type="primary")
        if generate_clicked:
            bar = st.progress(0.0, text="Generating…")
            new = source.DataChoice(source.SOURCE_GENERATED, n_customers=int(n_customers), seed=int(seed))
            try:
                source.load_choice(new, progress=progress_callback(bar))
            except RecsysError as exc:
                st.error(f"The shop could not be generated: {plain_text(exc)}")
            else:
                bar.progress(1.0, text="Done")
                source.request_data_choice(new)
                st.rerun()

    with app_col:
        st.subheader("Append random invoices")
        st.caption(
            "New invoices that follow this data set's own behaviour (purchase rates, "
            "popular products, basket sizes, seasonality, new customers), written to this "
            "session's working copy on the server: further appends add to it, and the "
            "original file is never changed."
        )
        with st.form("append_form", border=False):
            n_invoices = st.number_input(
                "Invoices to add", min_value=1, max_value=200_000, value=500, step=100,
                key="data_append_invoices",
            )
            append_seed = st.number_input("Seed", min_value=0, value=0, step=1, key="data_append_seed")
            append_clicked = st.form_submit_button("Append invoices", type="primary")
        if append_clicked:
            bar = st.progress(0.0, text="Preparing a working copy…")
            try:
                from recsys.synth.append import append_random

                target, dataset_path = source.working_copy(choice)
                result = append_random(
                    target,
                    n_invoices=int(n_invoices),
                    seed=int(append_seed),
                    progress=progress_callback(bar),
                    dates=source.date_order(choice),
                )
            except RecsysError as exc:
                st.error(f"The invoices could not be appended: {plain_text(exc)}")
            else:
                bar.progress(1.0, text="Done")
                st.session_state[_APPEND_RESULT_KEY] = result
                copy = source.DataChoice(source.SOURCE_FILE, path=str(dataset_path))
                source.set_date_order(copy, source.date_order(choice))
                source.request_data_choice(copy)
                st.rerun()
        appended = st.session_state.get(_APPEND_RESULT_KEY)
        if appended is not None and choice.kind == source.SOURCE_FILE:
            st.success(
                f"Added {number(appended.invoices)} invoices ({number(appended.lines_added)} lines, "
                f"{number(appended.new_customers)} new customers) dated "
                f"{appended.first_date:%d %b %Y} to {appended.last_date:%d %b %Y}, "
                f"to the working copy {plain_text(appended.path.name)}. The sidebar now shows it."
            )

with download_tab:
    from recsys.export import to_csv_bytes

    st.caption(
        "CSV files in UTF-8 with a byte-order mark, so spreadsheets open them correctly; "
        "text that a spreadsheet would run as a formula is neutralised."
    )
    name = re.sub(r"[^a-z0-9]+", "-", choice.label.lower()).strip("-") or "shop"
    for title, frame, file_name in (
        ("Transactions", dataset.transactions, f"{name}-transactions.csv"),
        ("Products", dataset.products, f"{name}-products.csv"),
        ("Customers", dataset.customers, f"{name}-customers.csv"),
    ):
        st.download_button(
            f"Download {title.lower()} ({number(len(frame))} rows)",
            data=lambda frame=frame: to_csv_bytes(frame),
            file_name=file_name,
            mime="text/csv",
            icon=":material/download:",
        )
