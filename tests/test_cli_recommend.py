"""``python -m recsys recommend`` and ``evaluate`` on the bundled sample."""

from __future__ import annotations

import pandas as pd
import pytest

from recsys.cli import main
from recsys.data import schema as S

UNTIL = "2011-12-01"


@pytest.fixture(scope="module")
def written(sample_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("recs") / "recs.csv"
    assert main(["recommend", str(sample_dir), "--until", UNTIL, "--n", "3", "--out", str(out)]) == 0
    return out


def test_recommend_writes_every_customer_with_history(written, sample_dataset):
    recs = pd.read_csv(written, dtype={S.CUSTOMER_ID: str, S.PRODUCT_ID: str}, encoding="utf-8-sig")
    assert list(recs.columns) == [S.CUSTOMER_ID, "rank", S.PRODUCT_ID, "score", "reason"]
    tx = sample_dataset.customer_transactions
    before = tx[tx[S.INVOICE_DATE] < pd.Timestamp(UNTIL)]
    assert set(recs[S.CUSTOMER_ID]) == set(before[S.CUSTOMER_ID].astype(str))
    assert recs.groupby(S.CUSTOMER_ID)["rank"].apply(list).map(lambda r: r == [1, 2, 3]).all()
    assert recs["reason"].notna().all()


def test_recommend_learns_only_from_lines_before_until(written, sample_dataset):
    recs = pd.read_csv(written, dtype={S.CUSTOMER_ID: str, S.PRODUCT_ID: str}, encoding="utf-8-sig")
    tx = sample_dataset.transactions
    later_only = set(tx[S.PRODUCT_ID]) - set(tx.loc[tx[S.INVOICE_DATE] < pd.Timestamp(UNTIL),
                                                    S.PRODUCT_ID])
    assert not set(recs[S.PRODUCT_ID]) & later_only


def test_recommend_rejects_bad_arguments(sample_dir, tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert main(["recommend", str(sample_dir), "--n", "0", "--out", str(out)]) == 2
    assert "n must be a positive integer" in capsys.readouterr().err
    assert main(["recommend", str(sample_dir), "--until", "1990-01-01", "--out", str(out)]) == 2
    assert "no purchase by a known customer before 1990-01-01" in capsys.readouterr().err
    assert main(["recommend", str(sample_dir), "--until", "soon", "--out", str(out)]) == 2
    assert "--until must be a date" in capsys.readouterr().err
    assert not out.exists()


def test_recommend_without_customer_ids_says_what_to_check(tmp_path, capsys):
    path = tmp_path / "guests.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        + "".join(f"5{i:05d},2200{i % 3},MUG,1,12/{1 + i % 9}/2010 10:00,2.5,,France\n"
                  for i in range(30))
    )
    assert main(["recommend", str(path), "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "guests.csv has no clean line with a customer id" in err and "None" not in err
    assert "check the customer id column" in err


def test_evaluate_prints_the_table(sample_dir, capsys):
    code = main(["evaluate", str(sample_dir), "--test-days", "30", "--k", "5",
                 "--models", "hybrid,popularity"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "cut 2011-12-01" in printed
    for word in ("hybrid", "popularity", "with history", "ndcg", "coverage", "novelty",
                 "top_share", "gini", "hybrid settings chosen by validation", "buy again",
                 "most frequent", "most recent"):
        assert word in printed


def test_recommend_again_lists_only_products_the_customer_bought(sample_dir, sample_dataset,
                                                                 tmp_path):
    out = tmp_path / "again.csv"
    assert main(["recommend", str(sample_dir), "--until", UNTIL, "--n", "3", "--kind", "again",
                 "--out", str(out)]) == 0
    recs = pd.read_csv(out, dtype={S.CUSTOMER_ID: str, S.PRODUCT_ID: str}, encoding="utf-8-sig")
    assert list(recs.columns) == [S.CUSTOMER_ID, "rank", S.PRODUCT_ID, "score", "reason"]
    tx = sample_dataset.customer_transactions
    before = tx[tx[S.INVOICE_DATE] < pd.Timestamp(UNTIL)]
    bought = set(zip(before[S.CUSTOMER_ID].astype(str), before[S.PRODUCT_ID].astype(str),
                     strict=True))
    assert len(recs) and all(pair in bought for pair in zip(recs[S.CUSTOMER_ID],
                                                            recs[S.PRODUCT_ID], strict=True))
    assert recs["reason"].str.startswith("you bought this").all()
    assert recs.groupby(S.CUSTOMER_ID)["rank"].apply(lambda r: list(r) == list(range(1, len(r) + 1))).all()


def test_evaluate_rejects_unknown_model(sample_dir, capsys):
    assert main(["evaluate", str(sample_dir), "--models", "magic"]) == 2
    assert "--models must name some of" in capsys.readouterr().err
