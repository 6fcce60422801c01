"""The hybrid recommender: collaborative + content + "popular right now", blended by history.

* Rich history: mostly collaborative (EASE over recency-weighted purchases; item-kNN
  above ``max_dense_items`` products), plus a light content and trend prior.
* Little history (1–2 invoices): the blend weights are chosen separately, typically
  more content and popularity.
* No history (a customer known from ``customers``/``segments`` but without purchases):
  what is popular in the customer's segment, country and demographic group.
* Wholly unknown id: what is popular right now.

The blend weights are chosen in ``fit`` by validation on the last ``validation_days``
of the training lines (see :mod:`recsys.recommend.blend`), never on later data.

Reasons name a real purchase with its month and year. When the training lines carry
``cancelled_quantity`` (:func:`recsys.data.cancellations.with_cancelled_quantity`), a
purchase cancelled in full is never named (scores are the same either way).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from recsys.data import schema as S
from recsys.data.cancellations import CANCELLED_QUANTITY
from recsys.errors import ParameterError
from recsys.recommend import reasons as R
from recsys.recommend.base import BaseRecommender, check_n, minmax_rows
from recsys.recommend.blend import (
    HALF_LIVES,
    MAX_CELLS,
    MIN_USERS,
    TREND_HALF_LIVES,
    Blend,
    choose_blend,
    recent_popularity,
    validation_targets,
)
from recsys.recommend.content import ContentRecommender
from recsys.recommend.crosssell import cross_sell
from recsys.recommend.ease import MAX_DENSE_ITEMS, EASERecommender
from recsys.recommend.history import LIGHT_INVOICES, history_band
from recsys.recommend.interactions import Histories, build_interactions
from recsys.recommend.itemknn import ItemKNNRecommender
from recsys.recommend.popularity import customer_groups, group_popularity

COLD_KINDS = ("segment", "country", "demographic")

COLD_TREND_WEIGHT = 0.3
"""Weight of "popular right now" beside the group rankings (each scaled to max 1) for a
customer without history; with no known group, the trend alone decides."""


def month_codes(age_days: np.ndarray, now: pd.Timestamp) -> np.ndarray:
    """Return ``year * 12 + month - 1`` of the dates ``age_days`` before ``now``."""
    # to the second: an age in float days is a few microseconds off, which moved a
    # purchase at midnight on the 1st (every line of a date-only export) to the month before
    dates = (now - pd.to_timedelta(age_days, unit="D")).round("s")
    return (dates.year * 12 + dates.month - 1).to_numpy(dtype=np.int64)


@lru_cache(maxsize=512)
def month_text(month_code: int, now: pd.Timestamp) -> str:
    """Return ``"in May"`` / ``"in May 2010"`` for a month code ``year * 12 + month - 1``."""
    return R.when(pd.Timestamp(year=month_code // 12, month=month_code % 12 + 1, day=1), now)


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


def _kept_history(histories: Histories, pos: int, keep: np.ndarray) -> Histories:
    """One customer's history (as position 0) with only the purchases ``keep`` marks."""
    one = histories.take(np.array([pos]))
    b = one.bought
    bought = sp.csr_matrix((b.data[keep], b.indices[keep], np.array([0, int(keep.sum())])), shape=b.shape)
    return Histories(bought, one.age_days[keep], one.invoices, one.half_life_days)


class HybridRecommender(BaseRecommender):
    """Blend of collaborative, content and popularity signals, with reasons.

    Parameters
    ----------
    l2 : float, default 300
        EASE ridge penalty.
    half_life_days, trend_half_life_days : float, default 60, 7
        Defaults of the collaborative recency half-life and of the trend prior.
    trend_weight, content_weight : float, default 0.3, 0.1
        Default blend weights (collaborative weight is 1).
    tune : bool, default True
        Choose half-lives and weights by inner time-split validation in ``fit``.
    validation_days : int, default 30
        Length of the inner validation period at the end of the training lines.
    max_dense_items : int, default 6000
        Above this many sold products, item-kNN replaces EASE (bounded memory).
    neighbours : int, default 100
        Neighbours per product of the item-kNN part.
    cold_half_life_days : float, default 60
        Recency half-life of the segment / country / demographic popularity.
    """

    def __init__(self, *, l2: float = 300.0, half_life_days: float = 60.0,
                 trend_half_life_days: float = 7.0, trend_weight: float = 0.3,
                 content_weight: float = 0.1, tune: bool = True, validation_days: int = 30,
                 max_dense_items: int = MAX_DENSE_ITEMS, neighbours: int = 100,
                 cold_half_life_days: float = 60.0):
        self.l2 = l2
        self.half_life_days = half_life_days
        self.trend_half_life_days = trend_half_life_days
        self.trend_weight = trend_weight
        self.content_weight = content_weight
        self.tune = tune
        self.validation_days = validation_days
        self.max_dense_items = max_dense_items
        self.neighbours = neighbours
        self.cold_half_life_days = cold_half_life_days

    score_dtype = np.float32

    # -- fitting -----------------------------------------------------------------------
    def _part_templates(self, n_sold: int) -> tuple[BaseRecommender, BaseRecommender]:
        """Unfitted collaborative and content parts (cloned for every fit)."""
        if n_sold <= self.max_dense_items:
            collab = EASERecommender(l2=self.l2, half_life_days=self.half_life_days,
                                     max_items=self.max_dense_items)
        else:
            collab = ItemKNNRecommender(k=self.neighbours, half_life_days=self.half_life_days)
        return collab, ContentRecommender()

    def _parts(self, data, lines, products, half_life_days):
        collab, content = self._part_templates(data.n_sold)
        collab = clone(collab).set_params(half_life_days=half_life_days)
        return (collab.fit_interactions(data, lines, products=products),
                clone(content).fit_interactions(data, lines, products=products))

    def _fit_model(self, transactions, products, customers, segments) -> None:
        if not self.validation_days >= 1:
            raise ParameterError(f"validation_days must be at least 1, got {self.validation_days!r}")
        default = Blend(self.half_life_days, self.trend_half_life_days, self.trend_weight,
                        self.content_weight, self.trend_weight, self.content_weight)
        self.blend_ = self._validate(transactions, products, default) if self.tune else default
        self.collaborative_, self.content_ = self._parts(
            self.data_, transactions, products, self.blend_.half_life_days)
        self.trend_ = recent_popularity(self.data_, self.blend_.trend_half_life_days)
        self._fit_cold(transactions, customers, segments)
        self.bought_csc_ = self.data_.bought.tocsc()
        self.names_ = np.array([R.product_name(d, p) for d, p in zip(
            self.content_.descriptions_, self.data_.items, strict=True)], dtype=object)
        self.bought_month_ = kept_month_codes(self.data_, transactions)

    def _validate(self, lines, products, default: Blend) -> Blend:
        dates = lines[S.INVOICE_DATE]
        cut = dates.max().normalize() - pd.Timedelta(days=int(self.validation_days))
        before = lines[dates < cut]
        if before.empty:
            return default
        if products is not None and S.PRODUCT_ID in products.columns:
            # as of the inner cut: products first sold after it are not yet known
            later = set(lines[S.PRODUCT_ID].astype(str)) - set(before[S.PRODUCT_ID].astype(str))
            products = products[~products[S.PRODUCT_ID].astype(str).isin(later)]
        inner = build_interactions(before, products=products)
        rows, truth = validation_targets(
            inner, lines[dates >= cut], max_users=max(MIN_USERS, MAX_CELLS // len(inner.items)))
        if len(rows) < MIN_USERS:
            return default
        collab, content = self._parts(inner, before, products, default.half_life_days)
        histories = inner.histories(rows)
        # one fitted part scores every candidate half-life: the histories carry it
        by_hl = {hl: minmax_rows(collab.score_histories(histories.with_half_life(hl)))
                 for hl in HALF_LIVES}
        excluded = inner.bought[rows].toarray() > 0
        return choose_blend(
            by_hl,
            minmax_rows(content.score_histories(histories)),
            {th: recent_popularity(inner, th) for th in TREND_HALF_LIVES},
            truth,
            excluded,
            inner.invoices[rows] <= LIGHT_INVOICES,
            default=default,
        )

    def _fit_cold(self, transactions, customers, segments) -> None:
        groups = {
            "segment": customer_groups("segment", transactions, customers, segments),
            "country": customer_groups("country", transactions, customers, segments),
            "demographic": R.demographic_groups(customers),
        }
        self.cold_scores_ = {}
        self.cold_labels_ = {}
        profile: dict[str, dict[str, int]] = {}
        for kind, labels in groups.items():
            names, counts = group_popularity(
                self.data_, labels, half_life_days=self.cold_half_life_days)
            top = counts.max(axis=1, keepdims=True) if len(counts) else counts
            self.cold_scores_[kind] = counts / np.maximum(top, 1e-12)
            self.cold_labels_[kind] = names
            codes = names.get_indexer(labels.to_numpy(dtype=object)) if len(labels) else []
            for cid, code in zip(labels.index, codes, strict=True):
                if code >= 0:
                    profile.setdefault(str(cid), {})[kind] = int(code)
        self.cold_profile_ = profile

    # -- scoring -----------------------------------------------------------------------
    def _components(self, histories: Histories) -> tuple[np.ndarray, ...]:
        b = self.blend_
        light = histories.invoices <= LIGHT_INVOICES
        w_ct = np.where(light, b.light_content, b.rich_content).astype(np.float32)
        w_tr = np.where(light, b.light_trend, b.rich_trend).astype(np.float32)
        cf = minmax_rows(self.collaborative_.score_histories(histories))
        ct = w_ct[:, None] * minmax_rows(self.content_.score_histories(histories))
        tr = w_tr[:, None] * self.trend_[None, :]
        return cf, ct, tr

    def score_histories(self, histories: Histories) -> np.ndarray:
        """Return the blended scores of customers with these purchases.

        Collaborative and content scores are each scaled to [0, 1] per customer, then
        weighted (collaborative 1) with the trend prior, by the customer's history band.
        """
        cf, ct, tr = self._components(histories)
        return cf + ct + tr

    def _scores_with_evidence(self, histories, rows):
        cf, ct, tr = self._components(histories)
        return cf + ct + tr, (cf, ct, tr, rows)

    def _cold_profile(self, customer_id: str) -> dict[str, int]:
        return self.cold_profile_.get(customer_id, {})

    def _cold_score(self, customer_id: str) -> np.ndarray:
        known = self._cold_profile(customer_id)
        score = COLD_TREND_WEIGHT * self.trend_
        for kind in COLD_KINDS:
            if kind in known:
                score = score + self.cold_scores_[kind][known[kind]]
        return score

    def _cold_reason(self, customer_id: str) -> str:
        known = self._cold_profile(customer_id)
        label = []
        seg = known.get("segment")
        country = known.get("country")
        demo = known.get("demographic")
        if seg is not None:
            label.append(str(self.cold_labels_["segment"][seg]))
        elif demo is not None:
            label.append(str(self.cold_labels_["demographic"][demo]))
        if country is not None:
            label.append(("in " if label else "customers in ")
                         + str(self.cold_labels_["country"][country]))
        return R.popular_with(" ".join(label)) if label else R.POPULAR_NOW

    def _cold_scores(self, ids) -> np.ndarray:
        return np.vstack([self._cold_score(str(i)) for i in ids])

    # -- reasons -----------------------------------------------------------------------
    def _reasons(self, ids, histories, warm, top, evidence) -> list[str]:
        reasons: list[str] = []
        k = 0
        for pos, customer_id in enumerate(ids):
            items = top[pos][top[pos] >= 0]
            if warm[pos]:
                cf, ct, tr = (part[k, items] for part in evidence[:3])
                months = self._months(histories, pos, None if evidence[3] is None
                                      else evidence[3][k])
                if (months < 0).any():
                    # Purchases cancelled in full are never named: explain from the rest.
                    kept, keep_pos = _kept_history(histories, pos, months >= 0), 0
                    reasons.extend(self._explain(kept, keep_pos, items, cf, ct, tr, months[months >= 0]))
                else:
                    reasons.extend(self._explain(histories, pos, items, cf, ct, tr, months))
                k += 1
            else:
                reasons.extend([self._cold_reason(customer_id)] * len(items))
        return reasons

    def _months(self, histories: Histories, pos: int, row: int | None) -> np.ndarray:
        """Month codes of one customer's purchases (precomputed for fitted customers)."""
        if row is not None:
            b = self.data_.bought
            return self.bought_month_[b.indptr[row] : b.indptr[row + 1]]
        return month_codes(histories.entries(pos)[1], self.data_.now)

    def _explain(self, histories, pos, items, cf, ct, tr, months) -> list[str]:
        bought = histories.entries(pos)[0]
        at = np.minimum(np.searchsorted(bought, items), max(len(bought) - 1, 0))
        owned = (bought[at] == items) if len(bought) else np.zeros(len(items), bool)
        # explain each item by its strongest part; fall back to the next when that part
        # has no supporting purchase (e.g. a product without co-purchases)
        anchor = np.full(len(items), -1)
        kind = np.zeros(len(items), dtype=np.int8)  # 1 collaborative, 2 content
        for part, code, want in (
            (self.collaborative_, 1, ~owned & (cf >= np.maximum(ct, tr))),
            (self.content_, 2, ~owned & (ct >= tr)),
        ):
            want = want & (anchor < 0)
            if want.any():
                found, strength = part.explain(histories, pos, items[want])
                found = np.where(strength > 0, found, -1)
                anchor[want] = found
                kind[want] = np.where(found >= 0, code, 0)
        now = self.data_.now

        def bought_when(item):
            return month_text(int(months[np.searchsorted(bought, item)]), now)

        out = []
        for j, item in enumerate(items):
            if owned[j]:
                out.append(R.bought_before(bought_when(item)))
            elif kind[j] == 1:
                out.append(R.bought_with(self.names_[anchor[j]], bought_when(anchor[j])))
            elif kind[j] == 2:
                out.append(R.similar_to(self.names_[anchor[j]], bought_when(anchor[j])))
            else:
                out.append(R.POPULAR_NOW)
        return out

    def similar_items(self, product_id: object, *, n: int = 10) -> pd.DataFrame:
        """Return products bought by the same customers or described alike.

        Parameters
        ----------
        product_id : str
            A product of the fitted catalogue.
        n : int, default 10
            At most this many products (fewer when fewer are related at all).

        Returns
        -------
        DataFrame
            ``product_id``, ``score`` (in [0, 1]), ``reason`` ("bought together by 15
            customers" or "similar description to …").
        """
        check_is_fitted(self, "blend_")
        n = check_n(n)
        j = self._item_index(product_id)
        related = cross_sell(self.data_.bought, self.bought_csc_, np.array([j]),
                             self.content_.item_similarity)
        order = related.top(n)
        name = self.names_[j]
        why = [R.bought_together(int(related.together[0, i]))
               if related.co_purchase[i] >= related.text[i]
               else R.similar_description(name) for i in order]
        return pd.DataFrame({S.PRODUCT_ID: self.data_.items.to_numpy()[order],
                             "score": related.score[order].astype(np.float64), "reason": why})

    def basket_items(self, product_ids: list[str], *, n: int = 10) -> pd.DataFrame:
        """Return products to suggest beside a cart: what its buyers also bought.

        Parameters
        ----------
        product_ids : list of str
            The products in the cart; ids the model does not know are left out.
        n : int, default 10
            Products to return. When fewer are related to the cart (or the cart has no
            known product), the list is filled with what is popular right now.

        Returns
        -------
        DataFrame
            ``product_id``, ``score`` (in [0, 1]; fill-ins below every related product),
            ``reason`` ("bought with X by 12 customers", "similar description to X",
            "popular right now"); never a product of the cart.
        """
        check_is_fitted(self, "blend_")
        n = check_n(n)
        if isinstance(product_ids, str):
            product_ids = [product_ids]
        known = self.data_.items.get_indexer([str(p) for p in product_ids])
        anchors = np.unique(known[known >= 0])
        order = np.empty(0, dtype=np.int64)
        scores = np.empty(0)
        why: list[str] = []
        if len(anchors):
            related = cross_sell(self.data_.bought, self.bought_csc_, anchors,
                                 self.content_.item_similarity)
            order = related.top(n)
            scores = related.score[order]
            for i in order:
                if related.co_purchase[i] >= related.text[i]:
                    a = related.co_anchor[i]
                    why.append(R.bought_with_by(self.names_[anchors[a]],
                                                int(related.together[a, i])))
                else:
                    why.append(R.similar_description(self.names_[anchors[related.text_anchor[i]]]))
        if len(order) < n:
            trend = self.trend_.astype(np.float64).copy()
            trend[np.concatenate([anchors, order])] = -np.inf
            fill = np.lexsort((np.arange(len(trend)), -trend))[: n - len(order)]
            fill = fill[np.isfinite(trend[fill])]
            floor = scores.min(initial=1.0)
            order = np.concatenate([order, fill])
            scores = np.concatenate([scores, floor * 0.5 * trend[fill]])
            why.extend([R.POPULAR_NOW] * len(fill))
        return pd.DataFrame({S.PRODUCT_ID: self.data_.items.to_numpy()[order],
                             "score": scores.astype(np.float64), "reason": why})

    def history_band(self, customer_id: str) -> str:
        """Return ``"no history"``, ``"1–2 invoices"``, ``"3–9 invoices"`` or ``"10+ invoices"``."""
        check_is_fitted(self, "blend_")
        row = self.data_.users.get_indexer([str(customer_id)])[0]
        count = 0 if row < 0 else int(self.data_.invoices[row])
        return history_band(count)

