"""Purchase events out of the service: a canonical CSV, or lines appended to the data file.

``python -m recsys append-events DATA.csv --state DIR`` adds to the shop's data file the
logged purchases whose invoice is not in it yet, written in the file's own format
(encoding, separator, line ends, date and id formats), under the same lock and with the
same atomic copy-append-rename as ``python -m recsys append``. Running it twice adds
nothing the second time. The service, at its next start or refit, reads those invoices
from the file and no longer folds them in from the log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import filelock
import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import DataError
from recsys.files import remove_stale_temps
from recsys.service.events import LOG_NAME, event_lines, read_log

LOCK_TIMEOUT_S = 300.0
CANONICAL_COLUMNS = (S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID, S.DESCRIPTION,
                     S.QUANTITY, S.UNIT_PRICE)


@dataclass(frozen=True)
class AppendedEvents:
    """What :func:`append_events` wrote: invoices and lines added, invoices already there."""

    path: Path
    invoices: int
    lines: int
    already_there: int


def logged_lines(state: Path) -> pd.DataFrame:
    """Return every logged purchase as canonical lines (see :func:`recsys.service.events.event_lines`).

    Raises
    ------
    DataError
        When ``state`` holds no event log.
    """
    path = Path(state) / LOG_NAME
    if not path.is_file():
        raise DataError(f"no event log in {state}: give the --state folder of the service")
    return event_lines(read_log(path).events)


def events_csv(state: Path) -> bytes:
    """Return the logged purchases as a canonical CSV (spreadsheet-safe, UTF-8 with BOM)."""
    from recsys.export import to_csv_bytes

    lines = logged_lines(state)
    lines.insert(4, S.DESCRIPTION, "")
    lines[S.INVOICE_DATE] = lines[S.INVOICE_DATE].dt.strftime("%Y-%m-%d %H:%M:%S")
    return to_csv_bytes(lines[list(CANONICAL_COLUMNS)])


def append_events(data: Path, state: Path, *, dates: str = "auto") -> AppendedEvents:
    """Append the logged purchases not yet in ``data`` (a CSV of invoice lines), atomically.

    Raises
    ------
    DataError
        When ``data`` is not a CSV of invoice lines, there is no event log, or the file
        is locked by another append for too long.
    """
    data = Path(data)
    if data.suffix.lower() in (".parquet", ".pq", ".xlsx", ".xls"):
        raise DataError(f"{data.name}: events are appended to CSV files only; export them "
                        "with --out FILE.csv instead, or convert the data to CSV first")
    if not data.is_file():
        raise DataError(f"{data}: no such file to append to (a folder of canonical CSVs: "
                        "give its transactions.csv)")
    from recsys.synth.append_file import writable_target

    lines = logged_lines(state)
    target = writable_target(data)  # a symlink's file, locked as `recsys append` locks it
    lock = filelock.FileLock(str(target) + ".lock", timeout=LOCK_TIMEOUT_S)
    try:
        with lock:
            return replace(_append_locked(target, lines, dates), path=data)
    except filelock.Timeout as exc:
        raise DataError(f"{data.name} is locked by another append for over "
                        f"{LOCK_TIMEOUT_S:.0f} s; try again when it has finished") from exc


def _append_locked(path: Path, lines: pd.DataFrame, dates: str) -> AppendedEvents:
    from recsys.data.sniff import render_csv
    from recsys.synth.append_file import append_bytes, format_dates, read_csv_file

    remove_stale_temps(path)
    f = read_csv_file(path, dates=dates)
    in_file = set(f.invoice.cat.categories.astype(str).str.strip())
    invoices = lines[S.INVOICE_ID].unique()
    new = lines[~lines[S.INVOICE_ID].isin(in_file)]
    already = int(np.isin(invoices, list(in_file)).sum())
    if new.empty:
        return AppendedEvents(path, 0, 0, already)
    columns = {h: np.full(len(new), "", dtype=object) for h in f.header}

    def put(name, values):
        if name in f.column_of:
            columns[f.column_of[name]] = np.asarray(values, dtype=object)

    fmt = f.date_format or "%Y-%m-%d %H:%M:%S"
    customer = new[S.CUSTOMER_ID].astype(str)
    if f.float_ids:
        customer = customer.where(~customer.str.fullmatch(r"\d+"), customer + ".0")
    put(S.INVOICE_ID, new[S.INVOICE_ID].astype(str))
    put(S.INVOICE_DATE, format_dates(new[S.INVOICE_DATE].to_numpy(), fmt))
    put(S.CUSTOMER_ID, customer)
    put(S.PRODUCT_ID, new[S.PRODUCT_ID].astype(str))
    put(S.QUANTITY, new[S.QUANTITY].astype(str))
    put(S.UNIT_PRICE, [format(p, ".10g") for p in new[S.UNIT_PRICE]])
    if S.DESCRIPTION in f.column_of:
        put(S.DESCRIPTION, new[S.PRODUCT_ID].map(_last_text(f, S.PRODUCT_ID, S.DESCRIPTION)).fillna(""))
    if S.CATEGORY in f.column_of:
        put(S.CATEGORY, new[S.PRODUCT_ID].map(_last_text(f, S.PRODUCT_ID, S.CATEGORY)).fillna(""))
    if S.COUNTRY in f.column_of:
        put(S.COUNTRY, new[S.CUSTOMER_ID].map(_last_text(f, S.CUSTOMER_ID, S.COUNTRY)).fillna(""))
    append_bytes(path, f.encode(render_csv(zip(*[columns[h] for h in f.header], strict=True),
                                           f.dialect)))
    return AppendedEvents(path, int(new[S.INVOICE_ID].nunique()), len(new), already)


def _last_text(f, key: str, value: str) -> pd.Series:
    """The file's last text of ``value`` per ``key`` (e.g. each product's description)."""
    keys = f.customer if key == S.CUSTOMER_ID else f.frame[f.column_of[key]].astype(str).str.strip()
    table = pd.DataFrame({"k": np.asarray(keys, dtype=object),
                          "v": f.frame[f.column_of[value]].astype(str).to_numpy(dtype=object)})
    table = table[table["k"].notna() & (table["v"] != "")]
    return table.drop_duplicates("k", keep="last").set_index("k")["v"]
