"""Reading a date column: every text, number and timestamp form a shop export uses.

:func:`read_dates` reads each distinct value by its own form rather than by one format
guessed for the whole column, so a column that mixes ISO dates with ``13/12/2011`` reads
both right:

- ISO and other year-first dates (``2010-12-01 08:26:00``, ``2010/12/01``,
  ``2010-12-01T08:26Z``, ``2023-05-01 10:15:22 -0400``): the offset is ignored (wall time);
- day/month dates with ``/``, ``.`` or ``-`` (``12/1/2010 8:26``, ``01.12.2010 08:26``,
  ``04-02-2011 08:00:00``, ``1/12/10 8:26 PM``): the order is proven by a value whose
  first number is over 12 (day first) or whose second is (month first), separately for
  each separator; when no value proves it, the reading whose dates span the shorter period
  is chosen (a shop sells every day: 1-9 December, not the 12th of nine months) and the
  column is marked ambiguous; on a tie ``/`` reads month first (the published UCI file)
  and ``.`` and ``-`` day first;
- month names (``01-Dec-2010``, ``Dec 1, 2010``), by pandas;
- plain numbers: ``20101201``, Excel day numbers (20000-79999), Unix seconds or
  milliseconds;
- timestamps (Parquet, Excel): as they are; those outside 1677-2262 (what a
  ``datetime64[ns]`` holds) are unreadable.

A column whose day/month dates prove both orders (``13/12/2011`` and ``12/13/2011``) is
reported as a :attr:`DateReading.conflict`; the caller refuses it or, with an order
forced, counts the values that order cannot read as unreadable.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data.sniff.date_forms import (
    DAY_FIRST,
    DMY,
    MONTH_FIRST,
    YMD,
    Family,
    families,
    from_parts,
)
from recsys.data.sniff.ids import distinct
from recsys.errors import ParameterError

AUTO = "auto"
DATE_ORDERS: tuple[str, ...] = (AUTO, DAY_FIRST, MONTH_FIRST)
"""How to read day/month dates: detect, or force one order."""

_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)$"
_PLAIN_ISO = r"^(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]) (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d$"
_PLAIN_ISO_FORMAT = "%Y-%m-%d %H:%M:%S"
_NS_MIN = pd.Timestamp.min.value
_NS_MAX = pd.Timestamp.max.value
_EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")
_DEFAULT_ORDER = {"/": MONTH_FIRST, ".": DAY_FIRST, "-": DAY_FIRST}


@dataclass(frozen=True)
class DateReading:
    """A date column as read, and how.

    Attributes
    ----------
    values : Series
        ``datetime64[ns]`` with the input's index; ``NaT`` where missing or unreadable.
    unreadable : int
        Values present but not read (counted per line).
    first_unreadable : str or None
        The first such value in line order, as written.
    order : str
        :data:`DAY_FIRST` or :data:`MONTH_FIRST` for day/month dates (the order of the
        most common separator), ``""`` when the column has none.
    ambiguous : bool
        Whether no value proved the order: every day/month date reads both ways and the
        other order gives other dates (the order was chosen, see the module notes).
    alternative : tuple of Timestamp or None
        When ambiguous, the first and last date the other order would give.
    conflict : tuple of str or None
        With ``order="auto"``: a value only day-first reads and one only month-first
        reads, when the column has both (those contrary to :attr:`order` are unreadable).
    format : str or None
        ``strftime`` format of the most common text form, with the file's padding
        (``"%-m/%-d/%Y %-H:%M"`` for ``12/1/2010 8:26``); None for timestamps, numbers
        and month names.
    numeric : str or None
        How plain numbers were read, when they were: ``"yyyymmdd"``, ``"excel"``
        (Excel day numbers), ``"unix"`` or ``"unix_ms"``.
    """

    values: pd.Series
    unreadable: int = 0
    first_unreadable: str | None = None
    order: str = ""
    ambiguous: bool = False
    alternative: tuple[pd.Timestamp, pd.Timestamp] | None = None
    conflict: tuple[str, str] | None = None
    format: str | None = None
    numeric: str | None = None


def check_order(order: str) -> str:
    """Return ``order`` if it is one of :data:`DATE_ORDERS`, else raise ParameterError."""
    if order not in DATE_ORDERS:
        raise ParameterError(
            f"the date order must be one of {', '.join(DATE_ORDERS)}; got {order!r}"
        )
    return order


def read_dates(values: pd.Series, *, order: str = AUTO) -> DateReading:
    """Read a date column (text, numbers, timestamps or a mix) as ``datetime64[ns]``.

    Parameters
    ----------
    values : Series
        The column as read. Not modified.
    order : {"auto", "day-first", "month-first"}
        How to read day/month dates such as ``05/12/2011``: detect (see the module
        notes) or force one order (values that order cannot read are unreadable).

    Returns
    -------
    DateReading
    """
    check_order(order)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    if values.dtype.kind == "M":
        return _timestamps(values)
    codes, uniques = distinct(values)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    reader = _Distinct(uniques, counts, order)
    parsed = np.append(reader.parsed, np.datetime64("NaT", "ns"))
    out = pd.Series(parsed[np.where(codes < 0, len(parsed) - 1, codes)], index=values.index)
    bad = np.append(np.isnat(reader.parsed), False)
    line_bad = bad[np.where(codes < 0, len(reader.parsed), codes)]
    first = None
    if line_bad.any():
        first = str(uniques[codes[int(np.argmax(line_bad))]])
    return DateReading(
        values=out,
        unreadable=int(line_bad.sum()),
        first_unreadable=first,
        order=reader.order,
        ambiguous=reader.ambiguous,
        alternative=reader.alternative,
        conflict=reader.conflict,
        format=reader.format,
        numeric=reader.numeric,
    )


def format_dates(dates: np.ndarray, fmt: str) -> np.ndarray:
    """Return ``dates`` (datetime64) as text in ``fmt`` (a :attr:`DateReading.format`),
    formatting each distinct value once."""
    codes, uniques = pd.factorize(np.asarray(dates, dtype="datetime64[ns]"))
    text = pd.DatetimeIndex(uniques).strftime(fmt).to_numpy(dtype=object)
    return text[codes]


def _timestamps(values: pd.Series) -> DateReading:
    """Typed timestamps: to nanoseconds; those a ``datetime64[ns]`` cannot hold are NaT."""
    if values.dtype == "datetime64[ns]":
        return DateReading(values=values)
    unit, _ = np.datetime_data(values.dtype)
    raw = values.to_numpy()
    as_int = raw.view("int64")
    per_ns = np.timedelta64(1, unit) / np.timedelta64(1, "ns")
    lo, hi = _NS_MIN / per_ns, _NS_MAX / per_ns
    outside = ~np.isnat(raw) & ((as_int < lo) | (as_int > hi))
    safe = np.where(outside, np.datetime64("NaT"), raw).astype("datetime64[ns]")
    first = str(raw[outside][0]) if outside.any() else None
    return DateReading(
        values=pd.Series(safe, index=values.index),
        unreadable=int(outside.sum()),
        first_unreadable=first,
    )


class _Distinct:
    """Reads the distinct values of a column (see :func:`read_dates`)."""

    def __init__(self, uniques, counts: np.ndarray, order: str) -> None:
        self.counts = counts
        self.forced = order
        self.order = ""
        self.ambiguous = False
        self.alternative = None
        self.conflict = None
        self.format = None
        self.numeric = None
        n = len(uniques)
        self.parsed = np.full(n, np.datetime64("NaT", "ns"))
        if n == 0:
            return
        if isinstance(uniques.dtype, pd.CategoricalDtype):
            uniques = np.asarray(uniques)
        if uniques.dtype == object and all(isinstance(v, str) for v in uniques[:64]) and \
                pd.api.types.infer_dtype(uniques, skipna=False) == "string":  # fmt: skip
            self._texts(np.arange(n), uniques)
            return
        uniques = pd.Index(uniques)
        if uniques.dtype.kind == "M":
            self.parsed[:] = _timestamps(pd.Series(uniques)).values.to_numpy()
            return
        if uniques.dtype.kind in "iuf":
            self._numbers(np.arange(n), uniques.to_numpy(dtype="float64"))
            return
        text = np.full(n, None, dtype=object)
        kinds = uniques.inferred_type
        if kinds == "string":
            text[:] = uniques.to_numpy(dtype=object)
        else:
            self._objects(uniques, text)
        has_text = np.flatnonzero(pd.notna(text))
        if len(has_text):
            self._texts(has_text, text[has_text].astype(str))

    # --- typed objects (an Excel column mixing date cells, numbers and text) ------------

    def _objects(self, uniques: pd.Index, text: np.ndarray) -> None:
        numbers, number_pos = [], []
        for i, value in enumerate(uniques):
            if isinstance(value, str):
                text[i] = value
            elif isinstance(value, (bool, np.bool_)):
                continue
            elif isinstance(value, (int, float, np.integer, np.floating)):
                number_pos.append(i)
                numbers.append(float(value))
            elif isinstance(value, (_dt.datetime, _dt.date, np.datetime64)):
                stamp = pd.Timestamp(value) if not isinstance(value, pd.Timestamp) else value
                if stamp.tzinfo is not None:
                    stamp = stamp.tz_localize(None)
                self.parsed[i] = stamp.to_datetime64().astype("datetime64[ns]")
            else:
                text[i] = str(value)
        if number_pos:
            self._numbers(np.array(number_pos), np.array(numbers, dtype="float64"))

    # --- numbers ------------------------------------------------------------------------

    def _numbers(self, pos: np.ndarray, x: np.ndarray) -> None:
        out = np.full(len(x), np.datetime64("NaT", "ns"))
        kind = np.full(len(x), "", dtype=object)
        finite = np.isfinite(x)
        with np.errstate(invalid="ignore"):
            ymd = finite & (x == np.floor(x)) & (x >= 19000101) & (x <= 22621231)
            excel = finite & (x >= 20000) & (x < 80000)
            unix = finite & (x >= 1e8) & (x < 4.2e9)
            unix_ms = finite & (x >= 1e11) & (x < 4.2e12)
        if ymd.any():
            v = x[ymd].astype(np.int64)
            out[ymd] = from_parts(v // 10000, v // 100 % 100, v % 100)
            kind[ymd] = "yyyymmdd"
        if excel.any():
            seconds = np.round(x[excel] * 86400).astype(np.int64)
            out[excel] = _EXCEL_EPOCH + seconds.astype("timedelta64[s]")
            kind[excel] = "excel"
        if unix.any():
            out[unix] = np.round(x[unix]).astype(np.int64).astype("datetime64[s]")
            kind[unix] = "unix"
        if unix_ms.any():
            out[unix_ms] = np.round(x[unix_ms]).astype(np.int64).astype("datetime64[ms]")
            kind[unix_ms] = "unix_ms"
        self.parsed[pos] = out
        read = kind != ""
        if read.any():
            weights = pd.Series(self.counts[pos][read]).groupby(kind[read]).sum()
            self.numeric = str(weights.idxmax())

    # --- text ---------------------------------------------------------------------------

    def _texts(self, pos: np.ndarray, raw: np.ndarray) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pc.utf8_trim_whitespace(pa.array(raw, type=pa.string()))
        if pc.all(pc.match_substring_regex(arr, _PLAIN_ISO)).as_py():
            # The common case (Parquet, generated shops) in one vectorised strptime.
            plain = pd.to_datetime(
                arr.to_numpy(zero_copy_only=False), format=_PLAIN_ISO_FORMAT, errors="coerce"
            )
            self.parsed[pos] = np.asarray(plain, dtype="datetime64[ns]")
            self.format = _PLAIN_ISO_FORMAT
            return
        left = np.ones(len(pos), dtype=bool)
        found: list[Family] = []
        for kind, pattern in (("ymd", YMD), ("dmy", DMY)):
            todo = np.flatnonzero(left)
            if not len(todo):
                break
            sub = arr if len(todo) == len(arr) else arr.take(pa.array(todo))
            for fam in families(pc.extract_regex(sub, pattern), sub, kind):
                fam.rows = todo[fam.rows]
                found.append(fam)
                left[fam.rows] = False
        for fam in found:
            fam.weight = int(self.counts[pos[fam.rows]].sum())
        self._read_families(pos, found)
        if left.any():
            self._leftovers(pos[left], arr.to_numpy(zero_copy_only=False)[left])

    def _read_families(self, pos: np.ndarray, families: list[Family]) -> None:
        undecided = []
        for fam in families:
            if fam.kind == "ymd":
                self.parsed[pos[fam.rows]] = fam.read(None)
                continue
            if self.forced != AUTO:
                fam.order = self.forced
            else:
                day, month = fam.evidence()
                if day is not None and month is not None:
                    self.conflict = self.conflict or (day, month)
                    fam.order = DAY_FIRST if fam.proof_weight(DAY_FIRST) >= fam.proof_weight(
                        MONTH_FIRST) else MONTH_FIRST
                elif day is not None:
                    fam.order = DAY_FIRST
                elif month is not None:
                    fam.order = MONTH_FIRST
                elif fam.can_differ():
                    undecided.append(fam)
                    continue
                else:
                    fam.order = _DEFAULT_ORDER[fam.sep]
            self.parsed[pos[fam.rows]] = fam.read(fam.order)
        if undecided:
            self._choose_order(pos, undecided)
        dmy = [f for f in families if f.kind == "dmy"]
        if dmy:
            self.order = max(dmy, key=lambda f: f.weight).order
        if families:
            self.format = max(families, key=lambda f: f.weight).strftime()

    def _choose_order(self, pos: np.ndarray, undecided: list[Family]) -> None:
        """Read the undecided families both ways; keep the reading of the shorter span."""
        known = self.parsed[~np.isnat(self.parsed)]
        reads = {order: [fam.read(order) for fam in undecided] for order in (DAY_FIRST, MONTH_FIRST)}
        choices = {
            "default": [_DEFAULT_ORDER[fam.sep] for fam in undecided],
            DAY_FIRST: [DAY_FIRST] * len(undecided),
            MONTH_FIRST: [MONTH_FIRST] * len(undecided),
        }

        def span_days(orders: list[str]) -> float:
            every = np.concatenate([known, *(reads[o][i] for i, o in enumerate(orders))])
            every = every[~np.isnat(every)]
            return float((every.max() - every.min()) / np.timedelta64(1, "D")) if len(every) else 0.0

        spans = {name: span_days(orders) for name, orders in choices.items()}
        best = min(spans, key=spans.get)
        # The span decides only when clearly shorter; otherwise each separator's custom.
        chosen = best if spans[best] < 0.9 * spans["default"] else "default"
        for i, (fam, order) in enumerate(zip(undecided, choices[chosen], strict=True)):
            fam.order = order
            self.parsed[pos[fam.rows]] = reads[order][i]
        self.ambiguous = True
        flipped = [MONTH_FIRST if o == DAY_FIRST else DAY_FIRST for o in choices[chosen]]
        alt = np.concatenate([reads[o][i] for i, o in enumerate(flipped)])
        alt = alt[~np.isnat(alt)]
        if len(alt):
            self.alternative = (pd.Timestamp(alt.min()), pd.Timestamp(alt.max()))

    def _leftovers(self, pos: np.ndarray, text: np.ndarray) -> None:
        """Numbers written as text, then anything with a month name (by pandas)."""
        series = pd.Series(text, dtype=object)
        numeric = series.str.fullmatch(_NUMBER).fillna(False).to_numpy(dtype=bool)
        if numeric.any():
            self._numbers(pos[numeric], series[numeric].astype("float64").to_numpy())
        worded = ~numeric & series.str.contains(r"[A-Za-z]{3}", regex=True).fillna(False).to_numpy(
            dtype=bool
        )
        if worded.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas warns about guessed formats
                parsed = pd.to_datetime(
                    series[worded], format="mixed", errors="coerce",
                    dayfirst=self.forced == DAY_FIRST, utc=True,
                )  # fmt: skip
            self.parsed[pos[worded]] = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
