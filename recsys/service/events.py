"""The durable purchase-event log: append with fsync, replay, torn-record detection.

One file, ``events.log`` in the service's state folder; one record per line::

    <crc32 of the JSON, 8 hex digits> <compact JSON of the event>\\n

An event is acknowledged (HTTP 202) only after its record was written and ``fsync``'d.
A process killed while writing leaves at most one incomplete last record: replay detects
it (no line end, or a checksum that does not match), logs it, skips it and cuts the file
back to the last whole record, so the next append starts on a clean line. Such a record
was never acknowledged, so nothing acknowledged is lost. A damaged record in the middle
of the file (disk corruption, never a crash) is logged and skipped too.

Events carry a sequence number (1, 2, ...) in log order; a model snapshot remembers the
last sequence number it was fitted on, and later events are folded in live.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from recsys.data import schema as S
from recsys.files import fsync_dir

LOG_NAME = "events.log"

log = logging.getLogger("recsys.service.events")


@dataclass(frozen=True)
class EventLine:
    """One product of a purchase: id, quantity (>= 1) and unit price (> 0)."""

    product_id: str
    quantity: int
    unit_price: float


@dataclass(frozen=True)
class PurchaseEvent:
    """One purchase as the shop reports it.

    Attributes
    ----------
    customer_id, invoice_id : str
    timestamp : Timestamp
        Naive, in the shop's clock (aware times are converted to UTC first).
    lines : tuple of EventLine
    seq : int
        Position in the log (0 until written).
    """

    customer_id: str
    invoice_id: str
    timestamp: pd.Timestamp
    lines: tuple[EventLine, ...]
    seq: int = 0

    def payload(self) -> dict:
        """Return the event as plain JSON values (without ``seq``)."""
        return {
            "customer_id": self.customer_id,
            "invoice_id": self.invoice_id,
            "timestamp": self.timestamp.isoformat(),
            "lines": [[ln.product_id, ln.quantity, ln.unit_price] for ln in self.lines],
        }

    def digest(self) -> str:
        """Return a digest of the content, to tell a retry from a clash of invoice ids."""
        text = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"))
        return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def encode(event: PurchaseEvent) -> bytes:
    """Return the log record of ``event`` (with its ``seq``), ending in a line end."""
    body = dict(event.payload(), seq=event.seq)
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    return b"%08x %s\n" % (zlib.crc32(text), text)


def decode(record: bytes) -> PurchaseEvent:
    """Return the event of one record (without its line end).

    Raises
    ------
    ValueError
        When the checksum does not match or the JSON is not an event.
    """
    crc, sep, text = record.partition(b" ")
    if not sep or len(crc) != 8 or int(crc, 16) != zlib.crc32(text):
        raise ValueError("checksum mismatch")
    body = json.loads(text)
    lines = tuple(EventLine(str(p), int(q), float(u)) for p, q, u in body["lines"])
    return PurchaseEvent(
        customer_id=str(body["customer_id"]),
        invoice_id=str(body["invoice_id"]),
        timestamp=pd.Timestamp(body["timestamp"]),
        lines=lines,
        seq=int(body["seq"]),
    )


@dataclass(frozen=True)
class Replay:
    """What reading the log found.

    Attributes
    ----------
    events : list of PurchaseEvent
        Whole records, in log order.
    good_bytes : int
        Length of the prefix made of whole records.
    torn : bool
        The last record was incomplete or damaged (skipped).
    damaged : int
        Damaged records before the last one (skipped).
    """

    events: list[PurchaseEvent]
    good_bytes: int
    torn: bool
    damaged: int


def read_log(path: Path) -> Replay:
    """Return the events of the log at ``path`` (an empty replay when it does not exist)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Replay([], 0, False, 0)
    events, damaged, offset, good = [], 0, 0, 0
    torn = False
    while offset < len(data):
        end = data.find(b"\n", offset)
        last = end < 0 or end == len(data) - 1
        if end < 0:
            torn = True
            break
        try:
            events.append(decode(data[offset:end]))
            good = end + 1
        except (ValueError, KeyError, TypeError, IndexError):
            if last:
                torn = True
                break
            damaged += 1
            log.error("event log record damaged; skipped",
                      extra={"fields": {"offset": offset, "log": path.name}})
            good = end + 1
        offset = end + 1
    return Replay(events, good, torn, damaged)


class EventLog:
    """Append-only, fsync'd log of purchase events in ``folder/events.log``.

    Opening replays the file (see :func:`read_log`) and cuts off a torn last record.
    :meth:`append` is thread-safe; it returns once the record is on disk.
    """

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOG_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        replay = read_log(self.path)
        if replay.torn:
            log.warning(
                "event log ended in an incomplete record (a write cut off by a crash, never "
                "acknowledged); skipped it and cut the file back to the last whole record",
                extra={"fields": {"log": self.path.name, "kept_bytes": replay.good_bytes,
                                  "events": len(replay.events)}},
            )
            with open(self.path, "r+b") as fh:
                fh.truncate(replay.good_bytes)
                fh.flush()
                os.fsync(fh.fileno())
        self.replayed = replay
        self.last_seq = max((e.seq for e in replay.events), default=0)
        existed = self.path.exists()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if not existed:
            fsync_dir(self.path.parent)

    def append(self, event: PurchaseEvent) -> PurchaseEvent:
        """Write ``event`` with the next sequence number, fsync, and return it numbered."""
        with self._lock:
            numbered = PurchaseEvent(event.customer_id, event.invoice_id, event.timestamp,
                                     event.lines, self.last_seq + 1)
            record = encode(numbered)
            size = os.fstat(self._fd).st_size
            try:
                written = os.write(self._fd, record)
                if written != len(record):
                    raise OSError(f"short write to the event log ({written} of {len(record)} bytes)")
                os.fsync(self._fd)
            except OSError:
                # a full disk or an I/O error: cut the partial record so the log stays whole
                os.ftruncate(self._fd, size)
                raise
            self.last_seq = numbered.seq
            return numbered

    def close(self) -> None:
        """Close the file (appends after this fail)."""
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


def event_lines(events: Iterable[PurchaseEvent]) -> pd.DataFrame:
    """Return events as canonical transaction lines.

    Returns
    -------
    DataFrame
        ``invoice_id``, ``invoice_date``, ``customer_id``, ``product_id``, ``quantity``,
        ``unit_price``: one row per event line, in log order.
    """
    rows = [(e.invoice_id, e.timestamp, e.customer_id, ln.product_id, ln.quantity, ln.unit_price)
            for e in events for ln in e.lines]
    frame = pd.DataFrame(rows, columns=[S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID,
                                        S.PRODUCT_ID, S.QUANTITY, S.UNIT_PRICE])
    frame[S.INVOICE_DATE] = pd.to_datetime(frame[S.INVOICE_DATE])
    frame[S.QUANTITY] = frame[S.QUANTITY].astype("int64")
    frame[S.UNIT_PRICE] = frame[S.UNIT_PRICE].astype("float64")
    return frame
