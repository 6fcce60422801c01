"""The campaign CSV of the Segment explorer: readable column names, technical columns optional.

The CLI's ``segment --out`` file keeps the machine names (``customer_id``,
``recency_days``, ``category_share__*``…) that scripts join on; the app's download is for
a marketer opening it in a spreadsheet or a campaign tool, so its columns read as words.
"""

from __future__ import annotations

import pandas as pd

from recsys.data import schema as S
from recsys.export import HASHED_SUFFIX
from recsys.segments import features as F
from recsys.value.clv import P_ALIVE, PREDICTED_VALUE
from ui.format import CURRENCY, round_money

CAMPAIGN_LABELS: dict[str, str] = {
    S.CUSTOMER_ID: "Customer ID",
    S.CUSTOMER_ID + HASHED_SUFFIX: "Customer ID (SHA-256)",
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "name": "Name",
    "phone": "Phone",
    S.COUNTRY: "Country",
    S.SEGMENT: "Segment",
    S.SEGMENT_NAME: "Segment name",
    F.RECENCY_DAYS: "Last order (days ago)",
    F.FREQUENCY: "Orders",
    F.MONETARY: f"Spend ({CURRENCY}, net of cancellations)",
    F.AVG_ORDER_VALUE: f"Average order ({CURRENCY})",
    F.ITEMS_PER_ORDER: "Items per order",
    F.DISTINCT_PRODUCTS: "Different products bought",
    F.TENURE_DAYS: "First order (days ago)",
    F.MEAN_DAYS_BETWEEN_ORDERS: "Days between orders",
    F.CANCELLATION_RATE: "Cancelled orders (%)",
    PREDICTED_VALUE: f"Predicted 12-month value ({CURRENCY})",
    P_ALIVE: "Chance still active (%)",
}
"""Column name in the campaign CSV of each export column (recommendations and category
shares are named by :func:`campaign_label`)."""

CAMPAIGN_COLUMNS: tuple[str, ...] = (
    S.CUSTOMER_ID, S.CUSTOMER_ID + HASHED_SUFFIX, "email", "first_name", "last_name", "name", "phone", S.COUNTRY,
    S.SEGMENT, S.SEGMENT_NAME, F.RECENCY_DAYS, F.FREQUENCY, F.MONETARY, F.AVG_ORDER_VALUE,
    PREDICTED_VALUE,
)
"""Columns a campaign needs (who, how to reach them, their segment and RFM figures), in
order; the recommendations follow. Every other figure is technical."""

TECHNICAL_TOGGLE = "Add the technical columns"
TECHNICAL_HELP = ("Order rhythm, product range, cancellations, category shares and the value "
                  "models' inputs. Without them the CSV holds what a campaign needs: who, how to "
                  "reach them, segment, last order, orders, spend, value and the recommendations.")
"""Label and help of the switch beside each customer download (columns under readable names
either way)."""

_MONEY = (F.MONETARY, F.AVG_ORDER_VALUE, PREDICTED_VALUE)
_WHOLE = (F.RECENCY_DAYS, F.FREQUENCY, F.DISTINCT_PRODUCTS, F.TENURE_DAYS)


def campaign_label(column: str) -> str:
    """Return the campaign CSV's name of an export column, e.g. ``"Last order (days ago)"``."""
    if column.startswith(F.CATEGORY_SHARE_PREFIX):
        return f"Share of spend on {column[len(F.CATEGORY_SHARE_PREFIX):]} (%)"
    if column.startswith("rec_") and column[4:].isdigit():
        return f"Recommendation {column[4:]}"
    return CAMPAIGN_LABELS.get(column, column.replace("_", " ").capitalize())


def campaign_table(export: pd.DataFrame, *, technical: bool = False) -> pd.DataFrame:
    """Return the segment export with readable column names, for a campaign tool.

    Parameters
    ----------
    export : DataFrame
        :func:`recsys.segments.export.segment_export`: ``customer_id``, ``segment``,
        ``segment_name``, the customer figures, contact columns where known, ``rec_1`` …
    technical : bool, default False
        Keep the figures a campaign does not need (order rhythm, range, cancellations,
        category shares); without them: who, how to reach them, segment, days since the
        last order, orders, spend, average order and the recommendations.

    Returns
    -------
    DataFrame
        One row per customer as ``export``; the campaign columns first, amounts in whole
        pounds (the pages' rounding), days and counts whole, shares in percent (0–100, one
        decimal), columns renamed by :func:`campaign_label`. The input is not changed.
    """
    recs = [c for c in export.columns if c.startswith("rec_") and c[4:].isdigit()]
    first = [c for c in CAMPAIGN_COLUMNS if c in export.columns]
    rest = [c for c in export.columns if c not in first and c not in recs]
    columns = first + (rest if technical else []) + recs
    out = export[columns].copy()
    for column in columns:
        if column in _MONEY:
            out[column] = round_money(out[column])
        elif column in _WHOLE:
            out[column] = out[column].round(0).astype("Int64")
        elif column in (F.CANCELLATION_RATE, P_ALIVE) or column.startswith(F.CATEGORY_SHARE_PREFIX):
            out[column] = (100 * out[column].astype(float)).round(1)
        elif column == F.MEAN_DAYS_BETWEEN_ORDERS:
            out[column] = out[column].round(1)
    return out.rename(columns={c: campaign_label(c) for c in columns})


VALUE_COLUMNS: tuple[str, ...] = (
    S.CUSTOMER_ID, "first_purchase", "last_purchase", "spend", P_ALIVE, "expected_purchases_90d",
    PREDICTED_VALUE,
)
"""Columns of the value CSV a campaign reads; the models' inputs (``repeat_purchases``,
``t_last``, ``t_observed``, ``avg_repeat_spend``) and the other horizons are technical."""


def value_label(column: str, *, time_unit: str = "D") -> str:
    """Return the value CSV's name of a :func:`recsys.value.clv.value_export` column."""
    unit = "days" if time_unit == "D" else "weeks"
    labels = {
        S.CUSTOMER_ID: "Customer ID",
        "repeat_purchases": "Repeat purchase days",
        "t_last": f"First to last purchase ({unit})",
        "t_observed": f"First purchase to the end of the data ({unit})",
        "avg_repeat_spend": f"Average repeat purchase ({CURRENCY})",
        "spend": f"Spend ({CURRENCY}, net of cancellations)",
        "first_purchase": "First purchase",
        "last_purchase": "Last purchase",
        P_ALIVE: "Chance still active (%)",
        "expected_spend": f"Expected spend per purchase ({CURRENCY})",
        PREDICTED_VALUE: f"Predicted 12-month value ({CURRENCY})",
    }
    if column.startswith("expected_purchases_") and column.endswith("d"):
        return f"Expected purchases, next {column[len('expected_purchases_'):-1]} days"
    return labels.get(column, column.replace("_", " ").capitalize())


def value_table(export: pd.DataFrame, *, technical: bool = False, time_unit: str = "D") -> pd.DataFrame:
    """Return the value export with readable column names, for a spreadsheet.

    Parameters
    ----------
    export : DataFrame
        :func:`recsys.value.clv.value_export`: ``customer_id``, ``repeat_purchases``,
        ``t_last``, ``t_observed``, ``avg_repeat_spend``, ``spend``, ``first_purchase``,
        ``last_purchase``, ``p_alive``, ``expected_purchases_<N>d``, ``expected_spend``,
        ``predicted_value``.
    technical : bool, default False
        Keep the models' inputs and every horizon; without them: who, first and last
        purchase, spend, chance still active, expected purchases in 90 days, predicted value.
    time_unit : {"D", "W"}
        Unit of ``t_last`` and ``t_observed``, named in their headers.

    Returns
    -------
    DataFrame
        One row per customer as ``export``; the campaign columns first, amounts in whole
        pounds, the chance in percent (0–100, one decimal), columns renamed by
        :func:`value_label`. The input is not changed.
    """
    first = [c for c in VALUE_COLUMNS if c in export.columns]
    columns = first + ([c for c in export.columns if c not in first] if technical else [])
    out = export[columns].copy()
    for column in columns:
        if column in ("spend", "avg_repeat_spend", "expected_spend", PREDICTED_VALUE):
            out[column] = round_money(out[column])
        elif column == P_ALIVE:
            out[column] = (100 * out[column].astype(float)).round(1)
        elif column.startswith("expected_purchases_"):
            out[column] = out[column].astype(float).round(1)
    return out.rename(columns={c: value_label(c, time_unit=time_unit) for c in columns})
