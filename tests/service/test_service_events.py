"""The event log on its own: records, replay, torn and damaged records, sequence numbers."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from recsys.service.events import (
    EventLine,
    EventLog,
    PurchaseEvent,
    decode,
    encode,
    event_lines,
    read_log,
)


def _event(invoice="1", customer="c1", seq=0):
    return PurchaseEvent(customer, invoice, pd.Timestamp("2012-01-02 10:30"),
                         (EventLine("p1", 2, 1.25), EventLine("p2", 1, 3.0)), seq)


def test_record_round_trips_and_checks_its_checksum():
    event = _event(seq=7)
    record = encode(event)
    assert record.endswith(b"\n") and record.count(b"\n") == 1
    assert decode(record[:-1]) == event
    flipped = record[:-2] + (b"1" if record[-2:-1] != b"1" else b"2")
    with pytest.raises(ValueError, match="checksum"):
        decode(flipped)


def test_append_numbers_events_and_survives_reopening(tmp_path):
    log = EventLog(tmp_path)
    first, second = log.append(_event("a")), log.append(_event("b"))
    log.close()
    assert (first.seq, second.seq) == (1, 2)
    again = EventLog(tmp_path)
    assert [e.invoice_id for e in again.replayed.events] == ["a", "b"]
    assert again.append(_event("c")).seq == 3
    again.close()


def test_torn_last_record_is_cut_off_with_a_log_line(tmp_path, caplog):
    log = EventLog(tmp_path)
    log.append(_event("a"))
    log.close()
    whole = (tmp_path / "events.log").read_bytes()
    half = encode(_event("b", seq=2))[:25]
    (tmp_path / "events.log").write_bytes(whole + half)
    with caplog.at_level(logging.WARNING, logger="recsys.service.events"):
        reopened = EventLog(tmp_path)
    assert [e.invoice_id for e in reopened.replayed.events] == ["a"]
    assert reopened.replayed.torn
    assert "incomplete record" in caplog.text
    assert (tmp_path / "events.log").read_bytes() == whole
    assert reopened.append(_event("b")).seq == 2
    reopened.close()


def test_damaged_record_in_the_middle_is_skipped_and_reported(tmp_path, caplog):
    records = [encode(_event(str(k), seq=k)) for k in (1, 2, 3)]
    records[1] = records[1].replace(b'"c1"', b'"c9"')  # checksum no longer matches
    (tmp_path / "events.log").write_bytes(b"".join(records))
    with caplog.at_level(logging.ERROR, logger="recsys.service.events"):
        replay = read_log(tmp_path / "events.log")
    assert [e.seq for e in replay.events] == [1, 3]
    assert replay.damaged == 1 and not replay.torn
    assert "damaged" in caplog.text


def test_event_lines_are_canonical_transactions():
    lines = event_lines([_event("a"), _event("b", customer="c2")])
    assert list(lines.columns) == ["invoice_id", "invoice_date", "customer_id", "product_id",
                                   "quantity", "unit_price"]
    assert len(lines) == 4
    assert lines["invoice_date"].dtype == "datetime64[ns]"
    assert lines["quantity"].tolist() == [2, 1, 2, 1]
