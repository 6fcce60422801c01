"""The append writes in its file's own format, read by the loader's detector, and handles
the file safely: every encoding, separator, line end, quoting and date format the loader
reads; symbolic links, read-only files and a full disk."""

from __future__ import annotations

import csv
import errno
import os
import re

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.load import load_dataset
from recsys.errors import DataError, StorageError
from recsys.synth.append import append_random

HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
          "CustomerID", "Country"]  # fmt: skip
START = pd.Timestamp("2010-12-01 08:00")


def _lines(n: int = 60, *, days: int = 9) -> list[dict]:
    """``n`` sales lines of 12 customers over ``days`` days (one invoice per line)."""
    out = []
    for i in range(n):
        when = START + pd.Timedelta(days=i * days // n, minutes=7 * i)
        out.append({"InvoiceNo": str(536365 + i), "StockCode": f"2{i % 7}000", "Description":
                    f"ITEM {i % 7}, BLUE", "Quantity": str(1 + i % 4), "InvoiceDate": when,
                    "UnitPrice": "2.55", "CustomerID": str(17850 + i % 12),
                    "Country": "United Kingdom"})  # fmt: skip
    return out


def _write(path, lines, *, fmt, encoding="utf-8", delimiter=",", newline="\n", quote_all=False):
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline,
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)  # fmt: skip
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow([line[h].strftime(fmt) if h == "InvoiceDate" else line[h] for h in HEADER])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


FORMATS = {
    "day-first dashes, CRLF (issue 8)": dict(fmt="%d-%m-%Y %H:%M", newline="\r\n"),
    "month-first unpadded (UCI)": dict(fmt="%-m/%-d/%Y %-H:%M"),
    "ISO with seconds": dict(fmt="%Y-%m-%d %H:%M:%S"),
    "ISO without seconds": dict(fmt="%Y-%m-%d %H:%M"),
    "day-first dots with seconds, semicolons": dict(fmt="%d.%m.%Y %H:%M:%S", delimiter=";"),
    "UTF-16 day-first tabs": dict(fmt="%d/%m/%Y %H:%M", encoding="utf-16", delimiter="\t"),
    "old Mac line ends, every field quoted": dict(fmt="%Y-%m-%d %H:%M:%S", newline="\r",
                                                   quote_all=True),
    "Windows-1252 bars": dict(fmt="%m/%d/%Y %H:%M", encoding="cp1252", delimiter="|"),
}


@pytest.mark.parametrize("case", list(FORMATS))
def test_append_writes_new_lines_in_the_files_own_format(tmp_path, case):
    spec = FORMATS[case]
    path = _write(tmp_path / "export.csv", _lines(days=40), **spec)
    old = path.read_bytes()
    before = load_dataset(path)
    result = append_random(path, n_invoices=20, seed=2)
    new = path.read_bytes()
    assert new.startswith(old)
    encoding = spec.get("encoding", "utf-8")
    tail = new[len(old):].decode("utf-16-le" if encoding == "utf-16" else encoding)
    newline = spec.get("newline", "\n")
    rows = [r for r in tail.split(newline) if r]
    assert len(rows) == result.lines_added and tail.endswith(newline)
    assert tail.count("\n") == (len(rows) if "\n" in newline else 0)
    fields = list(csv.reader(rows, delimiter=spec.get("delimiter", ",")))
    assert all(len(f) == len(HEADER) for f in fields)
    assert all(r.startswith('"') and r.endswith('"') for r in rows) == bool(spec.get("quote_all"))
    dates = [f[4] for f in fields]
    written = pd.to_datetime(pd.Series(dates), format=spec["fmt"].replace("%-", "%"))
    assert list(written.dt.strftime(spec["fmt"])) == dates
    after = load_dataset(path)
    assert after.report.raw_lines == before.report.raw_lines + result.lines_added
    assert after.report.date_order == before.report.date_order
    tx = after.transactions
    assert tx[S.INVOICE_DATE].max() == result.last_date.floor("min")
    assert tx[S.INVOICE_DATE].iloc[: before.report.kept_lines].equals(
        before.transactions[S.INVOICE_DATE]
    )


def test_append_day_first_file_with_days_under_13_stays_day_first(tmp_path):
    """A UK export of 1-9 December: loaded day-first, appended day-first (never mixed)."""
    path = _write(tmp_path / "uk.csv", _lines(days=9), fmt="%d/%m/%Y %H:%M")
    assert load_dataset(path).report.dates_ambiguous
    result = append_random(path, n_invoices=10, seed=1)
    tx = load_dataset(path).transactions
    assert result.first_date > pd.Timestamp("2010-12-09")
    assert tx[S.INVOICE_DATE].min() == START
    assert tx[S.INVOICE_DATE].max() == result.last_date.floor("min")
    assert tx[S.INVOICE_DATE].max() < pd.Timestamp("2011-01-01")


def test_append_with_dates_forced_month_first_writes_month_first(tmp_path):
    path = _write(tmp_path / "uk.csv", _lines(days=9), fmt="%d/%m/%Y %H:%M")
    result = append_random(path, n_invoices=5, seed=1, dates="month-first")
    assert result.first_date > pd.Timestamp("2010-09-12")  # the last date read month-first
    tx = load_dataset(path, dates="month-first").transactions
    assert tx[S.INVOICE_DATE].max() == result.last_date.floor("min")


def test_append_refuses_a_file_mixing_day_and_month_first(tmp_path):
    path = _write(tmp_path / "mixed.csv", _lines(days=40), fmt="%d/%m/%Y %H:%M")
    text = path.read_text().replace("01/12/2010 08:00", "12/13/2010 08:00")
    path.write_text(text)
    with pytest.raises(DataError, match=r"mixed\.csv: column InvoiceDate mixes day-first and "
                                        r"month-first dates \('\d\d/12/2010 .*' has the day first, "
                                        r"'12/13/2010 08:00' the month first\)"):  # fmt: skip
        append_random(path, n_invoices=5, seed=1)
    assert path.read_text() == text


def test_append_through_a_symlink_extends_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "data").mkdir()
    target = _write(tmp_path / "data" / "export.csv", _lines(), fmt="%Y-%m-%d %H:%M:%S")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    old = target.read_bytes()
    result = append_random(link, n_invoices=5, seed=1)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes().startswith(old) and len(target.read_bytes()) > len(old)
    assert result.path == link
    assert (tmp_path / "data" / "export.csv.lock").exists()
    assert not (tmp_path / "link.csv.lock").exists()


def test_append_refuses_a_read_only_file(tmp_path):
    path = _write(tmp_path / "export.csv", _lines(), fmt="%Y-%m-%d %H:%M:%S")
    path.chmod(0o444)
    old = path.read_bytes()
    with pytest.raises(StorageError, match=r"export\.csv is read-only, so nothing was appended: "
                                           r"make it writable \(chmod u\+w "):  # fmt: skip
        append_random(path, n_invoices=5, seed=1)
    assert path.read_bytes() == old and oct(path.stat().st_mode & 0o777) == "0o444"


def test_append_on_a_full_disk_names_the_file_and_leaves_it_unchanged(tmp_path, monkeypatch):
    path = _write(tmp_path / "export.csv", _lines(), fmt="%Y-%m-%d %H:%M:%S")
    old = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError, match=r"^no space left on the disk of .* to write the new "
                                           r"copy of export\.csv \(0\.0 MB\): free some space"):  # fmt: skip
        append_random(path, n_invoices=5, seed=1)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_append_refuses_dates_it_cannot_write_back(tmp_path):
    path = tmp_path / "excel.csv"
    lines = [",".join(HEADER)] + [
        f"{536365 + i},20000,ITEM,1,{40513 + i}.5,2.55,17850,United Kingdom" for i in range(10)
    ]
    path.write_text("\n".join(lines) + "\n")
    assert load_dataset(path).report.kept_lines == 10
    with pytest.raises(DataError, match=r"excel\.csv: the append writes new dates in the file's "
                                        r"own format.*first: '40513\.5'"):  # fmt: skip
        append_random(path, n_invoices=5, seed=1)


def test_append_padding_follows_the_file(tmp_path):
    path = _write(tmp_path / "export.csv", _lines(days=40), fmt="%-d/%-m/%Y %-H:%M")
    append_random(path, n_invoices=30, seed=3)
    tail = path.read_text().splitlines()[61:]
    dates = [re.search(r",(\d+/\d+/\d{4} \d+:\d\d),", line).group(1) for line in tail]
    assert any(re.match(r"\d/", d) for d in dates) or any(re.search(r" \d:", d) for d in dates)
    assert not any(re.match(r"0\d/", d) for d in dates)
