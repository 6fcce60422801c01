"""Campaign audiences: customers chosen by conditions a marketer thinks in.

:func:`audience_table` puts one row per customer together (segment, country, orders, net
revenue, days since the last order, P(active), predicted value);
:class:`AudienceRule` holds the conditions (segment, P(active) below/above, predicted
value above, bought a category, no order in N days, country) and travels in a link
(:meth:`AudienceRule.to_query` / :meth:`AudienceRule.from_query`);
:func:`select_audience` applies it and :func:`audience_summary` sizes the result.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.cancellations import net_lines
from recsys.data.dataset import Dataset
from recsys.errors import ParameterError
from recsys.value.clv import EXPECTED_90D, P_ALIVE, PREDICTED_VALUE
from recsys.value.summary import REPEAT_PURCHASES

ORDERS = "orders"
REVENUE = "revenue"
LAST_ORDER = "last_order"
DAYS_SINCE_LAST_ORDER = "days_since_last_order"

TABLE_COLUMNS: tuple[str, ...] = (
    S.CUSTOMER_ID, S.COUNTRY, S.SEGMENT, S.SEGMENT_NAME, ORDERS, REVENUE, LAST_ORDER,
    DAYS_SINCE_LAST_ORDER, REPEAT_PURCHASES, P_ALIVE, PREDICTED_VALUE, EXPECTED_90D,
)
"""Columns of :func:`audience_table`, in order."""


def audience_table(
    dataset: Dataset,
    value_table: pd.DataFrame | None = None,
    *,
    assignments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return one row per customer with purchases (net of cancellations): what conditions look at.

    Purchases are taken net of cancellations (:func:`recsys.data.cancellations.net_lines`):
    a customer whose every purchase was cancelled has none and is left out.

    Parameters
    ----------
    dataset : Dataset
        Its customer lines, cancellations and customers table (for the country).
    value_table : DataFrame, optional
        ``CustomerValue.table`` (indexed by ``customer_id``, with ``repeat_purchases``,
        ``p_alive``, ``predicted_value``, ``expected_purchases_90d``). Without it those
        columns are NaN.
    assignments : DataFrame, optional
        ``customer_id``, ``segment``, ``segment_name``. Without it those columns are
        missing values.

    Returns
    -------
    DataFrame
        Columns :data:`TABLE_COLUMNS`: ``customer_id`` (str), ``country`` (str),
        ``segment`` (Int64), ``segment_name`` (str), ``orders`` (int, distinct invoices
        not cancelled in full), ``revenue`` (float, net of cancellations), ``last_order``
        (datetime64, day), ``days_since_last_order`` (int: days from the last order to the
        last day of the data, 0 = bought on that day), ``repeat_purchases`` (float: purchase
        days after the first, as the value models count them), ``p_alive``,
        ``predicted_value``, ``expected_purchases_90d``; sorted by ``customer_id``.
    """
    tx = net_lines(dataset.customer_transactions, dataset.cancellations)
    if tx.empty:
        return pd.DataFrame(columns=list(TABLE_COLUMNS))
    revenue = tx[S.QUANTITY].to_numpy(dtype=np.float64) * tx[S.UNIT_PRICE].to_numpy(dtype=np.float64)
    ids = tx[S.CUSTOMER_ID].astype(str)
    day = tx[S.INVOICE_DATE].dt.normalize()
    frame = pd.DataFrame({S.CUSTOMER_ID: ids.to_numpy(), S.INVOICE_ID: tx[S.INVOICE_ID].to_numpy(),
                          REVENUE: revenue, LAST_ORDER: day.to_numpy()})
    grouped = frame.groupby(S.CUSTOMER_ID, sort=True)
    out = pd.DataFrame({ORDERS: grouped[S.INVOICE_ID].nunique().astype(np.int64),
                        REVENUE: grouped[REVENUE].sum(), LAST_ORDER: grouped[LAST_ORDER].max()})
    out.index = out.index.astype("string").rename(S.CUSTOMER_ID)
    last_day = dataset.customer_transactions[S.INVOICE_DATE].max().normalize()
    out[DAYS_SINCE_LAST_ORDER] = (last_day - out[LAST_ORDER]).dt.days.astype(np.int64)
    countries = dataset.customers.set_index(dataset.customers[S.CUSTOMER_ID].astype("string"))
    out[S.COUNTRY] = (
        countries[S.COUNTRY].astype("string").reindex(out.index)
        if S.COUNTRY in countries.columns else pd.array([pd.NA] * len(out), dtype="string")
    )
    if assignments is not None:
        seg = assignments.set_index(assignments[S.CUSTOMER_ID].astype("string"))
        out[S.SEGMENT] = seg[S.SEGMENT].reindex(out.index).astype("Int64")
        out[S.SEGMENT_NAME] = seg[S.SEGMENT_NAME].astype("string").reindex(out.index)
    else:
        out[S.SEGMENT] = pd.array([pd.NA] * len(out), dtype="Int64")
        out[S.SEGMENT_NAME] = pd.array([pd.NA] * len(out), dtype="string")
    for column in (REPEAT_PURCHASES, P_ALIVE, PREDICTED_VALUE, EXPECTED_90D):
        if value_table is not None and column in value_table.columns:
            values = value_table[column]
            values.index = values.index.astype("string")
            out[column] = values.reindex(out.index).to_numpy(dtype=np.float64)
        else:
            out[column] = np.nan
    return out.reset_index()[list(TABLE_COLUMNS)]


def customer_categories(
    transactions: pd.DataFrame,
    categories: pd.DataFrame,
    *,
    cancellations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the distinct (customer, category) pairs of the customers' purchases.

    Parameters
    ----------
    transactions : DataFrame
        Lines with ``customer_id``, ``product_id``, ``quantity``, ``unit_price`` (lines
        without a customer ignored).
    categories : DataFrame
        ``product_id``, ``category`` (e.g. :func:`recsys.data.categories.dataset_categories`).
    cancellations : DataFrame, optional
        Cancellation lines: a product the customer cancelled in full is not a purchase.

    Returns
    -------
    DataFrame
        Columns ``customer_id`` (str), ``category`` (str); one row per pair.
    """
    tx = net_lines(transactions[transactions[S.CUSTOMER_ID].notna()], cancellations)
    unique = categories.drop_duplicates(S.PRODUCT_ID)
    lookup = pd.Series(unique[S.CATEGORY].astype("string").to_numpy(),
                       index=unique[S.PRODUCT_ID].astype("string"))
    pairs = pd.DataFrame(
        {S.CUSTOMER_ID: tx[S.CUSTOMER_ID].astype("string").to_numpy(),
         S.CATEGORY: tx[S.PRODUCT_ID].astype("string").map(lookup).fillna(S.MISSING_CATEGORY).to_numpy()}
    )
    return pairs.drop_duplicates().reset_index(drop=True)


_LIST_FIELDS = ("segments", "categories", "countries")
_FLOAT_FIELDS = ("p_alive_below", "p_alive_above", "value_above")
_QUERY_KEYS = {
    "name": "aud", "segments": "aud_segment", "p_alive_below": "aud_p_below",
    "p_alive_above": "aud_p_above", "value_above": "aud_value", "categories": "aud_category",
    "not_bought_days": "aud_quiet_days", "countries": "aud_country",
}
"""URL query keys of each condition (prefixed, so they live beside ``?k=``)."""
QUERY_KEYS: frozenset[str] = frozenset(_QUERY_KEYS.values())
"""Every URL query key an :class:`AudienceRule` reads or writes."""


def _unset(value: object) -> bool:
    return value is None or (isinstance(value, (str, tuple)) and len(value) == 0)


@dataclass(frozen=True)
class AudienceRule:
    """The conditions of an audience; every condition set must hold (AND).

    Attributes
    ----------
    name : str
        A name the marketer gave it ("Win back Q4"); not a condition.
    segments : tuple of str
        Segment names; the customer is in one of them. Empty: any segment.
    p_alive_below, p_alive_above : float or None
        P(active) strictly below / at or above this value (0–1).
    value_above : float or None
        Predicted 12-month value at or above this amount (currency).
    categories : tuple of str
        The customer bought in at least one of these categories.
    not_bought_days : int or None
        No order in the last N days (days since the last order ≥ N).
    countries : tuple of str
        The customer's country is one of them.
    """

    name: str = ""
    segments: tuple[str, ...] = ()
    p_alive_below: float | None = None
    p_alive_above: float | None = None
    value_above: float | None = None
    categories: tuple[str, ...] = ()
    not_bought_days: int | None = None
    countries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in _LIST_FIELDS:
            object.__setattr__(self, name, tuple(str(v) for v in getattr(self, name)))
        for name in ("p_alive_below", "p_alive_above"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise ParameterError(f"{name.replace('_', ' ')} must be between 0 and 1, got {value}")
        if self.value_above is not None and not math.isfinite(self.value_above):
            raise ParameterError(f"predicted value above must be a number, got {self.value_above}")
        if self.not_bought_days is not None and self.not_bought_days < 0:
            raise ParameterError(f"'no order in the last N days' needs N ≥ 0, got {self.not_bought_days}")

    @property
    def is_empty(self) -> bool:
        """Whether no condition is set (the audience is every customer)."""
        return all(_unset(getattr(self, f.name)) for f in fields(self) if f.name != "name")

    def to_query(self) -> dict[str, list[str]]:
        """Return the conditions as URL query parameters (only those set)."""
        out: dict[str, list[str]] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if _unset(value):
                continue
            key = _QUERY_KEYS[f.name]
            if f.name in _LIST_FIELDS:
                out[key] = list(value)
            else:
                out[key] = [f"{value:g}" if isinstance(value, float) else str(value)]
        return out

    @classmethod
    def from_query(cls, params: Mapping[str, Iterable[str] | str]) -> AudienceRule:
        """Return the rule of URL query parameters (as :meth:`to_query` writes them).

        Unknown keys are ignored; a value that is not a number where one is expected
        raises :class:`~recsys.errors.ParameterError` naming it.
        """
        kwargs: dict[str, object] = {}
        for f in fields(cls):
            raw = params.get(_QUERY_KEYS[f.name])
            if raw is None:
                continue
            values = [raw] if isinstance(raw, str) else [str(v) for v in raw]
            values = [v for v in values if v != ""]
            if not values:
                continue
            if f.name in _LIST_FIELDS:
                kwargs[f.name] = tuple(values)
            elif f.name == "name":
                kwargs[f.name] = values[-1]
            else:
                try:
                    number = float(values[-1])
                except ValueError as exc:
                    raise ParameterError(
                        f"the link's {_QUERY_KEYS[f.name]}={values[-1]!r} is not a number"
                    ) from exc
                kwargs[f.name] = int(number) if f.name == "not_bought_days" else number
        return cls(**kwargs)


def select_audience(
    table: pd.DataFrame, rule: AudienceRule, *, bought: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return the rows of ``table`` that meet every condition of ``rule``.

    Parameters
    ----------
    table : DataFrame
        As from :func:`audience_table`.
    rule : AudienceRule
    bought : DataFrame, optional
        ``customer_id``, ``category`` pairs (:func:`customer_categories`); needed when the
        rule names categories.

    Returns
    -------
    DataFrame
        The matching rows (same columns), highest predicted value first, then customer id.
        Customers without a value (NaN) never meet a P(active) or value condition.
    """
    keep = np.ones(len(table), dtype=bool)
    if rule.segments:
        keep &= table[S.SEGMENT_NAME].isin(rule.segments).fillna(False).to_numpy(dtype=bool)
    p_alive = table[P_ALIVE].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        if rule.p_alive_below is not None:
            keep &= p_alive < rule.p_alive_below
        if rule.p_alive_above is not None:
            keep &= p_alive >= rule.p_alive_above
        if rule.value_above is not None:
            keep &= table[PREDICTED_VALUE].to_numpy(dtype=np.float64) >= rule.value_above
    if rule.not_bought_days is not None:
        keep &= table[DAYS_SINCE_LAST_ORDER].to_numpy() >= rule.not_bought_days
    if rule.countries:
        keep &= table[S.COUNTRY].isin(rule.countries).fillna(False).to_numpy(dtype=bool)
    if rule.categories:
        if bought is None:
            raise ParameterError("a category condition needs the customers' categories (bought=...)")
        buyers = bought.loc[bought[S.CATEGORY].isin(rule.categories), S.CUSTOMER_ID].astype(str)
        keep &= table[S.CUSTOMER_ID].astype(str).isin(set(buyers)).to_numpy(dtype=bool)
    out = table[keep]
    return out.sort_values([PREDICTED_VALUE, S.CUSTOMER_ID], ascending=[False, True],
                           kind="stable", na_position="last").reset_index(drop=True)


@dataclass(frozen=True)
class AudienceSummary:
    """Size and worth of an audience, and its share of all customers.

    Attributes
    ----------
    customers : int
    customer_share : float in [0, 1]
    past_revenue : float
        Net revenue of the audience to date (currency).
    revenue_share : float in [0, 1]
    predicted_value : float
        Sum of the members' predicted 12-month value (currency; NaN values count 0).
    predicted_share : float in [0, 1]
    mean_p_alive : float
        Mean P(active) of the members (NaN for an empty audience).
    """

    customers: int
    customer_share: float
    past_revenue: float
    revenue_share: float
    predicted_value: float
    predicted_share: float
    mean_p_alive: float


def audience_summary(selected: pd.DataFrame, table: pd.DataFrame) -> AudienceSummary:
    """Return the :class:`AudienceSummary` of ``selected``, a subset of ``table``."""

    def share(part: float, whole: float) -> float:
        return float(part / whole) if whole else 0.0

    revenue = float(selected[REVENUE].sum())
    value = float(np.nansum(selected[PREDICTED_VALUE].to_numpy(dtype=np.float64)))
    all_value = float(np.nansum(table[PREDICTED_VALUE].to_numpy(dtype=np.float64)))
    p_alive = selected[P_ALIVE].to_numpy(dtype=np.float64)
    return AudienceSummary(
        customers=int(len(selected)),
        customer_share=share(len(selected), len(table)),
        past_revenue=revenue,
        revenue_share=share(revenue, float(table[REVENUE].sum())),
        predicted_value=value,
        predicted_share=share(value, all_value),
        mean_p_alive=float(np.nanmean(p_alive)) if len(p_alive) and not np.isnan(p_alive).all() else float("nan"),
    )
