"""Tests of append_random: old bytes kept, ids unique, atomic under crashes and concurrency."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import DataError
from recsys.synth.append import append_random
from recsys.synth.shop import UCI_FILE, generate_shop, write_shop

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_shop():
    return generate_shop(n_customers=150, n_products=40, seed=3)


@pytest.fixture
def shop_dir(tmp_path, small_shop) -> Path:
    write_shop(small_shop, tmp_path)
    return tmp_path


def _rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding=encoding))))


def _no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_append_random_keeps_old_bytes_and_adds_valid_lines(shop_dir):
    path = shop_dir / "transactions.csv"
    old = path.read_bytes()
    old_rows = _rows(path)
    result = append_random(path, n_invoices=40, seed=1)
    new = path.read_bytes()
    assert new.startswith(old)
    added = _rows(path)[len(old_rows):]
    assert len(added) == result.lines_added > 0
    assert all(len(r) == len(old_rows[0]) for r in added)
    header = old_rows[0]
    frame = pd.DataFrame(added, columns=header)
    old_frame = pd.DataFrame(old_rows[1:], columns=header)
    new_invoices = frame[S.INVOICE_ID].unique()
    assert len(new_invoices) == result.invoices == 40
    assert not set(new_invoices) & set(old_frame[S.INVOICE_ID])
    assert min(int(i) for i in new_invoices) > max(int(i.lstrip("C")) for i in old_frame[S.INVOICE_ID])
    dates = pd.to_datetime(frame[S.INVOICE_DATE], format="%Y-%m-%d %H:%M:%S")
    assert dates.min() > pd.to_datetime(old_frame[S.INVOICE_DATE]).max()
    assert (frame[S.QUANTITY].astype(int) > 0).all() and (frame[S.UNIT_PRICE].astype(float) > 0).all()
    assert set(frame[S.PRODUCT_ID]) <= set(old_frame[S.PRODUCT_ID])
    assert _no_temp_files(shop_dir)


def test_append_random_adds_new_customers_to_customers_csv(shop_dir):
    from recsys.data.load import load_dataset

    customers_path = shop_dir / "customers.csv"
    old = customers_path.read_bytes()
    before = pd.read_csv(customers_path, dtype=str)
    result = append_random(shop_dir / "transactions.csv", n_invoices=300, seed=2)
    assert result.new_customers > 0
    assert customers_path.read_bytes().startswith(old)
    after = pd.read_csv(customers_path, dtype=str)
    added = after.iloc[len(before):]
    assert len(added) == result.new_customers
    assert added[S.CUSTOMER_ID].astype(int).min() > before[S.CUSTOMER_ID].astype(int).max()
    assert after[S.CUSTOMER_ID].is_unique and added[S.COUNTRY].notna().all()
    dataset = load_dataset(shop_dir)
    assert set(added[S.CUSTOMER_ID]) <= set(dataset.customers[S.CUSTOMER_ID])


def test_append_random_same_seed_same_bytes(tmp_path, small_shop):
    for name in ("a", "b"):
        write_shop(small_shop, tmp_path / name)
        append_random(tmp_path / name / "transactions.csv", n_invoices=25, seed=9)
    a = (tmp_path / "a" / "transactions.csv").read_bytes()
    assert a == (tmp_path / "b" / "transactions.csv").read_bytes()
    write_shop(small_shop, tmp_path / "c")
    append_random(tmp_path / "c" / "transactions.csv", n_invoices=25, seed=10)
    assert a != (tmp_path / "c" / "transactions.csv").read_bytes()


def test_append_random_more_invoices_keep_the_first_buyers_and_baskets(tmp_path, small_shop):
    added = {}
    for n in (25, 60):
        write_shop(small_shop, tmp_path / str(n))
        path = tmp_path / str(n) / "transactions.csv"
        before = len(pd.read_csv(path, dtype=str))
        append_random(path, n_invoices=n, seed=9)
        added[n] = pd.read_csv(path, dtype=str).iloc[before:]
    first_ids = added[25][S.INVOICE_ID].unique()
    longer = added[60][added[60][S.INVOICE_ID].isin(first_ids)]
    # Dates depend on how many invoices there are (they spread over more days); who
    # buys what in the first 25 invoices does not.
    columns = [S.INVOICE_ID, S.CUSTOMER_ID, S.PRODUCT_ID, S.QUANTITY, S.COUNTRY]
    pd.testing.assert_frame_equal(
        longer[columns].reset_index(drop=True), added[25][columns].reset_index(drop=True)
    )


@pytest.mark.parametrize("target", ["replace", "fsync"])
def test_append_random_crash_leaves_file_intact(shop_dir, monkeypatch, target):
    path = shop_dir / "transactions.csv"
    old = path.read_bytes()
    old_customers = (shop_dir / "customers.csv").read_bytes()

    def crash(*args, **kwargs):
        raise OSError("simulated crash")

    monkeypatch.setattr(os, target, crash)
    with pytest.raises(OSError, match="simulated crash"):
        append_random(path, n_invoices=300, seed=1)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert (shop_dir / "customers.csv").read_bytes() == old_customers
    assert _no_temp_files(shop_dir)


def test_append_random_concurrent_appends_both_land(shop_dir):
    path = shop_dir / "transactions.csv"
    old_rows = _rows(path)
    code = (
        "import sys; from recsys.synth.append import append_random; "
        "r = append_random(sys.argv[1], n_invoices=30, seed=int(sys.argv[2])); "
        "print(r.lines_added)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path), str(seed)], env=env,
                         stdout=subprocess.PIPE, text=True)
        for seed in (1, 2)
    ]
    added = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    rows = _rows(path)
    assert rows[: len(old_rows)] == old_rows
    new = rows[len(old_rows):]
    assert len(new) == sum(added)
    assert all(len(r) == len(old_rows[0]) for r in new)
    invoices = pd.DataFrame(new, columns=old_rows[0])[S.INVOICE_ID]
    assert invoices.nunique() == 60
    assert _no_temp_files(shop_dir)


def _uci_published(shop, folder: Path, *, encoding: str) -> Path:
    """The shop as the published UCI CSV: m/d/Y H:MM dates, float customer ids, Latin-1."""
    write_shop(shop, folder, layout="uci")
    frame = pd.read_csv(folder / UCI_FILE, dtype=str, keep_default_na=False)
    when = pd.to_datetime(frame["InvoiceDate"])
    frame["InvoiceDate"] = when.dt.strftime("%-m/%-d/%Y %-H:%M")
    frame["CustomerID"] = frame["CustomerID"].where(frame["CustomerID"] == "", frame["CustomerID"] + ".0")
    frame.loc[0, "Description"] = "CAFÉ, CRÈME"
    path = folder / "Online Retail.csv"
    frame.to_csv(path, index=False, encoding=encoding, lineterminator="\r\n")
    return path


def test_append_random_uci_layout_keeps_file_format(tmp_path, small_shop):
    path = _uci_published(small_shop, tmp_path, encoding="latin-1")
    old = path.read_bytes()
    result = append_random(path, n_invoices=30, seed=4, boost={"country": {"Germany": 2.0}})
    assert result.layout == "uci"
    new = path.read_bytes()
    assert new.startswith(old)
    tail = new[len(old):]
    assert tail.count(b"\r\n") == result.lines_added and tail.count(b"\n") == result.lines_added
    lines = list(csv.reader(io.StringIO(tail.decode("latin-1"))))
    assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}", r[4]) for r in lines)
    assert all(r[6] == "" or re.fullmatch(r"\d+\.0", r[6]) for r in lines)
    from recsys.data.load import load_dataset

    dataset = load_dataset(path)
    assert dataset.report.raw_lines == len(small_shop.transactions) + result.lines_added


def test_append_random_boost_country_oversamples(tmp_path, small_shop):
    shares = []
    for name, boost in (("plain", None), ("boosted", {"country": {"Germany": 25.0}})):
        write_shop(small_shop, tmp_path / name)
        path = tmp_path / name / "transactions.csv"
        before = len(_rows(path))
        append_random(path, n_invoices=200, seed=5, boost=boost)
        added = pd.DataFrame(_rows(path)[before:], columns=_rows(path)[0])
        shares.append((added[S.COUNTRY] == "Germany").mean())
    assert shares[1] > 2 * shares[0] + 0.02


def test_append_random_boost_segment_needs_known_segment(shop_dir):
    path = shop_dir / "transactions.csv"
    append_random(path, n_invoices=10, seed=1, boost={"segment": {"Bargain hunters": 3.0}})
    with pytest.raises(DataError, match="unknown segments"):
        append_random(path, n_invoices=10, seed=1, boost={"segment": {"Whales": 3.0}})
    with pytest.raises(DataError, match="countries not in the file"):
        append_random(path, n_invoices=10, seed=1, boost={"country": {"Atlantis": 3.0}})


def test_append_random_bad_targets(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        append_random(tmp_path / "missing.csv", n_invoices=5, seed=0)
    parquet = tmp_path / "shop.parquet"
    parquet.write_bytes(b"PAR1")
    with pytest.raises(DataError, match="CSV files only"):
        append_random(parquet, n_invoices=5, seed=0)
    assert parquet.read_bytes() == b"PAR1"
    other = tmp_path / "people.csv"
    other.write_text("name,age\nAnn,31\n")
    with pytest.raises(DataError, match="Accepted layouts"):
        append_random(other, n_invoices=5, seed=0)
    assert other.read_text() == "name,age\nAnn,31\n"
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="empty"):
        append_random(empty, n_invoices=5, seed=0)
    with pytest.raises(DataError, match="positive whole number"):
        append_random(other, n_invoices=0, seed=0)


def test_append_random_adds_missing_final_newline(shop_dir):
    path = shop_dir / "transactions.csv"
    trimmed = path.read_bytes().rstrip(b"\n")
    path.write_bytes(trimmed)
    result = append_random(path, n_invoices=5, seed=3)
    data = path.read_bytes()
    assert data.startswith(trimmed) and data[len(trimmed):len(trimmed) + 1] == b"\n"
    assert len(_rows(path)) == len(trimmed.split(b"\n")) + result.lines_added


@pytest.mark.real_data
def test_append_random_real_data_slice(real_data_path, tmp_path):
    real = pd.read_parquet(real_data_path).iloc[:40_000]
    path = tmp_path / "online_retail.csv"
    real.to_csv(path, index=False)
    old = path.read_bytes()
    result = append_random(path, n_invoices=200, seed=0)
    assert path.read_bytes().startswith(old)
    added = pd.read_csv(path, dtype=str).iloc[len(real):]
    assert len(added) == result.lines_added
    assert added["InvoiceNo"].astype(int).min() > real["InvoiceNo"].str.lstrip("CA").astype(int).max()
    assert pd.to_datetime(added["InvoiceDate"]).min() > pd.to_datetime(real["InvoiceDate"]).max()
    assert added["CustomerID"].dropna().str.fullmatch(r"\d+\.0").all()


def test_append_random_online_retail_ii_semicolons(tmp_path, small_shop):
    write_shop(small_shop, tmp_path, layout="uci")
    frame = pd.read_csv(tmp_path / UCI_FILE, dtype=str, keep_default_na=False).rename(
        columns={"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"})
    frame["Price"] = frame["Price"].str.replace(".", ",", regex=False)
    path = tmp_path / "online_retail_II.csv"
    frame.to_csv(path, index=False, sep=";")
    old = path.read_bytes()
    result = append_random(path, n_invoices=15, seed=2)
    assert result.layout == "uci2" and path.read_bytes().startswith(old)
    added = pd.read_csv(path, sep=";", dtype=str).iloc[len(frame):]
    assert len(added) == result.lines_added
    assert added["Price"].str.fullmatch(r"\d+,\d\d").all()


def test_cli_append_prints_what_was_written(shop_dir):
    path = shop_dir / "transactions.csv"
    old = path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "recsys", "append", str(path), "--invoices", "12", "--seed", "4",
         "--boost-country", "Germany=3"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert re.match(r"Appended [\d,]+ lines in 12 invoices", done.stdout)
    assert path.read_bytes().startswith(old) and len(path.read_bytes()) > len(old)
    bad = subprocess.run(
        [sys.executable, "-m", "recsys", "append", str(shop_dir / "nope.csv"), "--invoices", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert bad.returncode == 2 and "no such file" in bad.stderr and "Traceback" not in bad.stderr


def test_append_random_crash_mid_copy_leaves_file_intact(shop_dir, monkeypatch):
    import shutil

    path = shop_dir / "transactions.csv"
    old = path.read_bytes()

    def half_copy(src, dst, length=0):
        dst.write(src.read(len(old) // 2))
        raise OSError("simulated crash mid-copy")

    monkeypatch.setattr(shutil, "copyfileobj", half_copy)
    with pytest.raises(OSError, match="mid-copy"):
        append_random(path, n_invoices=20, seed=1)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert _no_temp_files(shop_dir)


# Run in a child process: an append whose write of the temporary transactions file stops
# for good once half of the new bytes are written (after the old bytes were copied), and
# says so on stdout with the temporary file's path; the test kills it there.
PAUSED_APPEND = """
import sys, time
from pathlib import Path
import recsys.files
from recsys.synth.append import append_random

target = Path(sys.argv[1])
old_size = target.stat().st_size

class PausingFile:
    def __init__(self, file, path):
        self.file, self.path, self.written = file, path, 0
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.file.__exit__(*exc)
    def write(self, data):
        if self.written + len(data) > old_size:
            part = max(old_size - self.written, 0) + (len(data) - max(old_size - self.written, 0)) // 2
            self.file.write(data[:part])
            self.file.flush()
            print(self.path, old_size + len(data) - max(old_size - self.written, 0), flush=True)
            time.sleep(600)
        self.written += len(data)
        return self.file.write(data)
    def __getattr__(self, name):
        return getattr(self.file, name)

def pausing_open(path, mode="r", *args, **kwargs):
    file = open(path, mode, *args, **kwargs)
    if mode == "xb" and Path(path).name.startswith("." + target.name + "."):
        return PausingFile(file, path)
    return file

recsys.files.open = pausing_open
append_random(target, n_invoices=300, seed=1)
"""


def test_append_random_killed_mid_write_leaves_the_old_file(tmp_path):
    """SIGKILL while the temporary file is being written: the file is the old one, and the
    next append removes the killed one's temporary file.

    The killed append is held half-way through writing its new lines (see
    :data:`PAUSED_APPEND`), so the kill is known to land mid-write, not before or after it.
    """
    import select
    import signal

    write_shop(generate_shop(n_customers=300, n_products=60, seed=2), tmp_path)
    path = tmp_path / "transactions.csv"
    old = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_APPEND, str(path)], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 120)
        assert ready, "the append did not reach the middle of its write within 120 s"
        line = proc.stdout.readline()
        assert line, f"the append ended (code {proc.wait()}) before the middle of its write"
        temp_name, full_size = line.split()
        temp = Path(temp_name)
        # At the kill: the old file untouched; beside it, a temporary file that holds the
        # old bytes and part, but not all, of the new lines.
        assert path.read_bytes() == old
        partial = temp.read_bytes()
        assert partial.startswith(old)
        assert len(old) < len(partial) < int(full_size)
        assert list(tmp_path.glob(".transactions.csv.*.tmp")) == [temp]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == old  # killed before the replace: the old file, byte for byte
    assert temp.exists()  # the killed append could not clean up
    result = append_random(path, n_invoices=5, seed=2)
    assert not temp.exists()
    assert _no_temp_files(tmp_path)
    assert path.read_bytes().startswith(old)
    assert len(_rows(path)) == old.count(b"\n") + result.lines_added
