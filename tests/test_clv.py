"""Predicted customer value: every buyer gets one, in range, net of cancellations; the CLI."""

from __future__ import annotations

import argparse
import io
import json

import numpy as np
import pandas as pd
import pytest

from recsys.cli import value as cli_value
from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.value.clv import (
    EXPECTED_SPEND,
    P_ALIVE,
    PREDICTED_VALUE,
    VALUE_EXPORT_COLUMNS,
    customer_value,
    expected_purchases_column,
)


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli_value.register(parser.add_subparsers())
    args = parser.parse_args(["clv", *argv])
    return args.handler(args)


@pytest.fixture(scope="module")
def sample_value(sample_dataset):
    return customer_value(sample_dataset)


def test_customer_value_gives_every_buyer_a_value_in_range(sample_dataset, sample_value):
    from recsys.data.cancellations import net_lines

    table = sample_value.table
    tx = net_lines(sample_dataset.customer_transactions, sample_dataset.cancellations)
    assert len(table) == tx[S.CUSTOMER_ID].nunique()
    assert table[P_ALIVE].between(0, 1).all()
    e30, e90, e365 = (table[expected_purchases_column(d)] for d in (30, 90, 365))
    assert (e30 >= 0).all() and (e30 <= e90).all() and (e90 <= e365).all()
    assert np.isfinite(table[PREDICTED_VALUE]).all() and (table[PREDICTED_VALUE] >= 0).all()
    assert (table[EXPECTED_SPEND] > 0).all()


def test_customer_value_discounting_horizon_and_time_unit(sample_dataset, sample_value):
    undiscounted = customer_value(sample_dataset, discount_rate=0.0)
    assert (undiscounted.table[PREDICTED_VALUE] >= sample_value.table[PREDICTED_VALUE] - 1e-9).all()
    # Without discounting, 12 months of value are expected purchases in 365.25 days × spend.
    table = undiscounted.table
    approx = table[expected_purchases_column(365)] * table[EXPECTED_SPEND]
    np.testing.assert_allclose(table[PREDICTED_VALUE], approx, rtol=0.01)
    in_weeks = customer_value(sample_dataset, time_unit="W")
    np.testing.assert_allclose(in_weeks.table[PREDICTED_VALUE], sample_value.table[PREDICTED_VALUE], rtol=0.01)
    shorter = customer_value(sample_dataset, horizon_months=3)
    assert (shorter.table[PREDICTED_VALUE] <= sample_value.table[PREDICTED_VALUE] + 1e-9).all()


def test_customer_value_parameters_are_json_ready(sample_value):
    params = json.loads(json.dumps(sample_value.parameters()))
    assert set(params["bgnbd"]) == {"r", "alpha", "a", "b"}
    assert set(params["gamma_gamma"]) == {"p", "q", "v"}
    assert params["customers"] == len(sample_value.table)


def test_customer_value_refuses_settings_out_of_range(sample_dataset):
    with pytest.raises(ParameterError, match="discount rate must be between 0 and 1"):
        customer_value(sample_dataset, discount_rate=1.5)
    with pytest.raises(ParameterError, match="first purchase is on"):
        customer_value(sample_dataset, calibration_end="1990-01-01")


@pytest.mark.real_data
def test_customer_value_on_the_real_file(real_dataset):
    from recsys.data.cancellations import net_lines

    value = customer_value(real_dataset)
    table = value.table
    buyers = net_lines(real_dataset.customer_transactions, real_dataset.cancellations)[S.CUSTOMER_ID].nunique()
    assert len(table) == buyers > 4300  # every customer with a purchase not cancelled in full
    assert np.isfinite(table[PREDICTED_VALUE]).all() and (table[PREDICTED_VALUE] > 0).all()
    # 12346 bought £77,183.60 in one order and cancelled all of it: no purchase, no value.
    assert "12346" not in table.index


def test_cli_clv_json_and_csv(sample_dir, sample_dataset, tmp_path, capsys):
    out = tmp_path / "clv.csv"
    assert _run([str(sample_dir), "--json", "--out", str(out)]) == 0
    params = json.loads(capsys.readouterr().out)
    assert set(params["bgnbd"]) == {"r", "alpha", "a", "b"}
    assert set(params["gamma_gamma"]) == {"p", "q", "v"}
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={S.CUSTOMER_ID: str})
    assert list(frame.columns) == list(VALUE_EXPORT_COLUMNS)
    assert len(frame) == sample_dataset.n_buyers and frame[S.CUSTOMER_ID].is_unique
    assert frame[["p_alive", "expected_purchases_90d", "predicted_value"]].notna().all().all()


def test_cli_clv_and_cli_segment_give_each_customer_the_same_value(sample_dir, tmp_path, capsys):
    from recsys.cli import main

    assert main(["clv", str(sample_dir), "--out", str(tmp_path / "clv.csv")]) == 0
    assert main(["segment", str(sample_dir), "--k", "3", "--recs", "0", "--out", str(tmp_path / "seg.csv")]) == 0
    read = {"encoding": "utf-8-sig", "dtype": {S.CUSTOMER_ID: str}}
    clv = pd.read_csv(tmp_path / "clv.csv", **read).set_index(S.CUSTOMER_ID)
    seg = pd.read_csv(tmp_path / "seg.csv", **read).set_index(S.CUSTOMER_ID)
    valued = seg.index[seg[P_ALIVE].notna()]
    assert set(valued) == set(clv.index)
    for column in (P_ALIVE, PREDICTED_VALUE):
        assert seg.loc[clv.index, column].to_numpy() == pytest.approx(clv[column].to_numpy(), abs=0.01)


def test_cli_clv_calibration_end_and_weeks(sample_dir, sample_dataset, capsys):
    assert _run([str(sample_dir), "--json"]) == 0
    in_days = json.loads(capsys.readouterr().out)
    assert _run([str(sample_dir), "--json", "--time-unit", "W", "--calibration-end", in_days["calibration_end"]]) == 0
    in_weeks = json.loads(capsys.readouterr().out)
    assert in_weeks["bgnbd"]["alpha"] == pytest.approx(in_days["bgnbd"]["alpha"] / 7, rel=1e-3)
    assert in_weeks["bgnbd"]["r"] == pytest.approx(in_days["bgnbd"]["r"], rel=1e-3)
    tx = sample_dataset.customer_transactions
    cut = tx[S.INVOICE_DATE].min().normalize() + pd.Timedelta(days=200)
    assert _run([str(sample_dir), "--json", "--calibration-end", f"{cut:%Y-%m-%d}"]) == 0
    earlier = json.loads(capsys.readouterr().out)
    assert earlier["customers"] == tx.loc[tx[S.INVOICE_DATE] < cut + pd.Timedelta(days=1), S.CUSTOMER_ID].nunique()
    assert _run([str(sample_dir)]) == 0
    assert "BG/NBD" in capsys.readouterr().out


def test_cli_clv_bad_input_exits_2_with_one_line(sample_dir, tmp_path, capsys):
    from recsys.cli import main

    assert main(["clv", str(sample_dir), "--calibration-end", "2011-13-01"]) == 2
    assert "must be a date such as 2011-09-30, got '2011-13-01'" in capsys.readouterr().err
    assert main(["clv", str(sample_dir), "--out", str(tmp_path / "nowhere" / "x.csv")]) == 2
    assert "folder of --out does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["clv", str(sample_dir), "--time-unit", "M"])
