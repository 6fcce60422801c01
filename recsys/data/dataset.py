"""The :class:`Dataset`: cleaned canonical tables plus the report of how they were cleaned.

Every analysis step takes a :class:`Dataset` (or one of its tables) and is a pure
function of it; the ``fingerprint`` identifies its whole content, so caches key on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.reviews import empty_reviews


@dataclass(frozen=True)
class SourceInfo:
    """Where raw lines came from, for messages that name what the user sees.

    Attributes
    ----------
    label : str
        The file's name (``"online_retail.csv"``).
    columns : dict of str to str
        ``{canonical name: the file's column name}`` (``{"quantity": "Quantity"}``).
    delimiter : str or None
        The field separator of a CSV file (None for Excel and Parquet); it decides how
        a number like ``1,250`` is read when nothing in its column proves it.
    detail : str
        How the file is written, in words (``"UTF-8 text, separator comma"``).
    notes : tuple of str
        What reading the file repaired before its columns were read (stray carriage
        returns), for the cleaning report.
    """

    label: str = "the file"
    columns: Mapping[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    detail: str = ""
    notes: tuple[str, ...] = ()

    def column(self, canonical: str) -> str:
        """The file's name of a canonical column (the canonical name if unknown)."""
        return self.columns.get(canonical, canonical)


@dataclass(frozen=True)
class CleaningReport:
    """What cleaning did to a raw file, rule by rule.

    Attributes
    ----------
    layout : str
        The detected layout: ``"uci"``, ``"uci2"``, ``"canonical"``, ``"canonical3"``
        or ``"generated"``.
    raw_lines : int
        Lines read from the source, before any rule.
    removed : tuple of (str, int)
        Lines removed (or set aside) per rule, in the order the rules ran. Rule names
        are the keys of :data:`RULE_LABELS`.
    kept_lines : int
        Lines in ``Dataset.transactions`` (including lines without a customer).
    lines_without_customer : int
        Kept lines that have no customer id: used for product views, left out of
        customer views.
    notes : tuple of str
        What reading the file repaired, chose or could not read, one sentence each, in
        the file's column names (an ambiguous date order and the other reading, thousands
        separators, ids repaired, the first unreadable value of a column).
    date_order : str
        ``"day-first"`` or ``"month-first"`` when the dates are written day/month
        (``05/12/2011``), ``""`` otherwise.
    dates_ambiguous : bool
        Whether no date proved that order (every day and month is 12 or less): the order
        was chosen, and the user may choose the other.
    date_alternative : tuple of str
        When ambiguous, the first and last date (``"2010-01-12"``, ``"2010-09-12"``) the
        other order would give; ``()`` otherwise.
    date_column : str
        The file's name of the date column (``"InvoiceDate"``), for messages.
    date_range : tuple of str
        The first and last date read (``YYYY-MM-DD``), before cleaning; ``()`` if none.
    """

    layout: str
    raw_lines: int
    removed: tuple[tuple[str, int], ...]
    kept_lines: int
    lines_without_customer: int
    notes: tuple[str, ...] = ()
    date_order: str = ""
    dates_ambiguous: bool = False
    date_alternative: tuple[str, ...] = ()
    date_column: str = ""
    date_range: tuple[str, ...] = ()

    def ambiguous_dates_note(self) -> str:
        """One sentence on an ambiguous date order: the reading chosen and the other one
        (``""`` when the order was proven or there are no day/month dates)."""
        if not (self.dates_ambiguous and self.date_alternative and self.date_range):
            return ""
        other = "month-first" if self.date_order == "day-first" else "day-first"
        first, last = (pd.Timestamp(d) for d in self.date_range)
        alt_first, alt_last = (pd.Timestamp(d) for d in self.date_alternative)
        return (
            f"{self.date_column or 'dates'}: no date shows whether the day or the month comes "
            f"first (no number over 12); read {self.date_order}, {first:%d %b %Y} to "
            f"{last:%d %b %Y}. Read {other} they would run {alt_first:%d %b %Y} to "
            f"{alt_last:%d %b %Y}: choose {other} if that is right."
        )

    def as_frame(self) -> pd.DataFrame:
        """Return the report as a table with columns ``rule``, ``label``, ``lines``."""
        rows = [(rule, RULE_LABELS.get(rule, rule), n) for rule, n in self.removed]
        return pd.DataFrame(rows, columns=["rule", "label", "lines"])


RULE_LABELS: dict[str, str] = {
    "unparseable": "Lines whose date, quantity or price could not be read",
    "cancellation": "Cancellations (invoice id starting with C)",
    "non_positive_quantity": "Non-positive quantity",
    "non_positive_price": "Non-positive unit price",
    "non_product": "Non-product codes (postage, fees, adjustments, samples)",
    "duplicate": "Exact duplicate lines",
    "missing_customer": "Lines without a customer (kept for product views only)",
}
"""Plain-language label of each cleaning rule, for reports."""


@dataclass(frozen=True)
class Dataset:
    """Cleaned canonical tables of one shop (see :mod:`recsys.data.schema` for columns).

    Attributes
    ----------
    transactions : DataFrame
        Clean invoice lines, columns :data:`recsys.data.schema.TRANSACTION_COLUMNS`; lines
        without a customer are kept (``customer_id`` is ``<NA>``).
    products : DataFrame
        One row per product: ``product_id``, ``description`` (the most frequent one),
        ``category`` (``<NA>`` where unknown), ``unit_price`` (median paid).
    customers : DataFrame
        One row per known customer: every customer with a clean line and every
        customer of the source's customers file, also those without any purchase
        (registered, never bought), so cold-start recommendations can use what is known
        of them. Columns ``customer_id``, ``country`` and any demographics the source
        has (``signup_date``, ``age``, ``gender``). Its length is not the number of
        buyers: use :attr:`n_buyers` for that.
    cancellations : DataFrame
        Cancellation lines set aside by cleaning (same columns as ``transactions``,
        quantities as in the source), for cancellation rates.
    report : CleaningReport
        What cleaning removed, rule by rule.
    reviews : DataFrame
        The shop's reviews (:mod:`recsys.data.reviews`): ``customer_id``, ``product_id``,
        ``rating``, ``text``, ``review_date``; empty (same columns) when it has none.
    fingerprint : str
        Hex digest of the four tables and the report, computed on construction (also
        by ``dataclasses.replace``), never given: caches key on it, so any change of
        content, cancellations included, must change it.
    """

    transactions: pd.DataFrame
    products: pd.DataFrame
    customers: pd.DataFrame
    cancellations: pd.DataFrame
    report: CleaningReport
    reviews: pd.DataFrame = field(default_factory=empty_reviews)
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        frames = [self.transactions, self.products, self.customers, self.cancellations]
        if len(self.reviews):
            # only when there are reviews: a shop without any keeps its fingerprint
            frames.append(self.reviews)
        tables = frame_fingerprint(*frames)
        digest = hashlib.blake2b(f"{tables}|{self.report!r}".encode(), digest_size=8)
        object.__setattr__(self, "fingerprint", digest.hexdigest())

    @classmethod
    def restored(
        cls,
        *,
        transactions: pd.DataFrame,
        products: pd.DataFrame,
        customers: pd.DataFrame,
        cancellations: pd.DataFrame,
        report: CleaningReport,
        fingerprint: str,
        reviews: pd.DataFrame | None = None,
    ) -> Dataset:
        """Return a Dataset saved earlier, with the fingerprint recorded when it was saved.

        For the columnar store (:mod:`recsys.pipeline.store`), which wrote these tables
        and their fingerprint itself: hashing ten million lines again would cost more
        than reading them. Anything else builds a Dataset with ``Dataset(...)``.
        """
        dataset = cls.__new__(cls)
        for name, value in (
            ("transactions", transactions),
            ("products", products),
            ("customers", customers),
            ("cancellations", cancellations),
            ("report", report),
            ("reviews", empty_reviews() if reviews is None else reviews),
            ("fingerprint", str(fingerprint)),
        ):
            object.__setattr__(dataset, name, value)
        return dataset

    @property
    def customer_transactions(self) -> pd.DataFrame:
        """Clean lines that have a customer id (the input of customer analytics)."""
        tx = self.transactions
        return tx[tx[S.CUSTOMER_ID].notna()]

    @cached_property
    def n_buyers(self) -> int:
        """Number of distinct customers with at least one clean line (computed once)."""
        return int(self.transactions[S.CUSTOMER_ID].nunique(dropna=True))

    @property
    def has_reviews(self) -> bool:
        """Whether the shop has reviews."""
        return len(self.reviews) > 0

    @property
    def has_categories(self) -> bool:
        """Whether the source gave product categories."""
        cat = self.products.get(S.CATEGORY)
        return cat is not None and bool(cat.notna().any())


def frame_fingerprint(*frames: pd.DataFrame) -> str:
    """Return a short hex digest of the content (values, columns, index) of ``frames``.

    Two frames with the same rows in the same order have the same fingerprint; any
    changed value, added row or renamed column changes it.
    """
    digest = hashlib.blake2b(digest_size=8)
    for frame in frames:
        digest.update("|".join(map(str, frame.columns)).encode())
        digest.update(str(len(frame)).encode())
        if len(frame):
            hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
            digest.update(np.ascontiguousarray(hashed).tobytes())
    return digest.hexdigest()
