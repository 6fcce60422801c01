"""Frequent combinations for people: rules in words, lookups and pair tables.

Builds on :mod:`recsys.baskets.itemsets` (the counting). Every function returns a new frame;
product ids are turned into descriptions where the product table has one.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from recsys.baskets.itemsets import (
    MIN_BASKETS,
    BasketMatrix,
)
from recsys.data import schema as S
from recsys.errors import DataError, ParameterError

ITEM_SEPARATOR = " + "


def description_map(products: pd.DataFrame | None) -> dict[str, str]:
    """Return ``{product_id: description}`` for products that have one."""
    if products is None or S.DESCRIPTION not in products:
        return {}
    known = products[products[S.DESCRIPTION].notna()]
    return dict(zip(known[S.PRODUCT_ID].astype(str), known[S.DESCRIPTION].astype(str),
                    strict=True))


def items_text(items: Iterable[str], descriptions: dict[str, str]) -> str:
    """Return an item set as text: descriptions (or ids) sorted and joined by `` + ``."""
    return ITEM_SEPARATOR.join(sorted(descriptions.get(str(i), str(i)) for i in items))


def _texter(products: pd.DataFrame | None):
    """Return ``items_text`` bound to the products' descriptions, remembering each set
    (the same item sets recur across many rules)."""
    names = description_map(products)
    seen: dict[frozenset, str] = {}

    def text(items) -> str:
        key = frozenset(items)
        if key not in seen:
            seen[key] = items_text(key, names)
        return seen[key]

    return text


def rule_sentence(antecedent: str, consequent: str, *, confidence: float, lift: float) -> str:
    """Return one rule in words.

    Example: ``"32% of baskets with A also hold B — 7× more often than baskets in
    general"``.
    """
    share = f"{confidence:.0%}"
    if lift >= 1.05:
        times = f"{lift:.0f}×" if lift >= 10 else f"{lift:.1f}×".replace(".0×", "×")
        compare = f"{times} more often than baskets in general"
    elif lift <= 0.95:
        compare = f"only {lift:.1f}× as often as baskets in general"
    else:
        compare = "about as often as baskets in general"
    return f"{share} of baskets with {antecedent} also hold {consequent} — {compare}"


def describe_rules(rules: pd.DataFrame, products: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``rules`` with readable item sets and a sentence per rule.

    Parameters
    ----------
    rules : DataFrame
        From :func:`recsys.baskets.itemsets.association_rules`.
    products : DataFrame or None
        ``product_id``, ``description``.

    Returns
    -------
    DataFrame
        ``rules`` plus ``antecedent_text``, ``consequent_text`` (descriptions joined by
        `` + ``) and ``sentence``.
    """
    text = _texter(products)
    out = rules.copy()
    out["antecedent_text"] = [text(a) for a in out["antecedents"]]
    out["consequent_text"] = [text(c) for c in out["consequents"]]
    out["sentence"] = [
        rule_sentence(a, c, confidence=conf, lift=lift)
        for a, c, conf, lift in zip(out["antecedent_text"], out["consequent_text"],
                                    out["confidence"], out["lift"], strict=True)
    ]
    return out


def rules_for_export(rules: pd.DataFrame, products: pd.DataFrame | None) -> pd.DataFrame:
    """Return rules as flat text columns for a CSV file.

    Returns
    -------
    DataFrame
        ``antecedents``, ``consequents`` (descriptions joined by `` + ``, ids where no
        description is known), ``support``, ``confidence``, ``lift``, ``leverage``,
        ``conviction``, then ``antecedent_ids``, ``consequent_ids`` (ids joined by ``+``).
    """
    text = _texter(products)
    return pd.DataFrame(
        {
            "antecedents": [text(a) for a in rules["antecedents"]],
            "consequents": [text(c) for c in rules["consequents"]],
            "support": rules["support"].to_numpy(),
            "confidence": rules["confidence"].to_numpy(),
            "lift": rules["lift"].to_numpy(),
            "leverage": rules["leverage"].to_numpy(),
            "conviction": rules["conviction"].to_numpy(),
            "antecedent_ids": ["+".join(sorted(a)) for a in rules["antecedents"]],
            "consequent_ids": ["+".join(sorted(c)) for c in rules["consequents"]],
        }
    )


LIFT_CONFIDENCE = 0.95
"""Confidence of the lower bound that ranks "bought together" (:func:`lift_lower_bound`)."""


def lift_lower_bound(together: np.ndarray, expected: np.ndarray, *, confidence: float = LIFT_CONFIDENCE) -> np.ndarray:
    """Return a lower confidence bound of the lift from counts: how sure the "×" is.

    The number of baskets holding both products is read as a Poisson count whose mean is
    ``lift × expected``; the bound is the exact one-sided lower limit of that mean
    (``chi2.ppf(1 - confidence, 2 × together) / 2``) divided by ``expected``. Three
    shared baskets where 0.3 were expected give a lift of 10 but a bound of 2.7; 300 where
    100 were expected a lift of 3 and a bound of 2.7: counts, not only ratios, decide.

    Parameters
    ----------
    together : array of int
        Baskets holding both products.
    expected : array of float
        Baskets expected to hold both if they were bought independently (> 0).
    confidence : float, default 0.95
        In (0, 1).

    Returns
    -------
    ndarray of float
        The bound, at least 0 (0 where ``together`` is 0).
    """
    from scipy.stats import chi2

    together = np.asarray(together, dtype=float)
    low = np.where(together > 0, chi2.ppf(1 - confidence, 2 * np.maximum(together, 1)) / 2, 0.0)
    return low / np.asarray(expected, dtype=float)


def bought_together(
    baskets: BasketMatrix,
    product_id: str,
    *,
    n: int = 10,
    min_baskets: int = MIN_BASKETS,
    products: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the products bought together with ``product_id``, best evidenced first.

    Counted directly from the baskets, so it works for any product, frequent or not.
    Ranked by :func:`lift_lower_bound` (the lift it is 95% sure of), so that a rare
    product that happened to share three baskets does not outrank one that shares
    hundreds: the counts are returned beside the lift.

    Parameters
    ----------
    baskets : BasketMatrix
    product_id : str
    n : int, default 10
        Most products to return.
    min_baskets : int, default :data:`recsys.baskets.itemsets.MIN_BASKETS`
        Fewest shared baskets for a product to be listed (noise guard).
    products : DataFrame or None
        ``product_id``, ``description``: with it, a ``description`` column (the id where
        none is known) follows ``product_id``.

    Returns
    -------
    DataFrame
        By ``lift_low`` then shared baskets (descending): ``product_id``,
        [``description``,] ``together`` (baskets with both), ``baskets`` (baskets with
        the other product), ``confidence`` (share of the product's baskets that also hold
        it, [0, 1]), ``lift`` (confidence / the other's share of all baskets),
        ``lift_low`` (lower 95% bound of the lift, see :func:`lift_lower_bound`).

    Raises
    ------
    DataError
        When ``product_id`` is in no basket.
    """
    columns = ["product_id", "together", "baskets", "confidence", "lift", "lift_low"]
    hits = np.flatnonzero(baskets.items == str(product_id))
    if len(hits) == 0:
        raise DataError(f"product {product_id!r} is in no basket of the selected data")
    x = baskets.matrix
    column = x[:, hits[0]].toarray().ravel()
    holding = np.flatnonzero(column)
    together = np.asarray(x[holding].sum(axis=0)).ravel().astype(np.int64)
    together[hits[0]] = 0
    item_count = np.asarray(x.sum(axis=0)).ravel().astype(np.int64)
    item_share = item_count / max(baskets.n_baskets, 1)
    pick = np.flatnonzero(together >= max(min_baskets, 1))
    if len(pick) == 0:
        return _with_description(pd.DataFrame(columns=columns), products)
    confidence = together[pick] / len(holding)
    expected = len(holding) * item_share[pick]
    out = pd.DataFrame(
        {
            "product_id": baskets.items.to_numpy()[pick].astype(str),
            "together": together[pick],
            "baskets": item_count[pick],
            "confidence": confidence,
            "lift": confidence / item_share[pick],
            "lift_low": lift_lower_bound(together[pick], expected),
        }
    )
    out = out.sort_values(["lift_low", "together"], ascending=False, kind="stable")
    return _with_description(out.head(n).reset_index(drop=True), products)


def _with_description(table: pd.DataFrame, products: pd.DataFrame | None) -> pd.DataFrame:
    """Insert ``description`` after ``product_id`` (the id where unknown); None leaves it out."""
    if products is None:
        return table
    names = description_map(products)
    out = table.copy()
    out.insert(1, "description", [names.get(p, p) for p in out["product_id"]])
    return out


PAIR_LABEL_CHARS = 32
"""Longest product label :func:`top_pairs` returns (what the pair heatmap shows)."""


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


def product_labels(
    product_ids: Iterable[str], products: pd.DataFrame | None, *, max_chars: int | None = None
) -> dict[str, str]:
    """Return a distinct label for each product: its description, or its id.

    Descriptions longer than ``max_chars`` are shortened with ``"…"``. Products whose
    label would be the same as another's (repeated descriptions, or ones that only differ
    after ``max_chars``) get their id appended, ``"DESCRIPTION (id)"``, shortened so the
    id stays visible.

    Parameters
    ----------
    product_ids : iterable of str
        Distinct product ids.
    products : DataFrame or None
        ``product_id``, ``description``.
    max_chars : int, optional
        Longest label; ``None`` leaves descriptions whole.

    Returns
    -------
    dict of str to str
        ``{product_id: label}``, labels pairwise different.
    """
    if max_chars is not None and max_chars < 2:
        raise ParameterError(f"`max_chars` must be at least 2; got {max_chars!r}")
    ids = [str(i) for i in dict.fromkeys(product_ids)]
    names = description_map(products)
    limit = max_chars if max_chars is not None else np.inf
    labels = {i: _shorten(names.get(i, i), limit) for i in ids}
    repeated = pd.Series(labels).duplicated(keep=False)
    for i in repeated.index[repeated.to_numpy()]:
        suffix = f" ({i})"
        labels[i] = _shorten(names.get(i, i), max(limit - len(suffix), 2)) + suffix
    # A suffixed label can still meet another product's description (or an id longer than
    # the limit can lose its tail): fall back to the bare id, which is unique.
    repeated = pd.Series(labels).duplicated(keep=False)
    for i in repeated.index[repeated.to_numpy()]:
        labels[i] = i
    return labels


def top_pairs(
    rules: pd.DataFrame,
    products: pd.DataFrame | None,
    *,
    n: int = 12,
    label_chars: int | None = PAIR_LABEL_CHARS,
) -> pd.DataFrame:
    """Return the strongest product pairs (by lift) as a long table for a heatmap.

    Parameters
    ----------
    rules : DataFrame
        From :func:`recsys.baskets.itemsets.association_rules`.
    products : DataFrame or None
        ``product_id``, ``description``.
    n : int, default 12
        Most distinct products on each axis.
    label_chars : int or None, default 32
        Longest label (see :func:`product_labels`); labels stay distinct at that width,
        so a chart that cuts them there does not merge two products.

    Returns
    -------
    DataFrame
        One row per one-product rule among the products of the strongest pairs, by
        lift (descending): ``antecedent``, ``consequent`` (labels, one per product,
        distinct even where descriptions repeat), ``lift``, ``confidence``, ``support``,
        ``antecedent_id``, ``consequent_id`` (product ids).
    """
    pairs = rules[(rules["antecedents"].map(len) == 1) & (rules["consequents"].map(len) == 1)]
    columns = ["antecedent", "consequent", "lift", "confidence", "support", "antecedent_id",
               "consequent_id"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    a = pairs["antecedents"].map(lambda s: str(next(iter(s))))
    c = pairs["consequents"].map(lambda s: str(next(iter(s))))
    ranked = pairs.assign(_a=a, _c=c).sort_values("lift", ascending=False, kind="stable")
    chosen: list[str] = []
    for left, right in zip(ranked["_a"], ranked["_c"], strict=True):
        for item in (left, right):
            if item not in chosen and len(chosen) < n:
                chosen.append(item)
        if len(chosen) >= n:
            break
    sub = ranked[ranked["_a"].isin(chosen) & ranked["_c"].isin(chosen)]
    labels = product_labels(chosen, products, max_chars=label_chars)
    return pd.DataFrame(
        {
            "antecedent": [labels[i] for i in sub["_a"]],
            "consequent": [labels[i] for i in sub["_c"]],
            "lift": sub["lift"].to_numpy(),
            "confidence": sub["confidence"].to_numpy(),
            "support": sub["support"].to_numpy(),
            "antecedent_id": sub["_a"].to_numpy(),
            "consequent_id": sub["_c"].to_numpy(),
        }
    ).reset_index(drop=True)


def item_frequencies(baskets: BasketMatrix, products: pd.DataFrame | None) -> pd.DataFrame:
    """Return every product in the baskets with its basket count, most frequent first.

    Returns
    -------
    DataFrame
        ``product_id``, ``label`` (``"DESCRIPTION (id)"``, or the id), ``baskets`` (int),
        ``support`` (share of baskets, [0, 1]).
    """
    counts = np.asarray(baskets.matrix.sum(axis=0)).ravel().astype(np.int64)
    ids = baskets.items.to_numpy().astype(str)
    names = description_map(products)
    out = pd.DataFrame(
        {
            "product_id": ids,
            "label": [f"{names[i]} ({i})" if i in names else i for i in ids],
            "baskets": counts,
            "support": counts / max(baskets.n_baskets, 1),
        }
    )
    out = out[out["baskets"] > 0]
    return out.sort_values(["baskets", "product_id"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)
