"""Choosing the hybrid's settings from the shop's own history (rolling-origin validation).

The last ``count`` windows of ``days`` days of the training lines each play the role of
the future in turn: the parts are fitted on the lines before a window's start, and each
candidate setting ranks products for the customers who bought something new in the
window. Settings are chosen one after another, each by the mean NDCG@10 over every
window's customers:

1. the collaborative part's fit-time setting (EASE's ridge penalty, or the neighbours
   of item-kNN on large catalogues), on the most recent window (each value is a refit);
2. its recency half-life (one fit per window scores every half-life);
3. the half-life of "popular right now";
4. the weights of the other parts, separately for customers with little and with rich
   history;
5. the concentration cap (see :mod:`recsys.recommend.exposure`).

A window with fewer than ``MIN_USERS`` such customers is left out; with none left, the
defaults stand. Nothing here looks at lines after the training period.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sklearn.base import clone

from recsys.data import schema as S
from recsys.recommend import blend as B
from recsys.recommend.base import BaseRecommender, minmax_rows, top_n
from recsys.recommend.ease import EASERecommender, gram_matrix
from recsys.recommend.history import LIGHT_INVOICES
from recsys.recommend.interactions import Histories, Interactions, build_interactions

SETTING_COLUMNS = ("setting", "value", "default", "ndcg", "ndcg_default")
"""Columns of the tuning table: each setting's chosen and default value (as text) and
the mean validation NDCG@10 with each, the settings before it already chosen."""

PartMaker = Callable[[str, int], BaseRecommender]
"""``make(part, n_sold)`` returns an unfitted part (cloned before every fit)."""


@dataclass(frozen=True)
class Window:
    """One validation window: the index before its start and what customers bought in it.

    Attributes
    ----------
    cut : Timestamp
        First day of the window.
    data : Interactions
        Index of the training lines before ``cut``.
    lines, products : DataFrame
        Those lines, and the catalogue as known at ``cut``.
    histories : Histories
        Purchases (before ``cut``) of the validation customers.
    truth, excluded : ndarray of bool
        ``(n, n_items)`` new products bought in the window, and products bought before.
    """

    cut: pd.Timestamp
    data: Interactions
    lines: pd.DataFrame
    products: pd.DataFrame | None
    histories: Histories
    truth: np.ndarray
    excluded: np.ndarray

    @property
    def light(self) -> np.ndarray:
        return self.histories.invoices <= LIGHT_INVOICES


def validation_windows(lines: pd.DataFrame, products: pd.DataFrame | None, *, days: int,
                       count: int) -> list[Window]:
    """Return up to ``count`` windows of ``days`` days at the end of ``lines``, latest first.

    Parameters
    ----------
    lines : DataFrame
        Training lines with a customer (``invoice_date``, ``customer_id``, ``product_id``).
    products : DataFrame, optional
        Catalogue; each window sees only the products sold before its start.
    """
    dates = lines[S.INVOICE_DATE]
    end = dates.max().normalize()
    out = []
    for w in range(1, count + 1):
        cut = end - pd.Timedelta(days=days * w)
        before = lines[dates < cut]
        if before.empty:
            break
        # the latest window runs to the last line; each earlier one up to the next's start
        after = lines[(dates >= cut) & ((dates < cut + pd.Timedelta(days=days)) | (w == 1))]
        known = products
        if products is not None and S.PRODUCT_ID in products.columns:
            later = set(lines[S.PRODUCT_ID].astype(str)) - set(before[S.PRODUCT_ID].astype(str))
            known = products[~products[S.PRODUCT_ID].astype(str).isin(later)]
        inner = build_interactions(before, products=known)
        rows, truth = B.validation_targets(
            inner, after, max_users=max(B.MIN_USERS, B.MAX_CELLS // len(inner.items)))
        if len(rows) < B.MIN_USERS:
            continue
        out.append(Window(cut, inner, before, known, inner.histories(rows), truth,
                          inner.bought[rows].toarray() > 0))
    return out


def _ndcg(scores: np.ndarray, window: Window, k: int = 10) -> np.ndarray:
    masked = np.where(window.excluded, -np.inf, scores)
    return B.ndcg_per_user(top_n(masked, k)[0], window.truth, k)


def _full_blend(cf, content, trend, weights: dict[str, float]):
    """Default-weight blend over the whole catalogue (collaborative settings stage)."""
    return (cf + np.float32(weights[B.CONTENT]) * content
            + np.float32(weights[B.TREND]) * trend[None, :])


def _text(weights: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:g}" for name, value in weights.items())


def tune(lines: pd.DataFrame, products: pd.DataFrame | None, *, make: PartMaker,
         default: B.Blend, extras: tuple[str, ...], fit_param: str, days: int, count: int,
         item_index: pd.Index, k: int = 10) -> tuple[B.Blend, pd.DataFrame]:
    """Return the chosen :class:`~recsys.recommend.blend.Blend` and the tuning table.

    Parameters
    ----------
    lines, products : DataFrame
        The training lines (with a customer) and the catalogue.
    make : callable
        ``make(part, n_sold)`` gives the unfitted part ``"collaborative"``,
        ``"content"``, ``"profile"`` or a further part by registry name.
    default : Blend
        Defaults, kept where validation cannot decide.
    extras : tuple of str
        Further parts to try in the blend.
    fit_param : str
        The collaborative part's fit-time setting (``"l2"`` or ``"k"``).
    days, count : int
        Window length and number of windows.
    item_index : Index
        Product ids of the final fit (concentration is counted per product across windows).

    Returns
    -------
    Blend
        Chosen settings (``validation_windows`` 0: too little history, defaults kept).
    DataFrame
        One row per setting, columns :data:`SETTING_COLUMNS`.
    """
    windows = validation_windows(lines, products, days=days, count=count)
    decay = B.WINDOW_DECAY
    if not windows:
        return default, pd.DataFrame(columns=list(SETTING_COLUMNS))
    table = []
    d_light, d_rich = default.weights(True), default.weights(False)

    # 1. the collaborative fit-time setting, on the most recent window
    first = windows[0]
    others = {}
    for name in (B.CONTENT, B.PROFILE, *extras):
        others[name] = [clone(make(name, w.data.n_sold)).fit_interactions(
            w.data, w.lines, products=w.products) for w in windows]
    content = [minmax_rows(m.score_histories(w.histories))
               for m, w in zip(others[B.CONTENT], windows, strict=True)]
    trends = [{h: B.recent_popularity(w.data, h) for h in B.TREND_HALF_LIVES} for w in windows]

    def collab(w: Window, value: float) -> BaseRecommender:
        part = clone(make(B.COLLABORATIVE, w.data.n_sold)).set_params(
            **{fit_param: value, "half_life_days": default.half_life_days})
        return part.fit_interactions(w.data, w.lines, products=w.products)

    def first_score(model, half_life) -> float:
        cf = minmax_rows(model.score_histories(first.histories.with_half_life(half_life)))
        blended = _full_blend(cf, content[0], trends[0][default.trend_half_life_days], d_rich)
        return float(_ndcg(blended, first, k).mean())

    factors = B.L2_FACTORS if fit_param == "l2" else B.NEIGHBOUR_FACTORS
    base_value = _param_value(fit_param, default.l2)
    values = sorted({_param_value(fit_param, base_value * f) for f in factors})
    if fit_param == "l2" and isinstance(make(B.COLLABORATIVE, first.data.n_sold),
                                        EASERecommender):
        # one Gram matrix for every ridge penalty: only the factorisation is repeated
        gram = gram_matrix(first.data)
        fitted = {v: clone(make(B.COLLABORATIVE, first.data.n_sold)).set_params(
            l2=v, half_life_days=default.half_life_days).fit_gram(first.data, gram)
            for v in values}
        del gram
    else:
        fitted = {v: collab(first, v) for v in values}
    by_value = {v: first_score(m, default.half_life_days) for v, m in fitted.items()}
    chosen_value = max(values, key=lambda v: (by_value[v], v == base_value))
    table.append((fit_param, chosen_value, base_value, by_value[chosen_value],
                  by_value.get(base_value, np.nan)))

    # 2. the collaborative half-life, over every window
    models = [fitted[chosen_value]] + [collab(w, chosen_value) for w in windows[1:]]
    by_hl = {}
    cf_of = {}
    weights = np.concatenate([np.full(len(w.truth), decay**i) for i, w in enumerate(windows)])
    for hl in B.HALF_LIVES:
        scores = []
        for i, (m, w) in enumerate(zip(models, windows, strict=True)):
            cf = minmax_rows(m.score_histories(w.histories.with_half_life(hl)))
            cf_of[hl, i] = cf
            blended = _full_blend(cf, content[i], trends[i][default.trend_half_life_days],
                                  d_rich)
            scores.append(_ndcg(blended, w, k))
        by_hl[hl] = float((np.concatenate(scores) * weights).sum() / weights.sum())
    hl = max(B.HALF_LIVES, key=lambda h: (by_hl[h], h == default.half_life_days))
    table.append(("half_life_days", hl, default.half_life_days, by_hl[hl],
                  by_hl.get(default.half_life_days, np.nan)))

    # candidates of every window at the chosen collaborative settings
    pools = []
    for i, w in enumerate(windows):
        parts = {B.COLLABORATIVE: cf_of[hl, i], B.CONTENT: content[i]}
        for name in (B.PROFILE, *extras):
            parts[name] = minmax_rows(others[name][i].score_histories(w.histories))
        pools.append(B.candidates(parts, trends[i], w.truth, w.excluded, w.light, k=k,
                                  item_ids=item_index.get_indexer(w.data.items),
                                  n_items=len(item_index), weight=decay**i))
    pool = B.pooled(pools)

    # 3. the trend half-life, default weights
    by_th = {th: pool.mean(pool.ndcg(pool.scores(d_light, d_rich, th), k=k))
             for th in B.TREND_HALF_LIVES}
    th = max(B.TREND_HALF_LIVES, key=lambda h: (by_th[h], h == default.trend_half_life_days))
    table.append(("trend_half_life_days", th, default.trend_half_life_days, by_th[th],
                  by_th.get(default.trend_half_life_days, np.nan)))

    # 4. the weights of the other parts, per history band
    default_ndcg = pool.ndcg(pool.scores(d_light, d_rich, th), k=k)
    light, rich = choose_weights(pool, trend_half_life=th, extras=extras, k=k)
    scores = pool.scores(light, rich, th)
    chosen = pool.ndcg(scores, k=k)
    for band, w, d in (("light", light, d_light), ("rich", rich, d_rich)):
        mask = pool.light == (band == "light")
        table.append((f"weights_{band}", _text(w), _text(d),
                      pool.mean(chosen, mask), pool.mean(default_ndcg, mask)))

    # 5. the concentration cap
    plain = pool.mean(chosen)
    cap, cap_ndcg = choose_cap(pool, scores, k=k)
    table.append(("cap", "none" if cap is None else f"{cap:g}", "none", cap_ndcg, plain))

    blend = replace(
        default, l2=float(chosen_value), half_life_days=hl, trend_half_life_days=th,
        light=tuple(light.items()), rich=tuple(rich.items()), cap=cap,
        validation_ndcg=cap_ndcg, validation_users=len(pool.ideal),
        validation_windows=len(windows))
    frame = pd.DataFrame(table, columns=list(SETTING_COLUMNS))
    frame["value"] = frame["value"].map(_as_text)
    frame["default"] = frame["default"].map(_as_text)
    return blend, frame


def choose_weights(pool: B.Candidates, *, trend_half_life: float, extras: tuple[str, ...] = (),
                   k: int = 10) -> tuple[dict[str, float], dict[str, float]]:
    """Return the part weights of light and of rich customers with the best mean NDCG@k.

    Every combination of the grids of :mod:`recsys.recommend.blend` is scored once; each
    history band keeps its own best (light customers share the rich ones' weights when
    there are fewer than ``MIN_USERS`` of them). Ties keep the first combination.
    """
    names = [B.TREND, B.CONTENT, B.PROFILE, *extras]
    grids = [B.TREND_WEIGHTS, B.CONTENT_WEIGHTS, B.PROFILE_WEIGHTS,
             *([B.EXTRA_WEIGHTS] * len(extras))]
    best: dict[bool, tuple[float, dict | None]] = {True: (-1.0, None), False: (-1.0, None)}
    bands = {band: pool.light == band for band in (True, False)}
    for combo in itertools.product(*grids):
        w = dict(zip(names, combo, strict=True))
        per_user = pool.ndcg(pool.scores(w, w, trend_half_life), k=k)
        for band, mask in bands.items():
            score = pool.mean(per_user, mask) if mask.any() else -1.0
            if score > best[band][0] + 1e-12:
                best[band] = (score, w)
    rich = best[False][1] or best[True][1]
    light = best[True][1] if bands[True].sum() >= B.MIN_USERS else rich
    return light, rich


def choose_cap(pool: B.Candidates, scores: np.ndarray, *,
               k: int = 10) -> tuple[float | None, float]:
    """Return the tightest cap of ``CAPS`` within ``MAX_NDCG_COST`` of no cap, and its NDCG.

    None (no cap) when every cap costs more.
    """
    plain = pool.mean(pool.ndcg(scores, k=k))
    cap, cap_ndcg = None, plain
    for value in sorted(B.CAPS, reverse=True):
        score = pool.mean(pool.ndcg(scores, k=k, offsets=pool.capped(scores, value)))
        if score >= (1.0 - B.MAX_NDCG_COST) * plain:
            cap, cap_ndcg = value, score
    return cap, cap_ndcg


def _param_value(param: str, value: float) -> float | int:
    return int(max(1, round(value))) if param == "k" else float(value)


def _as_text(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float, np.floating)) else str(value)
