"""``python -m recsys validate``: the report on good data, one-line errors on bad data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import recsys.cli as cli

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"


@pytest.fixture
def run(monkeypatch, capsys):
    """Run the CLI with only the data commands registered; return (code, out, err)."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("recsys.cli.data",))

    def _run(*argv: str):
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.fixture
def export(tmp_path):
    """A UCI CSV of 1,203 lines: 1,200 sales, one cancellation, one postage, one
    line without a customer."""
    lines = [HEADER]
    for i in range(1200):
        day = 1 + i % 28
        lines.append(
            f"{536000 + i // 4},{22000 + i % 50},ITEM {i % 50},{1 + i % 5},"
            f"1/{day}/2011 10:{i % 60:02d},1.25,{17000 + i % 40}.0,United Kingdom"
        )
    lines.append("C537000,22001,ITEM 1,-1,2/1/2011 10:00,1.25,17001.0,United Kingdom")
    lines.append("537001,POST,POSTAGE,1,2/1/2011 11:00,18.0,17001.0,France")
    lines.append("537002,22002,ITEM 2,1,2/2/2011 11:00,1.25,,United Kingdom")
    path = tmp_path / "online_retail.csv"
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    return path


def test_validate_prints_layout_and_report(run, export):
    code, out, err = run("validate", str(export))
    assert code == 0, err
    assert "UCI Online Retail layout" in out
    report = {
        line.rsplit("  ", 1)[0].strip(): line.rsplit("  ", 1)[1].strip()
        for line in out.splitlines()[1:]
    }
    assert report["Raw lines"] == "1,203"
    assert report["Cancellations (invoice id starting with C)"] == "1"
    assert report["Non-product codes (postage, fees, adjustments, samples)"] == "1"
    assert report["Kept lines without a customer (product views only)"] == "1"
    assert report["Lines kept"] == "1,201"
    assert report["Customers with purchases"] == "40"
    assert "Customers registered without a purchase" not in report
    assert report["Products"] == "50"
    assert report["Invoices"] == "301"
    assert report["Date range"] == "2011-01-01 to 2011-02-02"


def test_validate_counts_buyers_and_registered_customers_apart(run, sample_dir):
    code, out, err = run("validate", str(sample_dir))
    assert code == 0, err
    table = out.split("\nNotes\n", 1)[0]
    report = {
        line.rsplit("  ", 1)[0].strip(): line.rsplit("  ", 1)[1].strip()
        for line in table.splitlines()[1:]
    }
    assert report["Customers with purchases"] == "400"
    assert report["Customers registered without a purchase"] == "17"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name,age\nann,3\n", "not a table of invoice lines"),
        (HEADER.replace(",Quantity", "") + "\n", "missing columns: Quantity"),
        ("", "is empty"),
    ],
)
def test_validate_unusable_file_exits_2_with_one_line(run, tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code, out, err = run("validate", str(path))
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_validate_missing_path_exits_2(run, tmp_path):
    code, _, err = run("validate", str(tmp_path / "missing.parquet"))
    assert code == 2
    assert "no such file" in err


@pytest.fixture
def uk_export(tmp_path):
    """A UK export of 1-9 December 2010: day-first dates whose days are all 12 or less."""
    lines = [HEADER] + [
        f"53636{d},85123A,HEART,6,0{d}/12/2010 08:00,2.55,1785{d},United Kingdom"
        for d in range(1, 10)
    ]
    path = tmp_path / "uk.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_validate_names_an_ambiguous_date_column_and_the_other_reading(run, uk_export):
    code, out, err = run("validate", str(uk_export))
    assert code == 0, err
    assert "Date range                                                 2010-12-01 to 2010-12-09" in out
    notes = out.split("Notes\n", 1)[1]
    assert (
        "InvoiceDate: no date shows whether the day or the month comes first (no number over 12); "
        "read day-first, 01 Dec 2010 to 09 Dec 2010. Read month-first they would run "
        "12 Jan 2010 to 12 Sep 2010: choose month-first if that is right."
    ) in notes
    assert "dates were read day-first; to read them month-first: --dates month-first" in notes


def test_validate_dates_option_reads_the_other_order(run, uk_export):
    code, out, err = run("validate", str(uk_export), "--dates", "month-first")
    assert code == 0, err
    assert "2010-01-12 to 2010-09-12" in out and "Notes" not in out


def test_validate_max_rows_refuses_before_reading(run, export):
    code, out, err = run("validate", str(export), "--max-rows", "1000")
    assert code == 2 and out == ""
    assert err.strip() == (
        "error: online_retail.csv has 1,203 lines, over the limit of 1,000 lines (reading "
        "takes about 1 GB of memory per 2 million lines): use a smaller file, or raise the "
        "limit with --max-rows N on the command line or the RECSYS_MAX_ROWS environment "
        "variable for the app, if the machine has the memory."
    )


@pytest.mark.real_data
def test_validate_real_file(run, real_data_path):
    code, out, _ = run("validate", str(real_data_path))
    assert code == 0
    assert "541,909" in out
    assert "522,568" in out


def test_python_m_recsys_validate_end_to_end(export, tmp_path):
    root = Path(__file__).resolve().parents[1]
    ok = subprocess.run(
        [sys.executable, "-m", "recsys", "validate", str(export)],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "Raw lines" in ok.stdout and "1,203" in ok.stdout
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    failed = subprocess.run(
        [sys.executable, "-m", "recsys", "validate", str(bad)],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert failed.returncode == 2
    assert failed.stderr.startswith("error: bad.parquet could not be read as a Parquet file")
    assert "Traceback" not in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("errno_", "advice"),
    [(28, "free some space on that disk"), (13, "check the permissions"), (2, "check the path")],
)
def test_os_errors_name_the_file_and_what_to_do(run, export, monkeypatch, errno_, advice):
    import os

    def fail(args):
        raise OSError(errno_, os.strerror(errno_), str(export))

    monkeypatch.setattr(cli, "build_parser", _parser_running(fail))
    code, out, err = run("validate", str(export))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Errno" not in err
    assert err.startswith(f"error: cannot use {export}: {os.strerror(errno_)}: {advice}")


def _parser_running(handler):
    import argparse

    def build():
        parser = argparse.ArgumentParser()
        parser.add_argument("command")
        parser.add_argument("path")
        parser.set_defaults(handler=handler)
        return parser

    return build
