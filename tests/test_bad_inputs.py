"""The bad-input corpus (tests/bad_inputs.py) through every command and the upload path.

Each case is either read right — the figures every command prints or writes agree with
the corpus's own computation from the intended lines, and the notes name what was
repaired or left out — or refused: exit 2 with one line naming the file, the column and
the first bad value (where there is one) and what to do. Every run: no traceback, no
warning, the input file unchanged.

Commands: validate, trends, rules, segment, recommend, evaluate, clv, pipeline, append; the
upload path is the app's (``load_dataset`` of the bytes with the upload size limit).
``serve`` and ``append-events`` are left out: they read the data with the same loader
as ``pipeline`` and ``append``.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import recsys.cli as cli
from recsys.data.load import load_dataset
from recsys.errors import DataError
from tests.bad_inputs import CASES, Read, Refused

BY_NAME = {case.name: case for case in CASES}
COMMANDS = ("validate", "trends", "rules", "segment", "recommend", "evaluate", "clv", "pipeline",
            "append", "upload")  # fmt: skip
MODEL_COMMANDS = ("rules", "segment", "recommend", "evaluate", "clv", "pipeline")
MODEL_SUBSET = frozenset({
    "clean_uci", "utf16_tabs", "european", "thousands_separators", "mixed_date_forms",
    "uk_first_nine_days", "scientific_ids", "whitespace_ids", "infinite_prices",
    "overflow_quantities", "far_dates", "formula_text", "parquet_huge_float_ids", "three_files",
})
"""Read cases run through the model commands too: one per kind of repair."""
UPLOAD_LIMIT = 200 * 1024 * 1024  # ui.cache.data.MAX_UPLOAD_BYTES (ui is not imported here)
PROGRESS = re.compile(r"^\[\s*\d+%\]|^wrote \d+ artifacts to ")
ADVICE_WORDS = re.compile(
    r"\b(export|write|choose|use|check|save|delete|rename|raise|make|leave|fix|free|give|"
    r"upload|add|pick|load|append|generate)\b", re.IGNORECASE)  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    return {case.name: case.build(folder) for case in CASES}


def _digest(path: Path) -> str:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + file.read_bytes())
    return digest.hexdigest()


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; no warning may be raised (every warning is recorded)."""
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = cli.main(argv)
    out, err = capsys.readouterr()
    assert not [str(w.message) for w in caught], f"warnings: {[str(w.message) for w in caught]}"
    assert "Traceback" not in err and "Warning" not in err, err
    return code, out, err


def _read_options(expect) -> list[str]:
    return ["--dates", expect.dates] if isinstance(expect, Read) and expect.dates != "auto" else []


def _assert_refusal(err: str, path: Path, expect: Refused) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("error: "), line
    assert path.name in line or (path.is_dir() and expect.column and expect.column in line), line
    if expect.column:
        assert expect.column in line, line
    if expect.value:
        assert expect.value in line, line
    assert expect.advice in line, line
    assert ADVICE_WORDS.search(line), line


def test_corpus_has_at_least_forty_cases_of_both_kinds():
    assert len(CASES) >= 40
    assert sum(isinstance(c.expect, Read) for c in CASES) >= 20
    assert sum(isinstance(c.expect, Refused) for c in CASES) >= 15
    assert len(BY_NAME) == len(CASES)
    assert MODEL_SUBSET <= set(BY_NAME)


def test_corpus_is_generated_the_same_every_time(tmp_path):
    digests = []
    for sub in ("a", "b"):
        folder = tmp_path / sub
        folder.mkdir()
        digests.append({
            c.name: _digest(c.build(folder)) for c in CASES
            if "xlsx" not in c.name and "excel" not in c.name
        })  # a workbook holds its creation time
    assert digests[0] == digests[1]


def _runs() -> list[tuple[str, str]]:
    """Every case through the reading commands (validate, trends, append, upload); the
    model commands on every refused case (cheap: refused while reading) and on the read
    cases in :data:`MODEL_SUBSET` (each costs seconds, and they read through the same
    loader)."""
    out = []
    for case in CASES:
        for command in COMMANDS:
            if (command in MODEL_COMMANDS and isinstance(case.expect, Read)
                    and case.name not in MODEL_SUBSET):  # fmt: skip
                continue
            out.append((case.name, command))
    return out


@pytest.mark.parametrize(("name", "command"), _runs())
def test_bad_input(name, command, corpus, capsys, tmp_path, monkeypatch):
    case = BY_NAME[name]
    path = corpus[name]
    expect = case.expect
    if case.max_rows is not None:
        monkeypatch.setenv("RECSYS_MAX_ROWS", str(case.max_rows))
    before = _digest(path)
    try:
        if command == "upload":
            _upload(path, expect)
        elif command == "append":
            _append(capsys, path, expect, tmp_path)
        else:
            _command(capsys, command, path, expect, tmp_path)
    finally:
        assert _digest(path) == before, "the input file changed"


# --- per command ----------------------------------------------------------------------------


def _command(capsys, command: str, path: Path, expect, tmp_path: Path) -> None:
    out_file = tmp_path / "out.csv"
    argv = {
        "validate": ["validate", str(path)],
        "trends": ["trends", str(path)],
        "rules": ["rules", str(path), "--min-support", "0.01"],
        "segment": ["segment", str(path), "--k", "3", "--recs", "2", "--out", str(out_file)],
        "recommend": ["recommend", str(path), "--n", "3", "--out", str(out_file)],
        "evaluate": ["evaluate", str(path), "--test-days", "30", "--k", "5"],
        "clv": ["clv", str(path), "--out", str(out_file)],
        "pipeline": ["pipeline", str(path), "--out", str(tmp_path / "artifacts"), "--steps",
                     "trends"],  # fmt: skip
    }[command] + _read_options(expect)
    code, out, err = _run(capsys, argv)
    if command == "pipeline":  # its progress lines, then its answer
        err = "".join(line for line in err.splitlines(keepends=True) if not PROGRESS.match(line))
    if isinstance(expect, Refused):
        assert code == 2, (out, err)
        assert out == ""
        _assert_refusal(err, path, expect)
        return
    if command == "evaluate" and code == 2:  # a file too short for a 30-day test period
        assert len(err.strip().splitlines()) == 1 and "use fewer test days" in err, err
        return
    assert code == 0, err
    for note in expect.notes:
        assert note in (out if command == "validate" else err), (note, out, err)
    check = {
        "validate": _check_validate, "trends": _check_trends, "segment": _check_segment,
        "recommend": _check_recommend, "rules": _check_rules, "evaluate": _check_evaluate,
        "clv": _check_clv, "pipeline": _check_pipeline,
    }[command]  # fmt: skip
    check(out, out_file, tmp_path, expect)


def _report(out: str) -> dict[str, str]:
    table = out.split("\nNotes\n", 1)[0]
    return {line.rsplit("  ", 1)[0].strip(): line.rsplit("  ", 1)[1].strip()
            for line in table.splitlines()[1:]}  # fmt: skip


def _check_validate(out, out_file, tmp_path, expect: Read) -> None:
    report = _report(out)
    assert report["Lines kept"] == f"{expect.kept:,}"
    assert report["Customers with purchases"] == f"{len(expect.customers):,}"
    assert report["Invoices"] == f"{expect.invoices:,}"
    assert report["Date range"] == expect.date_range


def _csv(data) -> pd.DataFrame:
    source = io.BytesIO(data.encode("utf-8") if isinstance(data, str) else data)
    return pd.read_csv(source, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _check_trends(out, out_file, tmp_path, expect: Read) -> None:
    table = _csv(out)
    assert table["revenue"].astype(float).sum() == pytest.approx(expect.revenue, abs=0.01 * len(table))
    assert table["units"].astype(int).sum() == expect.units
    assert table["orders"].astype(int).sum() == expect.invoices


def _customer_ids(values) -> set[str]:
    # Exports neutralise text ids a spreadsheet would run (=1+2 -> '=1+2): strip one quote.
    return {v[1:] if v.startswith("'") else v for v in values}


def _check_segment(out, out_file, tmp_path, expect: Read) -> None:
    table = _csv(out_file.read_bytes())
    assert len(table) == len(expect.customers)
    assert _customer_ids(table["customer_id"]) == expect.customers
    assert table["segment"].astype(int).between(1, 3).all()


def _check_recommend(out, out_file, tmp_path, expect: Read) -> None:
    table = _csv(out_file.read_bytes())
    assert _customer_ids(table["customer_id"]) == expect.customers
    assert table["rank"].astype(int).between(1, 3).all()


def _check_rules(out, out_file, tmp_path, expect: Read) -> None:
    table = _csv(out)
    assert {"support", "confidence", "lift"} <= set(table.columns)


def _check_evaluate(out, out_file, tmp_path, expect: Read) -> None:
    assert "hybrid" in out.lower()


def _check_clv(out, out_file, tmp_path, expect: Read) -> None:
    table = _csv(out_file.read_bytes())
    assert _customer_ids(table["customer_id"]) == expect.customers
    spend = sum(line.quantity * line.price for line in expect.lines if line.customer is not None)
    assert table["spend"].astype(float).sum() == pytest.approx(spend, abs=0.01 * len(table))


def _check_pipeline(out, out_file, tmp_path, expect: Read) -> None:
    trends = pd.read_parquet(tmp_path / "artifacts" / "trends_month.parquet")
    assert trends["revenue"].sum() == pytest.approx(expect.revenue, abs=1e-6)


def _append(capsys, path: Path, expect, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    if path.is_dir():
        shutil.copytree(path, copy)
        target = copy / "transactions.csv"
    else:
        copy.mkdir()
        target = copy / path.name
        shutil.copyfile(path, target)
    old = target.read_bytes()
    code, out, err = _run(capsys, ["append", str(target), "--invoices", "5", "--seed", "1",
                                   *_read_options(expect)])  # fmt: skip
    if isinstance(expect, Refused) or not expect.appendable:
        assert code == 2, (out, err)
        assert target.read_bytes() == old
        line = err.strip()
        assert len(line.splitlines()) == 1 and line.startswith("error: ") and target.name in line, err
        assert ADVICE_WORDS.search(line), line
        return
    assert code == 0, err
    added = int(re.match(r"Appended ([\d,]+) lines", out).group(1).replace(",", ""))
    assert target.read_bytes().startswith(old) and added > 0
    after = load_dataset(copy if path.is_dir() else target, dates=expect.dates)
    assert after.report.kept_lines == expect.kept + added
    assert after.n_buyers >= len(expect.customers)
    assert after.transactions["invoice_date"].min().strftime("%Y-%m-%d") == expect.date_range[:10]


def _upload(path: Path, expect) -> None:
    if path.is_dir() or not expect.uploadable:
        pytest.skip("a folder of canonical CSVs is not one upload")
    data = path.read_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            dataset = load_dataset(io.BytesIO(data), name=path.name, max_bytes=UPLOAD_LIMIT,
                                   dates=expect.dates if isinstance(expect, Read) else None)
        except DataError as exc:
            assert isinstance(expect, Refused), f"refused: {exc}"
            _assert_refusal(f"error: {exc}", path, expect)
            dataset = None
    assert not caught, [str(w.message) for w in caught]
    if dataset is not None:
        assert isinstance(expect, Read), "read, but should have been refused"
        tx = dataset.transactions
        assert dataset.report.kept_lines == expect.kept
        assert dataset.n_buyers == len(expect.customers)
        assert (tx["quantity"] * tx["unit_price"]).sum() == pytest.approx(expect.revenue, abs=1e-6)
        assert f"{tx['invoice_date'].min():%Y-%m-%d} to {tx['invoice_date'].max():%Y-%m-%d}" == (
            expect.date_range
        )
        notes = "\n".join(dataset.report.notes) + dataset.report.ambiguous_dates_note()
        for note in expect.notes:
            assert note in notes, (note, notes)


# --- the app's sidebar upload, on a few cases ------------------------------------------------


@pytest.mark.parametrize("name", ["thousands_separators", "duplicate_quantity_header", "parquet_bomb"])
def test_bad_input_uploaded_in_the_app(name, corpus, monkeypatch):
    """The upload widget itself: a read file becomes the data set with the right customers;
    a refused one shows one message naming the file, and the app keeps the data it had."""
    from streamlit.testing.v1 import AppTest

    from recsys.synth.shop import generate_shop, write_shop
    from ui import source
    from ui.format import plain_text

    case, path = BY_NAME[name], corpus[name]
    shop = path.parent / "startup-shop"
    if not shop.exists():
        write_shop(generate_shop(n_customers=60, seed=3), shop)
    monkeypatch.setenv(source.DATA_ENV, str(shop))
    if case.max_rows is not None:
        monkeypatch.setenv("RECSYS_MAX_ROWS", str(case.max_rows))
    app = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    app.run()  # the start-up data first, which a refused upload must leave in place
    app.session_state[source.SOURCE_KEY] = source.SOURCE_UPLOAD
    app.run()
    app.sidebar.file_uploader(key=source.UPLOAD_KEY).upload(path.name, path.read_bytes(), "text/csv")
    app.run()
    assert not app.exception
    # A refused upload is explained at the top of the page, not in the narrow sidebar.
    errors = [e.value for e in app.main.error]
    assert not app.sidebar.error
    if isinstance(case.expect, Read):
        assert errors == []
        assert app.session_state["_data_choice"].name == path.name
        customers = {m.label: m.value for m in app.metric}["Customers"]
        assert customers == f"{len(case.expect.customers):,}"
        return
    assert len(errors) == 1 and plain_text(path.name) in errors[0], errors
    assert plain_text(case.expect.advice) in errors[0] or case.expect.advice in errors[0], errors
    assert "Still showing" in errors[0]
    assert app.session_state["_data_choice"].kind == source.SOURCE_STARTUP
