"""The time split of offline evaluation.

Protocol (the same as ``../shared/tools/recs_eval.py``): the cut is the last invoice
date, normalised to midnight, minus ``test_days``; models learn from the lines strictly
before the cut; a customer's targets are the products bought on or after the cut that
the customer had not bought before and that were sold before the cut ("new items").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import DataError, ParameterError


@dataclass(frozen=True)
class TimeSplit:
    """Lines before and after a cut date.

    Attributes
    ----------
    train : DataFrame
        Lines with ``invoice_date`` strictly before ``cut``.
    test : DataFrame
        Lines on or after ``cut``.
    cut : Timestamp
        Midnight of the last invoice date minus ``test_days``.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    cut: pd.Timestamp


def time_split(transactions: pd.DataFrame, *, test_days: int = 30) -> TimeSplit:
    """Split ``transactions`` at the last ``test_days`` days (as the referee does).

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines with ``invoice_date``.
    test_days : int, default 30
        Days in the test period.
    """
    if isinstance(test_days, bool) or not isinstance(test_days, (int, np.integer)) or test_days < 1:
        raise ParameterError(f"test_days must be a positive integer (days held out, e.g. 30), got {test_days!r}")
    if S.INVOICE_DATE not in transactions.columns or transactions.empty:
        raise DataError("transactions need at least one line with an invoice_date to split: load a data set with dated invoice lines")
    dates = transactions[S.INVOICE_DATE]
    cut = dates.max().normalize() - pd.Timedelta(days=int(test_days))
    train = transactions[dates < cut]
    if train.empty:
        raise ParameterError(
            f"no line before the cut {cut:%Y-%m-%d}: the data span {dates.min():%Y-%m-%d} to "
            f"{dates.max():%Y-%m-%d} is not longer than the {test_days}-day test period; use fewer "
            "test days (--test-days on the command line, the test period on the Evaluation page)"
        )
    return TimeSplit(train=train, test=transactions[dates >= cut], cut=cut)


@dataclass(frozen=True)
class SplitSummary:
    """What a time split holds, in counts a reader can check.

    Attributes
    ----------
    cut : Timestamp
        The cut (:attr:`TimeSplit.cut`).
    train_lines, test_lines : int
        Lines before / on or after the cut.
    train_customers, test_customers : int
        Distinct customers with a line before / on or after the cut.
    first_date, last_date : Timestamp
        First and last invoice date of all the lines.
    """

    cut: pd.Timestamp
    train_lines: int
    test_lines: int
    train_customers: int
    test_customers: int
    first_date: pd.Timestamp
    last_date: pd.Timestamp


def split_summary(transactions: pd.DataFrame, *, test_days: int = 30) -> SplitSummary:
    """Return the cut and the line and customer counts of :func:`time_split`.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines with ``invoice_date`` and ``customer_id``.
    test_days : int, default 30
        Days in the test period.

    Raises
    ------
    recsys.errors.ParameterError
        As :func:`time_split`.
    """
    split = time_split(transactions, test_days=test_days)
    dates = transactions[S.INVOICE_DATE]
    return SplitSummary(
        cut=split.cut,
        train_lines=len(split.train),
        test_lines=len(split.test),
        train_customers=int(split.train[S.CUSTOMER_ID].nunique()),
        test_customers=int(split.test[S.CUSTOMER_ID].nunique()),
        first_date=dates.min(),
        last_date=dates.max(),
    )


def new_item_targets(split: TimeSplit) -> pd.DataFrame:
    """Return the products each customer bought after the cut and not before.

    Only products sold (to a known customer) before the cut count, as in the referee.

    Returns
    -------
    DataFrame
        ``customer_id`` (str), ``product_id`` (str), one row per target; customers
        without history before the cut are included.
    """
    train = customer_pairs(split.train)
    test = customer_pairs(split.test)
    test = test[test[S.PRODUCT_ID].isin(set(train[S.PRODUCT_ID]))]
    seen = test.merge(train, on=[S.CUSTOMER_ID, S.PRODUCT_ID], how="left", indicator=True)
    return seen.loc[seen["_merge"] == "left_only", [S.CUSTOMER_ID, S.PRODUCT_ID]].reset_index(
        drop=True)


def customer_pairs(lines: pd.DataFrame) -> pd.DataFrame:
    """Return the distinct ``customer_id, product_id`` pairs (str) of lines with a customer."""
    lines = lines[lines[S.CUSTOMER_ID].notna()]
    return pd.DataFrame({
        S.CUSTOMER_ID: lines[S.CUSTOMER_ID].astype(str).to_numpy(dtype=object),
        S.PRODUCT_ID: lines[S.PRODUCT_ID].astype(str).to_numpy(dtype=object),
    }).drop_duplicates()


def as_of_products(products: pd.DataFrame | None, lines: pd.DataFrame) -> pd.DataFrame | None:
    """Return the products that appear in ``lines`` (the catalogue known at the cut)."""
    if products is None:
        return None
    known = set(lines[S.PRODUCT_ID].astype(str))
    return products[products[S.PRODUCT_ID].astype(str).isin(known)]
