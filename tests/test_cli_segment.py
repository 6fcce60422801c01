"""``python -m recsys segment``: writes one sanitised CSV row per customer, for any layout."""

from __future__ import annotations

import argparse
import io

import pandas as pd
import pytest

from recsys.cli import segment as cli_segment
from recsys.data import schema as S
from recsys.errors import ParameterError


def _run(argv: list[str]) -> int:
    """Run the segment command through its own parser (as ``python -m recsys segment``)."""
    parser = argparse.ArgumentParser()
    cli_segment.register(parser.add_subparsers())
    args = parser.parse_args(["segment", *argv])
    return args.handler(args)


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory):
    from recsys.synth.shop import generate_shop, write_shop

    folder = tmp_path_factory.mktemp("cli_shop")
    write_shop(generate_shop(n_customers=200, seed=3), folder)
    return folder


def _read(path):
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={S.CUSTOMER_ID: str})


def test_cli_segment_folder_writes_every_customer(shop_dir, tmp_path, capsys):
    out = tmp_path / "segments.csv"
    assert _run([str(shop_dir), "--k", "4", "--seed", "1", "--out", str(out)]) == 0
    frame = _read(out)
    assert list(frame.columns[:3]) == [S.CUSTOMER_ID, "segment", "segment_name"]
    assert {"recency_days", "frequency", "monetary"} <= set(frame.columns)
    tx = pd.read_csv(shop_dir / "transactions.csv", dtype=str)
    assert frame[S.CUSTOMER_ID].is_unique
    assert len(frame) == tx[S.CUSTOMER_ID].dropna().nunique()
    assert sorted(frame["segment"].unique()) == [1, 2, 3, 4]
    assert frame.groupby("segment")["segment_name"].nunique().eq(1).all()
    assert "% of revenue" in capsys.readouterr().out


def test_cli_segment_adds_top_recommendations_not_yet_bought(shop_dir, tmp_path):
    out = tmp_path / "segments.csv"
    assert _run([str(shop_dir), "--k", "3", "--out", str(out), "--recs", "3"]) == 0
    frame = _read(out)
    rec_cols = ["rec_1", "rec_2", "rec_3"]
    assert list(frame.columns[-3:]) == rec_cols and "rec_4" not in frame.columns
    assert frame[rec_cols].notna().all().all()
    tx = pd.read_csv(shop_dir / "transactions.csv", dtype=str)
    bought = tx.groupby(S.CUSTOMER_ID)[S.PRODUCT_ID].agg(set)
    for row in frame.head(20).itertuples(index=False):
        products = [getattr(row, c).split(" ", 1)[0] for c in rec_cols]
        assert len(set(products)) == 3
        assert not set(products) & bought[row.customer_id]


def test_cli_segment_without_recommendations(shop_dir, tmp_path):
    out = tmp_path / "segments.csv"
    assert _run([str(shop_dir), "--k", "3", "--out", str(out), "--recs", "0"]) == 0
    assert not any(c.startswith("rec_") for c in _read(out).columns)


def test_cli_segment_same_seed_same_file(shop_dir, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    _run([str(shop_dir), "--k", "3", "--seed", "5", "--out", str(a), "--features", "rfm"])
    _run([str(shop_dir), "--k", "3", "--seed", "5", "--out", str(b), "--features", "rfm"])
    assert a.read_bytes() == b.read_bytes()


def test_cli_segment_uci_layout_file(tmp_path):
    lines = []
    for i, (cust, country) in enumerate([("17850", "United Kingdom"), ("13047", "France"), ("12583", "=cmd|' /C calc'!A0")] * 4):
        lines.append(f"{536365 + i},85123A,WHITE MUG,{i + 1},12/{1 + i}/2010 08:26,2.55,{cust},{country}")
    csv = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" + "\n".join(lines) + "\n"
    source = tmp_path / "uci.csv"
    source.write_text(csv)
    out = tmp_path / "out.csv"
    assert _run([str(source), "--k", "2", "--out", str(out)]) == 0
    frame = _read(out)
    assert len(frame) == 3
    assert set(frame[S.CUSTOMER_ID]) == {"17850", "13047", "12583"}
    countries = set(frame["country"])
    assert "'=cmd|' /C calc'!A0" in countries  # neutralised for spreadsheets


def test_cli_segment_rejects_bad_k(shop_dir, tmp_path):
    with pytest.raises(ParameterError, match="--k"):
        _run([str(shop_dir), "--k", "20", "--out", str(tmp_path / "x.csv")])


def test_cli_segment_registered_in_main_parser():
    from recsys.cli import COMMAND_MODULES

    assert "recsys.cli.segment" in COMMAND_MODULES


def test_cli_segment_derives_category_shares_when_the_source_has_none(tmp_path):
    # A UCI export has descriptions but no categories: shares come from derived categories.
    items = [(f"M{i}", f"{word} MUG CUP") for i, word in enumerate(["TEA", "COFFEE", "LATTE", "COCOA", "CHAI", "MOCHA"])]
    items += [(f"C{i}", f"{word} CANDLE HOLDER") for i, word in enumerate(["GLASS", "ZINC", "WOOD", "IRON", "STONE", "TIN"])]
    lines = []
    for i in range(48):
        code, description = items[i % 12]
        lines.append(f"{536365 + i},{code},{description},{i % 4 + 1},12/{1 + i % 28}/2010 08:26,2.55,{17850 + i % 5},UK")
    source = tmp_path / "uci.csv"
    source.write_text("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
                      + "\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    assert _run([str(source), "--k", "2", "--out", str(out), "--recs", "0"]) == 0
    shares = [c for c in _read(out).columns if c.startswith("category_share__")]
    assert len(shares) >= 2
    assert _read(out)[shares].sum(axis=1).round(3).eq(1).all()


def test_cli_segment_adds_p_alive_and_predicted_value(shop_dir, tmp_path):
    out = tmp_path / "segments.csv"
    assert _run([str(shop_dir), "--k", "3", "--out", str(out), "--recs", "0"]) == 0
    frame = _read(out)
    assert frame["p_alive"].between(0, 1).all()
    assert (frame["predicted_value"] >= 0).all()
