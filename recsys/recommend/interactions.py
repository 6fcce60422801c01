"""Who bought what: the customer × product index every recommender learns from.

:class:`Interactions` is built once from the transactions (:func:`build_interactions`)
and shared by the parts of a blend. :class:`Histories` is what a recommender scores: the
purchases of some customers over the fitted products, either taken from the index
(:meth:`Interactions.histories`) or folded together from new invoice lines
(:func:`fold_in`), so a purchase made after the fit changes the next recommendations
without a refit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.data import schema as S
from recsys.errors import DataError

NS_PER_DAY = 86_400 * 10**9

LINE_COLUMNS: tuple[str, ...] = (S.INVOICE_ID, S.INVOICE_DATE, S.PRODUCT_ID, S.QUANTITY)
"""Columns of new purchase lines folded into a fitted model (``unit_price`` optional)."""


def recency_weights(age_days: np.ndarray, half_life_days: float | None) -> np.ndarray:
    """Return ``0.5 ** (age_days / half_life_days)`` as float32 (all ones for None).

    A purchase dated after the fitted reference date (a negative age: a purchase posted
    to a model fitted months ago) weighs as much as one made on that date, never more.
    """
    if half_life_days is None:
        return np.ones(len(age_days), dtype=np.float32)
    age = np.maximum(np.asarray(age_days, dtype=np.float64), 0.0)
    return np.power(0.5, age / float(half_life_days)).astype(np.float32)


@dataclass(frozen=True)
class Histories:
    """What some customers bought, over the products of a fitted recommender.

    Attributes
    ----------
    bought : csr_matrix
        ``(n_customers, n_items)`` float32, 1.0 where the customer bought the product;
        column ``j`` is item ``j`` of the fitted :class:`Interactions`.
    age_days : ndarray
        Float64 aligned with ``bought.data``: days from the customer's last purchase of
        that product to the model's ``now`` (negative for lines after the fit).
    invoices : ndarray
        Distinct invoices per customer.
    half_life_days : float, optional
        When set, every model weighs these purchases by recency with this half-life
        instead of its own ``half_life_days`` (``inf``: no decay). Validation uses it to
        score candidate half-lives on one fitted model; None keeps each model's own.
    """

    bought: sp.csr_matrix
    age_days: np.ndarray
    invoices: np.ndarray
    half_life_days: float | None = None

    def __len__(self) -> int:
        return self.bought.shape[0]

    @property
    def counts(self) -> np.ndarray:
        """Number of distinct products bought, per customer."""
        return np.diff(self.bought.indptr)

    def weighted(self, half_life_days: float | None) -> sp.csr_matrix:
        """Return ``bought`` with each purchase weighted by its recency.

        Parameters
        ----------
        half_life_days : float, optional
            The caller's own half-life; ``self.half_life_days`` wins when set. None
            (and no override) returns the binary matrix.
        """
        half_life = half_life_days if self.half_life_days is None else self.half_life_days
        if half_life is None or half_life == np.inf:
            return self.bought
        b = self.bought
        return sp.csr_matrix((recency_weights(self.age_days, half_life), b.indices, b.indptr),
                             shape=b.shape)

    def row_weights(self, position: int,
                    half_life_days: float | None) -> tuple[np.ndarray, np.ndarray]:
        """Return one customer's products and their recency weights (as in :meth:`weighted`)."""
        items, ages = self.entries(position)
        half_life = half_life_days if self.half_life_days is None else self.half_life_days
        if half_life is None or half_life == np.inf:
            return items, np.ones(len(items), dtype=np.float32)
        return items, recency_weights(ages, half_life)

    def with_half_life(self, half_life_days: float | None) -> Histories:
        """Return the same purchases, to be weighed with ``half_life_days`` by every model."""
        return replace(self, half_life_days=half_life_days)

    def take(self, positions: np.ndarray) -> Histories:
        """Return the histories of the customers at ``positions`` (int or bool array)."""
        positions = np.asarray(positions)
        if positions.dtype == bool:
            positions = np.flatnonzero(positions)
        b = self.bought
        starts, stops = b.indptr[positions], b.indptr[positions + 1]
        picked = _ranges(starts, stops)
        indptr = np.concatenate([[0], np.cumsum(stops - starts)])
        bought = sp.csr_matrix((b.data[picked], b.indices[picked], indptr),
                               shape=(len(positions), b.shape[1]))
        return Histories(bought, self.age_days[picked], self.invoices[positions],
                         self.half_life_days)

    def entries(self, position: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the items one customer bought (sorted) and their ages in days."""
        lo, hi = self.bought.indptr[position], self.bought.indptr[position + 1]
        return self.bought.indices[lo:hi], self.age_days[lo:hi]

    def exclude_from(self, scores: np.ndarray) -> None:
        """Set ``scores[k, j] = -inf`` where customer ``k`` bought product ``j``.

        ``scores`` is a block the caller allocated for these customers.
        """
        b = self.bought
        rows = np.repeat(np.arange(len(self)), np.diff(b.indptr))
        scores[rows, b.indices] = -np.inf


def _ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Return the concatenation of ``arange(start, stop)`` for each pair."""
    lengths = stops - starts
    if len(starts) == 1:
        return np.arange(starts[0], stops[0])
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return offsets + np.arange(lengths.sum())


@dataclass(frozen=True)
class Interactions:
    """Customer × product purchase index built from transactions.

    Attributes
    ----------
    users : Index
        Customer ids (str), sorted; row ``u`` of every matrix is ``users[u]``.
    items : Index
        Product ids (str): products bought in the transactions, then catalogue
        products without sales (so content models can recommend them).
    n_sold : int
        The first ``n_sold`` items have sales; the rest are catalogue-only.
    bought : csr_matrix
        ``(n_users, n_items)`` float32, 1.0 where the customer bought the product.
    age_days : ndarray
        Days between each stored entry of ``bought`` (in CSR order) and ``now``,
        measured from the customer's last purchase of that product.
    invoices : ndarray
        Number of distinct invoices per customer.
    now : Timestamp
        The last invoice date of the transactions.
    """

    users: pd.Index
    items: pd.Index
    n_sold: int
    bought: sp.csr_matrix
    age_days: np.ndarray
    invoices: np.ndarray
    now: pd.Timestamp

    def recency_weights(self, half_life_days: float | None) -> sp.csr_matrix:
        """Return ``bought`` with each entry weighted ``0.5 ** (age / half_life)``.

        ``None`` returns the binary matrix unchanged.
        """
        if half_life_days is None:
            return self.bought
        weighted = self.bought.copy()
        weighted.data = recency_weights(self.age_days, half_life_days)
        return weighted

    def item_popularity(self, half_life_days: float | None = None) -> np.ndarray:
        """Return, per item, the (recency-weighted) number of customers who bought it."""
        weighted = self.recency_weights(half_life_days)
        return np.asarray(weighted.sum(axis=0)).ravel().astype(np.float64)

    def histories(self, rows: np.ndarray) -> Histories:
        """Return the purchases of the customers at ``rows`` (-1: a customer without any)."""
        rows = np.asarray(rows, dtype=np.int64)
        b = self.bought
        known = rows >= 0
        safe = np.where(known, rows, 0)
        starts = np.where(known, b.indptr[safe], 0)
        stops = np.where(known, b.indptr[safe + 1], 0)
        picked = _ranges(starts, stops)
        indptr = np.concatenate([[0], np.cumsum(stops - starts)])
        bought = sp.csr_matrix((b.data[picked], b.indices[picked], indptr),
                               shape=(len(rows), b.shape[1]))
        invoices = np.where(known, self.invoices[safe], 0)
        return Histories(bought, self.age_days[picked], invoices)


def validate_transactions(transactions: pd.DataFrame) -> pd.DataFrame:
    """Check the columns a recommender needs and drop lines without a customer.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines with at least ``customer_id``, ``product_id``,
        ``invoice_id``, ``invoice_date``.

    Returns
    -------
    DataFrame
        The lines that have a customer id (a view, never modified).
    """
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(f"transactions must be a DataFrame, got {type(transactions).__name__}")
    needed = (S.CUSTOMER_ID, S.PRODUCT_ID, S.INVOICE_ID, S.INVOICE_DATE)
    missing = [c for c in needed if c not in transactions.columns]
    if missing:
        raise DataError(f"transactions lack the column(s) {missing}; expected {list(needed)}")
    lines = transactions[transactions[S.CUSTOMER_ID].notna()]
    if lines.empty:
        raise DataError("transactions have no line with a customer id; nothing to learn from: load a file with a customer column")
    return lines


def build_interactions(
    transactions: pd.DataFrame, *, products: pd.DataFrame | None = None
) -> Interactions:
    """Return the :class:`Interactions` index of validated ``transactions``.

    Parameters
    ----------
    transactions : DataFrame
        Lines with ``customer_id``, ``product_id``, ``invoice_id``, ``invoice_date``.
    products : DataFrame, optional
        Catalogue with ``product_id``; products without sales are appended to
        ``items`` after the sold ones.
    """
    lines = validate_transactions(transactions)
    u_idx, users = pd.factorize(lines[S.CUSTOMER_ID].astype(str), sort=True)
    i_idx, sold = pd.factorize(lines[S.PRODUCT_ID].astype(str), sort=True)
    users, sold = users.to_numpy(dtype=object), sold.to_numpy(dtype=object)
    dates = lines[S.INVOICE_DATE].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    extra = np.empty(0, dtype=object)
    if products is not None and S.PRODUCT_ID in products.columns:
        catalogue = pd.Index(products[S.PRODUCT_ID].dropna().astype(str).unique())
        extra = np.sort(catalogue.difference(pd.Index(sold)).to_numpy(dtype=object))
    items = pd.Index(np.concatenate([sold, extra]), dtype=object)
    n_users, n_items = len(users), len(items)
    pair = u_idx.astype(np.int64) * n_items + i_idx
    last = pd.Series(dates).groupby(pair, sort=True).max()
    keys = last.index.to_numpy(dtype=np.int64)
    last = last.to_numpy()
    now = int(dates.max())
    rows, cols = np.divmod(keys, n_items)
    bought = sp.csr_matrix(
        (np.ones(len(keys), np.float32), (rows, cols)), shape=(n_users, n_items)
    )
    # keys are sorted by (row, col), which is CSR order, so ages align with .data
    age = (now - last) / NS_PER_DAY
    inv_idx = pd.factorize(lines[S.INVOICE_ID].astype(str))[0]
    per_user = np.unique(u_idx.astype(np.int64) * (inv_idx.max() + 1) + inv_idx)
    invoices = np.bincount(per_user // (inv_idx.max() + 1), minlength=n_users)
    return Interactions(
        users=pd.Index(users, dtype=object),
        items=items,
        n_sold=len(sold),
        bought=bought,
        age_days=age.astype(np.float64),
        invoices=invoices,
        now=pd.Timestamp(now),
    )


def fold_in(interactions: Interactions, row: int, lines: pd.DataFrame) -> Histories:
    """Return one customer's history: what the index knows of them plus new lines.

    Parameters
    ----------
    interactions : Interactions
        The fitted index (never modified).
    row : int
        The customer's row in it, or -1 for a customer unknown at fit (the lines are
        then their whole history).
    lines : DataFrame
        New purchase lines: ``invoice_id``, ``invoice_date`` (datetime or text a date
        parser reads; time zones are converted to UTC and dropped), ``product_id``,
        ``quantity``; ``unit_price`` and other columns are ignored. Lines with a
        quantity of 0 or less (returns) and products unknown to the index are left out.

    Returns
    -------
    Histories
        One customer; a product bought again takes the age of its latest purchase, and
        each new invoice id counts as one more invoice.
    """
    if not isinstance(lines, pd.DataFrame):
        raise DataError(f"purchase lines must be a DataFrame, got {type(lines).__name__}")
    missing = [c for c in LINE_COLUMNS if c not in lines.columns]
    if missing:
        raise DataError(f"purchase lines lack the column(s) {missing}; expected "
                        f"{list(LINE_COLUMNS)} (unit_price optional)")
    quantity = lines[S.QUANTITY]
    if not pd.api.types.is_numeric_dtype(quantity):
        quantity = pd.to_numeric(quantity, errors="coerce")
    quantity = quantity.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(quantity).any():
        bad = lines[S.QUANTITY].iloc[int(np.flatnonzero(np.isnan(quantity))[0])]
        raise DataError(f"quantity must be a number, got {bad!r}")
    new_ns = _line_dates(lines[S.INVOICE_DATE])
    bought = quantity > 0
    products = lines[S.PRODUCT_ID].to_numpy(dtype=object).astype(str)
    items = interactions.items.get_indexer(products)
    keep = bought & (items >= 0)
    new_items = items[keep]
    new_ns = new_ns[keep]
    now = interactions.now.value
    b = interactions.bought
    if row >= 0:
        old_items = b.indices[b.indptr[row] : b.indptr[row + 1]].astype(np.int64)
        old_age = interactions.age_days[b.indptr[row] : b.indptr[row + 1]]
        invoices = int(interactions.invoices[row])
    else:
        old_items, old_age, invoices = np.empty(0, np.int64), np.empty(0), 0
    all_items = np.concatenate([old_items, new_items.astype(np.int64)])
    all_age = np.concatenate([old_age, (now - new_ns) / NS_PER_DAY])
    order = np.lexsort((all_age, all_items))  # by item, youngest purchase first
    all_items, all_age = all_items[order], all_age[order]
    first = np.ones(len(all_items), bool)
    first[1:] = all_items[1:] != all_items[:-1]
    cols, ages = all_items[first], all_age[first]
    invoices += len(np.unique(lines[S.INVOICE_ID].to_numpy(dtype=object)[bought].astype(str)))
    matrix = sp.csr_matrix((np.ones(len(cols), np.float32), cols, np.array([0, len(cols)])),
                           shape=(1, b.shape[1]))
    return Histories(matrix, ages.astype(np.float64), np.array([invoices]))


def _line_dates(dates: pd.Series) -> np.ndarray:
    """Return invoice dates as int64 nanoseconds (naive; time zones converted to UTC)."""
    if not pd.api.types.is_datetime64_dtype(dates):
        try:
            dates = pd.to_datetime(dates)
        except (ValueError, TypeError) as err:
            raise DataError(f"invoice_date cannot be read as a date: {err}") from None
        if dates.dt.tz is not None:
            dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    values = dates.to_numpy(dtype="datetime64[ns]")
    if np.isnat(values).any():
        raise DataError("invoice_date is missing on some purchase lines; give every line a date")
    return values.astype(np.int64)
