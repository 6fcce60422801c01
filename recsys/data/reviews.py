"""The reviews table: one row per review, validated against the shop's products.

A shop's reviews come as a ``reviews.csv`` beside the canonical ``transactions.csv`` (or
as the ``reviews`` section of a mapping file, whose columns are renamed to the canonical
names before they reach :func:`normalise_reviews`). Ratings must be numbers on a stated
scale (1-5 by default): a rating that is no number or lies off the scale stops the import
with a :class:`recsys.errors.DataError` that names the column and the first bad value, since
a wrong scale would silently turn praise into complaints. Reviews of products the shop
does not sell cannot be shown anywhere and are left out, counted; reviews by customers
who are not in the data are kept (a product's rating does not need the reviewer's
purchases), counted too.

Columns (constants in :mod:`recsys.data.schema`)
------------------------------------------------
``customer_id`` (string, may be missing), ``product_id`` (string), ``rating`` (float64,
on the scale), ``text`` (string, may be missing), ``review_date`` (datetime64[ns], may
be missing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import parsing
from recsys.data import schema as S
from recsys.data.sniff import read_dates
from recsys.errors import DataError

REVIEWS_FILE = "reviews.csv"
RATING_SCALE: tuple[float, float] = (1.0, 5.0)
"""The default rating scale (lowest, highest): stars out of five."""

REQUIRED_REVIEW_COLUMNS: tuple[str, ...] = (S.PRODUCT_ID, S.RATING)
"""A review needs a product and a rating; the reviewer, text and date are optional."""

REVIEW_DTYPES: dict[str, str] = {
    S.CUSTOMER_ID: "string",
    S.PRODUCT_ID: "string",
    S.RATING: "float64",
    S.TEXT: "string",
    S.REVIEW_DATE: "datetime64[ns]",
}

_RATING_TEXT = re.compile(
    r"^\s*(\d+(?:[.,]\d+)?)\s*(?:/\s*(\d+(?:[.,]\d+)?)|stars?|★+)?\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class ReviewReport:
    """What normalising a reviews table did.

    Attributes
    ----------
    rows : int
        Rows read.
    kept : int
        Reviews in the table returned.
    unknown_products : int
        Reviews left out because their product is not in the shop's catalogue.
    unknown_customers : int
        Reviews kept whose reviewer is not a known customer.
    duplicates : int
        Reviews left out because the same customer reviewed the same product again
        (the latest review is kept).
    first_unknown_product : str or None
        The first such product id, for the note.
    """

    rows: int = 0
    kept: int = 0
    unknown_products: int = 0
    unknown_customers: int = 0
    duplicates: int = 0
    first_unknown_product: str | None = None

    def notes(self, *, label: str = REVIEWS_FILE) -> tuple[str, ...]:
        """One sentence per finding, for the cleaning report (empty when all is well)."""
        out = []
        if self.unknown_products:
            out.append(
                f"{label}: left out {counted(self.unknown_products, 'review')} of products "
                f"not in the catalogue (first: {self.first_unknown_product!r})."
            )
        if self.unknown_customers:
            out.append(
                f"{label}: kept {counted(self.unknown_customers, 'review')} by reviewers who "
                "are not customers of the data (they count for the product's rating only)."
            )
        if self.duplicates:
            out.append(
                f"{label}: left out {counted(self.duplicates, 'earlier review')} of a product "
                "by the same customer (the latest one counts)."
            )
        return tuple(out)


def empty_reviews() -> pd.DataFrame:
    """Return a reviews table without rows (the reviews of a shop that has none)."""
    return pd.DataFrame({col: pd.Series(dtype=REVIEW_DTYPES[col]) for col in S.REVIEW_COLUMNS})


def normalise_reviews(
    frame: pd.DataFrame,
    *,
    products: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    scale: tuple[float, float] = RATING_SCALE,
    label: str = REVIEWS_FILE,
    columns: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, ReviewReport]:
    """Validate a reviews table and return it in canonical form, with what was done.

    Parameters
    ----------
    frame : DataFrame
        Reviews with canonical column names: ``product_id``, ``rating`` and optionally
        ``customer_id``, ``text``, ``review_date``; other columns are dropped. Values
        may be text or numbers (``4``, ``"4.5"``, ``"4/5"``, ``"4 stars"``). Not modified.
    products : DataFrame, optional
        The shop's products (``product_id``): reviews of other products are left out.
    customers : DataFrame, optional
        The shop's customers (``customer_id``): reviews by others are counted.
    scale : (float, float), default (1, 5)
        Lowest and highest rating. A rating outside it is an error.
    label : str, default "reviews.csv"
        The file's name, for messages.
    columns : mapping of str to str, optional
        ``{canonical name: the file's column name}``, so that messages name the column
        the user sees (a mapping file's ``"rating": "stars"``).

    Returns
    -------
    reviews : DataFrame
        ``customer_id``, ``product_id``, ``rating``, ``text``, ``review_date`` (dtypes as
        in :data:`REVIEW_DTYPES`), in the input's order.
    report : ReviewReport

    Raises
    ------
    DataError
        When ``product_id`` or ``rating`` is missing, a rating is no number or lies off
        the scale, a date cannot be read, or a row has no product id; the message names
        the column, the first bad value and what to do.
    """
    columns = dict(columns or {})

    def name(col: str) -> str:
        return columns.get(col, col)

    low, high = _check_scale(scale)
    missing = [c for c in REQUIRED_REVIEW_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"{label}: missing columns {', '.join(name(c) for c in missing)}; found "
            f"{', '.join(map(str, frame.columns)) or 'none'}. A reviews table needs a "
            "product id and a rating (customer id, text and date are optional)."
        )
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    customer = frame[S.CUSTOMER_ID] if S.CUSTOMER_ID in frame.columns else None
    out[S.CUSTOMER_ID] = (parsing.text_ids(customer.reset_index(drop=True)) if customer is not None
                          else pd.Series(pd.NA, index=out.index, dtype="string"))
    out[S.PRODUCT_ID] = parsing.text_ids(frame[S.PRODUCT_ID].reset_index(drop=True), upper=True)
    no_product = out[S.PRODUCT_ID].isna().to_numpy()
    if no_product.any():
        row = int(np.argmax(no_product))
        raise DataError(
            f"{label}: column {name(S.PRODUCT_ID)!r} is empty on row {row + 2:,} (the first of "
            f"{counted(int(no_product.sum()), 'row')} without a product): every review "
            "must name the product it is about."
        )
    out[S.RATING] = ratings(frame[S.RATING].reset_index(drop=True), scale=(low, high),
                            label=label, column=name(S.RATING))
    text = frame[S.TEXT].reset_index(drop=True) if S.TEXT in frame.columns else None
    out[S.TEXT] = (parsing.plain_text(text.astype("string")) if text is not None
                   else pd.Series(pd.NA, index=out.index, dtype="string"))
    out[S.REVIEW_DATE] = _review_dates(frame, label=label, column=name(S.REVIEW_DATE))
    out = out.astype(REVIEW_DTYPES)

    report = {"rows": len(frame)}
    if products is not None and S.PRODUCT_ID in products.columns:
        known = out[S.PRODUCT_ID].isin(products[S.PRODUCT_ID].astype("string")).to_numpy()
        if (~known).any():
            report["unknown_products"] = int((~known).sum())
            report["first_unknown_product"] = str(out[S.PRODUCT_ID].to_numpy()[~known][0])
        out = out[known]
    out = _latest_per_customer(out, report)
    if customers is not None and S.CUSTOMER_ID in customers.columns:
        given = out[S.CUSTOMER_ID].notna()
        strangers = given & ~out[S.CUSTOMER_ID].isin(customers[S.CUSTOMER_ID].astype("string"))
        report["unknown_customers"] = int(strangers.sum())
    out = out.reset_index(drop=True)
    return out, ReviewReport(kept=len(out), **report)


def ratings(
    values: pd.Series, *, scale: tuple[float, float] = RATING_SCALE, label: str = REVIEWS_FILE,
    column: str = S.RATING,
) -> pd.Series:
    """Return ratings as float64, refusing the first value that is no rating on ``scale``.

    ``4``, ``4.5``, ``"4,5"``, ``"4/5"`` (the denominator must be the scale's top) and
    ``"4 stars"`` are read; a blank rating is an error too (a review without one cannot
    count for a product's rating).

    Raises
    ------
    DataError
        Naming ``column`` of ``label``, the first bad value, its row and the scale.
    """
    low, high = _check_scale(scale)
    values = values.reset_index(drop=True)
    if values.dtype.kind in "iufb":
        read = values.astype("float64")
    else:
        codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
        parsed = np.array([_one_rating(str(u), high) for u in uniques], dtype=np.float64)
        read = pd.Series(np.append(parsed, np.nan)[np.where(codes < 0, len(parsed), codes)])
    bad = (read.isna() | (read < low) | (read > high)).to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        value = values.iloc[row]
        shown = "an empty value" if pd.isna(value) or not str(value).strip() else repr(str(value))
        raise DataError(
            f"{label}: column {column!r} has {shown} on row {row + 2:,} (the first of "
            f"{counted(int(bad.sum()), 'bad rating')}): ratings must be numbers from "
            f"{_num(low)} to {_num(high)}. Check that the right column is mapped to the "
            "rating, or state the shop's scale (for example 1 to 10)."
        )
    return read.astype("float64")


def _one_rating(text: str, high: float) -> float:
    match = _RATING_TEXT.match(text)
    if not match:
        return np.nan
    value = float(match.group(1).replace(",", "."))
    if match.group(2) is not None and float(match.group(2).replace(",", ".")) != high:
        return np.nan
    return value


def _check_scale(scale: tuple[float, float]) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in scale)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"the rating scale must be two numbers (lowest, highest), got {scale!r}"
        ) from exc
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise DataError(
            f"the rating scale must go from a lower to a higher number, got {_num(low)} to "
            f"{_num(high)}: for stars out of five use 1 to 5."
        )
    return low, high


def counted(n: int, noun: str) -> str:
    """``"1 review"``, ``"2,345 reviews"`` (as :func:`recsys.data.reading.counted`, which
    this module cannot import: the Dataset imports this module)."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _num(value: float) -> str:
    return f"{value:g}"


def _review_dates(frame: pd.DataFrame, *, label: str, column: str) -> pd.Series:
    if S.REVIEW_DATE not in frame.columns:
        return pd.Series(pd.NaT, index=pd.RangeIndex(len(frame)), dtype="datetime64[ns]")
    reading = read_dates(frame[S.REVIEW_DATE].reset_index(drop=True))
    if reading.unreadable:
        raise DataError(
            f"{label}: column {column!r} has a date that cannot be read: "
            f"{reading.first_unreadable!r} (the first of "
            f"{counted(reading.unreadable, 'unreadable date')}). Write dates like 2011-12-09, "
            "or leave the column out."
        )
    return reading.values


def _latest_per_customer(reviews: pd.DataFrame, report: dict) -> pd.DataFrame:
    """Keep one review per (customer, product): the latest (the last row on a tie)."""
    named = reviews[S.CUSTOMER_ID].notna()
    if not named.any():
        return reviews
    order = reviews.assign(_row=np.arange(len(reviews)))
    ranked = order[named].sort_values([S.REVIEW_DATE, "_row"], na_position="first", kind="stable")
    last = ranked.drop_duplicates([S.CUSTOMER_ID, S.PRODUCT_ID], keep="last")["_row"]
    keep = ~named.to_numpy()
    keep[last.to_numpy()] = True
    dropped = int(len(reviews) - keep.sum())
    if dropped:
        report["duplicates"] = dropped
    return reviews[keep]
