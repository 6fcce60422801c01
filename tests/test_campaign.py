"""Tests of ui.campaign's value CSV: readable names, technical columns on request."""

from __future__ import annotations

import pandas as pd

from recsys.value.clv import VALUE_EXPORT_COLUMNS
from ui.campaign import value_label, value_table


def _export() -> pd.DataFrame:
    row = {
        "customer_id": "12346", "repeat_purchases": 3, "t_last": 120.0, "t_observed": 300.0,
        "avg_repeat_spend": 45.555, "spend": 210.5, "first_purchase": "2011-01-04",
        "last_purchase": "2011-05-04", "p_alive": 0.81234, "expected_purchases_30d": 0.4321,
        "expected_purchases_90d": 1.2345, "expected_purchases_365d": 4.5678,
        "expected_spend": 47.25, "predicted_value": 199.5,
    }
    return pd.DataFrame([row])[list(VALUE_EXPORT_COLUMNS)]


def test_value_table_campaign_columns_in_words():
    export = _export()
    before = export.copy()
    out = value_table(export)
    assert list(out.columns) == [
        "Customer ID", "First purchase", "Last purchase", "Spend (£, net of cancellations)",
        "Chance still active (%)", "Expected purchases, next 90 days", "Predicted 12-month value (£)",
    ]
    # Whole pounds rounded half up, the chance in percent, purchases to one decimal.
    assert out.iloc[0].tolist() == ["12346", "2011-01-04", "2011-05-04", 211.0, 81.2, 1.2, 200.0]
    pd.testing.assert_frame_equal(export, before)


def test_value_table_technical_columns_on_request_named_with_their_unit():
    out = value_table(_export(), technical=True, time_unit="W")
    assert len(out.columns) == len(VALUE_EXPORT_COLUMNS)
    assert {"Repeat purchase days", "First to last purchase (weeks)",
            "First purchase to the end of the data (weeks)", "Expected purchases, next 365 days",
            "Expected spend per purchase (£)"} <= set(out.columns)
    assert not any("_" in c for c in out.columns)
    assert value_label("t_last") == "First to last purchase (days)"
