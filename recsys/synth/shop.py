"""A seeded generator of a realistic online shop, and its writer.

``generate_shop`` draws a product catalogue (:mod:`recsys.synth.catalog`), customers
with demographics and planted behavioural segments (:mod:`recsys.synth.customers`)
and a year or more of invoices with seasonality, bundles and cancellations
(:mod:`recsys.synth.invoices`). Each part draws from its own random stream
(``SeedSequence(seed).spawn``), so changing the number of products does not reshuffle
the customers, and the customers who registered but never buy (a few per cent) do not
change the buyers. ``write_shop`` writes the result as canonical CSVs (with the planted
truth beside them) or as one UCI Online Retail CSV; the same seed gives the same bytes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from recsys.data import schema as S
from recsys.data.dataset import Dataset
from recsys.errors import ParameterError
from recsys.synth.catalog import make_products, pick_bundles
from recsys.synth.customers import (
    FIRST_CUSTOMER_ID,
    NO_PURCHASE_SEGMENT,
    NO_PURCHASE_SHARE,
    SEGMENT_NAMES,
    make_customers,
    make_registered,
)
from recsys.synth.demographics import add_demographics
from recsys.synth.invoices import simulate
from recsys.synth.reviews import THEME, GeneratedReviews, empty_generated_reviews, make_reviews

PLANTED_SEGMENT = "planted_segment"
BUNDLE_ID = "bundle_id"
PRICE_FORMAT = "%.2f"

UCI_COLUMNS: dict[str, str] = {
    S.INVOICE_ID: "InvoiceNo",
    S.PRODUCT_ID: "StockCode",
    S.DESCRIPTION: "Description",
    S.QUANTITY: "Quantity",
    S.INVOICE_DATE: "InvoiceDate",
    S.UNIT_PRICE: "UnitPrice",
    S.CUSTOMER_ID: "CustomerID",
    S.COUNTRY: "Country",
}
"""Canonical column -> UCI Online Retail column, in the UCI file's order."""

CANONICAL_FILES = ("transactions.csv", "products.csv", "customers.csv", "reviews.csv",
                   "ground_truth.csv", "bundles.csv", "poor_products.csv")
UCI_FILE = "online_retail.csv"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class GeneratedShop:
    """A generated shop: raw tables plus the structure planted in them.

    Attributes
    ----------
    transactions : DataFrame
        Raw invoice lines in invoice order: ``invoice_id`` (str; cancellations start
        with "C"), ``invoice_date`` (datetime64[ns]), ``customer_id`` (str, <NA> for
        guest checkouts), ``product_id``, ``description``, ``quantity`` (int, negative
        on cancellations), ``unit_price`` (float, £), ``country``, ``category``.
    products : DataFrame
        ``product_id``, ``description``, ``category``, ``unit_price`` (list price, £).
    customers : DataFrame
        ``customer_id``, ``country``, ``signup_date`` (datetime64[ns]), ``age`` (years),
        ``gender`` ("F" or "M"), ``income`` (a band such as "50-74K"), ``household``
        (people, "1" to "5+"): the buyers, then the customers who registered but have
        no line (higher ids).
    ground_truth : DataFrame
        ``customer_id``, ``planted_segment`` (str, e.g. "Loyal high spenders"; the
        customers without lines have ``"Registered, no purchase"``), in the order of
        ``customers``.
    bundles : tuple of tuple of str
        Planted co-purchase bundles (product ids bought together far above chance).
    reviews : GeneratedReviews
        Reviews by buyers after their purchase (``reviews``: ``customer_id``,
        ``product_id``, ``rating``, ``text``, ``review_date``) and the products planted
        as poorly rated with their complaint theme (``poor_products``).
    """

    transactions: pd.DataFrame
    products: pd.DataFrame
    customers: pd.DataFrame
    ground_truth: pd.DataFrame
    bundles: tuple[tuple[str, ...], ...]
    reviews: GeneratedReviews = field(default_factory=empty_generated_reviews)

    def to_dataset(self) -> Dataset:
        """Return the shop cleaned into a :class:`recsys.Dataset` (layout "generated")."""
        from recsys.data.cleaning import clean

        return clean(
            self.transactions, layout="generated", products=self.products,
            customers=self.customers, reviews=self.reviews.reviews,
        )

    def bundles_frame(self) -> pd.DataFrame:
        """Return the bundles as rows ``bundle_id`` (1, 2, ...), ``product_id``, ``description``."""
        desc = self.products.set_index(S.PRODUCT_ID)[S.DESCRIPTION]
        rows = [(i, pid, desc[pid]) for i, b in enumerate(self.bundles, 1) for pid in b]
        return pd.DataFrame(rows, columns=[BUNDLE_ID, S.PRODUCT_ID, S.DESCRIPTION])


def generate_shop(
    *,
    n_customers: int = 2000,
    n_products: int = 400,
    start: str | pd.Timestamp = "2011-01-01",
    months: int = 12,
    seed: int = 0,
    no_purchase_share: float = NO_PURCHASE_SHARE,
    progress: Progress | None = None,
) -> GeneratedShop:
    """Generate a realistic random shop.

    Parameters
    ----------
    n_customers : int, default 2000
        Customers who buy (each places at least one invoice); about 50 lines per
        customer.
    n_products : int, default 400
        Products in the catalogue (at least 20).
    start : str or Timestamp, default "2011-01-01"
        First day of the period.
    months : int, default 12
        Length of the period in months.
    seed : int, default 0
        Seed of all randomness: the same seed gives identical tables.
    no_purchase_share : float, default 0.04
        Share of all registered customers (the customers table) who never buy: about
        ``n_customers * share / (1 - share)`` of them are added, with demographics and
        no line, drawn from their own stream (the buyers stay the same).
    progress : callable, optional
        Called as ``progress(fraction_done, message)`` between steps.

    Returns
    -------
    GeneratedShop
    """
    if months < 1:
        raise ParameterError(f"months must be at least 1; got {months}")
    if not 0.0 <= no_purchase_share < 1.0:
        raise ParameterError(f"no_purchase_share must be in [0, 1); got {no_purchase_share}")
    start = pd.Timestamp(start).normalize()
    n_days = int((start + pd.DateOffset(months=months) - start).days)
    report = progress or (lambda fraction, message: None)
    # spawn(7)[:4] equals spawn(4): streams added later (customers who never buy, their
    # demographics, reviews) leave the others as they were
    products_ss, customers_ss, invoices_ss, bundles_ss, registered_ss, demo_ss, reviews_ss = (
        np.random.SeedSequence(seed).spawn(7))

    report(0.0, "products")
    products = make_products(n_products, rng=np.random.default_rng(products_ss))
    bundles = pick_bundles(products, rng=np.random.default_rng(bundles_ss))
    report(0.1, "customers")
    draw = make_customers(
        n_customers, start=start, n_days=n_days, rng=np.random.default_rng(customers_ss)
    )
    report(0.2, "invoices")
    transactions = simulate(
        draw, products, bundles, start=start, n_days=n_days,
        rng=np.random.default_rng(invoices_ss),
    )
    n_registered = int(round(n_customers * no_purchase_share / (1.0 - no_purchase_share)))
    registered = make_registered(
        n_registered, first_id=FIRST_CUSTOMER_ID + n_customers, start=start, n_days=n_days,
        rng=np.random.default_rng(registered_ss),
    )
    # buyers and registered-only customers draw their bands apart, so that adding the
    # latter does not change the former
    buyers_ss, others_ss = demo_ss.spawn(2)
    customers = pd.concat([
        add_demographics(draw.customers, draw.segment, rng=np.random.default_rng(buyers_ss)),
        add_demographics(registered, np.full(n_registered, -1),
                         rng=np.random.default_rng(others_ss)),
    ], ignore_index=True)
    report(0.8, "reviews")
    reviews = make_reviews(
        transactions, products, draw.affinity, draw.customers[S.CUSTOMER_ID],
        end=start + pd.Timedelta(days=n_days), rng=np.random.default_rng(reviews_ss),
    )
    ground_truth = pd.DataFrame(
        {
            S.CUSTOMER_ID: customers[S.CUSTOMER_ID],
            PLANTED_SEGMENT: np.concatenate(
                [np.array(SEGMENT_NAMES)[draw.segment], np.full(n_registered, NO_PURCHASE_SEGMENT)]
            ),
        }
    )
    report(1.0, "done")
    return GeneratedShop(
        transactions=transactions,
        products=products.drop(columns="popularity"),
        customers=customers,
        ground_truth=ground_truth,
        bundles=bundles,
        reviews=reviews,
    )


def write_shop(
    shop: GeneratedShop, out_dir: str | os.PathLike, *, layout: str = "canonical"
) -> list[Path]:
    """Write ``shop`` to ``out_dir`` (created if missing) and return the paths written.

    Parameters
    ----------
    layout : {"canonical", "uci"}
        "canonical": ``transactions.csv`` (invoice_id, invoice_date, customer_id,
        product_id, description, quantity, unit_price, country, category),
        ``products.csv``, ``customers.csv``, ``reviews.csv`` (customer_id, product_id,
        rating, text, review_date), ``ground_truth.csv`` (customer_id,
        planted_segment), ``bundles.csv`` (bundle_id, product_id, description) and
        ``poor_products.csv`` (product_id, theme: the planted poorly rated products).
        "uci": ``online_retail.csv`` in the UCI Online Retail layout (InvoiceNo,
        StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country),
        plus ``ground_truth.csv`` and ``bundles.csv``.

    Every file is UTF-8 with "\\n" line ends, ISO dates and two-decimal prices, written
    to a temporary file and moved into place, so the same shop gives the same bytes.
    """
    if layout not in ("canonical", "uci"):
        raise ParameterError(f"layout must be 'canonical' or 'uci'; got {layout!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str, pd.DataFrame]] = []
    if layout == "canonical":
        tx_cols = [S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID, S.DESCRIPTION,
                   S.QUANTITY, S.UNIT_PRICE, S.COUNTRY, S.CATEGORY]
        files += [
            ("transactions.csv", shop.transactions[tx_cols]),
            ("products.csv", shop.products),
            ("customers.csv", shop.customers),
            ("reviews.csv", shop.reviews.reviews),
        ]
    else:
        uci = shop.transactions[list(UCI_COLUMNS)].rename(columns=UCI_COLUMNS)
        files.append((UCI_FILE, uci))
    files += [("ground_truth.csv", shop.ground_truth), ("bundles.csv", shop.bundles_frame()),
              ("poor_products.csv", shop.reviews.poor_products[[S.PRODUCT_ID, THEME]])]
    written = []
    for name, frame in files:
        written.append(_write_csv(frame, out / name))
    return written


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV text through a temporary file (every value formatted here)."""
    text = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            text[col] = _format_unique(values, _iso_dates(day_only=path.name == "customers.csv"))
        elif pd.api.types.is_float_dtype(values):
            text[col] = _format_unique(values, lambda u: np.char.mod(PRICE_FORMAT, u))
        else:
            text[col] = values
    table = pa.Table.from_pandas(pd.DataFrame(text), preserve_index=False)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        try:
            with open(tmp, "wb") as fh:
                fh.write((",".join(map(str, frame.columns)) + "\n").encode())
                options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
                pa_csv.write_csv(table, fh, options)
        except pa.ArrowInvalid:
            # A value needs quoting (a comma or quote in a description): slower writer.
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                pd.DataFrame(text).to_csv(fh, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _iso_dates(*, day_only: bool) -> Callable[[np.ndarray], np.ndarray]:
    unit = "D" if day_only else "s"

    def fmt(values: np.ndarray) -> np.ndarray:
        text = np.datetime_as_string(values.astype(f"datetime64[{unit}]"), unit=unit)
        return np.char.replace(text, "T", " ")

    return fmt


def _format_unique(values: pd.Series, fmt: Callable[[np.ndarray], np.ndarray]) -> pd.Series:
    """Format each distinct value once (fast on big frames); missing values become ""."""
    codes, uniques = pd.factorize(values)
    text = np.append(fmt(np.asarray(uniques)).astype(object), "")
    return pd.Series(text[codes], index=values.index, dtype=object)
