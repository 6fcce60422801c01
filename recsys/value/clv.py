"""Predicted customer value: BG/NBD + Gamma-Gamma, one row per customer.

:func:`customer_value` is the one entry point the app, the CLI and the pipeline call:
purchase days (net of cancellations) → the Fader–Hardie summary at the calibration end →
BG/NBD and Gamma-Gamma fitted by maximum likelihood → per customer the probability of
still being active, expected purchases in the next 30, 90 and 365 days, expected spend
per purchase and the predicted value of the next 12 months, discounted.

The 12-month value adds, month by month, the expected purchases of that month times the
expected spend per purchase, discounted at ``discount_rate`` a year:

    value = E[M] · Σ_{m=1..12} (E[Y(m·L)] − E[Y((m−1)·L)]) / (1 + d)^(m/12),  L = 365.25/12 days
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.dataset import Dataset
from recsys.errors import ParameterError
from recsys.value.bgnbd import BetaGeoModel
from recsys.value.gammagamma import GammaGammaModel
from recsys.value.summary import DAY, as_day, check_time_unit, customer_summary, purchase_days

P_ALIVE = "p_alive"
EXPECTED_SPEND = "expected_spend"
PREDICTED_VALUE = "predicted_value"
HORIZONS_DAYS: tuple[int, ...] = (30, 90, 365)
"""Future periods of the ``expected_purchases_<N>d`` columns, in days."""


def expected_purchases_column(days: int) -> str:
    """Return the column name of expected purchases in the next ``days`` days."""
    return f"expected_purchases_{int(days)}d"


EXPECTED_90D = expected_purchases_column(90)
DEFAULT_DISCOUNT_RATE = 0.10
"""Yearly discount rate of the predicted value (10 %)."""
HORIZON_MONTHS = 12
_MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True)
class CustomerValue:
    """Fitted value models and one row of predictions per customer.

    Attributes
    ----------
    table : DataFrame
        Indexed by ``customer_id`` (str), one row per customer with a purchase up to the
        calibration end. Columns of :func:`recsys.value.summary.customer_summary`
        (``repeat_purchases``, ``t_last``, ``t_observed``, ``avg_repeat_spend``,
        ``spend``, ``first_purchase``, ``last_purchase``) and

        - ``p_alive`` (float in [0, 1]): probability the customer still buys;
        - ``expected_purchases_30d``, ``_90d``, ``_365d`` (float ≥ 0): expected purchase
          days in that many days after the calibration end;
        - ``expected_spend`` (float ≥ 0, currency, net): expected spend per purchase;
        - ``predicted_value`` (float ≥ 0, currency, net): expected spend of the next
          ``horizon_months`` months, discounted.
    bgnbd : BetaGeoModel
    gamma_gamma : GammaGammaModel
    calibration_end : Timestamp
        Last day of the data the models saw.
    time_unit : str
        ``"D"`` or ``"W"``: the unit of ``t_last``, ``t_observed`` and ``alpha``.
    discount_rate : float
        Yearly discount rate of ``predicted_value``.
    horizon_months : int
    """

    table: pd.DataFrame
    bgnbd: BetaGeoModel
    gamma_gamma: GammaGammaModel
    calibration_end: pd.Timestamp
    time_unit: str
    discount_rate: float
    horizon_months: int

    def parameters(self) -> dict:
        """Return the fitted parameters and the settings as a JSON-ready dict.

        Keys ``bgnbd`` (``r``, ``alpha``, ``a``, ``b``), ``gamma_gamma`` (``p``, ``q``,
        ``v``), ``calibration_end`` (``YYYY-MM-DD``), ``time_unit``, ``discount_rate``,
        ``horizon_months``, ``customers``, ``repeat_customers``, ``spend_model_customers``.
        """
        return {
            "bgnbd": self.bgnbd.params_,
            "gamma_gamma": self.gamma_gamma.params_,
            "calibration_end": f"{self.calibration_end:%Y-%m-%d}",
            "time_unit": self.time_unit,
            "discount_rate": self.discount_rate,
            "horizon_months": self.horizon_months,
            "customers": int(len(self.table)),
            "repeat_customers": int((self.table["repeat_purchases"] > 0).sum()),
            "spend_model_customers": self.gamma_gamma.n_customers_,
        }


def customer_value(
    data: Dataset | pd.DataFrame,
    *,
    cancellations: pd.DataFrame | None = None,
    calibration_end: object | None = None,
    time_unit: str = "D",
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    horizon_months: int = HORIZON_MONTHS,
) -> CustomerValue:
    """Fit BG/NBD and Gamma-Gamma and predict every customer's value.

    Parameters
    ----------
    data : Dataset or DataFrame
        A :class:`~recsys.data.dataset.Dataset` (its customer lines and cancellations) or
        canonical invoice lines (``customer_id``, ``invoice_date``, ``product_id``,
        ``quantity``, ``unit_price``).
    cancellations : DataFrame, optional
        Cancellation lines, taken from the Dataset when one is given: spend is net of them.
    calibration_end : date, optional
        Last day the models see (included). Default: the last day with a purchase.
    time_unit : {"D", "W"}, default "D"
        Unit of time of the fit; the predictions do not depend on it beyond rounding.
    discount_rate : float, default 0.10
        Yearly discount rate of the predicted value, 0 ≤ rate < 1.
    horizon_months : int, default 12

    Returns
    -------
    CustomerValue
    """
    check_time_unit(time_unit)
    if not 0 <= discount_rate < 1:
        raise ParameterError(f"the discount rate must be between 0 and 1 (0.1 = 10% a year), got {discount_rate}")
    if not 1 <= int(horizon_months) <= 120:
        raise ParameterError(f"the horizon must be 1 to 120 months, got {horizon_months}")
    if isinstance(data, Dataset):
        transactions = data.customer_transactions
        if cancellations is None:
            cancellations = data.cancellations
    else:
        transactions = data
    if calibration_end is None:
        # The last day of the data, even if its purchases were all cancelled later.
        with_customer = transactions.loc[transactions[S.CUSTOMER_ID].notna(), S.INVOICE_DATE]
        if not with_customer.empty:
            calibration_end = with_customer.max().normalize()
    days = purchase_days(transactions, cancellations=cancellations, end=calibration_end)
    if days.empty and transactions[S.CUSTOMER_ID].notna().any():
        first = transactions.loc[transactions[S.CUSTOMER_ID].notna(), S.INVOICE_DATE].min()
        raise ParameterError(
            f"no purchases up to the calibration end {as_day(calibration_end):%Y-%m-%d}: the first "
            f"purchase is on {first:%Y-%m-%d}; choose a later date"
        )
    summary = customer_summary(days, calibration_end=calibration_end, time_unit=time_unit)
    end = as_day(calibration_end) if calibration_end is not None else pd.Timestamp(days[DAY].max())
    bgnbd = BetaGeoModel(time_unit=time_unit).fit(summary)
    gamma_gamma = GammaGammaModel().fit(summary)
    table = predict_value(summary, bgnbd, gamma_gamma, discount_rate=discount_rate,
                          horizon_months=int(horizon_months))
    return CustomerValue(table, bgnbd, gamma_gamma, end, time_unit, float(discount_rate),
                         int(horizon_months))


def predict_value(
    summary: pd.DataFrame,
    bgnbd: BetaGeoModel,
    gamma_gamma: GammaGammaModel,
    *,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    horizon_months: int = HORIZON_MONTHS,
) -> pd.DataFrame:
    """Return ``summary`` with the prediction columns of :class:`CustomerValue` added.

    Parameters
    ----------
    summary : DataFrame
        As from :func:`recsys.value.summary.customer_summary`, in the models' time unit.
    bgnbd, gamma_gamma : fitted models

    Returns
    -------
    DataFrame
        A copy of ``summary`` plus ``p_alive``, ``expected_purchases_30d``, ``_90d``,
        ``_365d``, ``expected_spend`` and ``predicted_value``.
    """
    unit = check_time_unit(bgnbd.time_unit)
    out = summary.copy()
    out[P_ALIVE] = bgnbd.probability_alive(summary)
    for days in HORIZONS_DAYS:
        out[expected_purchases_column(days)] = bgnbd.expected_purchases(summary, days / unit)
    spend = gamma_gamma.expected_spend(summary)
    out[EXPECTED_SPEND] = spend
    cumulative = np.column_stack(
        [bgnbd.expected_purchases(summary, m * _MONTH_DAYS / unit) for m in range(horizon_months + 1)]
    )
    per_month = np.diff(cumulative, axis=1)
    discount = (1.0 + discount_rate) ** (-np.arange(1, horizon_months + 1) / 12.0)
    out[PREDICTED_VALUE] = spend * (per_month @ discount)
    return out



EXPORT_COLUMNS: tuple[str, ...] = (P_ALIVE, PREDICTED_VALUE)
"""The value columns the segment and audience exports add to each customer's figures."""


def export_columns(value: CustomerValue | None, index: pd.Index) -> pd.DataFrame:
    """Return ``p_alive`` and ``predicted_value`` for the customers of ``index``.

    Parameters
    ----------
    value : CustomerValue or None
        The fitted value; ``None`` (a data set too small for the models) gives NaN columns.
    index : Index
        Customer ids (as in a features table).

    Returns
    -------
    DataFrame
        Indexed like ``index``, columns :data:`EXPORT_COLUMNS` (NaN for customers the
        models did not see).
    """
    if value is None:
        return pd.DataFrame({c: np.nan for c in EXPORT_COLUMNS}, index=index)
    table = value.table[list(EXPORT_COLUMNS)]
    return table.set_axis(table.index.astype(str)).reindex(index.astype(str)).set_axis(index)


VALUE_EXPORT_COLUMNS: tuple[str, ...] = (
    S.CUSTOMER_ID, "repeat_purchases", "t_last", "t_observed", "avg_repeat_spend", "spend",
    "first_purchase", "last_purchase", P_ALIVE, *(expected_purchases_column(d) for d in HORIZONS_DAYS),
    EXPECTED_SPEND, PREDICTED_VALUE,
)
"""Columns of :func:`value_export` (the ``clv --out`` file), in order."""


def value_export(value: CustomerValue) -> pd.DataFrame:
    """Return one row per customer for a CSV: the summary and the predictions.

    Returns
    -------
    DataFrame
        Columns :data:`VALUE_EXPORT_COLUMNS`; dates as ``YYYY-MM-DD`` text, ``p_alive``
        rounded to 4 decimals and other figures to 2; sorted by ``customer_id``.
    """
    frame = value.table.reset_index()
    for column in ("first_purchase", "last_purchase"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    for column in frame.columns:
        if frame[column].dtype.kind == "f":
            frame[column] = frame[column].round(4 if column == P_ALIVE else 2)
    return frame[list(VALUE_EXPORT_COLUMNS)]
