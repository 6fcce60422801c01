"""Purchase days, net spend, the Fader–Hardie summary and the calibration/holdout arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.value.bgnbd import BetaGeoModel
from recsys.value.holdout import (
    ACTUAL,
    EXPECTED_CUMULATIVE,
    PREDICTED_HOLDOUT,
    holdout_by_frequency,
    holdout_check,
    tracking_curve,
)
from recsys.value.summary import (
    AMOUNT,
    AVG_REPEAT_SPEND,
    DAY,
    HOLDOUT_LENGTH,
    HOLDOUT_PURCHASES,
    REPEAT_PURCHASES,
    SPEND,
    T_LAST,
    T_OBSERVED,
    calibration_holdout,
    customer_summary,
    purchase_days,
)


def _lines(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID,
                                        S.QUANTITY, S.UNIT_PRICE])
    frame[S.INVOICE_DATE] = pd.to_datetime(frame[S.INVOICE_DATE])
    frame[S.CUSTOMER_ID] = frame[S.CUSTOMER_ID].astype("string")
    return frame


def _days(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[S.CUSTOMER_ID, DAY, AMOUNT])
    frame[DAY] = pd.to_datetime(frame[DAY])
    return frame


HAND_DAYS = [
    ("A", "2020-01-01", 10.0), ("A", "2020-01-05", 20.0), ("A", "2020-01-11", 40.0),
    ("A", "2020-01-20", 5.0), ("B", "2020-01-03", 7.0), ("C", "2020-01-15", 1.0),
    ("C", "2020-01-16", 2.0),
]


def test_purchase_days_sum_invoices_of_one_day_and_leave_out_lines_without_customer():
    lines = _lines([
        ("1", "2020-01-01 09:00", "A", "P", 2, 5.0),
        ("2", "2020-01-01 17:00", "A", "Q", 1, 3.0),
        ("3", "2020-01-02 10:00", "A", "P", 1, 5.0),
        ("4", "2020-01-02 10:00", None, "P", 9, 5.0),
    ])
    days = purchase_days(lines)
    assert days[S.CUSTOMER_ID].tolist() == ["A", "A"]
    assert days[AMOUNT].tolist() == [13.0, 5.0]


def test_purchase_days_net_of_partial_full_unmatched_and_over_cancellation():
    lines = _lines([
        ("1", "2020-01-01", "X", "P", 10, 2.0),  # 20
        ("2", "2020-01-02", "X", "P", 5, 2.0),  # 10; X cancels 3 of P: the latest purchase first
        ("3", "2020-01-01", "Y", "Q", 4, 5.0),  # cancelled in full: no purchase day
        ("4", "2020-01-01", "Z", "R", 1, 9.0),  # Z cancels a product it never bought
        ("5", "2020-01-01", "W", "U", 1, 4.0),  # W cancels more than it bought
    ])
    cancellations = _lines([
        ("C1", "2020-01-03", "X", "P", -3, 2.0),
        ("C2", "2020-01-03", "Y", "Q", -4, 5.0),
        ("C3", "2020-01-03", "Z", "T", -2, 7.0),
        ("C5", "2020-01-03", "W", "U", -3, 4.0),
    ])
    days = purchase_days(lines, cancellations=cancellations)
    assert list(zip(days[S.CUSTOMER_ID], days[DAY].dt.day, days[AMOUNT], strict=True)) == [
        ("X", 1, 20.0), ("X", 2, 4.0), ("Z", 1, 9.0)
    ]


def test_purchase_days_end_leaves_out_later_cancellations():
    lines = _lines([("1", "2020-01-01", "X", "P", 10, 2.0)])
    cancellations = _lines([("C1", "2020-02-01", "X", "P", -10, 2.0)])
    assert purchase_days(lines, cancellations=cancellations, end="2020-01-31")[AMOUNT].tolist() == [20.0]
    assert purchase_days(lines, cancellations=cancellations).empty  # cancelled in full by February


def test_customer_summary_by_hand():
    summary = customer_summary(_days(HAND_DAYS), calibration_end="2020-01-10")
    assert summary.index.tolist() == ["A", "B"]  # C's first purchase is after the end
    a, b = summary.loc["A"], summary.loc["B"]
    assert (a[REPEAT_PURCHASES], a[T_LAST], a[T_OBSERVED], a[AVG_REPEAT_SPEND], a[SPEND]) == (1, 4.0, 9.0, 20.0, 30.0)
    assert (b[REPEAT_PURCHASES], b[T_LAST], b[T_OBSERVED], b[AVG_REPEAT_SPEND]) == (0, 0.0, 7.0, 0.0)
    weeks = customer_summary(_days(HAND_DAYS), calibration_end="2020-01-10", time_unit="W")
    assert weeks.loc["A", T_LAST] == pytest.approx(4 / 7)
    assert weeks.loc["A", T_OBSERVED] == pytest.approx(9 / 7)


def test_calibration_holdout_by_hand():
    table = calibration_holdout(_days(HAND_DAYS), calibration_end="2020-01-10", holdout_end="2020-01-20")
    assert table[HOLDOUT_PURCHASES].to_dict() == {"A": 2, "B": 0}
    assert (table[HOLDOUT_LENGTH] == 10.0).all()
    # The calibration figures are those of customer_summary: holdout days do not leak in.
    assert table.loc["A", REPEAT_PURCHASES] == 1 and table.loc["A", T_LAST] == 4.0


def test_summary_and_holdout_refuse_bad_dates_with_the_reason():
    with pytest.raises(ParameterError, match="first purchase is on 2020-01-01"):
        customer_summary(_days(HAND_DAYS), calibration_end="2019-12-01")
    with pytest.raises(ParameterError, match="must end after the calibration end"):
        calibration_holdout(_days(HAND_DAYS), calibration_end="2020-01-20", holdout_end="2020-01-10")
    with pytest.raises(ParameterError, match="a date such as"):
        customer_summary(_days(HAND_DAYS), calibration_end="soon")
    with pytest.raises(ParameterError, match="'D' \\(days\\) or 'W'"):
        customer_summary(_days(HAND_DAYS), time_unit="M")


def test_holdout_by_frequency_by_hand():
    customers = pd.DataFrame({
        REPEAT_PURCHASES: [0, 0, 1, 3, 8, 9],
        HOLDOUT_PURCHASES: [0, 1, 2, 1, 5, 7],
        PREDICTED_HOLDOUT: [0.1, 0.3, 1.0, 1.5, 4.0, 6.0],
    })
    table = holdout_by_frequency(customers, max_frequency=3)
    assert table["frequency_group"].tolist() == ["0", "1", "3+"]
    assert table["customers"].tolist() == [2, 1, 3]
    np.testing.assert_allclose(table["actual_mean"], [0.5, 2.0, 13 / 3])
    np.testing.assert_allclose(table["predicted_mean"], [0.2, 1.0, 11.5 / 3])


def _model() -> BetaGeoModel:
    model = BetaGeoModel(time_unit="D")
    model.r_, model.alpha_, model.a_, model.b_ = 0.5, 10.0, 0.6, 3.0
    return model


def test_tracking_curve_counts_repeat_days_and_sums_the_unconditional_expectation():
    model = _model()
    curve = tracking_curve(_days(HAND_DAYS), model, calibration_end="2020-01-10", end="2020-01-20", freq="D")
    # Repeat purchase days of customers born by the calibration end (A, B): A's 5th, 11th, 20th.
    actual = curve.set_index("period")[ACTUAL]
    assert actual.sum() == 3
    assert actual[pd.Timestamp("2020-01-05")] == 1 and actual[pd.Timestamp("2020-01-20")] == 1
    # At the end of the 20th, A is 20 days old and B 18 days old.
    expected = float(model.expected_purchases_new(20.0) + model.expected_purchases_new(18.0))
    assert curve[EXPECTED_CUMULATIVE].iloc[-1] == pytest.approx(expected)
    weekly = tracking_curve(_days(HAND_DAYS), model, calibration_end="2020-01-10", end="2020-01-20")
    assert weekly[ACTUAL].sum() == 3
    assert weekly[EXPECTED_CUMULATIVE].iloc[-1] == pytest.approx(expected)


def test_holdout_check_totals_are_the_sums_of_the_customers(synthetic_dataset):
    days = purchase_days(synthetic_dataset.customer_transactions)
    last = days[DAY].max()
    check = holdout_check(days, calibration_end=last - pd.Timedelta(days=60))
    customers = check.customers
    assert check.actual_total == customers[HOLDOUT_PURCHASES].sum()
    assert check.predicted_total == pytest.approx(customers[PREDICTED_HOLDOUT].sum())
    assert check.by_frequency["customers"].sum() == len(customers)
    assert check.tracking["period"].is_monotonic_increasing
    assert check.mean_absolute_error >= 0
    with pytest.raises(ParameterError, match="at least 7"):
        holdout_check(days, calibration_end=last - pd.Timedelta(days=3))
