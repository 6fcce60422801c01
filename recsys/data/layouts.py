"""The file layouts recsys accepts, and detection of a layout from a header.

A layout maps the column names of a published export onto the canonical names of
:mod:`recsys.data.schema`. Header names match case-insensitively and ignore spaces and
underscores, so ``Customer ID``, ``CustomerID`` and ``customer_id`` are one name.

Layouts
-------
``uci``
    UCI Online Retail: InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
    UnitPrice, CustomerID, Country.
``uci2``
    Online Retail II: Invoice, StockCode, Description, Quantity, InvoiceDate, Price,
    Customer ID, Country.
``canonical``
    One CSV of invoice lines: invoice_id, invoice_date, customer_id, product_id,
    description, quantity, unit_price, and optionally country, category.
``shopify``
    Shopify's orders export: Name, Email, Financial Status, Created at, Lineitem
    quantity, Lineitem name, Lineitem price, Lineitem sku, Billing Country, Cancelled
    at, Refunded Amount, … (see :mod:`recsys.data.shopify`).
``mapping``
    Any file, its columns named by a mapping file (see :mod:`recsys.data.mapping`);
    not detected from a header.
``canonical3``
    The canonical layout split in three files (transactions.csv, products.csv,
    customers.csv, and optionally reviews.csv); detected from a folder, not from a
    header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from recsys.data import schema as S
from recsys.errors import DataError


@dataclass(frozen=True)
class Layout:
    """One accepted file layout.

    Attributes
    ----------
    name : str
        Short name stored in the cleaning report (``"uci"``, ``"uci2"``, ``"canonical"``).
    label : str
        Human name used in messages.
    columns : tuple of (str, str)
        ``(published name, canonical name)`` pairs, in the published order.
    optional : frozenset of str
        Published names that may be absent.
    """

    name: str
    label: str
    columns: tuple[tuple[str, str], ...]
    optional: frozenset[str]

    @property
    def required(self) -> tuple[str, ...]:
        """Published names that must be present."""
        return tuple(c for c, _ in self.columns if c not in self.optional)

    def describe(self) -> str:
        """Return ``"label (col, col, ...)"`` with optional columns marked."""
        names = [f"{c} (optional)" if c in self.optional else c for c, _ in self.columns]
        return f"{self.label} ({', '.join(names)})"


UCI = Layout(
    name="uci",
    label="UCI Online Retail",
    columns=(
        ("InvoiceNo", S.INVOICE_ID),
        ("StockCode", S.PRODUCT_ID),
        ("Description", S.DESCRIPTION),
        ("Quantity", S.QUANTITY),
        ("InvoiceDate", S.INVOICE_DATE),
        ("UnitPrice", S.UNIT_PRICE),
        ("CustomerID", S.CUSTOMER_ID),
        ("Country", S.COUNTRY),
    ),
    optional=frozenset({"Description", "Country"}),
)

UCI2 = Layout(
    name="uci2",
    label="Online Retail II",
    columns=(
        ("Invoice", S.INVOICE_ID),
        ("StockCode", S.PRODUCT_ID),
        ("Description", S.DESCRIPTION),
        ("Quantity", S.QUANTITY),
        ("InvoiceDate", S.INVOICE_DATE),
        ("Price", S.UNIT_PRICE),
        ("Customer ID", S.CUSTOMER_ID),
        ("Country", S.COUNTRY),
    ),
    optional=frozenset({"Description", "Country"}),
)

CANONICAL = Layout(
    name="canonical",
    label="canonical",
    columns=tuple(
        (c, c)
        for c in (
            S.INVOICE_ID,
            S.INVOICE_DATE,
            S.CUSTOMER_ID,
            S.PRODUCT_ID,
            S.DESCRIPTION,
            S.QUANTITY,
            S.UNIT_PRICE,
            S.COUNTRY,
            S.CATEGORY,
        )
    ),
    optional=frozenset({S.DESCRIPTION, S.COUNTRY, S.CATEGORY}),
)

SHOPIFY = Layout(
    name="shopify",
    label="Shopify orders export",
    columns=(
        ("Name", S.INVOICE_ID),
        ("Email", S.CUSTOMER_ID),
        ("Financial Status", "financial_status"),
        ("Created at", S.INVOICE_DATE),
        ("Lineitem quantity", S.QUANTITY),
        ("Lineitem name", S.DESCRIPTION),
        ("Lineitem price", S.UNIT_PRICE),
        ("Lineitem sku", S.PRODUCT_ID),
        ("Billing Country", S.COUNTRY),
        ("Shipping Country", "shipping_country"),
        ("Cancelled at", "cancelled_at"),
        ("Refunded Amount", "refunded_amount"),
        ("Currency", "currency"),
    ),
    optional=frozenset(
        {"Email", "Financial Status", "Lineitem sku", "Billing Country", "Shipping Country",
         "Cancelled at", "Refunded Amount", "Currency"}
    ),
)
"""Shopify's orders export (one line per line item, order fields on an order's first
line); :mod:`recsys.data.shopify` turns it into invoice lines."""

LAYOUTS: tuple[Layout, ...] = (UCI, UCI2, CANONICAL, SHOPIFY)
"""Layouts detected from a header, in order of preference on a tie."""

LAYOUT_NAMES: dict[str, str] = {
    "uci": UCI.label,
    "uci2": UCI2.label,
    "canonical": "canonical (one CSV)",
    "canonical3": "canonical (transactions, products, customers CSVs)",
    "generated": "generated shop",
    "shopify": SHOPIFY.label,
    "mapping": "columns mapped by a mapping file",
}
"""Human name of every layout name a :class:`recsys.CleaningReport` may hold."""

PRODUCTS_COLUMNS = Layout(
    name="products",
    label="products.csv",
    columns=tuple((c, c) for c in S.PRODUCT_COLUMNS),
    optional=frozenset({S.DESCRIPTION, S.CATEGORY, S.UNIT_PRICE}),
)
CUSTOMERS_COLUMNS = Layout(
    name="customers",
    label="customers.csv",
    columns=tuple((c, c) for c in S.CUSTOMER_COLUMNS),
    optional=frozenset({S.COUNTRY, S.SIGNUP_DATE, S.AGE, S.GENDER}),
)
REVIEWS_COLUMNS = Layout(
    name="reviews",
    label="reviews.csv",
    columns=tuple((c, c) for c in S.REVIEW_COLUMNS),
    optional=frozenset({S.CUSTOMER_ID, S.TEXT, S.REVIEW_DATE}),
)


def header_key(name: object) -> str:
    """Return the matching key of a column name: lower case, no spaces or underscores."""
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


def accepted_layouts() -> str:
    """Return the one-line list of accepted layouts used in error messages."""
    return "Accepted layouts: " + ", ".join(layout.describe() for layout in LAYOUTS) + "."


def _matches(layout: Layout, keys: Mapping[str, str]) -> int:
    return sum(header_key(c) in keys for c, _ in layout.columns)


def detect_layout(header: Iterable[object], *, source: str = "the file") -> Layout:
    """Return the layout whose columns the header has, or raise :class:`DataError`.

    Parameters
    ----------
    header : iterable of str
        Column names as read (any case, spaces or underscores).
    source : str
        How to name the file in a message.

    Raises
    ------
    DataError
        When no layout matches: the message names the missing columns of the closest
        layout and lists every accepted layout.
    """
    keys = {header_key(c): str(c) for c in header}
    best = max(LAYOUTS, key=lambda layout: _matches(layout, keys))
    score = _matches(best, keys)
    missing = [c for c in best.required if header_key(c) not in keys]
    if score < 3:
        shown = ", ".join(str(c) for c in list(keys.values())[:10]) or "(none)"
        raise DataError(
            f"{source} is not a table of invoice lines: its header has columns {shown}. "
            f"Export the invoice lines with the column names of one layout. {accepted_layouts()}"
        )
    if missing:
        raise DataError(
            f"{source} looks like the {best.label} layout but has missing columns: "
            f"{', '.join(missing)}. Add them, or rename the columns that hold them. "
            f"{accepted_layouts()}"
        )
    return best


def rename_map(
    layout: Layout, header: Iterable[object], *, source: str = "the file"
) -> dict[str, str]:
    """Return ``{column as read: canonical name}`` for the layout's columns in ``header``.

    Columns the layout does not know are left out (they are not read).

    Raises
    ------
    DataError
        When two columns of ``header`` are one column of the layout (``Quantity`` twice,
        or ``CustomerID`` and ``Customer ID``; pandas names an Excel sheet's second
        ``Quantity`` ``Quantity.1``): which one holds the data cannot be known.
    """
    wanted = {header_key(c): canonical for c, canonical in layout.columns}
    names = [str(col) for col in header]
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for position, col in enumerate(names, start=1):
        key = header_key(col)
        canonical = wanted.get(key)
        mangled = re.fullmatch(r"(.+)\.\d+", col)
        if canonical is None and mangled and wanted.get(header_key(mangled.group(1))) in seen:
            canonical = wanted[header_key(mangled.group(1))]
        if canonical is None:
            continue
        if canonical in seen:
            first = seen[canonical]
            raise DataError(
                f"{source} has the column {names[first - 1]} twice (columns {first} and "
                f"{position}, {col!r}): which one holds the data cannot be told; delete or "
                "rename one of them and load the file again."
            )
        seen[canonical] = position
        out[col] = canonical
    return out


def check_columns(layout: Layout, header: Iterable[object], *, source: str) -> dict[str, str]:
    """Return :func:`rename_map` after checking the layout's required columns are present."""
    keys = {header_key(c) for c in header}
    missing = [c for c in layout.required if header_key(c) not in keys]
    if missing:
        raise DataError(
            f"{source} has missing columns: {', '.join(missing)}. Expected {layout.describe()}."
        )
    return rename_map(layout, header, source=source)
