"""Tables of the Customer value page: value by segment, the valuable customers at risk.

Both read the per-customer table of :func:`recsys.value.audience.audience_table` (segment,
net revenue, days since the last order, P(active), predicted value).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.value.audience import REVENUE
from recsys.value.clv import EXPECTED_90D, P_ALIVE, PREDICTED_VALUE
from recsys.value.summary import REPEAT_PURCHASES

CUSTOMERS = "customers"
ONE_TIME = "one_time_buyers"
MEAN_P_ALIVE = "mean_p_alive"
LIKELY_LOST = "likely_lost"
LIKELY_LOST_SHARE = "likely_lost_share"
VALUE_PER_CUSTOMER = "value_per_customer"
ORDERS_90D_PER_CUSTOMER = "orders_90d_per_customer"
VALUE_SHARE = "value_share"
LOST_BELOW = 0.5
"""A customer whose P(active) is below this is counted as likely lost."""


def value_by_segment(table: pd.DataFrame) -> pd.DataFrame:
    """Return churn risk and predicted value per segment.

    BG/NBD lets a customer drop out only after a repeat purchase, so a customer who bought
    on a single day has P(active) = 1 by construction: the risk figures are those of the
    customers who bought on more than one day, and one-time buyers are counted apart.

    Parameters
    ----------
    table : DataFrame
        ``segment``, ``segment_name``, ``revenue``, ``repeat_purchases``, ``p_alive``,
        ``predicted_value`` per customer (customers without a value are left out).

    Returns
    -------
    DataFrame
        One row per segment in number order: ``segment``, ``segment_name``, ``customers``,
        ``one_time_buyers`` (bought on a single day), ``mean_p_alive`` (in [0, 1], of the
        other customers; NaN when there are none), ``likely_lost`` (of those, P(active)
        below :data:`LOST_BELOW`), ``likely_lost_share`` (of the segment's customers who
        bought more than once), ``orders_90d_per_customer`` (mean expected orders in the next
        90 days), ``revenue`` (net, to date), ``predicted_value`` (sum, 12 months),
        ``value_per_customer``, ``value_share`` (of all customers' predicted value).
    """
    valued = table[table[P_ALIVE].notna() & table[S.SEGMENT].notna()]
    repeat = valued[REPEAT_PURCHASES].to_numpy(dtype=np.float64) > 0
    frame = valued.assign(
        _one=~repeat,
        _p=valued[P_ALIVE].where(repeat),
        _lost=repeat & (valued[P_ALIVE].to_numpy(dtype=np.float64) < LOST_BELOW),
    )
    grouped = frame.groupby([S.SEGMENT, S.SEGMENT_NAME], sort=True)
    out = pd.DataFrame(
        {
            CUSTOMERS: grouped.size(),
            ONE_TIME: grouped["_one"].sum().astype(np.int64),
            MEAN_P_ALIVE: grouped["_p"].mean(),
            LIKELY_LOST: grouped["_lost"].sum().astype(np.int64),
            ORDERS_90D_PER_CUSTOMER: grouped[EXPECTED_90D].mean(),
            REVENUE: grouped[REVENUE].sum(),
            PREDICTED_VALUE: grouped[PREDICTED_VALUE].sum(),
        }
    ).reset_index()
    repeaters = out[CUSTOMERS] - out[ONE_TIME]
    out[LIKELY_LOST_SHARE] = np.where(repeaters > 0, out[LIKELY_LOST] / repeaters.clip(lower=1), np.nan)
    out[VALUE_PER_CUSTOMER] = out[PREDICTED_VALUE] / out[CUSTOMERS]
    total = out[PREDICTED_VALUE].sum()
    out[VALUE_SHARE] = out[PREDICTED_VALUE] / total if total else 0.0
    out[S.SEGMENT] = out[S.SEGMENT].astype(np.int64)
    return out[[S.SEGMENT, S.SEGMENT_NAME, CUSTOMERS, ONE_TIME, MEAN_P_ALIVE, LIKELY_LOST,
                LIKELY_LOST_SHARE, ORDERS_90D_PER_CUSTOMER, REVENUE, PREDICTED_VALUE, VALUE_PER_CUSTOMER, VALUE_SHARE]]


def at_risk_valuable(table: pd.DataFrame, *, n: int = 50, top_share: float = 0.25) -> pd.DataFrame:
    """Return the valuable customers most likely to have stopped buying.

    Valuable: net revenue to date in the top ``top_share`` of customers. Among them, the
    ``n`` with the lowest P(active) (ties: higher revenue first); customers who bought on a
    single day (P(active) = 1 in BG/NBD) come last.

    Parameters
    ----------
    table : DataFrame
        As from :func:`recsys.value.audience.audience_table`.
    n : int, default 50
    top_share : float, default 0.25
        Share of customers, by revenue, counted as valuable (0 < top_share ≤ 1).

    Returns
    -------
    DataFrame
        Up to ``n`` rows of ``table`` (same columns), lowest P(active) first.
    """
    if not 0 < top_share <= 1:
        raise ParameterError(f"top_share must be above 0 and at most 1, got {top_share}")
    if n < 1:
        raise ParameterError(f"n must be at least 1, got {n}")
    valued = table[table[P_ALIVE].notna()]
    if valued.empty:
        return valued
    threshold = valued[REVENUE].quantile(1 - top_share)
    valuable = valued[valued[REVENUE] >= threshold]
    ordered = valuable.sort_values([P_ALIVE, REVENUE, S.CUSTOMER_ID], ascending=[True, False, True],
                                   kind="stable")
    return ordered.head(n).reset_index(drop=True)


def value_concentration(values: pd.Series, *, top_share: float = 0.1) -> float:
    """Return the share of the total held by the top ``top_share`` of ``values`` (in [0, 1])."""
    clean = np.sort(values.dropna().to_numpy(dtype=np.float64))[::-1]
    if not len(clean) or clean.sum() <= 0:
        return float("nan")
    top = max(1, int(round(top_share * len(clean))))
    return float(clean[:top].sum() / clean.sum())
