"""``python -m recsys``: what a user sees when a command fails — the message of a problem they
can fix, the file that cannot be used, or, for a bug, one line with a reference whose
traceback goes to the log file."""

from __future__ import annotations

import re

import pytest

import recsys.cli as cli
import recsys.data.load
from recsys.errors import DataError, ParameterError, RecsysError, new_reference

REFERENCE = re.compile(r"internal error ([0-9a-f]{8}):")


@pytest.fixture
def run(monkeypatch, capsys, tmp_path):
    """Run ``validate`` with the loader replaced by ``fail``; return (code, err, log path)."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("recsys.cli.data",))
    log = tmp_path / "errors.log"
    monkeypatch.setenv(cli.LOG_ENV, str(log))
    monkeypatch.delenv(cli.TRACEBACK_ENV, raising=False)

    def _run(error: BaseException):
        def fail(*args, **kwargs):
            raise error

        monkeypatch.setattr(recsys.data.load, "load_dataset", fail)
        code = cli.main(["validate", str(tmp_path / "shop.csv")])
        out, err = capsys.readouterr()
        return code, err, log

    return _run


def test_errors_recsys_error_stands_alone():
    assert not issubclass(RecsysError, ValueError)
    assert issubclass(DataError, RecsysError) and issubclass(ParameterError, RecsysError)
    assert re.fullmatch(r"[0-9a-f]{8}", new_reference())
    assert new_reference() != new_reference()


def test_cli_bug_is_one_line_with_a_reference_and_the_traceback_in_the_log(run):
    code, err, log = run(RuntimeError("index 7 is out of bounds"))
    assert code == cli.EXIT_BUG == 70
    assert err.count("\n") == 1 and "Traceback" not in err
    [reference] = REFERENCE.findall(err)
    assert str(log) in err and "not a problem with your data" in err
    assert "error: " not in err  # not worded as a problem with the input
    text = log.read_text(encoding="utf-8")
    assert f"reference {reference}: python -m recsys validate" in text
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: index 7 is out of bounds" in text


def test_cli_bug_traceback_on_stderr_when_asked(run, monkeypatch):
    monkeypatch.setenv(cli.TRACEBACK_ENV, "1")
    code, err, _ = run(KeyError("customer_id"))
    assert code == cli.EXIT_BUG
    assert "Traceback (most recent call last)" in err and REFERENCE.search(err)


def test_cli_bug_when_the_log_cannot_be_written(run, monkeypatch, tmp_path):
    monkeypatch.setenv(cli.LOG_ENV, str(tmp_path / "missing" / "errors.log"))
    code, err, _ = run(RuntimeError("boom"))
    assert code == cli.EXIT_BUG
    assert REFERENCE.search(err) and "could not be written" in err
    assert "Traceback" not in err


def test_cli_data_error_shows_its_message(run):
    code, err, log = run(DataError("shop.csv has no invoice date column: export it again with dates"))
    assert code == cli.EXIT_USAGE == 2
    assert err == "error: shop.csv has no invoice date column: export it again with dates\n"
    assert not log.exists()


def test_cli_file_error_names_the_file(run):
    code, err, log = run(PermissionError(13, "Permission denied", "/data/shop.csv"))
    assert code == cli.EXIT_USAGE
    assert err == ("error: cannot use /data/shop.csv: Permission denied: check the permissions of "
                   "the file and its folder\n")
    assert not log.exists()


def test_cli_plain_value_error_is_a_bug_not_a_data_problem(run):
    code, err, _ = run(ValueError("could not convert string to float: 'abc'"))
    assert code == cli.EXIT_BUG
    assert REFERENCE.search(err) and "could not convert" not in err
