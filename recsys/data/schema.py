"""Column names and dtypes of the canonical tables.

This module is the one place that names columns. Every other module refers to them
through these constants, so a rename happens here and nowhere else. Human-readable
labels belong to the UI layer, not here.

Canonical tables
----------------
transactions
    One row per invoice line: ``invoice_id`` (str), ``invoice_date`` (datetime64[ns]),
    ``customer_id`` (str, may be missing), ``product_id`` (str), ``quantity`` (int64),
    ``unit_price`` (float64), ``country`` (str, optional). Revenue of a line is
    ``quantity * unit_price``.
products
    ``product_id`` (str), ``description`` (str), ``category`` (str, optional),
    ``unit_price`` (float64, optional: the median price paid).
customers
    ``customer_id`` (str) and, where known, ``country``, ``signup_date``, ``age``,
    ``gender``, ``income``, ``household``, ``region``.
reviews
    One row per review: ``customer_id`` (str, may be missing), ``product_id`` (str),
    ``rating`` (float64, on the shop's scale, 1-5 by default), ``text`` (str, may be
    missing), ``review_date`` (datetime64[ns], may be missing). See
    :mod:`recsys.data.reviews`.
"""

from __future__ import annotations

INVOICE_ID = "invoice_id"
INVOICE_DATE = "invoice_date"
CUSTOMER_ID = "customer_id"
PRODUCT_ID = "product_id"
QUANTITY = "quantity"
UNIT_PRICE = "unit_price"
COUNTRY = "country"
DESCRIPTION = "description"
CATEGORY = "category"
REVENUE = "revenue"

SEGMENT = "segment"
SEGMENT_NAME = "segment_name"
"""Columns of a segment assignment: the segment number (1 = highest spend) and its name."""

RANK = "rank"
SCORE = "score"
REASON = "reason"
"""Columns of a recommendation list: ``customer_id, product_id, score, rank`` (+ ``reason``)."""

SIGNUP_DATE = "signup_date"
AGE = "age"
GENDER = "gender"
INCOME = "income"
HOUSEHOLD = "household"
REGION = "region"
"""Customer attributes: numbers or bands ("45-54", "50-74K"); see
:mod:`recsys.data.bands` for how bands are ordered."""

RATING = "rating"
TEXT = "text"
REVIEW_DATE = "review_date"
REVIEW_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, PRODUCT_ID, RATING, TEXT, REVIEW_DATE)
"""Columns of the canonical reviews table, in order (``text``, ``review_date`` optional)."""

TRANSACTION_COLUMNS: tuple[str, ...] = (
    INVOICE_ID,
    INVOICE_DATE,
    CUSTOMER_ID,
    PRODUCT_ID,
    QUANTITY,
    UNIT_PRICE,
    COUNTRY,
)
"""Columns of the canonical transactions table, in order (``country`` optional)."""

REQUIRED_TRANSACTION_COLUMNS: tuple[str, ...] = (
    INVOICE_ID,
    INVOICE_DATE,
    CUSTOMER_ID,
    PRODUCT_ID,
    QUANTITY,
    UNIT_PRICE,
)

PRODUCT_COLUMNS: tuple[str, ...] = (PRODUCT_ID, DESCRIPTION, CATEGORY, UNIT_PRICE)
CUSTOMER_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, COUNTRY, SIGNUP_DATE, AGE, GENDER)

TRANSACTION_DTYPES: dict[str, str] = {
    INVOICE_ID: "string",
    CUSTOMER_ID: "string",
    PRODUCT_ID: "string",
    QUANTITY: "int64",
    UNIT_PRICE: "float64",
    COUNTRY: "string",
}
"""Dtypes of the transactions columns other than ``invoice_date`` (datetime64[ns])."""

CANCELLATION_PREFIX = "C"
"""Invoice ids of cancellations start with this letter in the UCI layouts."""

MISSING_CATEGORY = "Uncategorised"
