"""Invoice simulation of a generated shop (vectorised; one million lines in seconds).

Dates follow a yearly season (a November peak), a weekly pattern (quiet Saturdays, as
in the UCI data) and a time-of-day profile; each customer buys inside their own window
of activity at their segment's rate. Baskets draw categories from the customer's
affinities (Christmas goods in autumn), products by popularity within the category
(cheap ones for bargain hunters), and planted bundles are added to a share of baskets.
A small share of invoices has no customer (guest checkouts) and a small share is
followed by a cancellation ("C" invoice, negative quantities) of some of its lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.synth.catalog import CATEGORY_NAMES
from recsys.synth.customers import COUNTRIES, QTY_VALUES, SEGMENTS, CustomerDraw

FIRST_INVOICE_NO = 536365
GUEST_SHARE = 0.03
BUNDLE_RATE = 0.035
BUNDLE_MEMBER_DAMPING = 0.3

_WEEKDAY = np.array([1.0, 1.1, 1.1, 1.25, 0.85, 0.08, 0.6])
_HOURS = np.arange(7, 21)
_HOUR_P = np.array([1, 5, 9, 12, 14, 15, 13, 11, 8, 5, 3, 2, 1, 1], dtype=float)
_REGULAR = 1  # guests shop like regulars


def day_weights(start: pd.Timestamp, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Return relative weights of each day for all buyers and for gift buyers."""
    days = pd.date_range(start.normalize(), periods=n_days, freq="D")
    doy = days.dayofyear.to_numpy()
    season = 1.0 + 1.6 * np.exp(-0.5 * ((doy - 318) / 30.0) ** 2) + 0.15 * np.cos(
        2 * np.pi * (doy - 120) / 365.25
    )
    trend = 1.0 + 0.2 * np.arange(n_days) / max(n_days, 1)
    weights = season * trend * _WEEKDAY[days.dayofweek.to_numpy()]
    gift_mask = (days.month.to_numpy() >= 10) & ~((days.month == 12) & (days.day > 22))
    return weights, weights * gift_mask


def simulate(
    draw: CustomerDraw,
    products: pd.DataFrame,
    bundles: tuple[tuple[str, ...], ...],
    *,
    start: pd.Timestamp,
    n_days: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Return the invoice lines of the shop (see :func:`recsys.synth.shop.generate_shop`)."""
    rng_inv, rng_lines, rng_cancel = rng.spawn(3)
    nc = len(draw.segment)
    weights, gift_weights = day_weights(start, n_days)

    # Invoices: customers' own, then guest checkouts (customer index -1).
    inv_cust = np.repeat(np.arange(nc), draw.n_invoices)
    n_guest = int(round(GUEST_SHARE / (1 - GUEST_SHARE) * len(inv_cust)))
    inv_cust = np.concatenate([inv_cust, np.full(n_guest, -1)])
    is_guest = inv_cust < 0
    cust = np.where(is_guest, 0, inv_cust)
    lo = np.where(is_guest, 0, draw.first_day[cust])
    hi = np.where(is_guest, n_days, draw.last_day[cust])
    seg = np.where(is_guest, _REGULAR, draw.segment[cust])
    gifts = np.array([s.gifts for s in SEGMENTS])[seg]
    day = _draw_days(lo, hi, gifts, weights, gift_weights, rng_inv)
    hour = _HOURS[rng_inv.choice(len(_HOURS), len(day), p=_HOUR_P / _HOUR_P.sum())]
    minute = rng_inv.integers(0, 60, len(day))
    when = (start.normalize().to_datetime64().astype("datetime64[m]")
            + (day * 1440 + hour * 60 + minute).astype("timedelta64[m]"))
    months = (pd.DatetimeIndex(when).month.to_numpy() - 1)

    guest_country = np.where(
        rng_inv.random(len(day)) < 0.9, COUNTRIES[0][0],
        np.array([c for c, _ in COUNTRIES])[rng_inv.integers(0, len(COUNTRIES), len(day))],
    )
    inv_country = np.where(
        is_guest, guest_country, draw.customers[S.COUNTRY].to_numpy()[cust]
    )

    # Lines: basket size per invoice, category by affinity x month, product in category.
    basket = np.array([s.basket for s in SEGMENTS])[seg]
    n_lines = 1 + rng_lines.poisson(basket - 1.0)
    line_inv = np.repeat(np.arange(len(day)), n_lines)
    guest_aff = np.ones(len(CATEGORY_NAMES)) / len(CATEGORY_NAMES)
    affinity = np.vstack([draw.affinity, guest_aff])
    cat_month = _category_by_month()
    aff_row = np.where(is_guest, nc, cust)
    cat = _draw_categories(aff_row[line_inv], months[line_inv], affinity, cat_month, rng_lines)
    prod = _draw_products(cat, np.array([s.bargain for s in SEGMENTS])[seg][line_inv],
                          products, bundles, rng_lines)

    # Planted bundles: added whole to a share of customers' baskets.
    pid_index = pd.Index(products[S.PRODUCT_ID])
    extra_inv, extra_prod = [], []
    for bundle in bundles:
        hit = np.flatnonzero(~is_guest & (rng_lines.random(len(day)) < BUNDLE_RATE))
        for pid in bundle:
            extra_inv.append(hit)
            extra_prod.append(np.full(len(hit), pid_index.get_loc(pid)))
    line_inv = np.concatenate([line_inv, *extra_inv])
    prod = np.concatenate([prod, *extra_prod])
    order = np.lexsort((np.arange(len(line_inv)), line_inv))
    line_inv, prod = line_inv[order], prod[order]
    keep = ~pd.DataFrame({"i": line_inv, "p": prod}).duplicated().to_numpy()
    line_inv, prod = line_inv[keep], prod[keep]

    qty_p = np.array([np.asarray(s.qty) / sum(s.qty) for s in SEGMENTS])
    qty = QTY_VALUES[_draw_rows(qty_p, seg[line_inv], rng_lines)]
    base_price = products[S.UNIT_PRICE].to_numpy()[prod]
    price = np.where(qty >= 24, np.round(base_price * 0.85, 2), base_price)

    lines = {"inv": line_inv, "prod": prod, "qty": qty.astype(np.int64), "price": price}
    inv = {"when": when, "cust": inv_cust, "country": inv_country}
    cancel_p = np.where(is_guest, 0.0, np.array([s.cancel for s in SEGMENTS])[seg])
    lines, inv = _add_cancellations(lines, inv, cancel_p, n_days, start, rng_cancel)
    return _frame(lines, inv, draw, products)


def _draw_days(lo, hi, gifts, weights, gift_weights, rng) -> np.ndarray:
    """Draw a day in ``[lo, hi)`` per invoice, by day weight (inverse CDF, vectorised)."""
    cdf = np.concatenate([[0.0], np.cumsum(weights)])
    gcdf = np.concatenate([[0.0], np.cumsum(gift_weights)])
    # Gift buyers shop in the gift season, unless their window has none of it.
    use_gift = gifts & (gcdf[hi] - gcdf[lo] > 0)
    u = rng.random(len(lo))
    day = np.empty(len(lo), dtype=np.int64)
    for mask, c in ((~use_gift, cdf), (use_gift, gcdf)):
        x = c[lo[mask]] + u[mask] * (c[hi[mask]] - c[lo[mask]])
        day[mask] = np.searchsorted(c, x, side="right") - 1
    return np.clip(day, lo, hi - 1)


def _category_by_month() -> np.ndarray:
    factor = np.ones((12, len(CATEGORY_NAMES)))
    xmas = CATEGORY_NAMES.index("Christmas")
    factor[:, xmas] = [0.1, 0.05, 0.05, 0.05, 0.1, 0.2, 0.4, 0.7, 1.5, 3.0, 4.0, 2.5]
    garden = CATEGORY_NAMES.index("Garden")
    factor[:, garden] = [0.4, 0.6, 1.2, 1.8, 2.0, 1.8, 1.4, 1.0, 0.7, 0.5, 0.4, 0.4]
    return factor


def _draw_rows(p: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw one column index per row of ``p[rows]`` (each row a probability vector)."""
    cdf = np.cumsum(p, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random(len(rows))
    return np.minimum((cdf[rows] <= u[:, None]).sum(axis=1), p.shape[1] - 1)


def _draw_categories(rows, months, affinity, cat_month, rng) -> np.ndarray:
    out = np.empty(len(rows), dtype=np.int64)
    u = rng.random(len(rows))
    for m in range(12):
        sel = np.flatnonzero(months == m)
        if not len(sel):
            continue
        cdf = np.cumsum((affinity * cat_month[m]).astype(np.float32), axis=1)
        cdf /= cdf[:, -1:]
        for chunk in np.array_split(sel, max(1, len(sel) // 200_000)):
            out[chunk] = (cdf[rows[chunk]] <= u[chunk, None]).sum(axis=1)
    return np.minimum(out, len(CATEGORY_NAMES) - 1)


def _draw_products(cat, bargain, products, bundles, rng) -> np.ndarray:
    """Pick a product of each line's category by popularity (cheap ones for bargain lines)."""
    cat_of = pd.Categorical(products[S.CATEGORY], categories=CATEGORY_NAMES).codes
    order = np.lexsort((np.arange(len(cat_of)), cat_of))
    pop = products["popularity"].to_numpy().copy()
    members = np.isin(products[S.PRODUCT_ID].to_numpy(), [p for b in bundles for p in b])
    pop[members] *= BUNDLE_MEMBER_DAMPING
    price = products[S.UNIT_PRICE].to_numpy()
    u = rng.random(len(cat))
    out = np.empty(len(cat), dtype=np.int64)
    for flag, w in ((False, pop), (True, pop * price**-2.0)):
        w_sorted, c_sorted = w[order], cat_of[order]
        cum = np.zeros(len(w_sorted))
        for c in range(len(CATEGORY_NAMES)):
            m = c_sorted == c
            cum[m] = c + np.cumsum(w_sorted[m]) / w_sorted[m].sum()
        sel = bargain == flag
        pos = np.searchsorted(cum, cat[sel] + u[sel], side="right")
        out[sel] = order[np.minimum(pos, len(order) - 1)]
    return out


def _add_cancellations(lines, inv, cancel_p, n_days, start, rng):
    """Cancel some lines of a share (``cancel_p`` per invoice) of invoices, days later.

    A cancellation comes 0-4 days after its invoice, in shop hours; one that would fall
    after the end of the period is not made.
    """
    n_inv = len(inv["when"])
    chosen = np.flatnonzero(rng.random(n_inv) < cancel_p)
    minute = np.timedelta64(1, "m")
    end = start.normalize().to_datetime64().astype("datetime64[m]") + n_days * 1440 * minute
    hour = _HOURS[rng.choice(len(_HOURS), len(chosen), p=_HOUR_P / _HOUR_P.sum())]
    offset = rng.integers(0, 5, len(chosen)) * 1440 + hour * 60 + rng.integers(0, 60, len(chosen))
    original = inv["when"][chosen]
    cancel_when = original.astype("datetime64[D]").astype("datetime64[m]") + offset * minute
    cancel_when = np.where(cancel_when <= original, cancel_when + 1440 * minute, cancel_when)
    in_period = cancel_when < end
    chosen, cancel_when = chosen[in_period], cancel_when[in_period]
    first_line = np.searchsorted(lines["inv"], chosen)
    take_two = rng.random(len(chosen)) < 0.3
    second_ok = take_two & (first_line + 1 < len(lines["inv"]))
    second_ok &= lines["inv"][np.minimum(first_line + 1, len(lines["inv"]) - 1)] == chosen
    src = np.concatenate([first_line, first_line[second_ok] + 1])
    src_inv = lines["inv"][src]
    new_id = n_inv + np.searchsorted(chosen, src_inv)
    qty = lines["qty"][src]
    partial = rng.random(len(src)) < 0.3
    cancel_qty = -np.where(partial, np.maximum(qty // 2, 1), qty)

    inv = {
        "when": np.concatenate([inv["when"], cancel_when]),
        "cust": np.concatenate([inv["cust"], inv["cust"][chosen]]),
        "country": np.concatenate([inv["country"], inv["country"][chosen]]),
        "cancel": np.concatenate([np.zeros(n_inv, bool), np.ones(len(chosen), bool)]),
    }
    lines = {
        "inv": np.concatenate([lines["inv"], new_id]),
        "prod": np.concatenate([lines["prod"], lines["prod"][src]]),
        "qty": np.concatenate([lines["qty"], cancel_qty]),
        "price": np.concatenate([lines["price"], lines["price"][src]]),
    }
    return lines, inv


def _frame(lines, inv, draw: CustomerDraw, products: pd.DataFrame) -> pd.DataFrame:
    """Number invoices in date order and assemble the canonical lines."""
    rank = np.empty(len(inv["when"]), dtype=np.int64)
    rank[np.lexsort((inv["cancel"], inv["when"]))] = np.arange(len(inv["when"]))
    numbers = (FIRST_INVOICE_NO + rank).astype(str)
    inv_ids = np.where(inv["cancel"], np.char.add("C", numbers), numbers)
    cust_ids = draw.customers[S.CUSTOMER_ID].to_numpy()
    inv_cust_id = np.where(inv["cust"] >= 0, cust_ids[np.maximum(inv["cust"], 0)], None)

    order = np.lexsort((np.arange(len(lines["inv"])), rank[lines["inv"]]))
    li = lines["inv"][order]
    prod = lines["prod"][order]
    return pd.DataFrame(
        {
            S.INVOICE_ID: pd.array(inv_ids[li], dtype="string"),
            S.INVOICE_DATE: inv["when"][li].astype("datetime64[ns]"),
            S.CUSTOMER_ID: pd.array(inv_cust_id[li], dtype="string"),
            S.PRODUCT_ID: pd.array(products[S.PRODUCT_ID].to_numpy()[prod], dtype="string"),
            S.DESCRIPTION: pd.array(products[S.DESCRIPTION].to_numpy()[prod], dtype="string"),
            S.QUANTITY: lines["qty"][order],
            S.UNIT_PRICE: lines["price"][order].astype(np.float64),
            S.COUNTRY: pd.array(inv["country"][li], dtype="string"),
            S.CATEGORY: pd.array(products[S.CATEGORY].to_numpy()[prod], dtype="string"),
        }
    )
