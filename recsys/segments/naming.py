"""Names for customer segments that are true of (nearly) every member.

A k-means cluster id means nothing (it changes with the seed), so names are never a
table from id to name. A name is a promise about each member, not only about the
median: it is built from **claims** — "bought more recently than the median customer",
"spent less than the median customer", "cancels orders" — each a comparison of one
customer figure with a threshold (the median of all customers), and a segment's name
only makes claims that hold *together* for at least :data:`MIN_FIT` of its members.
How many members fit the name is reported beside it.

The words:

- recency: ``Recent`` (more recently than the median customer) or ``Lapsed``;
- orders: ``repeat`` (more orders than the median customer), ``one-order`` (a single
  order) or ``occasional`` (no more orders than the median customer); a count of orders,
  not a rhythm, so never "frequent" (a customer of three years with eight orders is a
  repeat buyer, yet orders less often than a new one with two orders a month apart);
- spend: ``high spenders`` or ``low spenders`` (else ``buyers``, or ``Customers``
  when nothing of recency, frequency or spend holds);
- one clause for the figure that sets the segment apart most (the largest mean
  standardised figure, the darkest cell of the profile heatmap) when it is not one of
  the three: ``who cancel orders``, ``with large orders``, ``new to the shop``,
  ``who buy Christmas`` …

These words are deliberately not the names of the classic RFM grid (Champions, At
risk, …): those name quintile cells, a different definition, and one name must mean
one thing across the pages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.segments import features as F
from recsys.segments.claims import CLAIM_COLUMNS, GT, Claim, candidate_claims

MIN_FIT = 0.9
"""Least share of a segment's members that must meet every claim of its name."""

NAME = "segment_name"
DESCRIPTION = "description"
FIT_CUSTOMERS = "fit_customers"
"""Summary column: members that meet every claim of the segment's name."""
FIT_SHARE = "fit_share"
"""Summary column: ``fit_customers`` / members, in [0, 1] (at least :data:`MIN_FIT`)."""
TRAIT = "trait"
"""Summary column: the feature that sets the segment apart most (its largest |mean
standardised value|), e.g. ``cancellation_rate``."""
TRAIT_ABOVE = "trait_above"
"""Summary column: whether the segment sits above (True) or below the average on ``trait``."""
TRAIT_SHARE = "trait_share"
"""Summary column: share of members on that side of the median customer on ``trait``."""

_RFM = (F.RECENCY_DAYS, F.FREQUENCY, F.MONETARY)
MAX_CLAUSES = 2
"""Most clauses ("who cancel orders", "with large orders") in one name."""
MIXED = "mixed customers"
"""Name of a segment of which no claim holds for enough members (before telling twins apart)."""


def name_segments(
    features: pd.DataFrame, segment: np.ndarray, centers: pd.DataFrame, *, min_fit: float = MIN_FIT
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Name each segment with claims that hold for at least ``min_fit`` of its members.

    Parameters
    ----------
    features : DataFrame
        Customer features, one row per customer (``recency_days``, ``frequency``,
        ``monetary`` and the other columns of ``centers``).
    segment : array of int
        The segment of each row of ``features``.
    centers : DataFrame
        Mean standardised feature per segment (index: segment numbers; columns: the
        features the segmentation used), as :attr:`recsys.segments.kmeans.Segmentation.centers`.
    min_fit : float, default :data:`MIN_FIT`
        Least share of members that must meet every claim of a name, in (0, 1].

    Returns
    -------
    names : DataFrame
        Indexed by segment (the index of ``centers``): ``segment_name`` (str, all
        different), ``description`` (the claims in words, with the share of members
        that fit), ``fit_customers`` (int), ``fit_share`` (float), ``trait`` (the
        feature that sets the segment apart most), ``trait_above`` (bool),
        ``trait_share`` (share of members on that side of the median customer).
    claims : DataFrame
        One row per claim of each name: ``segment``, ``feature``, ``relation``
        (``"gt"``, ``"lt"``, ``"le"``), ``threshold``, ``share`` (of members meeting
        it alone), ``tag``, ``words``.
    """
    if not 0 < min_fit <= 1:
        raise ParameterError(f"min_fit must be in (0, 1], got {min_fit!r}")
    segment = np.asarray(segment)
    candidates = candidate_claims(features, list(centers.columns))
    rows, claim_rows, chosen = {}, [], {}
    for seg in centers.index:
        members = features[segment == seg]
        picked, traits, trait = _pick_claims(members, candidates, centers.loc[seg], min_fit)
        chosen[seg] = (picked, traits)
        rows[seg] = trait
    _make_unique(features, segment, chosen, min_fit)
    names = {seg: _compose(picked) for seg, (picked, _) in chosen.items()}
    names = _deduplicate(names, centers)
    out = []
    for seg in centers.index:
        members = features[segment == seg]
        picked = chosen[seg][0]
        fits = _joint(members, picked)
        n_fit, n = int(fits.sum()), len(members)
        trait, above, trait_share = rows[seg]
        out.append({
            S.SEGMENT: seg,
            NAME: names[seg],
            DESCRIPTION: _describe(picked, n_fit, n),
            FIT_CUSTOMERS: n_fit,
            FIT_SHARE: n_fit / n if n else 0.0,
            TRAIT: trait,
            TRAIT_ABOVE: above,
            TRAIT_SHARE: trait_share,
        })
        for claim in picked:
            claim_rows.append((seg, claim.feature, claim.relation, claim.threshold,
                               float(claim.holds(members[claim.feature]).mean()) if n else 0.0,
                               claim.tag, claim.words))
    table = pd.DataFrame(out).set_index(S.SEGMENT)
    claims = pd.DataFrame(claim_rows, columns=list(CLAIM_COLUMNS))
    return table, claims


def _joint(members: pd.DataFrame, claims: list[Claim]) -> np.ndarray:
    fits = np.ones(len(members), dtype=bool)
    for claim in claims:
        fits &= claim.holds(members[claim.feature])
    return fits


def _pick_claims(
    members: pd.DataFrame, candidates: dict[str, list[Claim]], center: pd.Series, min_fit: float
) -> tuple[list[Claim], list[Claim], tuple[str, bool, float]]:
    """The claims of one segment's name, the spare trait claims, and its defining trait."""
    n = max(len(members), 1)

    def share(claim: Claim) -> float:
        return float(claim.holds(members[claim.feature]).sum() / n)

    # A figure most members lack (days between orders of one-order customers) says nothing
    # about them, whatever the imputed centre says.
    known = [c for c in center.index if c not in members or members[c].notna().mean() >= 0.5]
    strength = center[known].abs().sort_values(ascending=False, kind="stable")
    trait = str(strength.index[0]) if len(strength) else F.MONETARY
    above = bool(center.get(trait, 0.0) > 0)
    sides = _side(candidates.get(trait, []), above)
    trait_share = share(sides[-1]) if sides else 0.0
    trait_claim = next((c for c in sides if share(c) >= min_fit), None)
    if trait_claim is None:
        # The figure that sets the segment apart most is not true of enough members to name
        # them by: name them by the most distinctive figure that is.
        for column in strength.index[1:]:
            if column in candidates:
                holding = [c for c in _side(candidates[column], bool(center[column] > 0)) if share(c) >= min_fit]
                if holding:
                    trait_claim = holding[0]
                    break

    # Per figure of R, F and M, the most specific claim that holds ("one-order" before
    # "occasional"); figures in order of how many members meet them.
    rfm = []
    for column in _RFM:
        holding = [c for c in candidates[column] if share(c) >= min_fit]
        if holding:
            rfm.append(holding[0] if column != F.FREQUENCY else min(holding, key=share))
    rfm.sort(key=share, reverse=True)
    # Claims on behaviour that agree with the side the segment sits on, most distinctive first.
    spare = []
    for column in strength.index:
        if column in _RFM or column not in candidates:
            continue
        spare += [c for c in _side(candidates[column], bool(center[column] > 0)) if share(c) >= min_fit]

    picked: list[Claim] = []
    order = ([trait_claim] if trait_claim is not None else []) + rfm
    for claim in order:
        if claim in picked or any(c.feature == claim.feature for c in picked):
            continue
        if _joint(members, [*picked, claim]).mean() >= min_fit:
            picked.append(claim)
    spare = [c for c in spare if c not in picked]
    return picked, spare, (trait, above, trait_share)


def _side(claims: list[Claim], above: bool) -> list[Claim]:
    """The claims that say "above the median" (``above``) or "below / at most"."""
    return [c for c in claims if (c.relation == GT) == above]


def _make_unique(features: pd.DataFrame, segment: np.ndarray, chosen: dict, min_fit: float) -> None:
    """Add a spare trait claim to segments that share a name, where that tells them apart."""
    names = {seg: _compose(picked) for seg, (picked, _) in chosen.items()}
    for seg in sorted(chosen):
        if list(names.values()).count(names[seg]) < 2:
            continue
        picked, spare = chosen[seg]
        if sum(c.feature not in _RFM for c in picked) >= MAX_CLAUSES:
            continue
        members = features[segment == seg]
        taken = {name for other, name in names.items() if other != seg}
        twins = [features[segment == other] for other, name in names.items()
                 if other != seg and name == names[seg]]
        for claim in spare:
            longer = _compose([*picked, claim])
            # Only a claim its namesakes do not also meet tells the segment apart.
            if any(claim.holds(t[claim.feature]).mean() >= min_fit for t in twins):
                continue
            if longer not in taken and _joint(members, [*picked, claim]).mean() >= min_fit:
                chosen[seg] = ([*picked, claim], [c for c in spare if c is not claim])
                names[seg] = longer
                break


def _compose(claims: list[Claim]) -> str:
    """Put the tags of the claims in name order: recency, frequency, spend, then clauses."""
    tag = {c.feature: c.tag for c in claims}
    words = [tag[col] for col in (F.RECENCY_DAYS, F.FREQUENCY) if col in tag]
    noun = tag.get(F.MONETARY)
    clauses = [c.tag for c in claims if c.feature not in _RFM]
    if noun is None:
        noun = "buyers" if words else ("customers" if clauses else MIXED)
    name = " ".join([*words, noun])
    if clauses:
        name = f"{name} {', '.join(clauses)}"
    return name[0].upper() + name[1:]


def _describe(claims: list[Claim], n_fit: int, n: int) -> str:
    """The claims as a sentence about the members, with how many fit."""
    share = f"{n_fit / n:.0%}" if n else "0%"
    if not claims:
        return (f"No figure sets at least {MIN_FIT:.0%} of these customers apart from the median customer; "
                "see their profile.")
    words = [c.words for c in claims]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"{share} of members ({n_fit:,} of {n:,}) {listed}."


def _deduplicate(names: dict, centers: pd.DataFrame) -> dict:
    """Tell apart segments whose claims are the same, by where their centres differ most."""
    out = dict(names)
    groups: dict[str, list] = {}
    for seg, name in names.items():
        groups.setdefault(name, []).append(seg)
    for name, segs in groups.items():
        if len(segs) < 2:
            continue
        for seg in segs:
            others = centers.loc[[s for s in segs if s != seg]].mean()
            diff = centers.loc[seg] - others
            column = str(diff.abs().idxmax())
            out[seg] = f"{name} ({_comparative(column, bool(diff[column] > 0))})"
    seen: dict[str, int] = {}
    for seg in sorted(out):
        seen[out[seg]] = seen.get(out[seg], 0) + 1
        if seen[out[seg]] > 1:
            out[seg] = f"{out[seg]} {seen[out[seg]]}"
    return out


_COMPARATIVES: dict[str, tuple[str, str]] = {
    F.RECENCY_DAYS: ("less recent", "more recent"),
    F.FREQUENCY: ("more orders", "fewer orders"),
    F.MONETARY: ("higher spend", "lower spend"),
    F.AVG_ORDER_VALUE: ("larger orders", "smaller orders"),
    F.ITEMS_PER_ORDER: ("more items per order", "fewer items per order"),
    F.DISTINCT_PRODUCTS: ("wider range", "narrower range"),
    F.TENURE_DAYS: ("longer standing", "newer"),
    F.MEAN_DAYS_BETWEEN_ORDERS: ("slower to reorder", "quicker to reorder"),
    F.CANCELLATION_RATE: ("cancel more", "cancel less"),
}


def _comparative(column: str, above: bool) -> str:
    """How a segment's typical member compares with its namesakes' on ``column``."""
    if column in _COMPARATIVES:
        return _COMPARATIVES[column][0 if above else 1]
    if column.startswith(F.CATEGORY_SHARE_PREFIX):
        return f"{'more' if above else 'less'} {column[len(F.CATEGORY_SHARE_PREFIX):]}"
    return f"{'higher' if above else 'lower'} {column.replace('_', ' ')}"
