"""Append new random invoices to an invoice CSV, safely ("integrate new random data").

:func:`append_random` reads a CSV of invoice lines (the canonical ``transactions.csv``
of a generated shop, or a UCI Online Retail / Online Retail II export), learns its
behaviour (:mod:`recsys.synth.behaviour`) and appends new invoices that follow it: who
buys (per-customer rates, new customers at the observed rate, guests), when (after the
last date, with the file's month, weekday and hour profile), what (repeat purchases
and product popularity, copying a sampled line's product, quantity and price text).

Safety: a symbolic link is followed to the file it names, which is locked, read and
replaced (the link stays a link, and an append through the link and one on the file take
the same lock). The whole read-learn-write runs under ``filelock.FileLock(file + ".lock")``;
the old bytes are copied to a temporary file in the same folder, the new lines are
appended, the file is flushed and fsynced and moved over the old one with
``os.replace``. A crash at any moment leaves the old file or the new one, and the old
content is always a byte-for-byte prefix of the new. A read-only file (no write
permission bit) is refused, not replaced by a writable copy. New lines keep the file's
encoding (UTF-16 too), separator, quoting, line ends, date format (the day/month order
the loader reads, or the one ``dates`` forces) and id format. Beside a canonical
``transactions.csv``, new customers are appended to ``customers.csv`` first (the same
way), so a crash between the two files can leave customers without lines (loaded as
registered customers without a purchase) but never lines without their customers; new
customer ids follow the highest id of both files. Temporary files of a killed append are
removed by the next one; the ``.lock`` file stays (removing it would race).

Only CSV files are extended. Parquet and Excel files are refused with a message
(rewriting a columnar file is not an append; export to CSV first).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import filelock
import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.parsing import numbers
from recsys.data.sniff import AUTO, check_order, read_dates, render_csv
from recsys.errors import DataError
from recsys.files import remove_stale_temps
from recsys.synth.append_file import (
    CsvFile,
    append_bytes,
    format_dates,
    max_id_number,
    normalise_ids,
    read_csv_file,
    render_rows,
    writable_target,
)
from recsys.synth.behaviour import Behaviour, learn_behaviour

LOCK_TIMEOUT_S = 300.0
PLANTED_SEGMENT = "planted_segment"

Progress = Callable[[float, str], None]

STREAMS: tuple[str, ...] = (
    "day", "hour", "minute", "who", "customer", "new_country", "guest_country",
    "basket_size", "line", "repeat", "repeat_line", "age", "gender",
)
"""One independent random stream per draw (``rng.spawn``): changing the number of new
invoices does not reshuffle the buyers, baskets or profiles of the first ones."""


@dataclass(frozen=True)
class AppendResult:
    """What :func:`append_random` wrote.

    Attributes
    ----------
    path : Path
        The file extended.
    lines_added : int
        New invoice lines.
    invoices : int
        New invoices.
    new_customers : int
        Customers that did not exist before (also added to ``customers.csv`` when it
        sits beside a canonical ``transactions.csv``).
    first_date, last_date : Timestamp
        Dates of the first and last new invoice (after the file's last date).
    layout : str
        Layout of the file (``"canonical"``, ``"uci"``, ``"uci2"``).
    """

    path: Path
    lines_added: int
    invoices: int
    new_customers: int
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    layout: str


def append_random(
    path: str | os.PathLike,
    *,
    n_invoices: int,
    seed: int | np.random.Generator | None = 0,
    boost: Mapping[str, Mapping[str, float]] | None = None,
    progress: Progress | None = None,
    dates: str = AUTO,
) -> AppendResult:
    """Append ``n_invoices`` new random invoices to the CSV at ``path``, atomically.

    Parameters
    ----------
    path : path
        A CSV of invoice lines in the canonical, UCI Online Retail or Online Retail II
        layout (any of the encodings, separators and date formats the importer reads).
    n_invoices : int
        Number of new invoices (at least 1).
    seed : int or Generator, default 0
        Randomness; the same file and seed give the same new lines.
    boost : mapping, optional
        Over-sample under-represented groups: ``{"country": {"Germany": 3.0}}`` makes
        German customers (and new customers from Germany) three times as likely to buy;
        ``{"segment": {"Bargain hunters": 2.0}}`` does the same for a planted segment
        (needs the ``ground_truth.csv`` of a generated shop beside ``path``).
    progress : callable, optional
        Called as ``progress(fraction_done, message)``.
    dates : {"auto", "day-first", "month-first"}
        How to read the file's day/month dates (as ``load_dataset``); new dates are
        written in the same order.

    Returns
    -------
    AppendResult

    Raises
    ------
    DataError
        When the file is not a CSV of invoice lines, has nothing to learn from, the
        boost names unknown groups, or the lock cannot be taken in time.
    StorageError
        When the file is read-only, its folder cannot hold the temporary copy, or the
        disk is full (the file is unchanged).
    """
    check_order(dates)
    path = Path(path)
    if isinstance(n_invoices, bool) or not isinstance(n_invoices, (int, np.integer)) or n_invoices < 1:
        raise DataError(f"n_invoices must be a positive whole number; got {n_invoices!r}")
    if path.suffix.lower() in (".parquet", ".pq", ".xlsx", ".xls"):
        raise DataError(
            f"{path.name}: appending works on CSV files only; Parquet and Excel files are "
            "not rewritten. Export the data to CSV (or generate a shop) and append to that."
        )
    if not path.is_file():
        raise DataError(f"{path}: no such file to append to")
    target = writable_target(path)
    report = progress or (lambda fraction, message: None)
    streams = dict(zip(STREAMS, np.random.default_rng(seed).spawn(len(STREAMS)), strict=True))
    lock = filelock.FileLock(str(target) + ".lock", timeout=LOCK_TIMEOUT_S)
    try:
        with lock:
            result = _append_locked(target, int(n_invoices), streams, boost or {}, report, dates)
            return dataclasses.replace(result, path=path)
    except filelock.Timeout as exc:
        raise DataError(
            f"{path.name} is locked by another append for over {LOCK_TIMEOUT_S:.0f} s; "
            "try again when it has finished"
        ) from exc


def _append_locked(path, n_invoices, streams, boost, report, dates) -> AppendResult:
    report(0.0, "reading the file")
    for name in (path.name, "customers.csv"):
        remove_stale_temps(path.with_name(name))
    f = read_csv_file(path, dates=dates)
    if f.layout == "canonical":
        _check_side_files(f)
    report(0.3, "learning its behaviour")
    from recsys.data.cleaning import NON_PRODUCT_CODES

    try:
        behaviour = learn_behaviour(
            f.invoice, f.when, f.customer, f.product, f.quantity, f.price, f.country,
            non_product=frozenset(c.upper() for c in NON_PRODUCT_CODES),
        )
    except DataError as exc:  # the one refusal of learn_behaviour, told with the file
        raise DataError(
            f"{path.name} has no sales line to learn from (every line is a cancellation, a fee, "
            "or its date, quantity or price is missing, zero or unreadable; see python -m "
            "recsys validate): append to a file with sales, or generate a shop instead"
        ) from exc
    report(0.5, "drawing new invoices")
    weights = _boosted_weights(behaviour, boost, path)
    customers_path = path.with_name("customers.csv")
    if f.layout == "canonical" and customers_path.is_file():
        customers_path = writable_target(customers_path)
        # customers.csv may hold customers without lines (registered, never bought)
        # with higher ids: new customers are numbered after those too
        registered = read_csv_file(customers_path, table="customers")
        ids = normalise_ids(registered.frame[registered.column_of[S.CUSTOMER_ID]])
        highest = max(f.max_customer_number, max_id_number(ids.cat.categories))
        f = dataclasses.replace(f, max_customer_number=highest)
    new = _draw(f, behaviour, weights, _country_boost(boost, behaviour), n_invoices, streams)

    side = None
    if f.layout == "canonical" and new["new_customer_ids"] and customers_path.is_file():
        side = _customer_rows(customers_path, new, streams)

    report(0.7, "validating")
    text = render_rows(f, new["rows"])
    _validate(f, new, text)
    report(0.8, "writing")
    if side is not None:
        append_bytes(customers_path, side)
    append_bytes(path, f.encode(text))
    report(1.0, "done")
    dates = new["dates"]
    return AppendResult(
        path=path,
        lines_added=len(new["rows"]["src"]),
        invoices=n_invoices,
        new_customers=len(new["new_customer_ids"]),
        first_date=pd.Timestamp(dates.min()),
        last_date=pd.Timestamp(dates.max()),
        layout=f.layout,
    )


def _check_side_files(f: CsvFile) -> None:
    """Refuse, as the loader does, a products or customers file beside a canonical
    ``transactions.csv`` that shares no id with its lines."""
    from recsys.data.cleaning import check_side_ids
    from recsys.data.layouts import CUSTOMERS_COLUMNS, PRODUCTS_COLUMNS
    from recsys.data.readers import read_side_table

    for name, layout, key, ids in (
        ("products.csv", PRODUCTS_COLUMNS, S.PRODUCT_ID, f.product),
        ("customers.csv", CUSTOMERS_COLUMNS, S.CUSTOMER_ID, f.customer),
    ):
        side = f.path.with_name(name)
        if side.is_file():
            table = read_side_table(side, layout)
            on_lines = pd.Index(ids.dropna().cat.remove_unused_categories().cat.categories.astype(str))
            check_side_ids(name, table[key], on_lines, upper=key == S.PRODUCT_ID)


def _boosted_weights(b: Behaviour, boost: Mapping, path: Path) -> np.ndarray:
    unknown = set(boost) - {"country", "segment"}
    if unknown:
        raise DataError(f"boost keys must be 'country' or 'segment'; got {sorted(unknown)}")
    weights = b.customer_weight.copy()
    countries = boost.get("country") or {}
    known = set(b.customer_country) | set(b.new_countries) | set(b.guest_countries)
    missing = [c for c in countries if c not in known]
    if missing:
        shown = ", ".join(sorted(str(c) for c in known if c is not None)[:12])
        raise DataError(f"boost names countries not in the file: {missing}; it has {shown}, …")
    for name, factor in countries.items():
        weights[b.customer_country == name] *= _factor(factor, name)
    segments = boost.get("segment") or {}
    if segments:
        truth_path = path.with_name("ground_truth.csv")
        if not truth_path.is_file():
            raise DataError(
                f"boosting segments needs {truth_path.name} beside {path.name} (a generated "
                "shop's planted segments); boost countries instead"
            )
        truth = pd.read_csv(truth_path, dtype=str)
        seg_of = truth.set_index(S.CUSTOMER_ID)[PLANTED_SEGMENT]
        missing = [s for s in segments if s not in set(seg_of)]
        if missing:
            raise DataError(f"unknown segments {missing}; the file has {sorted(set(seg_of))}")
        mine = seg_of.reindex(b.customer_ids.astype(str)).to_numpy()
        for name, factor in segments.items():
            weights[mine == name] *= _factor(factor, name)
    return weights


def _factor(value, name) -> float:
    factor = float(value)
    if not factor > 0:
        raise DataError(f"boost factor for {name!r} must be positive; got {value!r}")
    return factor


def _country_boost(boost: Mapping, b: Behaviour) -> np.ndarray:
    factors = boost.get("country") or {}
    return np.array([float(factors.get(c, 1.0)) for c in b.new_countries])


def _draw(f: CsvFile, b: Behaviour, weights, new_country_w, n: int, streams) -> dict:
    """Draw who, when and what for ``n`` new invoices; return rows to write.

    Each draw has its own stream (see :data:`STREAMS`), so the i-th invoice's buyer and
    basket do not depend on how many invoices are drawn.
    """
    # When: days after the last date, by month and weekday profile; hours by profile.
    horizon = max(1, int(np.ceil(n / b.invoices_per_day)))
    first_day = b.last_date.normalize() + pd.Timedelta(days=1)
    days = pd.date_range(first_day, periods=horizon, freq="D")
    day_w = b.month_w[days.month - 1] * b.weekday_w[days.dayofweek]
    day_w = day_w if day_w.sum() > 0 else np.ones(horizon)
    day = np.sort(streams["day"].choice(horizon, n, p=day_w / day_w.sum()))
    hour_w = b.hour_w if b.hour_w.sum() > 0 else np.ones(24)
    hour = streams["hour"].choice(24, n, p=hour_w / hour_w.sum())
    minute = streams["minute"].integers(0, 60, n)
    dates = np.sort(days.to_numpy()[day] + (hour * 60 + minute) * np.timedelta64(1, "m"))

    # Who: guests, new customers, or existing customers by weight.
    kind = streams["who"].choice(3, n, p=_who_shares(b))
    has_weight = weights.sum() > 0
    if not has_weight:
        kind[kind == 2] = 1
    cust = np.full(n, -1)
    if has_weight:
        existing = kind == 2
        cust[existing] = streams["customer"].choice(
            len(weights), existing.sum(), p=weights / weights.sum()
        )
    is_new = kind == 1
    next_id = f.max_customer_number + 1
    new_ids = [str(next_id + i) for i in range(int(is_new.sum()))]
    new_country = np.full(n, None, dtype=object)
    if len(b.new_countries):
        pick = streams["new_country"].choice(
            len(b.new_countries), is_new.sum(), p=new_country_w / new_country_w.sum()
        )
        new_country[is_new] = b.new_countries[pick]
    guest = kind == 0
    if len(b.guest_countries) and guest.any():
        new_country[guest] = b.guest_countries[
            streams["guest_country"].integers(0, len(b.guest_countries), guest.sum())
        ]

    # What: basket sizes from the file; lines repeat the customer's history or follow
    # product popularity (a uniformly drawn line of the file).
    sizes = b.basket_sizes[streams["basket_size"].integers(0, len(b.basket_sizes), n)]
    line_inv = np.repeat(np.arange(n), sizes)
    src = b.line_rows[streams["line"].integers(0, len(b.line_rows), len(line_inv))]
    lc = cust[line_inv]
    start = np.searchsorted(b.line_customer, np.maximum(lc, 0), side="left")
    count = np.searchsorted(b.line_customer, np.maximum(lc, 0), side="right") - start
    repeat = (lc >= 0) & (count > 0) & (streams["repeat"].random(len(line_inv)) < b.repeat_share)
    pick = start + np.floor(streams["repeat_line"].random(len(line_inv)) * np.maximum(count, 1)).astype(int)
    src = np.where(repeat, b.line_rows[np.minimum(pick, len(b.line_rows) - 1)], src)
    product_codes = f.product.cat.codes.to_numpy()[src]
    keep = ~pd.DataFrame({"i": line_inv, "p": product_codes}).duplicated().to_numpy()
    line_inv, src = line_inv[keep], src[keep]

    inv_numbers = f.max_invoice_number + 1 + np.arange(n)
    known = np.array([f.format_customer_id(str(i)) for i in b.customer_ids], dtype=object)
    cust_text = np.where(cust >= 0, known[np.maximum(cust, 0)] if len(known) else None, None)
    cust_text = cust_text.astype(object)
    new_positions = np.flatnonzero(is_new)
    cust_text[new_positions] = [f.format_customer_id(i) for i in new_ids]
    country = np.where(cust >= 0, b.customer_country[np.maximum(cust, 0)], new_country)
    rows = {
        "src": src,
        "invoice": inv_numbers.astype(str)[line_inv],
        "date": format_dates(dates, f.date_format)[line_inv],
        "customer": cust_text[line_inv],
        "country": country[line_inv],
    }
    return {
        "rows": rows,
        "dates": dates,
        "new_customer_ids": new_ids,
        "new_customer_country": new_country[new_positions],
        "new_customer_date": dates[new_positions],
        "invoice_numbers": inv_numbers,
    }


def _who_shares(b: Behaviour) -> np.ndarray:
    guest = b.guest_share
    new = (1 - guest) * b.new_share
    return np.array([guest, new, max(1 - guest - new, 0.0)])


def _customer_rows(customers_path: Path, new: dict, streams) -> bytes:
    """Rows for the new customers in ``customers.csv`` (its own format and columns)."""
    side = read_csv_file(customers_path, table="customers")
    header = side.header
    columns = {name: np.full(len(new["new_customer_ids"]), "", dtype=object) for name in header}
    ids = set(normalise_ids(side.frame[side.column_of[S.CUSTOMER_ID]]).cat.categories)
    if ids & set(new["new_customer_ids"]):
        raise DataError(f"{customers_path.name} already has some of the new customer ids")
    columns[side.column_of[S.CUSTOMER_ID]] = np.array(new["new_customer_ids"], dtype=object)
    if S.COUNTRY in side.column_of:
        columns[side.column_of[S.COUNTRY]] = new["new_customer_country"]
    if S.SIGNUP_DATE in side.column_of:
        fmt = side.date_format or "%Y-%m-%d"
        columns[side.column_of[S.SIGNUP_DATE]] = format_dates(new["new_customer_date"], fmt)
    for key, stream in ((S.AGE, streams["age"]), (S.GENDER, streams["gender"])):
        if key in side.column_of:
            pool = side.frame[side.column_of[key]].dropna().to_numpy()
            if len(pool):
                draw = stream.integers(0, len(pool), len(new["new_customer_ids"]))
                columns[side.column_of[key]] = pool[draw]
    return side.encode(render_csv(zip(*[columns[h] for h in header], strict=True), side.dialect))


def _validate(f: CsvFile, new: dict, text: str) -> None:
    """Check the new lines before anything is written."""
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=f.dialect.delimiter))
    if len(parsed) != len(new["rows"]["src"]) or any(len(r) != len(f.header) for r in parsed):
        raise DataError("internal error: new lines do not have the file's columns; nothing written")
    inv_col = f.header.index(f.column_of[S.INVOICE_ID])
    new_ids = {r[inv_col] for r in parsed}
    if new_ids & set(f.invoice.cat.categories):
        raise DataError("internal error: new invoice ids collide with existing ones; nothing written")
    for key in (S.QUANTITY, S.UNIT_PRICE):
        col = f.header.index(f.column_of[key])
        values = numbers(pd.Series([r[col] for r in parsed], dtype=object))
        if not (values > 0).all():
            raise DataError(f"internal error: new {key} values are not positive numbers; "
                            "nothing written")
    date_col = f.header.index(f.column_of[S.INVOICE_DATE])
    new_dates = pd.Series([r[date_col] for r in parsed], dtype=object)
    old_dates = f.frame[f.column_of[S.INVOICE_DATE]].astype(object)
    # Read old and new dates together, as the loader will: the new lines must not change
    # how the file's dates read (an order proven or chosen stays the same).
    both = read_dates(pd.concat([old_dates, new_dates], ignore_index=True), order=f.dates_asked)
    when = both.values.iloc[len(old_dates):]
    if when.isna().any() or (when <= f.when.max()).any() or both.order != f.date_order:
        raise DataError("internal error: new dates are unreadable or not after the last date")
    if new["new_customer_ids"]:
        old = set(f.customer.cat.categories)
        if old & set(new["new_customer_ids"]):
            raise DataError("internal error: new customer ids collide; nothing written")
