"""AppTest of the Data page: previews, cleaning report, generate, append, downloads."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from recsys.data import schema as S
from recsys.data.load import load_dataset
from recsys.synth.shop import generate_shop, write_shop
from ui import source
from ui.format import plain_text

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "data.py")


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shop")
    write_shop(generate_shop(n_customers=100, seed=4), folder)
    return folder


@pytest.fixture(autouse=True)
def work_dir(tmp_path, monkeypatch):
    """Keep the page's working copies (made with ``tempfile``) inside the test's folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def startup(shop_dir, monkeypatch):
    """Start the app on the small shop (``RECSYS_DATA``)."""
    monkeypatch.setenv(source.DATA_ENV, str(shop_dir))
    return shop_dir


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _digest(folder: Path) -> str:
    return hashlib.sha256((folder / "transactions.csv").read_bytes()).hexdigest()


def test_page_data_previews_and_report(startup):
    expected = load_dataset(startup)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Tables", "Cleaning report", "Generate or append", "Download"]
    values = metrics(at)
    assert values["Lines read"] == f"{expected.report.raw_lines:,}"
    assert values["Lines kept"] == f"{expected.report.kept_lines:,}"
    assert any(
        "Canonical CSVs (transactions, products, customers)" in m.value for m in at.markdown
    )
    frames = [df.value for df in at.dataframe]
    assert len(frames[0]) == min(len(expected.transactions), 1000)
    assert len(frames[1]) == len(expected.products)
    assert len(frames[2]) == len(expected.customers)
    rules = frames[3]
    assert "Cancellations (invoice id starting with C)" in set(rules["label"])
    assert rules["lines"].sum() == sum(n for _, n in expected.report.removed)
    labels = [b.label for b in at.get("download_button")]
    assert labels == [
        f"Download transactions ({len(expected.transactions):,} rows)",
        f"Download products ({len(expected.products):,} rows)",
        f"Download customers ({len(expected.customers):,} rows)",
    ]


def test_page_data_generate_asks_the_sidebar_to_switch(startup):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.number_input(key="data_gen_customers").set_value(60)
    at.number_input(key="data_gen_seed").set_value(3)
    next(b for b in at.button if b.label == "Generate shop").click().run()
    assert not at.exception
    # The page runs after the sidebar's widgets exist; app.py applies the request first
    # thing on the next run (tested in test_app.py).
    pending = at.session_state["_data_pending"]
    assert (pending.kind, pending.n_customers, pending.seed) == (source.SOURCE_GENERATED, 60, 3)


def test_page_data_append_extends_a_working_copy(startup):
    original = _digest(startup)
    before = load_dataset(startup)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.number_input(key="data_append_invoices").set_value(25)
    next(b for b in at.button if b.label == "Append invoices").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    pending = at.session_state["_data_pending"]
    assert pending.kind == source.SOURCE_FILE
    assert Path(pending.path) != startup
    assert _digest(startup) == original  # the start-up data is never changed
    after = load_dataset(Path(pending.path))
    added = after.transactions[S.INVOICE_ID].nunique() - before.transactions[
        S.INVOICE_ID
    ].nunique()
    assert added == 25
    assert at.session_state["_data_append_result"].invoices == 25


def test_page_data_shows_error_when_data_cannot_load(monkeypatch, tmp_path):
    monkeypatch.setenv(source.DATA_ENV, str(tmp_path / "missing.csv"))
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert "could not be loaded" in at.error[0].value
    assert plain_text("missing.csv") in at.error[0].value


def test_page_data_append_to_parquet_works_on_a_csv_copy(monkeypatch, tmp_path, shop_dir):
    lines = pd.read_csv(shop_dir / "transactions.csv", dtype=str)
    parquet = tmp_path / "shop.parquet"
    lines.to_parquet(parquet)
    monkeypatch.setenv(source.DATA_ENV, str(parquet))
    before = load_dataset(parquet)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.number_input(key="data_append_invoices").set_value(5)
    next(b for b in at.button if b.label == "Append invoices").click().run()
    assert not at.error, [e.value for e in at.error]
    copy = Path(at.session_state["_data_pending"].path)
    assert copy.suffix == ".csv"
    after = load_dataset(copy)
    assert after.transactions[S.INVOICE_ID].nunique() == before.transactions[S.INVOICE_ID].nunique() + 5


def test_page_data_generates_a_shop_once(startup, monkeypatch):
    """Generate twice, show the shop, append to it: the shop is generated a single time."""
    import streamlit as st

    import recsys.synth.shop

    calls = []
    real = recsys.synth.shop.generate_shop

    def counting(**kwargs):
        calls.append((kwargs["n_customers"], kwargs["seed"]))
        return real(**kwargs)

    monkeypatch.setattr(recsys.synth.shop, "generate_shop", counting)
    st.cache_resource.clear()
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.number_input(key="data_gen_customers").set_value(60)
    at.number_input(key="data_gen_seed").set_value(3)
    for _ in range(2):
        next(b for b in at.button if b.label == "Generate shop").click().run()
        assert not at.exception and not at.error
    assert calls == [(60, 3)]
    # the sidebar switches to it (app.py applies the request), then an append copies it
    at.session_state["_data_choice"] = at.session_state["_data_pending"]
    at.run()
    at.number_input(key="data_append_invoices").set_value(5)
    next(b for b in at.button if b.label == "Append invoices").click().run()
    assert not at.error, [e.value for e in at.error]
    assert calls == [(60, 3)]
    copy = load_dataset(Path(at.session_state["_data_pending"].path))
    shop = real(n_customers=60, seed=3).to_dataset()
    assert copy.transactions[S.INVOICE_ID].nunique() == shop.transactions[S.INVOICE_ID].nunique() + 5


def _invoices(path: Path) -> set[str]:
    return set(load_dataset(path).transactions[S.INVOICE_ID])


def test_page_data_appends_add_up_on_one_working_copy(startup, work_dir):
    """Two appends in a row from the original source keep both appends' invoices."""
    before = _invoices(startup)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.number_input(key="data_append_invoices").set_value(10)
    next(b for b in at.button if b.label == "Append invoices").click().run()
    first = Path(at.session_state["_data_pending"].path)
    added_first = _invoices(first) - before
    assert len(added_first) == 10
    # the page alone does not apply the request, so the data set is still the original
    at.number_input(key="data_append_invoices").set_value(7)
    at.number_input(key="data_append_seed").set_value(1)
    next(b for b in at.button if b.label == "Append invoices").click().run()
    assert not at.error, [e.value for e in at.error]
    second = Path(at.session_state["_data_pending"].path)
    assert second == first
    after = _invoices(second)
    assert added_first <= after
    assert len(after - before) == 17
    assert _invoices(startup) == before
    assert len(list(Path(at.session_state["_data_work_dir"]).iterdir())) == 1


# A stand-in for app.py plus the Data page: apply a pending choice, then run one step.
SESSION_SCRIPT = """
import streamlit as st
from recsys.synth.append import append_random
from ui import source

source.apply_pending_choice()
step = st.session_state.pop("step", None)
if step is not None:
    action, choice, n = step
    source.set_data_choice(choice)  # the sidebar's pick
    target, path = source.working_copy(choice)
    if action == "append":
        append_random(target, n_invoices=n, seed=n)
        source.request_data_choice(source.DataChoice(source.SOURCE_FILE, path=str(path)))
"""


def test_working_copy_is_kept_while_in_use_and_superseded_ones_are_removed(startup, work_dir):
    at = AppTest.from_string(SESSION_SCRIPT, default_timeout=60)

    def step(action: str, choice: source.DataChoice, n: int = 0) -> None:
        at.session_state["step"] = (action, choice, n)
        at.run()
        assert not at.exception
        at.run()  # the next run applies the request: the sidebar points at the copy

    def copies() -> list[Path]:
        return list(Path(at.session_state["_data_work_dir"]).iterdir())

    original = source.startup_choice()
    step("append", original, 4)
    first = Path(at.session_state["_data_work_file"].path)
    assert Path(at.session_state["_data_choice"].path) == first
    # back on the original source in the sidebar: the next append adds to the same copy
    step("append", original, 3)
    assert Path(at.session_state["_data_work_file"].path) == first
    assert len(_invoices(first) - _invoices(startup)) == 7
    # another source gets a fresh copy; the first stays while the sidebar offers it
    generated = source.DataChoice(source.SOURCE_GENERATED, n_customers=60, seed=2)
    step("copy", generated)
    assert first.exists() and len(copies()) == 2
    step("append", generated, 2)
    second = Path(at.session_state["_data_work_file"].path)
    assert second != first and second.exists()
    assert not first.exists()  # superseded: nothing points at it any more
    assert copies() == [second.parent]


def test_working_copy_of_an_upload_adds_up(shop_dir, work_dir):
    data = (shop_dir / "transactions.csv").read_bytes()
    upload = source.DataChoice(source.SOURCE_UPLOAD, name="my shop.csv", digest="d1")
    at = AppTest.from_string(SESSION_SCRIPT, default_timeout=60)
    paths = []
    for n in (3, 2):
        at.session_state["_data_upload_bytes"] = data  # the sidebar keeps the upload's bytes
        at.session_state["step"] = ("append", upload, n)
        at.run()
        assert not at.exception
        paths.append(Path(at.session_state["_data_pending"].path))
        at.run()
    assert paths[0] == paths[1] and paths[0].name == "my shop.csv"
    before = set(pd.read_csv(shop_dir / "transactions.csv", dtype=str)[S.INVOICE_ID])
    assert len(_invoices(paths[0]) - before) == 5


_MONTHS = dict(enumerate(["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]))


@pytest.fixture
def uk_export(tmp_path, shop_dir, monkeypatch):
    """The small shop as a UK export of its first nine days of December: day-first dates
    whose days are all 12 or less (nothing proves the order); the app starts on it."""
    lines = pd.read_csv(shop_dir / "transactions.csv", dtype=str, keep_default_na=False)
    when = pd.to_datetime(lines[S.INVOICE_DATE])
    first = when.dt.normalize().min()
    lines = lines[when < first + pd.Timedelta(days=9)].copy()
    shifted = pd.to_datetime(lines[S.INVOICE_DATE]) - first + pd.Timestamp("2010-12-01")
    lines[S.INVOICE_DATE] = shifted.dt.strftime("%d/%m/%Y %H:%M")
    path = tmp_path / "uk_export.csv"
    lines.to_csv(path, index=False)
    monkeypatch.setenv(source.DATA_ENV, str(path))
    return path


def test_page_data_names_an_ambiguous_date_order_and_reads_the_other(uk_export):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    days = sorted({int(d[:2]) for d in pd.read_csv(uk_export, dtype=str)[S.INVOICE_DATE]})
    warning = at.warning[0].value
    assert "Nothing in column invoice\\_date shows whether its dates are written day first" in warning
    assert f"They were read **day first**: 1 Dec 2010 to {days[-1]} Dec 2010" in warning
    assert f"Read month first they would run 12 Jan 2010 to 12 {_MONTHS[days[-1]]} 2010" in warning
    radio = at.radio[0]
    assert radio.label == "How to read dates such as 05/12/2011"
    assert radio.value == "auto"
    assert radio.options[0] == "Detect (read day first)"
    radio.set_value("month-first").run()
    assert not at.exception
    assert at.radio[0].value == "month-first" and not at.warning
    preview = at.dataframe[0].value  # the first 1,000 lines, read month first
    assert preview[S.INVOICE_DATE].min().normalize() == pd.Timestamp("2010-01-12")
    assert set(preview[S.INVOICE_DATE].dt.day) == {12}


def test_page_data_append_keeps_the_chosen_date_order(uk_export):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.radio[0].set_value("month-first").run()
    at.number_input(key="data_append_invoices").set_value(5)
    next(b for b in at.button if b.label == "Append invoices").click().run()
    assert not at.error, [e.value for e in at.error]
    result = at.session_state["_data_append_result"]
    last_day = max(int(d[:2]) for d in pd.read_csv(uk_export, dtype=str)[S.INVOICE_DATE])
    # after the last date read month first: the 12th of month `last_day`
    assert result.first_date > pd.Timestamp(2010, last_day, 12)
    copy = at.session_state["_data_pending"]
    assert at.session_state["_data_dates"][copy] == "month-first"
    tx = load_dataset(Path(copy.path), dates="month-first").transactions
    assert tx[S.INVOICE_DATE].max() == result.last_date.floor("min")
