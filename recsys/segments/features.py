"""Per-customer figures for segmentation: recency, frequency, spend and behaviour.

Every figure is computed from the clean invoice lines that carry a customer id, over
the whole period of the data, up to an ``as_of`` date (by default the day after the
last invoice, so the most recent buyers have a recency of one day), **net of
cancellations**: matched cancellations subtract from the purchases they cancel, and a
purchase cancelled in full counts for nothing (no spend, no order, no recency); see
:mod:`recsys.data.cancellations`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.cancellations import net_lines
from recsys.data.dataset import Dataset
from recsys.errors import DataError

RECENCY_DAYS = "recency_days"
FREQUENCY = "frequency"
MONETARY = "monetary"
AVG_ORDER_VALUE = "avg_order_value"
ITEMS_PER_ORDER = "items_per_order"
DISTINCT_PRODUCTS = "distinct_products"
TENURE_DAYS = "tenure_days"
MEAN_DAYS_BETWEEN_ORDERS = "mean_days_between_orders"
CANCELLATION_RATE = "cancellation_rate"
CATEGORY_SHARE_PREFIX = "category_share__"
"""Prefix of the revenue-share columns, one per product category."""

RFM_COLUMNS: tuple[str, ...] = (RECENCY_DAYS, FREQUENCY, MONETARY)
NUMERIC_COLUMNS: tuple[str, ...] = (
    RECENCY_DAYS,
    FREQUENCY,
    MONETARY,
    AVG_ORDER_VALUE,
    ITEMS_PER_ORDER,
    DISTINCT_PRODUCTS,
    TENURE_DAYS,
    MEAN_DAYS_BETWEEN_ORDERS,
    CANCELLATION_RATE,
)
"""The numeric features every data set has, in display order."""

MAX_CATEGORIES = 12
"""At most this many category-share columns (the categories with most revenue)."""

_DAY = np.timedelta64(1, "D")


def default_as_of(transactions: pd.DataFrame) -> pd.Timestamp:
    """Return the day after the last invoice in ``transactions`` (midnight)."""
    if transactions.empty:
        raise DataError("no transactions: cannot choose an as-of date; load a data set with invoice lines")
    return pd.Timestamp(transactions[S.INVOICE_DATE].max()).normalize() + pd.Timedelta(days=1)


def category_share_columns(features: pd.DataFrame) -> list[str]:
    """Return the category-share columns of ``features`` (empty without categories)."""
    return [c for c in features.columns if str(c).startswith(CATEGORY_SHARE_PREFIX)]


def customer_features(
    dataset_or_tx: Dataset | pd.DataFrame,
    *,
    as_of: pd.Timestamp | str | None = None,
    cancellations: pd.DataFrame | None = None,
    products: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return one row of figures per customer.

    Parameters
    ----------
    dataset_or_tx : Dataset or DataFrame
        A :class:`~recsys.data.dataset.Dataset` (its customer lines, cancellations and
        product categories are used) or a canonical transactions frame with columns
        ``invoice_id``, ``invoice_date``, ``customer_id``, ``product_id``,
        ``quantity``, ``unit_price`` and optionally ``country`` and ``category``.
        Lines without a customer id are ignored.
    as_of : Timestamp or str, optional
        The date figures are measured at. Default: the day after the last invoice
        that has a customer id (:func:`default_as_of` of those lines).
        Lines after ``as_of`` are ignored.
    cancellations : DataFrame, optional
        Cancellation lines (columns as transactions); taken from the Dataset when one
        is given. Those before ``as_of`` are subtracted from the purchases they cancel
        (:func:`recsys.data.cancellations.net_lines`). Without them figures are gross
        and ``cancellation_rate`` is 0.
    products : DataFrame, optional
        Product table with ``product_id`` and ``category``; taken from the Dataset when
        one is given. Used for the category shares when the lines have no ``category``.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (str, sorted): every customer with a purchase before
        ``as_of`` that was not cancelled in full. Columns, all net of cancellations:

        - ``recency_days`` (float, days): days from the last invoice day to ``as_of``
          (at least 1 with the default ``as_of``).
        - ``frequency`` (int, invoices): distinct invoices (an invoice cancelled in full
          does not count).
        - ``monetary`` (float, currency, e.g. £): revenue, sum of net quantity × unit
          price (never below 0).
        - ``avg_order_value`` (float, currency per invoice): monetary / frequency.
        - ``items_per_order`` (float, units per invoice): quantity / frequency.
        - ``distinct_products`` (int, products): distinct products bought.
        - ``tenure_days`` (float, days): days from the first invoice day to ``as_of``.
        - ``mean_days_between_orders`` (float, days): (last − first invoice day) /
          (frequency − 1); **NaN for one-invoice customers** (no interval observed;
          :mod:`recsys.segments.kmeans` imputes it with ``tenure_days``, the lower bound
          of the first gap).
        - ``cancellation_rate`` (float, share in [0, 1]): cancellation invoices /
          (invoices placed, cancelled or not + cancellation invoices).
        - ``category_share__<category>`` (float, share in [0, 1]), where categories are
          known: share of the customer's revenue in each of the top
          :data:`MAX_CATEGORIES` categories.
        - ``country`` (str), where known: the country of most of the customer's lines.
    """
    if isinstance(dataset_or_tx, Dataset):
        tx = dataset_or_tx.customer_transactions
        if cancellations is None:
            cancellations = dataset_or_tx.cancellations
        if products is None:
            products = dataset_or_tx.products
    else:
        tx = dataset_or_tx[dataset_or_tx[S.CUSTOMER_ID].notna()]
    missing = set(S.REQUIRED_TRANSACTION_COLUMNS) - set(tx.columns)
    if missing:
        raise DataError(f"transactions lack columns {sorted(missing)}: load the data with recsys.data.load.load_dataset")
    if tx.empty:
        raise DataError("no transactions with a customer id: cannot compute customer features; load a file with a customer column")
    as_of = default_as_of(tx) if as_of is None else pd.Timestamp(as_of)
    tx = tx[tx[S.INVOICE_DATE] < as_of]
    if tx.empty:
        raise DataError(f"no transactions before as_of={as_of}: pick a later date")
    if cancellations is not None and len(cancellations) and S.INVOICE_DATE in cancellations:
        cancellations = cancellations[cancellations[S.INVOICE_DATE] < as_of]
    placed = tx[S.INVOICE_ID].groupby(tx[S.CUSTOMER_ID].astype(str)).nunique()
    if cancellations is not None and {S.PRODUCT_ID, S.QUANTITY}.issubset(cancellations.columns):
        tx = net_lines(tx, cancellations)
    if tx.empty:
        raise DataError("every purchase with a customer id was cancelled: no customer figures; load a data set with kept purchases")

    codes, ids = pd.factorize(tx[S.CUSTOMER_ID].astype(str), sort=True)
    n = len(ids)
    quantity = tx[S.QUANTITY].to_numpy(dtype=np.float64)
    revenue = quantity * tx[S.UNIT_PRICE].to_numpy(dtype=np.float64)
    day = tx[S.INVOICE_DATE].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")

    monetary = np.bincount(codes, weights=revenue, minlength=n)
    units = np.bincount(codes, weights=quantity, minlength=n)
    first = np.full(n, np.datetime64("9999-12-31", "D"))
    last = np.full(n, np.datetime64("0001-01-01", "D"))
    np.minimum.at(first, codes, day)
    np.maximum.at(last, codes, day)
    frequency = _distinct_count(codes, tx[S.INVOICE_ID], n)
    distinct_products = _distinct_count(codes, tx[S.PRODUCT_ID], n)

    as_of_day = np.datetime64(as_of.normalize().date(), "D")
    recency = (as_of_day - last) / _DAY
    tenure = (as_of_day - first) / _DAY
    span = (last - first) / _DAY
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.where(frequency > 1, span / np.maximum(frequency - 1, 1), np.nan)

    index = pd.Index(ids, name=S.CUSTOMER_ID, dtype="string")
    out = pd.DataFrame(
        {
            RECENCY_DAYS: recency.astype(np.float64),
            FREQUENCY: frequency.astype(np.int64),
            MONETARY: monetary,
            AVG_ORDER_VALUE: monetary / frequency,
            ITEMS_PER_ORDER: units / frequency,
            DISTINCT_PRODUCTS: distinct_products.astype(np.int64),
            TENURE_DAYS: tenure.astype(np.float64),
            MEAN_DAYS_BETWEEN_ORDERS: gap,
            CANCELLATION_RATE: _cancellation_rate(
                cancellations, index, placed.reindex(index.astype(str)).to_numpy(dtype=np.float64)
            ),
        },
        index=index,
    )
    shares = _category_shares(tx, codes, revenue, monetary, products, n)
    if shares is not None:
        out = out.join(shares.set_axis(index))
    if S.COUNTRY in tx.columns and tx[S.COUNTRY].notna().any():
        out[S.COUNTRY] = pd.array(_main_value(codes, tx[S.COUNTRY], n), dtype="string")
    return out


def _distinct_count(codes: np.ndarray, values: pd.Series, n: int) -> np.ndarray:
    """Number of distinct ``values`` per customer code."""
    value_codes, _ = pd.factorize(values, sort=False)
    base = int(value_codes.max()) + 2
    pairs = pd.unique(codes.astype(np.int64) * base + value_codes + 1)
    return np.bincount(pairs // base, minlength=n)


def _main_value(codes: np.ndarray, values: pd.Series, n: int) -> pd.Series:
    """The most frequent non-missing value of ``values`` per customer code (str)."""
    frame = pd.DataFrame({"c": codes, "v": values.astype("string").to_numpy()}).dropna()
    counts = frame.groupby(["c", "v"], sort=False, observed=True).size().reset_index(name="n")
    top = counts.sort_values(["c", "n", "v"], ascending=[True, False, True]).drop_duplicates("c")
    result = pd.Series(pd.NA, index=np.arange(n), dtype="string")
    result.loc[top["c"].to_numpy()] = top["v"].to_numpy()
    return result.to_numpy()


def _cancellation_rate(cancellations: pd.DataFrame | None, index: pd.Index, placed: np.ndarray) -> np.ndarray:
    """Cancellation invoices / (invoices placed + cancellation invoices) per customer, 0 when unknown."""
    if cancellations is None or cancellations.empty or S.CUSTOMER_ID not in cancellations:
        return np.zeros(len(index))
    canc = cancellations[cancellations[S.CUSTOMER_ID].notna()]
    counts = canc.groupby(canc[S.CUSTOMER_ID].astype(str))[S.INVOICE_ID].nunique()
    cancelled = counts.reindex(index.astype(str), fill_value=0).to_numpy(dtype=np.float64)
    return cancelled / (placed + cancelled)


def _category_shares(
    tx: pd.DataFrame,
    codes: np.ndarray,
    revenue: np.ndarray,
    monetary: np.ndarray,
    products: pd.DataFrame | None,
    n: int,
) -> pd.DataFrame | None:
    """Revenue share per top category and customer, or None without categories."""
    if S.CATEGORY in tx.columns:
        category = tx[S.CATEGORY].astype("string")
    elif products is not None and S.CATEGORY in products.columns:
        lookup = products.drop_duplicates(S.PRODUCT_ID).set_index(S.PRODUCT_ID)[S.CATEGORY]
        category = tx[S.PRODUCT_ID].map(lookup).astype("string")
    else:
        return None
    if not category.notna().any():
        return None
    category = category.fillna(S.MISSING_CATEGORY)
    cat_codes, names = pd.factorize(category, sort=True)
    if len(names) < 2:
        return None
    matrix = np.zeros((n, len(names)))
    np.add.at(matrix, (codes, cat_codes), revenue)
    keep = np.argsort(-matrix.sum(axis=0), kind="stable")[:MAX_CATEGORIES]
    keep.sort()
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(monetary[:, None] > 0, matrix[:, keep] / monetary[:, None], 0.0)
    columns = [f"{CATEGORY_SHARE_PREFIX}{names[i]}" for i in keep]
    return pd.DataFrame(shares, columns=columns)
