"""Every command reads a mapping file as its DATA, and a Shopify export without one."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import recsys.cli as cli
from tests.shop_exports import shopify_orders_csv


@pytest.fixture(scope="module")
def mapped_shop(tmp_path_factory):
    """A generated shop written in a foreign layout (renamed columns, line totals, day-first
    dates, customers with age bands) plus its mapping file."""
    from recsys.synth.shop import generate_shop

    shop = generate_shop(n_customers=120, seed=5).to_dataset()
    folder = tmp_path_factory.mktemp("foreign")
    tx = shop.transactions
    pd.DataFrame({
        "Beleg": tx["invoice_id"], "Datum": tx["invoice_date"].dt.strftime("%d.%m.%Y %H:%M"),
        "Kunde": tx["customer_id"], "Artikel": tx["product_id"], "Menge": tx["quantity"],
        "Umsatz": (tx["quantity"] * tx["unit_price"]).round(2), "Land": tx["country"],
    }).to_csv(folder / "umsatz.csv", index=False, sep=";")  # fmt: skip
    shop.products.rename(columns={"product_id": "Artikel", "description": "Bezeichnung"})[
        ["Artikel", "Bezeichnung"]
    ].to_csv(folder / "artikel.csv", index=False)
    customers = shop.customers[["customer_id"]].copy()
    customers["Alter"] = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"] * (len(customers) // 6) + [
        "65+"] * (len(customers) % 6)
    customers.to_csv(folder / "kunden.csv", index=False)
    mapping = {
        "transactions": {"path": "umsatz.csv", "columns": {
            "invoice_id": "Beleg", "invoice_date": "Datum", "customer_id": "Kunde",
            "product_id": "Artikel", "quantity": "Menge", "line_total": "Umsatz", "country": "Land"}},
        "products": {"path": "artikel.csv", "columns": {"product_id": "Artikel", "description": "Bezeichnung"}},
        "customers": {"path": "kunden.csv", "columns": {"customer_id": "customer_id", "age": "Alter"}},
    }  # fmt: skip
    (folder / "mapping.json").write_text(json.dumps(mapping))
    return folder / "mapping.json", shop


@pytest.fixture
def run(capsys):
    def _run(*argv: str):
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_validate_reads_a_mapping_file(run, mapped_shop):
    path, shop = mapped_shop
    code, out, err = run("validate", str(path))
    assert code == 0, err
    assert f"{len(shop.transactions):,}" in out
    assert "mapping" in out


@pytest.mark.parametrize(
    "argv",
    [
        ("segment", "--k", "3", "--out", "{out}/segments.csv"),
        ("trends", "--out", "{out}/trends.csv"),
        ("rules", "--min-support", "0.01", "--out", "{out}/rules.csv"),
        ("recommend", "--n", "5", "--out", "{out}/recs.csv"),
        ("evaluate", "--test-days", "30", "--models", "popularity"),
    ],
)
def test_commands_read_a_mapping_file(run, mapped_shop, tmp_path, argv):
    path, _ = mapped_shop
    args = [a.format(out=tmp_path) for a in argv]
    code, out, err = run(args[0], str(path), *args[1:])
    assert code == 0, err
    assert "Traceback" not in err


def test_pipeline_reads_a_mapping_file(run, mapped_shop, tmp_path):
    path, shop = mapped_shop
    code, _, err = run("pipeline", str(path), "--out", str(tmp_path / "art"), "--steps", "segments")
    assert code == 0, err
    store = json.loads((tmp_path / "art" / "store" / "store.json").read_text())
    assert store["report"]["layout"] == "mapping"


def test_append_refuses_a_mapping_file_in_words(run, mapped_shop):
    path, _ = mapped_shop
    before = path.read_bytes()
    code, _, err = run("append", str(path), "--invoices", "5")
    assert code == 2
    assert "mapping.json is a mapping file" in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_validate_reads_a_shopify_export(run, tmp_path):
    path = tmp_path / "orders_export.csv"
    path.write_bytes(shopify_orders_csv())
    code, out, err = run("validate", str(path))
    assert code == 0, err
    assert "Shopify orders export" in out
    assert "Refunded Amount" in out + err


def test_segment_export_hashes_customer_ids_when_asked(run, tmp_path):
    import hashlib

    from tests.shop_exports import shopify_orders_csv

    path = tmp_path / "orders_export.csv"
    path.write_bytes(shopify_orders_csv())
    out = tmp_path / "segments.csv"
    code, _, err = run("segment", str(path), "--k", "2", "--out", str(out), "--hash-ids")
    assert code == 0, err
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert "customer_id" not in table.columns
    expected = {hashlib.sha256(e.encode()).hexdigest() for e in
                ("alice@example.com", "bob@example.com", "carol@example.com")}
    assert set(table["customer_id_sha256"]) == expected
    assert "@" not in out.read_text(encoding="utf-8-sig")
