"""Reasons of the hybrid's recommendations, naming the customer's real purchases.

Each recommended product is explained by the part of the blend that scored it most:
the collaborative part names the purchase it was "bought with", the content part the
purchase it is "similar to", each with the month of that purchase; a product the
customer bought before is "time to restock?"; without a supporting purchase, "popular
right now". When the training lines carry ``cancelled_quantity``
(:func:`recsys.data.cancellations.with_cancelled_quantity`), a purchase cancelled in
full is never named (scores are the same either way).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recsys.data import schema as S
from recsys.data.cancellations import CANCELLED_QUANTITY
from recsys.recommend import reasons as R
from recsys.recommend.interactions import Histories


def month_codes(age_days: np.ndarray, now: pd.Timestamp) -> np.ndarray:
    """Return ``year * 12 + month - 1`` of the dates ``age_days`` before ``now``."""
    # to the second: an age in float days is a few microseconds off, which moved a
    # purchase at midnight on the 1st (every line of a date-only export) to the month before
    dates = (now - pd.to_timedelta(age_days, unit="D")).round("s")
    return (dates.year * 12 + dates.month - 1).to_numpy(dtype=np.int64)


def kept_month_codes(data, transactions: pd.DataFrame) -> np.ndarray:
    """Return the month code of each purchase entry of ``data`` that a reason may name.

    Aligned with ``data.bought.data`` (CSR order): the month of the customer's last
    purchase of that product, or, when the lines carry ``cancelled_quantity``
    (:func:`recsys.data.cancellations.with_cancelled_quantity`), of the last purchase not
    cancelled in full, and -1 where every purchase of that product was cancelled in
    full: such a purchase is never a reason.
    """
    months = month_codes(data.age_days, data.now)
    if CANCELLED_QUANTITY not in transactions.columns:
        return months
    kept = transactions[(transactions[CANCELLED_QUANTITY] < transactions[S.QUANTITY]).to_numpy()]
    n_items = len(data.items)
    rows = data.users.get_indexer(kept[S.CUSTOMER_ID].astype(str))
    cols = data.items.get_indexer(kept[S.PRODUCT_ID].astype(str))
    ok = (rows >= 0) & (cols >= 0)
    pair = rows[ok].astype(np.int64) * n_items + cols[ok]
    dates = kept[S.INVOICE_DATE].to_numpy(dtype="datetime64[ns]")[ok]
    last = pd.Series(dates).groupby(pair, sort=True).max()
    b = data.bought
    entry = np.repeat(np.arange(b.shape[0], dtype=np.int64), np.diff(b.indptr)) * n_items + b.indices
    at = np.minimum(np.searchsorted(last.index.to_numpy(), entry), max(len(last) - 1, 0))
    found = (last.index.to_numpy()[at] == entry) if len(last) else np.zeros(len(entry), bool)
    stamps = pd.DatetimeIndex(last.to_numpy()[at]) if len(last) else pd.DatetimeIndex([])
    codes = (stamps.year * 12 + stamps.month - 1).to_numpy(dtype=np.int64) if len(last) else months
    return np.where(found, codes, -1)


def kept_history(histories: Histories, pos: int, keep: np.ndarray) -> Histories:
    """One customer's history (as position 0) with only the purchases ``keep`` marks."""
    one = histories.take(np.array([pos]))
    b = one.bought
    bought = sp.csr_matrix((b.data[keep], b.indices[keep], np.array([0, int(keep.sum())])),
                           shape=b.shape)
    return Histories(bought, one.age_days[keep], one.invoices, one.half_life_days)


@lru_cache(maxsize=512)
def month_text(month_code: int, now: pd.Timestamp) -> str:
    """Return ``"in May 2011"`` for a month code ``year * 12 + month - 1``."""
    return R.when(pd.Timestamp(year=month_code // 12, month=month_code % 12 + 1, day=1), now)


def explain_items(histories: Histories, pos: int, items: np.ndarray, *, collaborative,
                  content, strength: tuple[np.ndarray, np.ndarray, np.ndarray],
                  months: np.ndarray, names: np.ndarray, now: pd.Timestamp) -> list[str]:
    """Return one reason per item recommended to the customer at ``pos`` of ``histories``.

    Parameters
    ----------
    collaborative, content
        Fitted parts with ``explain(histories, pos, items) -> (anchors, strength)``.
    strength : tuple of ndarray
        The collaborative, content and trend parts' weighted scores of ``items``.
    months : ndarray of int
        Month codes of the customer's purchases (aligned with their entries).
    names : ndarray of str
        Product names by item index.
    """
    cf, ct, tr = strength
    bought = histories.entries(pos)[0]
    at = np.minimum(np.searchsorted(bought, items), max(len(bought) - 1, 0))
    owned = (bought[at] == items) if len(bought) else np.zeros(len(items), bool)
    # explain each item by its strongest part; fall back to the next when that part
    # has no supporting purchase (e.g. a product without co-purchases)
    anchor = np.full(len(items), -1)
    kind = np.zeros(len(items), dtype=np.int8)  # 1 collaborative, 2 content
    for part, code, want in (
        (collaborative, 1, ~owned & (cf >= np.maximum(ct, tr))),
        (content, 2, ~owned & (ct >= tr)),
    ):
        want = want & (anchor < 0)
        if want.any():
            found, support = part.explain(histories, pos, items[want])
            found = np.where(support > 0, found, -1)
            anchor[want] = found
            kind[want] = np.where(found >= 0, code, 0)

    def bought_when(item):
        return month_text(int(months[np.searchsorted(bought, item)]), now)

    out = []
    for j, item in enumerate(items):
        if owned[j]:
            out.append(R.bought_before(bought_when(item)))
        elif kind[j] == 1:
            out.append(R.bought_with(names[anchor[j]], bought_when(anchor[j])))
        elif kind[j] == 2:
            out.append(R.similar_to(names[anchor[j]], bought_when(anchor[j])))
        else:
            out.append(R.POPULAR_NOW)
    return out
