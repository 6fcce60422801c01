"""Seeded samples of customers, for the pipeline's steps whose cost grows with the shop.

The evaluation trains five models on the lines before the cut and scores every customer
after it; on a shop of 200,000 customers that is most of an hour. Its figures (precision,
NDCG, coverage per history slice) are means over customers, so a seeded sample of
customers estimates them well: the pipeline evaluates on the lines of at most
``eval_customers`` customers (every customer when the shop has fewer, so the figures are
then exactly the dashboard's) and says so in the manifest (``summary["evaluation"]``) and
on the Evaluation page.

The rule: the distinct customer ids of the lines, sorted as text, and ``n`` of them drawn
without replacement by ``numpy.random.default_rng(seed)``; every line of a drawn customer
is kept, no line of another. Same lines, ``n`` and seed, same sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recsys.data import schema as S


def sample_customer_ids(lines: pd.DataFrame, n: int | None, seed: int | None) -> np.ndarray | None:
    """Return the sorted customer ids (text) of a seeded sample of ``n`` customers.

    Parameters
    ----------
    lines : DataFrame
        Lines with ``customer_id`` (missing ids are no customer).
    n : int or None
        Customers to draw; None or 0: no sample.
    seed : int or None
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    ndarray of str or None
        None when ``n`` is None or 0 or at least the number of customers (everyone).
    """
    ids = lines[S.CUSTOMER_ID].dropna().astype(str).unique()
    if not n or n >= len(ids):
        return None
    ids = np.sort(np.asarray(ids, dtype=object))
    rng = np.random.default_rng(seed)
    return np.sort(ids[rng.choice(len(ids), size=int(n), replace=False)])


def lines_of_customers(lines: pd.DataFrame, ids: np.ndarray | None) -> pd.DataFrame:
    """Return the lines of the customers ``ids`` (all of ``lines`` when ``ids`` is None)."""
    if ids is None:
        return lines
    return lines[lines[S.CUSTOMER_ID].astype(str).isin(ids)]


def customer_sample(lines: pd.DataFrame, n: int | None, seed: int | None) -> tuple[pd.DataFrame, dict]:
    """Return ``(lines, info)``: the lines of a seeded sample of ``n`` customers.

    ``info`` holds ``sampled`` (bool), ``customers`` (in the sample), ``of_customers``
    (in ``lines``), ``lines`` and ``of_lines`` and ``seed``: what the manifest and the
    page say about the sample.
    """
    total = int(lines[S.CUSTOMER_ID].dropna().nunique())
    ids = sample_customer_ids(lines, n, seed)
    kept = lines_of_customers(lines, ids)
    info = {
        "sampled": ids is not None,
        "customers": total if ids is None else len(ids),
        "of_customers": total,
        "lines": len(kept),
        "of_lines": len(lines),
        "seed": seed,
    }
    return kept, info
