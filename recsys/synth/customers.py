"""Customers of a generated shop: demographics and planted behavioural segments.

Each customer belongs to one planted segment, which fixes how often they buy, when
they are active, how big their baskets are, what quantities they take and whether
they hunt for cheap products. Segments are made to stand apart on recency, frequency
and spend (the edges overlap, as in a real shop), so a segmentation should find them.
A few customers register but never buy (:func:`make_registered`): demographics, no lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.synth.catalog import CATEGORY_NAMES

QTY_VALUES = np.array([1, 2, 3, 4, 6, 8, 10, 12, 24, 48])
"""Quantities a line can have (shop packs: singles, half dozens, dozens, boxes)."""

FIRST_CUSTOMER_ID = 12346


@dataclass(frozen=True)
class SegmentSpec:
    """Behaviour of one planted segment (rates per month of activity)."""

    name: str
    share: float
    rate: float
    first: tuple[float, float]
    last: tuple[float, float]
    basket: float
    qty: tuple[float, ...]
    bargain: bool = False
    gifts: bool = False
    min_invoices: int = 1
    age: float = 42.0
    cancel: float = 0.01


SEGMENTS: tuple[SegmentSpec, ...] = (
    SegmentSpec("Loyal high spenders", 0.08, 2.6, (-0.3, 0.12), (1.0, 1.0), 9.0,
                (0, 0, 0, 0.05, 0.15, 0.1, 0.1, 0.35, 0.2, 0.05), min_invoices=8, age=48,
                cancel=0.04),
    SegmentSpec("Regulars", 0.17, 1.2, (-0.3, 0.3), (1.0, 1.0), 6.0,
                (0.05, 0.1, 0.15, 0.2, 0.2, 0.1, 0.05, 0.15, 0, 0), min_invoices=5, age=44,
                cancel=0.02),
    SegmentSpec("Bargain hunters", 0.18, 0.9, (-0.2, 0.4), (1.0, 1.0), 3.5,
                (0.7, 0.25, 0.05, 0, 0, 0, 0, 0, 0, 0), bargain=True, min_invoices=3,
                age=33, cancel=0.004),
    SegmentSpec("Seasonal gift buyers", 0.16, 0.0, (0.0, 0.0), (1.0, 1.0), 9.0,
                (0.1, 0.2, 0.2, 0.2, 0.2, 0.1, 0, 0, 0, 0), gifts=True, min_invoices=2,
                age=39),
    SegmentSpec("One-off buyers", 0.22, 0.0, (0.05, 0.75), (0.0, 0.0), 4.0,
                (0.5, 0.3, 0.1, 0.1, 0, 0, 0, 0, 0, 0), age=36, cancel=0.0),
    SegmentSpec("Lapsed customers", 0.19, 1.1, (-0.2, 0.12), (0.22, 0.42), 5.0,
                (0.1, 0.2, 0.2, 0.2, 0.2, 0.05, 0.05, 0, 0, 0), min_invoices=3, age=45),
)
"""The planted segments, in a fixed order (index = segment code)."""

SEGMENT_NAMES: tuple[str, ...] = tuple(s.name for s in SEGMENTS)

NO_PURCHASE_SEGMENT = "Registered, no purchase"
"""Planted segment of customers who registered but never bought (no lines at all)."""

NO_PURCHASE_SHARE = 0.04
"""Default share of registered customers who never buy."""

COUNTRIES: tuple[tuple[str, float], ...] = (
    ("United Kingdom", 0.82), ("Germany", 0.03), ("France", 0.028), ("EIRE", 0.02),
    ("Spain", 0.012), ("Netherlands", 0.01), ("Belgium", 0.009), ("Switzerland", 0.008),
    ("Portugal", 0.007), ("Australia", 0.006), ("Norway", 0.006), ("Italy", 0.006),
    ("Sweden", 0.005), ("Denmark", 0.004), ("Finland", 0.004), ("Poland", 0.004),
    ("Austria", 0.003), ("Japan", 0.003), ("USA", 0.003),
)
"""Customer countries and their shares: UK-heavy, like the UCI data."""

_SEGMENT_TASTES: dict[str, dict[str, float]] = {
    "Regulars": {"Kitchen": 2.0, "Home Decor": 2.0, "Candles & Lights": 1.5, "Bags": 1.5},
    "Bargain hunters": {"Party": 3.0, "Stationery": 3.0, "Toys": 2.0},
    "Seasonal gift buyers": {"Christmas": 4.0, "Home Decor": 2.0, "Candles & Lights": 2.0,
                             "Jewellery": 2.0},
    "Lapsed customers": {"Garden": 2.5, "Kitchen": 2.0},
}
"""Categories each segment favours (weight relative to 1 for the others)."""


@dataclass(frozen=True)
class CustomerDraw:
    """Customers plus the hidden behaviour the invoice simulation needs.

    Attributes
    ----------
    customers : DataFrame
        ``customer_id``, ``country``, ``signup_date``, ``age``, ``gender``.
    segment : ndarray of int
        Planted segment code per customer (index into :data:`SEGMENTS`).
    first_day, last_day : ndarray of int
        Window of activity, in days from the start of the period (last exclusive).
    n_invoices : ndarray of int
        Number of invoices each customer places.
    affinity : ndarray of float, shape (n_customers, n_categories)
        Probability of each category for a line of the customer's baskets.
    """

    customers: pd.DataFrame
    segment: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    n_invoices: np.ndarray
    affinity: np.ndarray


def make_customers(
    n_customers: int, *, start: pd.Timestamp, n_days: int, rng: np.random.Generator
) -> CustomerDraw:
    """Draw ``n_customers`` customers with demographics and planted segments.

    Parameters
    ----------
    n_customers : int
        Number of customers (every one places at least one invoice).
    start : Timestamp
        First day of the simulated period.
    n_days : int
        Length of the period in days.
    rng : Generator
        The customers' own random stream.
    """
    if n_customers < len(SEGMENTS):
        raise ParameterError(f"n_customers must be at least {len(SEGMENTS)}; got {n_customers}")
    shares = np.array([s.share for s in SEGMENTS])
    counts = np.floor(shares / shares.sum() * n_customers).astype(int)
    counts[np.argmax(shares)] += n_customers - counts.sum()
    segment = rng.permutation(np.repeat(np.arange(len(SEGMENTS)), counts))

    spec = _per_customer(segment)
    u1, u2 = rng.random(n_customers), rng.random(n_customers)
    first = spec["first_lo"] + u1 * (spec["first_hi"] - spec["first_lo"])
    last = spec["last_lo"] + u2 * (spec["last_hi"] - spec["last_lo"])
    first_day = np.floor(np.clip(first, 0.0, 1.0) * n_days).astype(np.int64)
    last_day = np.maximum(np.ceil(last * n_days).astype(np.int64), first_day + 1)
    one_off = spec["rate"] == 0
    last_day = np.where(one_off & ~spec["gifts"], first_day + 1, last_day)

    months = (last_day - first_day) / 30.44
    n_inv = rng.poisson(spec["rate"] * months)
    gift_n = rng.poisson(1.3 * max(n_days / 365.25, 0.25), n_customers) + 2
    n_inv = np.where(spec["gifts"], gift_n, n_inv)
    n_inv = np.maximum(n_inv, spec["min_invoices"]).astype(np.int64)

    affinity = _affinities(segment, rng)

    country_names = np.array([c for c, _ in COUNTRIES])
    country_p = np.array([p for _, p in COUNTRIES])
    country = country_names[rng.choice(len(COUNTRIES), n_customers, p=country_p / country_p.sum())]
    age = np.clip(np.round(rng.normal(spec["age"], 11.0)), 18, 85).astype(np.int64)
    gender = np.where(rng.random(n_customers) < 0.62, "F", "M")
    # Most customers sign up shortly before their first purchase; some long before.
    lead = np.floor(rng.exponential(45.0, n_customers)).astype(np.int64)
    signup = start.normalize() + pd.to_timedelta(first_day - lead, unit="D")

    customers = pd.DataFrame(
        {
            S.CUSTOMER_ID: (FIRST_CUSTOMER_ID + np.arange(n_customers)).astype(str),
            S.COUNTRY: country,
            S.SIGNUP_DATE: signup,
            S.AGE: age,
            S.GENDER: gender,
        }
    )
    return CustomerDraw(customers, segment, first_day, last_day, n_inv, affinity)


def _per_customer(segment: np.ndarray) -> dict[str, np.ndarray]:
    def col(getter):
        return np.array([getter(s) for s in SEGMENTS])[segment]

    return {
        "rate": col(lambda s: s.rate),
        "first_lo": col(lambda s: s.first[0]),
        "first_hi": col(lambda s: s.first[1]),
        "last_lo": col(lambda s: s.last[0]),
        "last_hi": col(lambda s: s.last[1]),
        "gifts": col(lambda s: s.gifts),
        "min_invoices": col(lambda s: s.min_invoices),
        "age": col(lambda s: s.age),
    }


def _affinities(segment: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Category preferences: the segment's tastes, varied per customer (Dirichlet)."""
    base = np.ones((len(SEGMENTS), len(CATEGORY_NAMES)))
    for s, spec in enumerate(SEGMENTS):
        for name, w in _SEGMENT_TASTES.get(spec.name, {}).items():
            base[s, CATEGORY_NAMES.index(name)] = w
        base[s] /= base[s].sum()
    concentration = np.where(segment == 0, 30.0, 10.0)[:, None]
    draw = rng.gamma(base[segment] * concentration) + 1e-9
    return draw / draw.sum(axis=1, keepdims=True)


def make_registered(
    n: int, *, first_id: int, start: pd.Timestamp, n_days: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw ``n`` customers who registered but never buy (demographics only).

    Parameters
    ----------
    n : int
        Number of such customers (0 or more).
    first_id : int
        Customer id of the first one; the others follow it.
    start : Timestamp
        First day of the simulated period.
    n_days : int
        Length of the period in days; sign-ups fall from 60 days before it to its end.
    rng : Generator
        Their own random stream (buyers are drawn apart, so adding these does not
        change any buyer).

    Returns
    -------
    DataFrame
        ``customer_id``, ``country``, ``signup_date`` (datetime64[ns]), ``age`` (int),
        ``gender``: the columns of :attr:`CustomerDraw.customers`.
    """
    country_names = np.array([c for c, _ in COUNTRIES])
    country_p = np.array([p for _, p in COUNTRIES])
    country = country_names[rng.choice(len(COUNTRIES), n, p=country_p / country_p.sum())]
    age = np.clip(np.round(rng.normal(38.0, 12.0, n)), 18, 85).astype(np.int64)
    gender = np.where(rng.random(n) < 0.62, "F", "M")
    day = rng.integers(-60, n_days, n)
    return pd.DataFrame(
        {
            S.CUSTOMER_ID: (first_id + np.arange(n)).astype(str),
            S.COUNTRY: country,
            S.SIGNUP_DATE: start.normalize() + pd.to_timedelta(day, unit="D"),
            S.AGE: age,
            S.GENDER: gender,
        }
    )
