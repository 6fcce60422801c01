"""Every customer's top products, computed once per model so that a read is an array slice.

:func:`build_top_lists` asks the model itself (``recommend``, the one ranking path the
dashboard's Customer page uses too) for the top :data:`WIDTH` products of every customer
of the fitted index and of every cold-start group (customers known only from the customer
or segment tables, and wholly unknown ids), and keeps them as numpy arrays: product
index, score and reason code per rank. A read then takes the first ``n`` entries of the
customer's row. The lists are a prefix of one another (``recommend(n=10)`` is the first
ten of ``recommend(n=100)``: ranking breaks ties by product index), which the tests check
against the model for a sample of customers.

When the shop has reviews the model is a :class:`~recsys.recommend.ratings.RatedRecommender`:
it re-ranks the wrapped hybrid's top ``candidates * n`` with the rating prior, so its top
``n`` is not a prefix of its top 100. The table then keeps the wrapped model's top
``candidates * WIDTH`` (a prefix again) and :meth:`TopLists.answer` re-ranks the first
``candidates * n`` of it as ``recsys.recommend.ratings.rerank`` does (boosted score, then
the wrapped model's rank; products the customer rated low left out).

A customer with purchases posted since the fit gets a row of their own from
:func:`folded_row` (``recommend_lines``), which replaces the table's row for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S

WIDTH = 100
"""Products kept per customer: the largest ``n`` the service answers."""

UNKNOWN = "\x00unknown"
"""The id the table asks the model about for a wholly unknown customer (it starts with
NUL, which no shop's customer id holds)."""


@dataclass(frozen=True)
class Rerank:
    """The rating re-ranking of a :class:`~recsys.recommend.ratings.RatedRecommender`.

    Attributes
    ----------
    weight : float
        ``boost_weight_``.
    boost : ndarray
        ``(n_items,)`` rating prior per product of the wrapped model's index (0 without one).
    low : dict of str to frozenset of int
        Per customer, the product indices they rated low.
    candidates : int
        The wrapped model's top ``candidates * n`` are re-ranked.
    """

    weight: float
    boost: np.ndarray
    low: dict
    candidates: int


@dataclass(frozen=True)
class Row:
    """One customer's list: product indices, scores and reasons, best first."""

    index: np.ndarray
    score: np.ndarray
    reason: tuple


@dataclass(frozen=True)
class TopLists:
    """The precomputed lists of one model.

    Attributes
    ----------
    products : ndarray
        Product ids (str) of the model's item index.
    rows : dict of str to int
        Row of each customer of the fitted index.
    cold : dict of tuple to int
        Row of each cold-start group (the customer's known groups; ``()`` for unknown ids).
    profile : dict of str to tuple
        Group key of each customer known without purchases.
    index : ndarray
        ``(n_rows, width)`` int32 product indices, -1 where a row has fewer products.
    score : ndarray
        ``(n_rows, width)`` float64 scores.
    reason : ndarray
        ``(n_rows, width)`` int32 codes into ``reasons``.
    reasons : ndarray
        The distinct reason texts (object).
    rerank : Rerank or None
    """

    products: np.ndarray
    rows: dict
    cold: dict
    profile: dict
    index: np.ndarray
    score: np.ndarray
    reason: np.ndarray
    reasons: np.ndarray
    rerank: Rerank | None

    def row(self, customer_id: str) -> Row:
        """Return the customer's row of the table (their group's row when cold)."""
        r = self.rows.get(customer_id)
        if r is None:
            r = self.cold[self.profile.get(customer_id, ())]
        valid = self.index[r] >= 0
        return Row(self.index[r][valid], self.score[r][valid],
                   tuple(self.reasons[self.reason[r][valid]]))

    def answer(self, customer_id: str, n: int, row: Row | None = None
               ) -> tuple[list, list, list]:
        """Return the customer's top ``n``: product ids, scores and reasons.

        ``row`` replaces the table's row (a customer with purchases folded in).
        """
        if row is None:
            r = self.rows.get(customer_id)
            if r is None:
                r = self.cold[self.profile.get(customer_id, ())]
            width = n if self.rerank is None else n * self.rerank.candidates
            index = self.index[r, :width]
            keep = index >= 0
            index, score = index[keep], self.score[r, :width][keep]
            reason = self.reasons[self.reason[r, :width][keep]]
        else:
            width = n if self.rerank is None else n * self.rerank.candidates
            index, score = row.index[:width], row.score[:width]
            reason = np.asarray(row.reason[:width], dtype=object)
        if self.rerank is not None:
            index, score, reason = self._reranked(customer_id, index, score, reason, n)
        return self.products[index].tolist(), score.tolist(), list(reason)

    def _reranked(self, customer_id, index, score, reason, n):
        rr = self.rerank
        low = rr.low.get(customer_id)
        if low:
            keep = np.fromiter((i not in low for i in index.tolist()), bool, len(index))
            index, score, reason = index[keep], score[keep], reason[keep]
        boosted = score + rr.weight * rr.boost[index]
        order = np.lexsort((np.arange(len(index)), -boosted))[:n]
        return index[order], boosted[order], reason[order]


def _base(recommender):
    """The model whose ranking the table keeps, and the re-ranking applied on top."""
    model = getattr(recommender, "__dict__", {}).get("model_")
    if model is None:
        return recommender, None
    items = model.data_.items
    prior = recommender.prior_
    boost = pd.Series(prior, dtype=np.float64).reindex(items.astype(str)).fillna(0.0)
    position = {str(p): i for i, p in enumerate(items)}
    low = {str(c): frozenset(position[str(p)] for p in ps if str(p) in position)
           for c, ps in recommender.low_rated_.items()}
    return model, Rerank(float(recommender.boost_weight_), boost.to_numpy(dtype=np.float64),
                         low, int(recommender.candidates))


def build_top_lists(recommender, *, width: int = WIDTH) -> TopLists:
    """Return the top ``width`` products of every customer the model knows.

    Parameters
    ----------
    recommender : HybridRecommender or RatedRecommender
        Fitted.
    width : int, default :data:`WIDTH`
        The largest ``n`` to answer.

    Returns
    -------
    TopLists
    """
    base, rerank = _base(recommender)
    wide = width if rerank is None else width * rerank.candidates
    users = [str(u) for u in base.data_.users]
    cold_model = getattr(base, "cold_", None)
    known = getattr(cold_model, "profile", {}) or {}
    in_index = set(users)
    profile = {cid: _group(p) for cid, p in known.items() if cid not in in_index}
    groups = {(): UNKNOWN}
    for cid, key in profile.items():
        groups.setdefault(key, cid)
    ids = users + list(groups.values())
    frame = base.recommend(ids, n=wide)
    index, score, reason, reasons = _arrays(frame, ids, base.data_.items, wide)
    return TopLists(
        products=np.asarray(base.data_.items.astype(str), dtype=object),
        rows={u: i for i, u in enumerate(users)},
        cold={key: len(users) + k for k, key in enumerate(groups)},
        profile=profile, index=index, score=score, reason=reason, reasons=reasons,
        rerank=rerank)


def folded_row(recommender, customer_id: str, lines: pd.DataFrame, *,
               width: int = WIDTH) -> Row:
    """Return the customer's row after new purchases (``recommend_lines``, no refit)."""
    base, rerank = _base(recommender)
    wide = width if rerank is None else width * rerank.candidates
    frame = base.recommend_lines(customer_id, lines, n=wide)
    items = base.data_.items
    index = items.get_indexer(frame[S.PRODUCT_ID].astype(str)).astype(np.int32)
    reason = tuple(frame["reason"].tolist()) if "reason" in frame.columns else ("",) * len(frame)
    return Row(index, frame[S.SCORE].to_numpy(dtype=np.float64), reason)


def _group(profile: dict) -> tuple:
    return tuple(sorted(profile.items()))


def _arrays(frame: pd.DataFrame, ids: list[str], items: pd.Index, width: int):
    """Turn ``recommend``'s long frame into ``(len(ids), width)`` arrays."""
    n = len(ids)
    index = np.full((n, width), -1, dtype=np.int32)
    score = np.zeros((n, width), dtype=np.float64)
    reason = np.zeros((n, width), dtype=np.int32)
    row = pd.Index(ids).get_indexer(frame[S.CUSTOMER_ID].astype(str))
    col = frame["rank"].to_numpy(dtype=np.int64) - 1
    index[row, col] = items.get_indexer(frame[S.PRODUCT_ID].astype(str))
    score[row, col] = frame[S.SCORE].to_numpy(dtype=np.float64)
    texts = frame["reason"] if "reason" in frame.columns else pd.Series([""] * len(frame))
    codes, uniques = pd.factorize(texts.astype(object), use_na_sentinel=False)
    reason[row, col] = codes
    return index, score, reason, np.asarray(uniques, dtype=object)
