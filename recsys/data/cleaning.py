"""Clean raw invoice lines into a :class:`recsys.Dataset`, counting what each rule does.

Rules run in this order; a line is counted once, under the first rule that catches it
(the keys are those of :data:`recsys.data.dataset.RULE_LABELS`):

1. ``unparseable`` — the date, quantity or price cannot be read (or the date lies far
   from the others, see :mod:`recsys.data.reading`), the quantity is not a whole number,
   or the invoice or product id is empty. Removed; the report's notes name the first
   unreadable value of each column.
2. ``cancellation`` — the invoice id starts with ``C``. Set aside in
   ``Dataset.cancellations`` (all of them, whatever their product code).
3. ``non_positive_quantity`` — quantity <= 0 (stock adjustments, damages). Removed.
4. ``non_positive_price`` — unit price <= 0 (free samples, write-offs). Removed.
5. ``non_product`` — the stock code is one of :data:`NON_PRODUCT_CODES` (postage, fees,
   manual adjustments, bank charges, samples). Removed.
6. ``duplicate`` — an exact copy of an earlier remaining line (all columns). Removed.
7. ``missing_customer`` — no customer id. **Kept** in ``Dataset.transactions`` (with
   ``customer_id`` ``<NA>``) for product views, and left out of customer views
   (``Dataset.customer_transactions``); counted, not removed.

After rules 1-5 the lines with a customer id are exactly the population of the
independent referee (``../shared/tools/recs_eval.py``, function ``load``); rule 6 only
drops repeated lines, so the customer x product pairs agree with it as well.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from recsys.data import parsing
from recsys.data import schema as S
from recsys.data.dataset import CleaningReport, Dataset, SourceInfo
from recsys.data.reading import MAX_UNREADABLE_SHARE, counted, typed_lines
from recsys.data.reviews import RATING_SCALE, REVIEWS_FILE, empty_reviews, normalise_reviews
from recsys.data.sniff import AUTO
from recsys.data.tables import customer_table, product_table
from recsys.errors import DataError

__all__ = ["MAX_UNREADABLE_SHARE", "NON_PRODUCT_CODES", "RULES", "check_side_ids", "clean"]

NON_PRODUCT_CODES: frozenset[str] = frozenset(
    {
        "POST",  # postage
        "DOT",  # dotcom postage
        "C2",  # carriage
        "M",  # manual entry
        "D",  # discount
        "S",  # samples
        "B",  # adjust bad debt
        "BANK CHARGES",
        "AMAZONFEE",
        "PADS",  # pads to match all cushions (a 0.001 filler line)
        "CRUK",  # charity commission
        "ADJUST",  # Online Retail II manual adjustments
        "ADJUST2",
        "TEST001",  # Online Retail II test lines
        "TEST002",
    }
)
"""Stock codes that are not products, upper case, compared after upper-casing codes.

The set is the referee's (``recs_eval.NON_PRODUCTS``) upper-cased: the referee lists
``"M"`` and ``"m"`` and matches before upper-casing, which is the same lines as matching
upper-cased codes against this set. Gift vouchers (``gift_0001_20``) and the
``DCGS...`` gift sets are sold goods and stay products, as in the referee.
"""

RULES: tuple[str, ...] = (
    "unparseable",
    "cancellation",
    "non_positive_quantity",
    "non_positive_price",
    "non_product",
    "duplicate",
    "missing_customer",
)
"""The cleaning rules in the order they run."""


def clean(
    raw: pd.DataFrame,
    *,
    layout: str,
    products: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    dates: str = AUTO,
    source: SourceInfo | None = None,
    reviews: pd.DataFrame | None = None,
    review_scale: tuple[float, float] = RATING_SCALE,
    review_columns: Mapping[str, str] | None = None,
    review_label: str = REVIEWS_FILE,
) -> Dataset:
    """Clean raw invoice lines and build the products and customers tables.

    Parameters
    ----------
    raw : DataFrame
        Invoice lines with canonical names (see :func:`recsys.data.load.read_raw`):
        ``invoice_id``, ``invoice_date``, ``customer_id``, ``product_id``,
        ``quantity``, ``unit_price``, and optionally ``description``, ``country``,
        ``category``. Values may be text, numbers or timestamps. Not modified.
    layout : str
        Layout name for the report (``"uci"``, ``"uci2"``, ``"canonical"``,
        ``"canonical3"``, ``"generated"``).
    products : DataFrame, optional
        A products file: ``product_id`` and optionally ``description``, ``category``,
        ``unit_price``. Its values win over those derived from the lines, and its
        products without sales are kept (so content models can recommend them).
    customers : DataFrame, optional
        A customers file: ``customer_id`` and optionally ``country``, ``signup_date``,
        ``age``, ``gender`` and further columns, kept as given.
    dates : {"auto", "day-first", "month-first"}
        How to read day/month dates (see :func:`recsys.data.sniff.read_dates`).
    source : SourceInfo, optional
        The file's name, column names and separator, for messages and notes.
    reviews : DataFrame, optional
        A reviews file with canonical column names, validated by
        :func:`recsys.data.reviews.normalise_reviews` against the cleaned products and
        customers (its findings join the report's notes).
    review_scale : (float, float), default (1, 5)
        The rating scale of ``reviews``.
    review_columns : mapping, optional
        ``{canonical name: the file's column name}`` of ``reviews``, for messages.
    review_label : str, default "reviews.csv"
        The reviews file's name, for messages.

    Returns
    -------
    Dataset
        ``transactions`` (columns :data:`recsys.data.schema.TRANSACTION_COLUMNS`, in source
        order), ``products`` (``product_id``, ``description``: the most frequent one,
        ties to the alphabetically first; ``category``; ``unit_price``: median paid),
        ``customers`` (one row per customer with a clean line: ``customer_id``,
        ``country``: the most frequent one, file demographics), ``cancellations`` and
        the :class:`recsys.CleaningReport`.

    Raises
    ------
    DataError
        When a required column is missing, a products or customers file shares no id
        with the lines, a date or number column contradicts itself, or more than half
        of the dates, quantities or prices cannot be read (the message names the file,
        the column, the first bad value and what to do).
    """
    missing = [c for c in S.REQUIRED_TRANSACTION_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(
            f"missing columns: {', '.join(missing)}; found {', '.join(map(str, raw.columns))}"
        )
    raw = raw.reset_index(drop=True)
    source = source or SourceInfo()
    typed = typed_lines(raw, dates=dates, source=source)
    lines = typed.lines
    removed: dict[str, np.ndarray] = {}

    bad = lines[S.INVOICE_DATE].isna() | lines[S.QUANTITY].isna() | lines[S.UNIT_PRICE].isna()
    bad |= lines[S.INVOICE_ID].isna() | lines[S.PRODUCT_ID].isna()
    fractional = (np.mod(lines[S.QUANTITY].fillna(0), 1) != 0).to_numpy()
    bad = bad.to_numpy() | fractional
    keep = ~bad
    removed["unparseable"] = bad
    notes = [*source.notes, *typed.notes, *_missing_notes(lines, raw, fractional, source)]

    invoices = lines[S.INVOICE_ID].cat
    is_cancel = invoices.categories.str.upper().str.startswith(S.CANCELLATION_PREFIX)
    cancelled = keep & np.append(np.asarray(is_cancel, dtype=bool), False)[invoices.codes]
    removed["cancellation"] = cancelled
    keep &= ~cancelled
    for rule, hit in (
        ("non_positive_quantity", (lines[S.QUANTITY] <= 0).to_numpy()),
        ("non_positive_price", (lines[S.UNIT_PRICE] <= 0).to_numpy()),
        ("non_product", lines[S.PRODUCT_ID].isin(NON_PRODUCT_CODES).to_numpy(dtype=bool)),
    ):
        removed[rule] = keep & hit
        keep &= ~hit
    removed["duplicate"] = _duplicates(lines, keep)
    keep &= ~removed["duplicate"]

    kept = lines[keep]
    no_customer = int(kept[S.CUSTOMER_ID].isna().sum())
    counts = tuple((rule, int(mask.sum())) for rule, mask in removed.items())
    transactions = _transactions(kept, as_text=False)
    product_frame = product_table(kept, products=products)
    customer_frame = customer_table(kept, customers=customers)
    notes += _side_table_notes(kept, products, customers)
    review_frame = empty_reviews()
    if reviews is not None:
        review_frame, review_report = normalise_reviews(
            reviews, products=product_frame, customers=customer_frame, scale=review_scale,
            label=review_label, columns=review_columns,
        )
        notes += review_report.notes(label=review_label)
    report = CleaningReport(
        layout=layout,
        raw_lines=len(raw),
        removed=counts + (("missing_customer", no_customer),),
        kept_lines=len(kept),
        lines_without_customer=no_customer,
        notes=tuple(notes),
        date_order=typed.date_order,
        dates_ambiguous=typed.dates_ambiguous,
        date_alternative=typed.date_alternative,
        date_column=source.column(S.INVOICE_DATE),
        date_range=typed.date_range,
    )
    return Dataset(
        transactions=_as_text(transactions),
        products=product_frame,
        customers=customer_frame,
        cancellations=_transactions(lines[cancelled]),
        report=report,
        reviews=review_frame,
    )


_READ = (S.INVOICE_DATE, S.QUANTITY, S.UNIT_PRICE)


def _missing_notes(
    lines: pd.DataFrame, raw: pd.DataFrame, fractional: np.ndarray, source: SourceInfo
) -> list[str]:
    """Notes on lines left out for an empty id or a fractional quantity."""
    notes = []
    for col, what in ((S.INVOICE_ID, "an invoice id"), (S.PRODUCT_ID, "a product id"),
                      (S.INVOICE_DATE, "a date"), (S.QUANTITY, "a quantity"),
                      (S.UNIT_PRICE, "a price")):  # fmt: skip
        n = int(raw[col].isna().sum()) if col in _READ else int(lines[col].isna().sum())
        if n:
            notes.append(f"{source.column(col)}: left out {counted(n, 'line')} without {what}.")
    n = int(fractional.sum())
    if n:
        example = raw[S.QUANTITY][fractional].iloc[0]
        notes.append(
            f"{source.column(S.QUANTITY)}: left out {counted(n, 'line')} whose quantity is not "
            f"a whole number (first: {str(example)!r})."
        )
    return notes


def _side_table_notes(kept: pd.DataFrame, products, customers) -> list[str]:
    """Refuse a products or customers file that shares no id with the lines; count the
    catalogue's products that were never sold."""
    notes = []
    for name, given, key in (
        ("products.csv", products, S.PRODUCT_ID),
        ("customers.csv", customers, S.CUSTOMER_ID),
    ):
        if given is None or key not in given.columns:
            continue
        sold = kept[key].dropna()
        sold = pd.Index(sold.cat.remove_unused_categories().cat.categories.astype(str))
        own = check_side_ids(name, given[key], sold, upper=key == S.PRODUCT_ID)
        if name == "products.csv" and len(own):
            notes.append(
                f"{name}: kept {counted(len(own), 'product')} never sold (first: "
                f"{own.iloc[0]!r}), so that recommendations by description can include them."
            )
    return notes


def check_side_ids(name: str, given: pd.Series, on_lines: pd.Index, *, upper: bool = False) -> pd.Series:
    """Return the ids of a products or customers file that are on no line; refuse the
    file when none of its ids is (a catalogue of another shop, or ids written otherwise).

    Parameters
    ----------
    name : str
        The file's name, for the message.
    given : Series
        The file's id column as read.
    on_lines : Index of str
        The ids on the invoice lines (read with :func:`recsys.data.sniff.read_ids`).
    upper : bool
        Upper-case the file's ids (product codes).

    Raises
    ------
    DataError
        When the lines have ids and the file has ids but none in common.
    """
    listed = parsing.text_ids(given, upper=upper).dropna().drop_duplicates()
    own = listed[~listed.isin(on_lines)]
    if len(on_lines) and len(listed) and len(own) == len(listed):
        raise DataError(
            f"{name}: none of its {len(listed):,} ids (first: {listed.iloc[0]!r}) is on a "
            f"line of transactions.csv (which has {on_lines[0]!r}, …): check that both files "
            f"come from the same shop and write ids alike, or leave {name} out."
        )
    return own


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _codes(values: pd.Series) -> np.ndarray:
    """64-bit integer codes of a column (equal values, equal codes; NA gets its own)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
    elif values.dtype.kind in "iufM":
        codes = values.to_numpy()
    else:
        codes = pd.factorize(values, use_na_sentinel=False)[0]
    return np.ascontiguousarray(codes).astype(np.int64 if codes.dtype.kind != "f" else np.float64)


def _duplicates(lines: pd.DataFrame, keep: np.ndarray) -> np.ndarray:
    """Mark kept lines that repeat an earlier kept line in every column.

    Lines are first grouped by a cheap 64-bit hash of their column codes; only lines
    whose hash repeats (a few percent) are compared exactly, so a hash collision can
    cost time but never remove a line.
    """
    columns = [_codes(lines[col][keep]) for col in lines.columns]
    hashed = np.zeros(int(keep.sum()), dtype=np.uint64)
    for codes in columns:
        hashed = (hashed ^ codes.view(np.uint64)) * _MIX
        hashed ^= hashed >> np.uint64(29)
    maybe = pd.Series(hashed).duplicated(keep=False).to_numpy()
    exact = np.zeros(len(hashed), dtype=bool)
    if maybe.any():
        subset = pd.DataFrame({i: codes[maybe] for i, codes in enumerate(columns)})
        exact[maybe] = subset.duplicated(keep="first").to_numpy()
    out = np.zeros(len(lines), dtype=bool)
    out[np.flatnonzero(keep)] = exact
    return out


_TEXT = (S.INVOICE_ID, S.CUSTOMER_ID, S.PRODUCT_ID, S.COUNTRY)


def _transactions(lines: pd.DataFrame, *, as_text: bool = True) -> pd.DataFrame:
    cols = {c: lines[c] for c in S.TRANSACTION_COLUMNS if c in lines.columns}
    frame = pd.DataFrame(cols).reset_index(drop=True)
    if S.COUNTRY not in frame.columns:
        frame[S.COUNTRY] = pd.Categorical(
            [None] * len(frame), categories=pd.Index([], dtype=object)
        )
    frame = frame.astype({S.QUANTITY: "int64", S.UNIT_PRICE: "float64"})
    frame = frame[list(S.TRANSACTION_COLUMNS)]
    return _as_text(frame) if as_text else frame


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({c: "string" for c in _TEXT})
