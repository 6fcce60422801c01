"""The Data page's column-mapping form for an upload that matches no accepted layout.

The app proposes which column holds which field (:mod:`recsys.data.mapping`, through the
cached :func:`ui.cache.data.suggest_mapping`); the marketer confirms or changes it,
previews the cleaned lines and the cleaning report (nothing is replaced yet), then uses
the data or downloads the mapping to reuse it (beside the file, with any command or
``RECSYS_DATA``).
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from recsys.data import schema as S
from recsys.data.mapping import LINE_TOTAL, TRANSACTIONS, mapping_from_dict, table_fields
from recsys.errors import DataError
from ui import source
from ui.cache import data as cached
from ui.format import number, plain_text

NOT_IN_FILE = "— not in the file —"
FIELD_LABELS = {
    S.INVOICE_ID: "Invoice / order id",
    S.INVOICE_DATE: "Date of purchase",
    S.CUSTOMER_ID: "Customer id",
    S.PRODUCT_ID: "Product id (SKU)",
    S.DESCRIPTION: "Product description",
    S.QUANTITY: "Quantity (units)",
    S.UNIT_PRICE: "Unit price",
    LINE_TOTAL: "Line total (quantity × price)",
    S.COUNTRY: "Country",
    S.CATEGORY: "Category",
}
_PREVIEW_KEY = "_mapping_preview"
_SAVED_KEY = "mapping_saved_upload"
PREVIEW_ROWS = 20


def _widget_key(field: str) -> str:
    return f"mapping_field_{field}"


def mapping_form(name: str, data: bytes, message: str, *, column_config: dict | None = None) -> None:
    """Draw the mapping form, the preview and the buttons for the upload ``name``.

    ``message`` is why the file could not be read as it is (its first sentence is shown);
    ``column_config`` labels the preview's columns as the Data page's tables.
    """
    st.markdown(
        f"**{plain_text(name)}** matches no accepted layout (UCI Online Retail, Online Retail "
        "II, canonical, Shopify orders export)."
    )
    st.caption(plain_text(message.split(" Accepted layouts:")[0]))
    try:
        columns, proposed, reasons = cached.suggest_mapping(data, name)
    except DataError as exc:
        st.error(f"Its columns could not be read: {plain_text(exc)}")
        return
    st.markdown(
        "Choose which of its columns holds each field. The proposal comes from the columns' "
        "names and values; give **either** a unit price **or** a line total."
    )
    digest = cached.bytes_digest(data)
    if st.session_state.get("_mapping_for") != digest:
        for fld in table_fields(TRANSACTIONS):
            st.session_state[_widget_key(fld.name)] = proposed.get(fld.name, NOT_IN_FILE)
        st.session_state["_mapping_for"] = digest
    _apply_saved_mapping(columns)
    with st.form("mapping_form"):
        left, right = st.columns(2)
        chosen: dict[str, str] = {}
        for i, fld in enumerate(table_fields(TRANSACTIONS)):
            key = _widget_key(fld.name)
            why = reasons.get(fld.name)
            hint = {"name": "proposed from the column's name", "content": "proposed from the column's values"}
            label = FIELD_LABELS.get(fld.name, fld.name) + (" *" if fld.required else "")
            with left if i % 2 == 0 else right:
                value = st.selectbox(
                    label, [NOT_IN_FILE, *columns], key=key,
                    help=hint.get(why, "nothing in the file looked like it") + (
                        "; required" if fld.required else "; optional"),
                )  # fmt: skip
            if value != NOT_IN_FILE:
                chosen[fld.name] = value
        preview = st.form_submit_button("Preview the cleaned data", type="primary")
    mapping = {TRANSACTIONS: {"path": Path(name).name, "columns": chosen}}
    if preview:
        st.session_state[_PREVIEW_KEY] = (digest, json.dumps(mapping, indent=2))
    shown = st.session_state.get(_PREVIEW_KEY)
    if shown and shown[0] == digest:
        _preview(name, data, shown[1], column_config=column_config)


def _apply_saved_mapping(columns: list[str]) -> None:
    """Fill the form from a mapping file the marketer uploads (a mapping saved before)."""
    saved = st.file_uploader("Or start from a saved mapping (JSON)", type=["json"], key=_SAVED_KEY)
    if saved is None:
        return
    try:
        spec = mapping_from_dict(json.loads(saved.getvalue().decode("utf-8-sig")), label=saved.name)
    except (DataError, ValueError) as exc:
        st.error(f"{plain_text(saved.name)} could not be used: {plain_text(exc)}")
        return
    missing = [c for c in spec.tables[TRANSACTIONS].columns.values() if c not in columns]
    if missing:
        st.warning(f"The saved mapping names columns this file lacks: {plain_text(', '.join(missing))}.")
    for fld in table_fields(TRANSACTIONS):
        column = spec.tables[TRANSACTIONS].columns.get(fld.name)
        st.session_state[_widget_key(fld.name)] = column if column in columns else NOT_IN_FILE


def _preview(name: str, data: bytes, mapping: str, *, column_config: dict | None = None) -> None:
    """Show the cleaned lines and the cleaning report of ``mapping``; offer to use it."""
    st.subheader("Preview")
    try:
        dataset = cached.load_mapped_upload(data, name, mapping)
    except DataError as exc:
        st.error(f"This mapping does not fit the file: {plain_text(exc)}")
        return
    report = dataset.report
    st.caption(
        f"Nothing is replaced until you use the data. {number(report.kept_lines)} of "
        f"{number(report.raw_lines)} lines kept, {number(dataset.n_buyers)} customers, "
        f"{number(len(dataset.products))} products."
    )
    st.dataframe(
        dataset.transactions.head(PREVIEW_ROWS), hide_index=True, height=260, column_config=column_config
    )
    rules = report.as_frame()
    st.dataframe(
        rules[["label", "lines"]], hide_index=True,
        column_config={"label": st.column_config.TextColumn("Cleaning rule", width="large"),
                       "lines": st.column_config.NumberColumn("Lines", format="localized")},
    )  # fmt: skip
    for note in report.notes:
        st.caption(plain_text(note))
    use_col, save_col = st.columns(2)
    if use_col.button("Use this data", type="primary", key="mapping_use"):
        try:
            source.use_mapped_upload(data, name, mapping)
        except DataError as exc:
            st.error(plain_text(exc))
        else:
            st.session_state.pop(_PREVIEW_KEY, None)
            st.rerun()
    save_col.download_button(
        "Download the mapping", data=mapping.encode("utf-8"),
        file_name=f"{Path(name).stem}.mapping.json", mime="application/json",
        help="Save it beside the file: any command, RECSYS_DATA and a later upload can reuse it.",
    )  # fmt: skip
