"""Product categories: the data set's own, or derived from product descriptions.

The UCI Online Retail exports have no categories. :func:`product_categories` derives
them: TF-IDF over the words of each description, non-negative matrix factorisation
into ``n_categories`` topics (deterministic for a given ``random_state``), each
product in its strongest topic, and each topic labelled by its top words
("Bag · Lunch · Gift"). Products whose description has no usable word go to
"Other". :func:`dataset_categories` returns the given categories where the data
has them (generated data keeps its own) and derived ones otherwise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import ParameterError

OTHER = "Other"
"""Category of products whose description gives nothing to group on."""

LABEL_SEPARATOR = " · "

# Words that describe size, colour, pattern or packaging rather than what the product
# is; grouping on them would put a red bag with a red mug.
NOISE_WORDS = frozenset(
    """set sets pack packs of small large mini big jumbo medium design designs assorted
    colour colours color colors red pink blue white green black ivory cream purple
    yellow orange gold vintage retrospot polkadot spot spots dots new pc pcs piece
    pieces the and with in for""".split()
)


def _vectorise(descriptions: pd.Series):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    stop = sorted(ENGLISH_STOP_WORDS | NOISE_WORDS)
    text = descriptions.fillna("").astype(str).str.lower()
    for min_df in (3, 1):
        vectoriser = TfidfVectorizer(
            stop_words=stop,
            token_pattern=r"(?u)\b[a-z]{3,}\b",
            min_df=min(min_df, max(len(text), 1)),
            sublinear_tf=True,
            dtype=np.float64,
        )
        try:
            matrix = vectoriser.fit_transform(text)
        except ValueError:  # empty vocabulary
            continue
        if matrix.shape[1] >= 2:
            return matrix, np.asarray(vectoriser.get_feature_names_out())
    return None, None


def _labels(components: np.ndarray, terms: np.ndarray, *, n_terms: int = 3) -> list[str]:
    labels: list[str] = []
    for weights in components:
        order = np.argsort(weights, kind="stable")[::-1]
        words = [terms[i].capitalize() for i in order[:n_terms] if weights[i] > 0]
        label = LABEL_SEPARATOR.join(words) or OTHER
        extra = n_terms
        while label in labels and extra < len(order):
            label = f"{label}{LABEL_SEPARATOR}{terms[order[extra]].capitalize()}"
            extra += 1
        labels.append(label)
    return labels


def product_categories(
    products: pd.DataFrame, *, n_categories: int = 16, random_state: int | None = 0
) -> pd.DataFrame:
    """Derive a category for every product from its description.

    Parameters
    ----------
    products : DataFrame
        ``product_id`` and ``description`` (may be missing).
    n_categories : int, default 16
        Number of topics; fewer when the catalogue is small (at most one per five
        products with words).
    random_state : int or None, default 0
        Seed of the factorisation; the same seed gives the same categories.

    Returns
    -------
    DataFrame
        One row per product, in the order of ``products``: ``product_id``,
        ``category`` (a label made of the topic's top words, or ``"Other"``).
    """
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    if n_categories < 1:
        raise ParameterError(f"`n_categories` must be at least 1; got {n_categories!r}")
    ids = products[S.PRODUCT_ID].astype("string").reset_index(drop=True)
    descriptions = products.get(S.DESCRIPTION, pd.Series(pd.NA, index=products.index))
    category = np.full(len(ids), OTHER, dtype=object)
    matrix, terms = _vectorise(descriptions.reset_index(drop=True))
    if matrix is not None:
        has_words = np.asarray(matrix.sum(axis=1)).ravel() > 0
        k = int(min(n_categories, max(1, has_words.sum() // 5), matrix.shape[1]))
        if k >= 2:
            model = NMF(n_components=k, init="nndsvd", random_state=random_state, max_iter=200)
            with warnings.catch_warnings(), np.errstate(invalid="ignore"):
                # On a tiny catalogue the topics settle before the fit's tolerance is met;
                # 200 iterations still give the same top words, so no warning reaches the user.
                # The fit's error, a square root of a difference, can round below zero once
                # the topics fit exactly (NaN error, same topics): not the user's concern either.
                warnings.simplefilter("ignore", ConvergenceWarning)
                weights = model.fit_transform(matrix)
            labels = np.asarray(_labels(model.components_, terms), dtype=object)
            strongest = weights.argmax(axis=1)
            assigned = has_words & (weights.max(axis=1) > 0)
            category[assigned] = labels[strongest[assigned]]
        elif has_words.any():
            top = terms[np.argsort(np.asarray(matrix.sum(axis=0)).ravel())[::-1][:3]]
            category[has_words] = LABEL_SEPARATOR.join(t.capitalize() for t in top)
    return pd.DataFrame({S.PRODUCT_ID: ids, S.CATEGORY: pd.array(category, dtype="string")})


def dataset_categories(
    dataset, *, n_categories: int = 16, random_state: int | None = 0
) -> pd.DataFrame:
    """Return the category of every product of a data set: given ones, else derived.

    Parameters
    ----------
    dataset : recsys.Dataset
    n_categories, random_state
        Passed to :func:`product_categories` when the data has no categories.

    Returns
    -------
    DataFrame
        ``product_id``, ``category`` (str; products without a given category get
        :data:`recsys.data.schema.MISSING_CATEGORY`), ``derived`` (bool, True when the
        categories come from descriptions).
    """
    products = dataset.products
    if dataset.has_categories:
        out = pd.DataFrame(
            {
                S.PRODUCT_ID: products[S.PRODUCT_ID].astype("string").to_numpy(),
                S.CATEGORY: products[S.CATEGORY].astype("string").fillna(S.MISSING_CATEGORY),
            }
        )
        out["derived"] = False
        return out.reset_index(drop=True)
    out = product_categories(products, n_categories=n_categories, random_state=random_state)
    out["derived"] = True
    return out


def line_categories(transactions: pd.DataFrame, categories: pd.DataFrame) -> pd.Series:
    """Return the category of each line (aligned with ``transactions``).

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines with ``product_id``.
    categories : DataFrame
        ``product_id``, ``category`` (from :func:`dataset_categories`).

    Returns
    -------
    Series named ``category``, of pandas ``category`` dtype (cheap to group on);
    products missing from ``categories`` get :data:`recsys.data.schema.MISSING_CATEGORY`.
    """
    labels = categories[S.CATEGORY].astype("string").fillna(S.MISSING_CATEGORY)
    lookup = pd.Series(labels.to_numpy(dtype=object),
                       index=categories[S.PRODUCT_ID].astype("string"))
    lookup = lookup[~lookup.index.duplicated()]
    names = pd.Index(pd.unique(np.append(lookup.to_numpy(dtype=object), S.MISSING_CATEGORY)))
    product_codes = names.get_indexer(lookup.to_numpy(dtype=object))
    missing = names.get_loc(S.MISSING_CATEGORY)
    found = lookup.index.get_indexer(transactions[S.PRODUCT_ID].astype("string"))
    codes = np.where(found >= 0, product_codes[found], missing)
    values = pd.Categorical.from_codes(codes, categories=names)
    return pd.Series(values, index=transactions.index, name=S.CATEGORY)
