"""``append-events``: logged purchases into the data file (its own format), or a CSV of their own."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from recsys.cli import main
from recsys.data.load import load_dataset
from recsys.service.events import EventLine, EventLog, PurchaseEvent


@pytest.fixture
def shop(tmp_path, sample_dir):
    """A copy of the bundled sample and a state folder with three logged purchases."""
    data = tmp_path / "shop"
    shutil.copytree(sample_dir, data)
    log = EventLog(tmp_path / "state")
    when = pd.Timestamp("2012-01-03 09:15")
    log.append(PurchaseEvent("12417", "EV-1", when, (EventLine("29232", 3, 1.1),)))
    log.append(PurchaseEvent("new-customer", "EV-2", when, (EventLine("65983", 1, 2.12),
                                                           EventLine("29232", 2, 1.1))))
    log.append(PurchaseEvent("12417", "536365", when, (EventLine("29232", 1, 1.1),)))
    log.close()
    return data, tmp_path / "state"


def test_append_events_adds_new_invoices_once_in_the_files_format(shop, capsys):
    data, state = shop
    csv = data / "transactions.csv"
    before = csv.read_bytes()
    assert main(["append-events", str(csv), "--state", str(state)]) == 0
    assert "appended 3 lines of 2 purchases" in capsys.readouterr().out
    after = csv.read_bytes()
    assert after.startswith(before)
    added = after[len(before):].decode().splitlines()
    assert added[0] == "EV-1,2012-01-03 09:15:00,12417,29232,DOODLE PENCILS,3,1.1,United Kingdom,Stationery"
    ds = load_dataset(data)
    tx = ds.transactions
    assert set(tx.loc[tx["invoice_id"].isin(["EV-1", "EV-2"]), "customer_id"]) == {"12417", "new-customer"}
    assert main(["append-events", str(csv), "--state", str(state)]) == 0
    assert csv.read_bytes() == after


def test_append_events_out_writes_a_canonical_csv(shop, tmp_path):
    _, state = shop
    out = tmp_path / "events.csv"
    assert main(["append-events", "--state", str(state), "--out", str(out)]) == 0
    ds = load_dataset(out)
    assert len(ds.transactions) == 4
    assert set(ds.transactions["invoice_id"]) == {"EV-1", "EV-2", "536365"}


def test_append_events_refuses_parquet_and_a_missing_log(shop, tmp_path, capsys):
    _, state = shop
    assert main(["append-events", str(tmp_path / "x.parquet"), "--state", str(state)]) == 2
    assert "CSV files only" in capsys.readouterr().err
    assert main(["append-events", str(tmp_path / "shop" / "transactions.csv"),
                 "--state", str(tmp_path / "nowhere")]) == 2
    assert "no event log" in capsys.readouterr().err
