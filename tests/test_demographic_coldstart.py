"""Age bands in a customers file: kept as written, and cold start finds similar customers."""

from __future__ import annotations

import pandas as pd

from recsys.data import schema as S
from recsys.data.load import load_dataset
from recsys.recommend.hybrid import HybridRecommender
from recsys.recommend.reasons import age_band


def test_age_band_reads_bands():
    assert age_band("45-54") == "aged 45-54"
    assert age_band("65+") == "aged 65+"
    assert age_band("Under 25") == "aged under 25"
    assert age_band(34) == "aged 30–39"
    assert age_band("Unknown") is None and age_band(None) is None


def _banded_shop(folder, sample_dir):
    folder.mkdir()
    (folder / "transactions.csv").write_bytes((sample_dir / "transactions.csv").read_bytes())
    customers = pd.read_csv(sample_dir / "customers.csv", dtype=str)
    age = customers[S.AGE].astype(int)
    customers[S.AGE] = pd.cut(age, [0, 34, 44, 54, 200], labels=["18-34", "35-44", "45-54", "55+"]
                              ).astype(str)
    customers.loc[len(customers)] = {S.CUSTOMER_ID: "NEW1", S.COUNTRY: "United Kingdom",
                                     S.AGE: "45-54", S.GENDER: "F", S.INCOME: "50-74K",
                                     S.HOUSEHOLD: "2"}
    customers.to_csv(folder / "customers.csv", index=False)
    return folder


def test_cold_start_uses_age_bands_of_similar_customers(tmp_path, sample_dir):
    dataset = load_dataset(_banded_shop(tmp_path / "shop", sample_dir))
    ages = dataset.customers.set_index(S.CUSTOMER_ID)[S.AGE]
    assert ages["NEW1"] == "45-54"  # kept as written, a band
    model = HybridRecommender(tune=False).fit(dataset.customer_transactions,
                                              products=dataset.products,
                                              customers=dataset.customers)
    recs = model.recommend(["NEW1"], n=5)
    assert set(recs[S.REASON]) == {"popular with women aged 45-54 in United Kingdom"}
    # what women aged 45-54 buy, not what everyone buys
    everyone = model.recommend(["not-a-customer"], n=5)
    assert list(recs[S.PRODUCT_ID]) != list(everyone[S.PRODUCT_ID])
