"""Household demographics of a generated shop: income and household size, as bands.

Written as bands, the way household panels and loyalty schemes publish them ("50-74K",
"5+"), so the band reading of :mod:`recsys.data.bands` is exercised by every generated
shop. Income follows the planted segment (loyal high spenders earn more, bargain
hunters less), so demographics carry a little of the behaviour, as in a real shop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.synth.customers import SEGMENT_NAMES

INCOME_BANDS: tuple[str, ...] = ("Under 15K", "15-24K", "25-34K", "35-49K", "50-74K",
                                 "75-99K", "100-149K", "150K+")
HOUSEHOLD_BANDS: tuple[str, ...] = ("1", "2", "3", "4", "5+")

_INCOME_SHIFT: dict[str, float] = {
    "Loyal high spenders": 1.6, "Regulars": 0.5, "Bargain hunters": -1.0,
    "Seasonal gift buyers": 0.3,
}
"""How many bands above the middle each planted segment's income lies, on average."""


def add_demographics(
    customers: pd.DataFrame, segment: np.ndarray, *, rng: np.random.Generator
) -> pd.DataFrame:
    """Return ``customers`` with ``income`` and ``household`` bands added (a copy).

    Parameters
    ----------
    customers : DataFrame
        ``customer_id`` and any other columns (kept).
    segment : ndarray of int
        Planted segment code per row (index into
        :data:`recsys.synth.customers.SEGMENT_NAMES`), -1 for customers who never buy.
    rng : Generator
        The demographics' own random stream.

    Returns
    -------
    DataFrame
        The columns of ``customers`` plus ``income`` (one of :data:`INCOME_BANDS`) and
        ``household`` (one of :data:`HOUSEHOLD_BANDS`).
    """
    rng = np.random.default_rng(rng)
    n = len(customers)
    shift = np.array([_INCOME_SHIFT.get(name, 0.0) for name in SEGMENT_NAMES] + [0.0])
    middle = (len(INCOME_BANDS) - 1) / 2
    income = np.clip(np.rint(rng.normal(middle + shift[segment], 1.3, n)), 0,
                     len(INCOME_BANDS) - 1).astype(np.int64)
    household = rng.choice(len(HOUSEHOLD_BANDS), n, p=[0.28, 0.35, 0.16, 0.14, 0.07])
    out = customers.copy()
    out[S.INCOME] = np.array(INCOME_BANDS, dtype=object)[income]
    out[S.HOUSEHOLD] = np.array(HOUSEHOLD_BANDS, dtype=object)[household]
    return out
