"""Plain-language reasons for recommendations, naming the real evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.bands import read_band

MAX_NAME = 60
"""Longest product description quoted in a reason."""


def product_name(description: str, product_id: str) -> str:
    """Return the description (shortened) or, without one, ``product <id>``."""
    text = " ".join(str(description or "").split())
    if not text:
        return f"product {product_id}"
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1].rstrip() + "…"


def when(date: pd.Timestamp, now: pd.Timestamp) -> str:
    """Return ``"in May 2011"``: the month with its year, always.

    A shop's data often spans two Decembers; "which you bought in December" would not
    say which. ``now`` (the model's last invoice date) is kept for callers that pass it.
    """
    return f"in {date:%B %Y}"


def bought_with(anchor_name: str, bought_when: str) -> str:
    """Reason of a collaborative recommendation."""
    return f"bought with {anchor_name}, which you bought {bought_when}"


def similar_to(anchor_name: str, bought_when: str) -> str:
    """Reason of a content recommendation."""
    return f"similar to {anchor_name}, which you bought {bought_when}"


def bought_before(bought_when: str) -> str:
    """Reason of a product the customer bought already (replenishment)."""
    return f"you bought this {bought_when}; time to restock?"


def every(days: float) -> str:
    """Return ``"about every 5 days"``, ``"… 3 weeks"`` or ``"… 2 months"`` for a mean interval."""
    if days < 14:
        value, unit = max(1, round(days)), "day"
    elif days < 60:
        value, unit = round(days / 7), "week"
    else:
        value, unit = round(days / 30.4), "month"
    return f"about every {value} {unit}{'' if value == 1 else 's'}"


def buy_again(count: int, interval_days: float | None, last_when: str) -> str:
    """Reason of a buy-again product, from the customer's own purchases of it."""
    if count <= 1 or interval_days is None:
        return f"you bought this {last_when}"
    return f"you bought this {count} times, {every(interval_days)}; last {last_when}"


def bought_together(customers: int) -> str:
    """Reason of a similar product found through co-purchases."""
    return f"bought together by {customers:,} customer{'' if customers == 1 else 's'}"


def bought_with_by(anchor_name: str, customers: int) -> str:
    """Reason of a cross-sell product found through co-purchases with a cart product."""
    return f"bought with {anchor_name} by {customers:,} customer{'' if customers == 1 else 's'}"


def similar_description(anchor_name: str) -> str:
    """Reason of a product whose description resembles a given product's."""
    return f"similar description to {anchor_name}"


POPULAR_NOW = "popular right now"


def popular_with(group: str) -> str:
    """Reason of a cold-start recommendation from a group's popularity."""
    return f"popular with {group}"


def age_band(age: object) -> str | None:
    """Return ``"aged 30–39"`` for an age, ``"aged 45-54"`` / ``"aged 65+"`` for an age band
    ("45-54", "65+"; see :mod:`recsys.data.bands`), None when unknown or implausible."""
    try:
        value = float(age)
    except (TypeError, ValueError):
        band = read_band(age)
        if band is None or band[0] == band[1] or not 0 <= band[0] <= 110:
            return None
        if np.isinf(band[1]):
            return f"aged {band[0]:g}+"
        return f"aged under {band[1]:g}" if band[0] == 0 else f"aged {band[0]:g}-{band[1]:g}"
    if not np.isfinite(value) or value < 10 or value > 110:
        return None
    low = int(value // 10 * 10)
    return f"aged {low}–{low + 9}"


def gender_word(gender: object) -> str:
    """Return ``"women"``, ``"men"`` or ``"customers"`` for a gender code."""
    text = str(gender).strip().lower() if pd.notna(gender) else ""
    if text in ("f", "female", "woman", "w"):
        return "women"
    if text in ("m", "male", "man"):
        return "men"
    return "customers"


def demographic_groups(customers: pd.DataFrame | None) -> pd.Series:
    """Return ``"women aged 30–39"``-style labels per customer id (where age is known).

    Parameters
    ----------
    customers : DataFrame, optional
        ``customer_id`` and optionally ``age``, ``gender``.
    """
    if customers is None or S.AGE not in customers.columns:
        return pd.Series(dtype=object)
    gender = customers[S.GENDER] if S.GENDER in customers.columns else pd.Series(
        pd.NA, index=customers.index)
    labels = {}
    for cid, age, g in zip(customers[S.CUSTOMER_ID].astype(str), customers[S.AGE], gender, strict=True):
        band = age_band(age)
        if band is not None:
            labels.setdefault(cid, f"{gender_word(g)} {band}")
    return pd.Series(labels, dtype=object)
