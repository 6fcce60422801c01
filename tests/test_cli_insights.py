"""Tests of the ``trends`` and ``rules`` commands (recsys.cli.insights)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import recsys.cli as cli
from recsys.data import schema as S
from recsys.data.cancellations import net_transactions
from recsys.insights.trends import period_totals


@pytest.fixture
def run(monkeypatch):
    # Only this module's commands, so the test does not depend on the other commands.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("recsys.cli.insights",))
    return cli.main


def test_trends_writes_monthly_csv(run, sample_dir, sample_dataset, tmp_path):
    out = tmp_path / "trends.csv"
    assert run(["trends", str(sample_dir), "--freq", "M", "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns) == ["period", "revenue", "orders", "customers", "units"]
    expected = period_totals(net_transactions(sample_dataset))  # net of cancellations
    assert len(table) == len(expected)
    assert table["revenue"].sum() == pytest.approx(expected["revenue"].sum(), abs=0.05)
    assert table["orders"].tolist() == expected["orders"].tolist()


def test_trends_weekly_to_stdout(run, sample_dir, capsysbinary):
    assert run(["trends", str(sample_dir), "--freq", "W"]) == 0
    lines = capsysbinary.readouterr().out.decode("utf-8-sig").splitlines()
    assert lines[0] == "period,revenue,orders,customers,units"
    assert pd.Timestamp(lines[1].split(",")[0]).dayofweek == 0


def test_trends_stdout_is_the_same_csv_as_out(run, sample_dir, tmp_path, capsysbinary):
    out = tmp_path / "trends.csv"
    assert run(["trends", str(sample_dir), "--out", str(out)]) == 0
    capsysbinary.readouterr()
    assert run(["trends", str(sample_dir)]) == 0
    assert capsysbinary.readouterr().out == out.read_bytes()


# 20 invoices, each with a mug and a product whose description is a spreadsheet formula
FORMULA_SHOP = "invoice_id,invoice_date,customer_id,product_id,description,quantity,unit_price\n"
FORMULA_SHOP += "".join(
    f"{i},2024-01-{1 + i % 28:02d} 10:00:00,C{i % 5},{code},{text},1,2.0\n"
    for i in range(1, 21)
    for code, text in (("P1", '=HYPERLINK("http://x")'), ("P2", "Red mug"))
)


def test_rules_stdout_neutralises_formula_descriptions(run, tmp_path, capsysbinary):
    path = tmp_path / "shop.csv"
    path.write_text(FORMULA_SHOP, encoding="utf-8")
    assert run(["rules", str(path)]) == 0
    data = capsysbinary.readouterr().out
    assert data.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    texts = set(table["antecedents"]) | set(table["consequents"])
    assert texts == {"'=HYPERLINK(\"http://x\")", "Red mug"}


def test_rules_writes_described_rules(run, sample_dir, sample_dataset, tmp_path):
    out = tmp_path / "rules.csv"
    code = run(["rules", str(sample_dir), "--min-support", "0.005", "--min-confidence", "0.1",
                "--max-len", "2", "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns[:7]) == ["antecedents", "consequents", "support", "confidence",
                                       "lift", "leverage", "conviction"]
    from recsys.baskets.itemsets import basket_matrix, frequent_itemsets
    from recsys.baskets.rules import association_rules
    from recsys.data.cancellations import net_transactions

    itemsets = frequent_itemsets(basket_matrix(net_transactions(sample_dataset)),
                                 min_support=0.005, max_len=2)
    expected = association_rules(itemsets, min_confidence=0.1)
    assert len(expected) > 0
    assert len(table) == len(expected)
    assert sorted(table["support"].round(6)) == sorted(expected["support"].round(6))
    assert table["lift"].is_monotonic_decreasing
    descriptions = set(sample_dataset.products[S.DESCRIPTION].dropna())
    assert table["consequents"].iloc[0] in descriptions


def test_rules_support_below_floor_is_a_clear_error(run, sample_dir, capsys):
    code = run(["rules", str(sample_dir), "--min-support", "0.00001"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: `min_support` must be between 0.001")


def test_rules_rejects_support_out_of_range(run, sample_dir):
    with pytest.raises(SystemExit):
        run(["rules", str(sample_dir), "--min-support", "1.5"])


def test_trends_missing_file_is_an_error(run, tmp_path, capsys):
    assert run(["trends", str(tmp_path / "nope.csv")]) == 2
    assert "error:" in capsys.readouterr().err
