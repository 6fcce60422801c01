"""The hybrid recommender: collaborative, content, profile and "popular right now", blended.

* Customers with purchases: EASE over recency-weighted purchases (item-kNN above
  ``max_dense_items`` products), plus the products whose descriptions resemble theirs,
  the popular products of the categories and price bands they buy (the profile), and
  what sells right now; the weights differ for customers with little (1–2 invoices)
  and with rich history. Further registered models join the blend when named in
  ``extra_parts`` and validation gives them weight.
* No history (a customer known from ``customers``/``segments`` but without purchases):
  what is popular in the customer's segment, country and demographic group.
* Wholly unknown id: what is popular right now.

Reasons name a real purchase with its month and year; when the training lines carry
``cancelled_quantity`` (:func:`recsys.data.cancellations.with_cancelled_quantity`), a
purchase cancelled in full is never named (scores are the same either way).

Every setting that matters is chosen in ``fit`` by rolling-origin validation on the
last weeks of the training lines (:mod:`recsys.recommend.tuning`), never on later data;
with too little history, the defaults (the constructor's arguments) stand. A product
that would sit in the top 5 of too many customers is held back by the cap validation
chooses (:mod:`recsys.recommend.exposure`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.recommend import blend as B
from recsys.recommend import reasons as R
from recsys.recommend.base import BLOCK_ROWS, BaseRecommender, check_n, minmax_rows, top_n
from recsys.recommend.coldstart import ColdStart
from recsys.recommend.content import ContentRecommender
from recsys.recommend.crosssell import cross_sell
from recsys.recommend.ease import MAX_DENSE_ITEMS, EASERecommender
from recsys.recommend.explain import explain_items, kept_history, kept_month_codes, month_codes
from recsys.recommend.exposure import exposure_offsets
from recsys.recommend.history import LIGHT_INVOICES, history_band
from recsys.recommend.interactions import Histories
from recsys.recommend.itemknn import ItemKNNRecommender
from recsys.recommend.profile import ProfileRecommender
from recsys.recommend.registry import model_entry
from recsys.recommend.tuning import SETTING_COLUMNS, tune

CALIBRATION_USERS = 2000
"""Customers (evenly spaced) whose lists set the concentration offsets at fit time."""


class HybridRecommender(BaseRecommender):
    """Blend of collaborative, content, profile and popularity signals, with reasons.

    Parameters
    ----------
    l2 : float, default 300
        EASE ridge penalty (validation tries a third of it and three times it).
    half_life_days, trend_half_life_days : float, default 60, 7
        Defaults of the collaborative recency half-life and of the trend prior.
    trend_weight, content_weight, profile_weight : float, default 0.3, 0.1, 0.0
        Default blend weights (collaborative weight is 1).
    cap : float, optional
        Default concentration cap (largest share of customers whose top 5 may hold one
        product); None: no cap unless validation chooses one.
    tune : bool, default True
        Choose the settings by rolling-origin validation in ``fit``.
    validation_days : int, default 30
        Length of each validation window.
    validation_windows : int, default 3
        Windows at the end of the training lines, one after another.
    max_dense_items : int, default 6000
        Above this many sold products, item-kNN replaces EASE (bounded memory).
    neighbours : int, default 100
        Neighbours per product of the item-kNN part.
    cold_half_life_days : float, default 60
        Recency half-life of the segment / country / demographic popularity.
    extra_parts : tuple of str, default ()
        Registered models (:mod:`recsys.recommend.registry`, ``blend_part=True``) to try
        as further parts of the blend; each is kept only where validation gives it
        weight.
    settings : Blend, optional
        Settings chosen elsewhere (e.g. by this model's validation on a sample of the
        shop's customers, :mod:`recsys.pipeline.recommend`), used as they are: no
        validation in ``fit`` and the defaults above are not read.
    """

    score_dtype = np.float32

    def __init__(self, *, l2: float = 300.0, half_life_days: float = 60.0,
                 trend_half_life_days: float = 7.0, trend_weight: float = 0.3,
                 content_weight: float = 0.1, profile_weight: float = 0.0,
                 cap: float | None = None, tune: bool = True, validation_days: int = 30,
                 validation_windows: int = 3, max_dense_items: int = MAX_DENSE_ITEMS,
                 neighbours: int = 100, cold_half_life_days: float = 60.0,
                 extra_parts: tuple[str, ...] = (), settings: B.Blend | None = None):
        self.l2 = l2
        self.half_life_days = half_life_days
        self.trend_half_life_days = trend_half_life_days
        self.trend_weight = trend_weight
        self.content_weight = content_weight
        self.profile_weight = profile_weight
        self.cap = cap
        self.tune = tune
        self.validation_days = validation_days
        self.validation_windows = validation_windows
        self.max_dense_items = max_dense_items
        self.neighbours = neighbours
        self.cold_half_life_days = cold_half_life_days
        self.extra_parts = extra_parts
        self.settings = settings

    # -- fitting -----------------------------------------------------------------------
    def _dense(self, n_sold: int) -> bool:
        return n_sold <= self.max_dense_items

    def _make_part(self, name: str, n_sold: int) -> BaseRecommender:
        """Unfitted part ``name`` (cloned before every fit)."""
        if name == B.COLLABORATIVE:
            if self._dense(n_sold):
                return EASERecommender(l2=self.l2, half_life_days=self.half_life_days,
                                       max_items=self.max_dense_items)
            return ItemKNNRecommender(k=self.neighbours, half_life_days=self.half_life_days)
        if name == B.CONTENT:
            return ContentRecommender()
        if name == B.PROFILE:
            return ProfileRecommender()
        return model_entry(name).build()

    def _default_blend(self, n_sold: int) -> B.Blend:
        weights = ((B.TREND, float(self.trend_weight)), (B.CONTENT, float(self.content_weight)),
                   (B.PROFILE, float(self.profile_weight)),
                   *((name, 0.0) for name in self.extra_parts))
        return B.Blend(float(self.l2 if self._dense(n_sold) else self.neighbours),
                       float(self.half_life_days), float(self.trend_half_life_days),
                       weights, weights, self.cap)

    def _check_params(self) -> None:
        if not self.validation_days >= 1:
            raise ParameterError(f"validation_days must be at least 1, got {self.validation_days!r}")
        if not self.validation_windows >= 1:
            raise ParameterError(
                f"validation_windows must be at least 1, got {self.validation_windows!r}")
        if self.cap is not None and not 0 < self.cap <= 1:
            raise ParameterError(f"cap must be in (0, 1] or None, got {self.cap!r}")
        for name in self.extra_parts:
            if not model_entry(name).blend_part:
                raise ParameterError(f"model {name!r} cannot join the blend (not a blend part)")

    def _fit_model(self, transactions, products, customers, segments) -> None:
        self._check_params()
        data = self.data_
        default = self._default_blend(data.n_sold)
        if self.settings is not None:
            self.blend_ = self.settings
            self.tuning_ = pd.DataFrame(columns=list(SETTING_COLUMNS))
        elif self.tune:
            fit_param = "l2" if self._dense(data.n_sold) else "k"
            self.blend_, self.tuning_ = tune(
                transactions, products, make=self._make_part, default=default,
                extras=tuple(self.extra_parts), fit_param=fit_param,
                days=int(self.validation_days), count=int(self.validation_windows),
                item_index=data.items)
        else:
            self.blend_ = default
            self.tuning_ = pd.DataFrame(columns=list(SETTING_COLUMNS))
        blend = self.blend_
        collab = clone(self._make_part(B.COLLABORATIVE, data.n_sold)).set_params(
            **{("l2" if self._dense(data.n_sold) else "k"): _fit_value(blend.l2, self._dense(
                data.n_sold)), "half_life_days": blend.half_life_days})
        self.collaborative_ = collab.fit_interactions(data, transactions, products=products)
        self.content_ = clone(self._make_part(B.CONTENT, data.n_sold)).fit_interactions(
            data, transactions, products=products)
        self.parts_ = {}
        for name in blend.parts:
            if name not in (B.TREND, B.CONTENT):
                self.parts_[name] = clone(self._make_part(name, data.n_sold)).fit_interactions(
                    data, transactions, products=products)
        self.trend_ = B.recent_popularity(data, blend.trend_half_life_days)
        self.cold_ = ColdStart.fit(data, transactions, customers, segments, trend=self.trend_,
                                   half_life_days=self.cold_half_life_days)
        self.bought_csc_ = data.bought.tocsc()
        self.names_ = np.array([R.product_name(d, p) for d, p in zip(
            self.content_.descriptions_, data.items, strict=True)], dtype=object)
        self.bought_month_ = kept_month_codes(data, transactions)
        self.offsets_ = None
        if blend.cap is not None:
            self.offsets_ = self._calibrate(blend.cap)

    def _calibrate(self, cap: float) -> np.ndarray:
        """Offsets holding every product to ``cap`` of the customers' top 5."""
        data = self.data_
        n_users = len(data.users)
        rows = np.unique(np.linspace(0, n_users - 1, min(n_users, CALIBRATION_USERS)).astype(int))
        items, values = [], []
        for start in range(0, len(rows), BLOCK_ROWS):
            h = data.histories(rows[start : start + BLOCK_ROWS])
            scores = self._blended(h)[0]
            h.exclude_from(scores)
            idx, vals = top_n(scores, B.CANDIDATES)
            items.append(idx)
            values.append(np.where(idx >= 0, vals, -np.inf))
        return exposure_offsets(np.vstack(items), np.vstack(values), len(data.items), cap=cap)

    # -- scoring -----------------------------------------------------------------------
    def _blended(self, histories: Histories) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Blended scores and the collaborative, content and trend parts (for reasons)."""
        blend = self.blend_
        light = histories.invoices <= LIGHT_INVOICES
        light_w, rich_w = blend.weights(True), blend.weights(False)

        def weight(name):
            return np.where(light, light_w[name], rich_w[name]).astype(np.float32)[:, None]

        cf = minmax_rows(self.collaborative_.score_histories(histories))
        ct = weight(B.CONTENT) * minmax_rows(self.content_.score_histories(histories))
        tr = weight(B.TREND) * self.trend_[None, :]
        total = cf + ct + tr
        for name, part in self.parts_.items():
            total += weight(name) * minmax_rows(part.score_histories(histories))
        if self.offsets_ is not None:
            total -= self.offsets_[None, :]
        return total, (cf, ct, tr)

    def score_histories(self, histories: Histories) -> np.ndarray:
        """Return the blended scores of customers with these purchases.

        Each part's scores are scaled to [0, 1] per customer, then weighted
        (collaborative 1) by the customer's history band; the concentration offsets,
        if any, are subtracted.
        """
        return self._blended(histories)[0]

    def _scores_with_evidence(self, histories, rows):
        total, parts = self._blended(histories)
        return total, (*parts, rows)

    def _cold_scores(self, ids) -> np.ndarray:
        return np.vstack([self.cold_.score(str(i)) for i in ids])

    # -- reasons -----------------------------------------------------------------------
    def _reasons(self, ids, histories, warm, top, evidence) -> list[str]:
        reasons: list[str] = []
        k = 0
        for pos, customer_id in enumerate(ids):
            items = top[pos][top[pos] >= 0]
            if warm[pos]:
                strength = tuple(part[k, items] for part in evidence[:3])
                rows = evidence[3]
                months = self._months(histories, pos, None if rows is None else rows[k])
                own, at = histories, pos
                if (months < 0).any():
                    # purchases cancelled in full are never named: explain from the rest
                    own, at, months = kept_history(histories, pos, months >= 0), 0, months[months >= 0]
                reasons.extend(explain_items(
                    own, at, items, collaborative=self.collaborative_,
                    content=self.content_, strength=strength, months=months,
                    names=self.names_, now=self.data_.now))
                k += 1
            else:
                reasons.extend([self.cold_.reason(customer_id)] * len(items))
        return reasons

    def _months(self, histories: Histories, pos: int, row: int | None) -> np.ndarray:
        """Month codes of one customer's purchases (precomputed for fitted customers)."""
        if row is not None:
            b = self.data_.bought
            return self.bought_month_[b.indptr[row] : b.indptr[row + 1]]
        return month_codes(histories.entries(pos)[1], self.data_.now)

    # -- products ----------------------------------------------------------------------
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


def _fit_value(value: float, dense: bool) -> float | int:
    """The collaborative part's fit-time setting: EASE's l2, or item-kNN's neighbours."""
    return float(value) if dense else int(max(1, round(value)))
