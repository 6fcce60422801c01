"""What an existing invoice file does, learnt so that new invoices can follow it.

:func:`learn_behaviour` reads the clean sales lines of a file (no cancellations, no
non-product codes, positive quantity and price) and keeps what
:mod:`recsys.synth.append` needs to draw new invoices in the file's own image: how often
each customer buys and how recently, the basket sizes, the seasonality by month,
weekday and hour, the share of guest invoices and of invoices by new customers, the
share of lines that repeat a customer's earlier product, and the lines themselves
(new lines copy a sampled line's product, description, quantity and price, so product
popularity and prices follow the file).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.errors import DataError

RECENCY_DECAY_DAYS = 180.0
"""A customer's chance to buy again halves about every 125 days without a purchase."""


@dataclass(frozen=True)
class Behaviour:
    """Learnt behaviour of one invoice file (arrays aligned as documented).

    Attributes
    ----------
    line_rows : ndarray of int
        File row numbers of the clean sales lines.
    line_customer : ndarray of int
        Customer code of each clean line (-1 without a customer), sorted by customer.
    customer_ids : ndarray of str
        Customer id text per customer code, as written in the file.
    customer_weight : ndarray of float
        Purchase rate (invoices per day over the customer's span) times a recency decay.
    customer_country : ndarray of object
        Country text of each customer (its most recent line).
    basket_sizes : ndarray of int
        Lines per clean invoice (the empirical distribution to draw from).
    month_w, weekday_w, hour_w : ndarray of float
        Relative invoice volume per month (12), weekday (7, Monday first), hour (24).
    invoices_per_day : float
        Clean invoices per day over the last 90 days of the file.
    guest_share, new_share, repeat_share : float
        Shares of invoices without a customer, of customer invoices that are a
        customer's first (second half of the file), and of lines repeating a product the
        customer bought before.
    guest_countries, new_countries : ndarray of object
        Country texts to draw guests' and new customers' countries from.
    last_date : Timestamp
        The latest date in the file (clean or not).
    """

    line_rows: np.ndarray
    line_customer: np.ndarray
    customer_ids: np.ndarray
    customer_weight: np.ndarray
    customer_country: np.ndarray
    basket_sizes: np.ndarray
    month_w: np.ndarray
    weekday_w: np.ndarray
    hour_w: np.ndarray
    invoices_per_day: float
    guest_share: float
    new_share: float
    repeat_share: float
    guest_countries: np.ndarray
    new_countries: np.ndarray
    last_date: pd.Timestamp


def learn_behaviour(
    invoice: pd.Series,
    when: pd.Series,
    customer: pd.Series,
    product: pd.Series,
    quantity: pd.Series,
    price: pd.Series,
    country: pd.Series | None,
    *,
    non_product: frozenset[str],
) -> Behaviour:
    """Learn the behaviour of a file from its parsed columns (one value per file row).

    Parameters
    ----------
    invoice, product : Series of str
        Invoice ids and stock codes as text.
    when : Series of datetime64
        Parsed invoice dates (NaT where unreadable).
    customer : Series of str
        Customer ids as text, normalised ("17850.0" -> "17850"), <NA> when missing.
    quantity, price : Series of float
        Parsed quantities and unit prices (NaN where unreadable).
    country : Series of str, optional
        Countries as text.
    non_product : frozenset of str
        Upper-case stock codes that are not products (postage, fees, ...).

    Raises
    ------
    recsys.errors.DataError
        When the file has no clean sales line to learn from.
    """
    sale_invoice = _on_categories(invoice, lambda c: c.str.match(r"^\d"))
    non_product_code = _on_categories(product, lambda c: c.str.upper().isin(non_product))
    clean = (
        sale_invoice
        & (quantity > 0).to_numpy(dtype=bool)
        & (price > 0).to_numpy(dtype=bool)
        & when.notna().to_numpy(dtype=bool)
        & ~non_product_code
    )
    if not clean.any():
        raise DataError("the file has no sales line (positive quantity and price) to learn from: append to a file with sales")
    rows = np.flatnonzero(clean)
    t = when.to_numpy(dtype="datetime64[ns]")[rows]
    cust_codes, cust_ids = pd.factorize(customer.iloc[rows], sort=False)
    inv_codes, _ = pd.factorize(invoice.iloc[rows], sort=False)
    n_inv = int(inv_codes.max()) + 1

    # Invoice-level table: first line's date and customer, number of lines.
    first_line = np.full(n_inv, len(rows))
    np.minimum.at(first_line, inv_codes, np.arange(len(rows)))
    inv_time = pd.DatetimeIndex(t[first_line])
    inv_cust = cust_codes[first_line]
    basket_sizes = np.bincount(inv_codes, minlength=n_inv)

    last = pd.Timestamp(when.max())
    start = pd.Timestamp(inv_time.min())
    day_ns = np.timedelta64(1, "D")
    has = inv_cust >= 0
    n_cust = len(cust_ids)
    cust_inv = np.bincount(inv_cust[has], minlength=n_cust).astype(float)
    inv_ts = inv_time.to_numpy()
    first_c = np.full(n_cust, np.datetime64("2262-01-01", "ns"))
    last_c = np.full(n_cust, np.datetime64("1678-01-01", "ns"))
    np.minimum.at(first_c, inv_cust[has], inv_ts[has])
    np.maximum.at(last_c, inv_cust[has], inv_ts[has])
    last64 = last.to_datetime64()
    span = np.maximum((last64 - first_c) / day_ns, 30.0)
    recency = (last64 - last_c) / day_ns
    weight = cust_inv / span * np.exp(-recency / RECENCY_DECAY_DAYS)

    # New customers: share of customer invoices in the second half that are a first one.
    half = start + (last - start) / 2
    late = has & (inv_ts >= half.to_datetime64())
    is_first = np.zeros(n_inv, dtype=bool)
    is_first[has] = inv_ts[has] == first_c[inv_cust[has]]
    new_share = float(is_first[late].mean()) if late.any() else 0.0

    lines_cust = cust_codes
    with_c = lines_cust >= 0
    pairs = pd.DataFrame({"c": lines_cust[with_c], "p": product.cat.codes.to_numpy()[rows][with_c]})
    repeat_share = float(pairs.duplicated().mean()) if len(pairs) else 0.0

    month_counts = np.bincount(inv_time.month.to_numpy() - 1, minlength=12).astype(float)
    month_w = month_counts + 0.2 * month_counts.mean()
    weekday_w = np.bincount(inv_time.dayofweek.to_numpy(), minlength=7).astype(float)
    hour_w = np.bincount(inv_time.hour.to_numpy(), minlength=24).astype(float)
    recent = inv_ts >= (last - pd.Timedelta(days=90)).to_datetime64()
    days = max(min(90.0, (last - start) / pd.Timedelta(days=1)), 1.0)
    invoices_per_day = max(float(recent.sum()) / days, 1.0)

    if country is not None:
        cats = np.asarray(country.cat.categories, dtype=object)
        line_country = np.append(cats, None)[country.cat.codes.to_numpy()[rows]]
    else:
        line_country = np.full(len(rows), None, dtype=object)
    customer_country = np.full(n_cust, None, dtype=object)
    customer_country[lines_cust[with_c]] = line_country[with_c]  # last line wins
    guest_lines = first_line[~has]
    guest_countries = line_country[guest_lines] if len(guest_lines) else customer_country
    new_countries = customer_country if n_cust else guest_countries

    order = np.argsort(lines_cust, kind="stable")
    return Behaviour(
        line_rows=rows[order],
        line_customer=lines_cust[order],
        customer_ids=np.asarray(cust_ids, dtype=object),
        customer_weight=weight,
        customer_country=customer_country,
        basket_sizes=basket_sizes,
        month_w=month_w,
        weekday_w=weekday_w,
        hour_w=hour_w,
        invoices_per_day=invoices_per_day,
        guest_share=float((~has).mean()),
        new_share=new_share,
        repeat_share=repeat_share,
        guest_countries=guest_countries,
        new_countries=new_countries,
        last_date=last,
    )


def _on_categories(values: pd.Series, test) -> np.ndarray:
    """Apply a vectorised string ``test`` to the categories of ``values``; per-row bools."""
    cats = pd.Series(np.asarray(values.cat.categories, dtype=object), dtype=object)
    hit = np.append(test(cats).fillna(False).to_numpy(dtype=bool), False)
    return hit[values.cat.codes.to_numpy()]
