"""Customer ids as a marketer types them: normalising, listing, "did you mean".

Ids arrive as typed ("17850", " 17850.0 ", "1785O"): :func:`normalise_customer_id` gives
the form the data uses, :func:`known_customer_ids` lists the ids of a data set in a
natural order, and :func:`suggest_customer_ids` proposes real ids close to an unknown
one (same start, one or two edits away) from an index built once per data set.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.dataset import Dataset
from recsys.errors import ParameterError

_FLOAT_ID = re.compile(r"^([+-]?\d+)\.0*$")
_WHITESPACE = re.compile(r"\s+")


def normalise_customer_id(text: object) -> str:
    """Return a typed or linked customer id in canonical form.

    Whitespace is removed anywhere, and a float rendering of an integer id (as
    spreadsheets produce it) loses its decimals: ``" 17850.0 "`` becomes ``"17850"``.

    Parameters
    ----------
    text : object
        What the user typed, a URL value, or a number. ``None`` and NaN give ``""``.

    Returns
    -------
    str
        The id, or ``""`` when nothing usable was given.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    cleaned = _WHITESPACE.sub("", str(text))
    match = _FLOAT_ID.match(cleaned)
    return match.group(1) if match else cleaned


def known_customer_ids(dataset: Dataset) -> list[str]:
    """Return every customer id of ``dataset``, sorted (numerically where all are numbers).

    A customer counts as known when it is in the customers table or on a clean invoice
    line.
    """
    ids = pd.concat(
        [
            dataset.customers[S.CUSTOMER_ID]
            if len(dataset.customers)
            else pd.Series([], dtype="string"),
            dataset.customer_transactions[S.CUSTOMER_ID],
        ],
        ignore_index=True,
    )
    unique = pd.Series(ids.dropna().astype(str).unique())
    numeric = pd.to_numeric(unique, errors="coerce")
    if len(unique) and numeric.notna().all():
        return unique.iloc[np.argsort(numeric.to_numpy(), kind="stable")].tolist()
    return sorted(unique.tolist())


MAX_ALPHABET = 64
"""Most distinct characters among known ids for which near spellings are enumerated."""
MAX_TWO_EDIT_LENGTH = 8
"""Longest typed id for which spellings two keystrokes away are looked up too."""


@dataclass(frozen=True)
class CustomerIdIndex:
    """Known customer ids prepared for "did you mean" look-ups (build once, query often).

    Attributes
    ----------
    position : dict of str to int
        Each known id and its place in the given order (ties are broken by it).
    alphabet : tuple of str
        The characters the ids use.
    by_text : tuple of str
        The ids sorted as text, for ids that start with what was typed.
    """

    position: dict[str, int]
    alphabet: tuple[str, ...]
    by_text: tuple[str, ...]


def customer_id_index(known_ids: Iterable[str]) -> CustomerIdIndex:
    """Return the :class:`CustomerIdIndex` of ``known_ids`` (in the order given)."""
    position: dict[str, int] = {}
    for k in known_ids:
        position.setdefault(str(k), len(position))
    return CustomerIdIndex(position, tuple(sorted(set("".join(position)))), tuple(sorted(position)))


def suggest_customer_ids(
    known_ids: Iterable[str] | CustomerIdIndex, typed: str, *, n: int = 3
) -> list[str]:
    """Return up to ``n`` known ids spelt like an id that was not found.

    "Spelt like" means one or two keystrokes away (a character left out, added,
    changed, or two neighbours swapped: the Damerau-Levenshtein distance), or an id
    that starts with what was typed. Numeric closeness does not count: ``18300`` does
    not suggest ``18287``, but ``17580`` suggests ``17850`` (two digits swapped).

    Parameters
    ----------
    known_ids : iterable of str or CustomerIdIndex
        The ids that exist, or their :func:`customer_id_index` (faster when asked often).
    typed : str
        What was typed (normalised here with :func:`normalise_customer_id`).
    n : int, default 3
        Largest number of suggestions; must be positive.

    Returns
    -------
    list of str
        Suggestions, closest first (fewest keystrokes, then the longest common start,
        then the order of ``known_ids``); the typed id itself is never suggested. Empty
        when nothing is that close.
    """
    if n < 1:
        raise ParameterError(f"n must be a positive number of suggestions, got {n!r}")
    index = known_ids if isinstance(known_ids, CustomerIdIndex) else customer_id_index(known_ids)
    typed = normalise_customer_id(typed)
    order = index.position
    if not typed or not order or (len(order) == 1 and typed in order):
        return []
    found: dict[str, int] = {}
    if len(index.alphabet) <= MAX_ALPHABET:
        near = _edits(typed, index.alphabet)
        found.update({k: 1 for k in near if k in order})
        if len(found) < n and len(typed) <= MAX_TWO_EDIT_LENGTH:
            for word in near:
                for k in _edits(word, index.alphabet):
                    if k in order and k not in found and k != typed:
                        found[k] = 2
    if len(found) < n and len(typed) >= 2:
        start = bisect.bisect_left(index.by_text, typed)
        longer = []
        for k in index.by_text[start:]:
            if not k.startswith(typed):
                break
            if k != typed and k not in found:
                longer.append(k)
        for k in sorted(longer, key=lambda k: (len(k), order[k]))[:n]:
            found[k] = len(k) - len(typed)

    def key(k: str) -> tuple[int, int, int]:
        return (found[k], -_common_start(k, typed), order[k])

    return sorted(found, key=key)[:n]


def _edits(word: str, alphabet: tuple[str, ...]) -> set[str]:
    """Every string one deletion, swap of neighbours, change or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in alphabet}
    out |= {a + c + b for a, b in splits for c in alphabet}
    out.discard(word)
    return out


def _common_start(a: str, b: str) -> int:
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return i
