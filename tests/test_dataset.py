"""Dataset: the fingerprint covers every table (cancellations too) and follows replace()."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.cleaning import clean
from recsys.data.dataset import Dataset

COLUMNS = [
    S.INVOICE_ID, S.INVOICE_DATE, S.CUSTOMER_ID, S.PRODUCT_ID, S.DESCRIPTION,
    S.QUANTITY, S.UNIT_PRICE, S.COUNTRY,
]  # fmt: skip
D = "2011-01-01 10:00:00"
SALES = [
    ("1", D, "17850", "A1", "Mug", 2, 1.0, "United Kingdom"),
    ("1", D, "17850", "A2", "Plate", 1, 2.0, "United Kingdom"),
    ("2", D, "13047", "A1", "Mug", 4, 1.0, "France"),
]
CANCELLATION = ("C3", D, "17850", "A1", "Mug", -2, 1.0, "United Kingdom")


def _dataset(rows) -> Dataset:
    return clean(pd.DataFrame(rows, columns=COLUMNS), layout="uci")


def test_dataset_fingerprint_is_a_function_of_the_content():
    assert _dataset(SALES).fingerprint == _dataset(list(SALES)).fingerprint
    assert len(_dataset(SALES).fingerprint) == 16


def test_dataset_fingerprint_changes_with_one_cancellation_line():
    without = _dataset(SALES)
    with_one = _dataset([*SALES, CANCELLATION])
    # the sales tables are the same: only the cancellation differs
    pd.testing.assert_frame_equal(without.transactions, with_one.transactions)
    pd.testing.assert_frame_equal(without.customers, with_one.customers)
    assert len(without.cancellations) == 0
    assert len(with_one.cancellations) == 1
    assert without.fingerprint != with_one.fingerprint
    other_quantity = _dataset([*SALES, CANCELLATION[:5] + (-1,) + CANCELLATION[6:]])
    assert other_quantity.fingerprint != with_one.fingerprint


def test_dataset_replace_computes_a_new_fingerprint():
    ds = _dataset(SALES)
    fewer = dataclasses.replace(ds, transactions=ds.transactions.iloc[:2])
    assert fewer.fingerprint != ds.fingerprint
    assert fewer.n_buyers == 1
    assert dataclasses.replace(ds, transactions=ds.transactions.copy()).fingerprint == (
        ds.fingerprint
    )
    with_category = ds.products.assign(**{S.CATEGORY: "Kitchen"})
    assert dataclasses.replace(ds, products=with_category).fingerprint != ds.fingerprint


def test_dataset_fingerprint_cannot_be_given():
    ds = _dataset(SALES)
    with pytest.raises(TypeError):
        Dataset(
            ds.transactions, ds.products, ds.customers, ds.cancellations, ds.report,
            fingerprint="stale",
        )  # fmt: skip
    with pytest.raises(ValueError):
        dataclasses.replace(ds, fingerprint="stale")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.fingerprint = "stale"
