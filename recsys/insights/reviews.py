"""What customers say about products: ratings, sentiment and themes of their reviews.

* :func:`rating_summary`: per product, how many reviews, the mean rating, the share of
  praising and complaining reviews, the mean sentiment of the text, and a rating pulled
  towards the shop's average by :data:`PRIOR_REVIEWS` reviews (so that one 5-star review
  does not outrank fifty 4.8-star ones). The praised and complained-about lists rank by it.
* :func:`review_sentiment`: VADER's compound score of each review's text, in [-1, 1].
  VADER is a rule-based scorer built for short, informal product reviews and social
  media text (it reads "not good", "very good!!" and emoticons); its lexicon ships in
  the ``vaderSentiment`` package, so nothing is downloaded at run time.
* :func:`product_themes`: what a product's praising and complaining reviews say that
  other products' reviews do not: the top TF-IDF terms (words and two-word phrases) of
  its reviews against every product's, leaving out the product's own name.
* :func:`rating_distribution`: one product's reviews per star.

A review praises when it rates :data:`PRAISE_FROM` or more (on a 1-5 scale; the scale's
top two steps in general) and complains when it rates :data:`COMPLAIN_UP_TO` or less.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.reviews import RATING_SCALE

N_REVIEWS = "reviews"
MEAN_RATING = "mean_rating"
ADJUSTED_RATING = "adjusted_rating"
PRAISE_SHARE = "praise_share"
COMPLAINT_SHARE = "complaint_share"
SENTIMENT = "sentiment"
PRAISE_THEMES = "praise_themes"
COMPLAINT_THEMES = "complaint_themes"
STARS = "stars"
COUNT = "count"

SUMMARY_COLUMNS: tuple[str, ...] = (S.PRODUCT_ID, N_REVIEWS, MEAN_RATING, ADJUSTED_RATING,
                                    PRAISE_SHARE, COMPLAINT_SHARE, SENTIMENT)
PRIOR_REVIEWS = 5.0
"""Weight, in reviews, of the shop's average rating in a product's adjusted rating."""
PRAISE_FROM = 4.0
COMPLAIN_UP_TO = 2.0
MIN_REVIEWS = 3
"""Fewest reviews for a product to be listed as praised or complained about."""
MIN_COMPLAINT_SHARE = 0.25
"""Share of complaining reviews from which a product counts as complained about."""

_STOP_WORDS = frozenset(
    "a an and are as at be been but by for from had has have i if in into is it its "
    "it's just me my of on one or our so than that the their them then there these "
    "they this to too was we were what when which while who will with would you your "
    "very really quite also all after again got get much more most no not only out "
    "over up can could did do does item product bought buy".split()
)


def praise_mask(ratings: pd.Series, *, scale: tuple[float, float] = RATING_SCALE) -> np.ndarray:
    """Whether each rating praises (the scale's top two steps: 4 and 5 of 1-5)."""
    return (ratings.to_numpy(dtype=np.float64) >= _praise_from(scale))


def complaint_mask(ratings: pd.Series, *, scale: tuple[float, float] = RATING_SCALE) -> np.ndarray:
    """Whether each rating complains (the scale's bottom two steps: 1 and 2 of 1-5)."""
    return (ratings.to_numpy(dtype=np.float64) <= _complain_up_to(scale))


def _praise_from(scale):
    low, high = scale
    return high - (high - low) / 4.0


def _complain_up_to(scale):
    low, high = scale
    return low + (high - low) / 4.0


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def review_sentiment(texts: pd.Series) -> pd.Series:
    """Return VADER's compound sentiment of each text, in [-1, 1] (NaN without text).

    Parameters
    ----------
    texts : Series of str
        Review texts (missing allowed). Each distinct text is scored once.

    Returns
    -------
    Series
        float64, same index as ``texts``: below -0.05 negative, above 0.05 positive.
    """
    codes, uniques = pd.factorize(texts.astype("string"), use_na_sentinel=True)
    analyzer = _analyzer()
    scores = np.array([analyzer.polarity_scores(str(t))["compound"] for t in uniques],
                      dtype=np.float64)
    values = np.append(scores, np.nan)[np.where(codes < 0, len(scores), codes)]
    return pd.Series(values, index=texts.index, dtype=np.float64)


def rating_summary(
    reviews: pd.DataFrame, *, scale: tuple[float, float] = RATING_SCALE,
    sentiment: pd.Series | None = None,
) -> pd.DataFrame:
    """Return one row per reviewed product: counts, mean and adjusted rating, sentiment.

    Parameters
    ----------
    reviews : DataFrame
        ``product_id``, ``rating`` and optionally ``text`` (see
        :mod:`recsys.data.reviews`).
    scale : (float, float), default (1, 5)
        The rating scale (decides what praises and what complains).
    sentiment : Series, optional
        :func:`review_sentiment` of ``reviews[text]`` (computed when not given).

    Returns
    -------
    DataFrame
        ``product_id``, ``reviews`` (int), ``mean_rating``, ``adjusted_rating`` (the
        mean with :data:`PRIOR_REVIEWS` reviews at the shop's mean added), ``praise_share``
        and ``complaint_share`` (in [0, 1]), ``sentiment`` (mean compound score of the
        reviews with text, in [-1, 1]; NaN without any), sorted by ``product_id``.
    """
    if reviews.empty:
        return pd.DataFrame({c: pd.Series(dtype="string" if c == S.PRODUCT_ID else "float64")
                             for c in SUMMARY_COLUMNS})
    if sentiment is None:
        sentiment = (review_sentiment(reviews[S.TEXT]) if S.TEXT in reviews.columns
                     else pd.Series(np.nan, index=reviews.index))
    frame = pd.DataFrame({
        S.PRODUCT_ID: reviews[S.PRODUCT_ID].astype(str).to_numpy(),
        S.RATING: reviews[S.RATING].to_numpy(dtype=np.float64),
        "praise": praise_mask(reviews[S.RATING], scale=scale),
        "complaint": complaint_mask(reviews[S.RATING], scale=scale),
        SENTIMENT: sentiment.to_numpy(dtype=np.float64),
    })
    grouped = frame.groupby(S.PRODUCT_ID, sort=True)
    out = pd.DataFrame({
        N_REVIEWS: grouped.size(),
        MEAN_RATING: grouped[S.RATING].mean(),
        PRAISE_SHARE: grouped["praise"].mean(),
        COMPLAINT_SHARE: grouped["complaint"].mean(),
        SENTIMENT: grouped[SENTIMENT].mean(),
    })
    shop_mean = float(frame[S.RATING].mean())
    out[ADJUSTED_RATING] = ((out[MEAN_RATING] * out[N_REVIEWS] + PRIOR_REVIEWS * shop_mean)
                            / (out[N_REVIEWS] + PRIOR_REVIEWS))
    out = out.rename_axis(S.PRODUCT_ID).reset_index()
    out[S.PRODUCT_ID] = out[S.PRODUCT_ID].astype("string")
    return out[list(SUMMARY_COLUMNS)].astype({N_REVIEWS: "int64"})


def most_praised(summary: pd.DataFrame, *, n: int = 10, min_reviews: int = MIN_REVIEWS
                 ) -> pd.DataFrame:
    """Return the ``n`` products with the highest adjusted rating (at least ``min_reviews``).

    Takes and returns the columns of :func:`rating_summary`, best first (ties: more
    reviews first, then product id); products without any praise are left out.
    """
    listed = summary[(summary[N_REVIEWS] >= min_reviews) & (summary[PRAISE_SHARE] > 0)]
    order = np.lexsort((listed[S.PRODUCT_ID].to_numpy(dtype=str), -listed[N_REVIEWS].to_numpy(),
                        -listed[ADJUSTED_RATING].to_numpy()))
    return listed.iloc[order[:n]].reset_index(drop=True)


def most_complained(summary: pd.DataFrame, *, n: int = 10, min_reviews: int = MIN_REVIEWS,
                    min_share: float = MIN_COMPLAINT_SHARE) -> pd.DataFrame:
    """Return the ``n`` products with the lowest adjusted rating (at least ``min_reviews``).

    Takes and returns the columns of :func:`rating_summary`, worst first (ties: more
    reviews first, then product id); only products of which at least ``min_share`` of
    the reviews complain (a 3.7-star product with one complaint is not "complained about").
    """
    listed = summary[(summary[N_REVIEWS] >= min_reviews)
                     & (summary[COMPLAINT_SHARE] >= min_share) & (summary[COMPLAINT_SHARE] > 0)]
    order = np.lexsort((listed[S.PRODUCT_ID].to_numpy(dtype=str), -listed[N_REVIEWS].to_numpy(),
                        listed[ADJUSTED_RATING].to_numpy()))
    return listed.iloc[order[:n]].reset_index(drop=True)


RATING_LABEL = "rating_label"


def with_ratings(table: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` (with ``product_id``) plus ``rating_label``: ``"4.3 ★ (12)"``,
    the mean rating and the number of reviews, ``""`` for a product without reviews.

    ``summary`` is :func:`rating_summary` (or :func:`product_reviews`) of the shop.
    """
    info = summary.set_index(summary[S.PRODUCT_ID].astype(str))
    labels = {pid: f"{m:.1f} ★ ({c:,})" for pid, m, c in zip(
        info.index, info[MEAN_RATING], info[N_REVIEWS], strict=True)}
    out = table.copy()
    out[RATING_LABEL] = [labels.get(str(p), "") for p in out[S.PRODUCT_ID]]
    return out


def rating_distribution(reviews: pd.DataFrame, product_id: str, *,
                        scale: tuple[float, float] = RATING_SCALE) -> pd.DataFrame:
    """Return one product's reviews per star: ``stars`` (each whole step of the scale,
    lowest first) and ``count`` (int, 0 where none). Half stars count with the star below."""
    low, high = (int(np.floor(v)) for v in scale)
    stars = np.arange(low, high + 1)
    mine = reviews.loc[reviews[S.PRODUCT_ID].astype(str) == str(product_id), S.RATING]
    counts = pd.Series(np.floor(mine.to_numpy(dtype=np.float64)).astype(np.int64)).value_counts()
    return pd.DataFrame({STARS: stars, COUNT: counts.reindex(stars, fill_value=0).to_numpy()})


def product_themes(
    reviews: pd.DataFrame, *, products: pd.DataFrame | None = None,
    scale: tuple[float, float] = RATING_SCALE, n_terms: int = 3,
) -> pd.DataFrame:
    """Return the themes of each product's praising and complaining reviews.

    For each side (praise: ratings of :data:`PRAISE_FROM` or more; complaints:
    :data:`COMPLAIN_UP_TO` or less) every product's review texts form one document; the
    terms (words and two-word phrases, stop words and the words of the product's own
    description left out) with the highest TF-IDF weight in a product's document are its
    themes: what its reviewers say more than those of other products.

    Parameters
    ----------
    reviews : DataFrame
        ``product_id``, ``rating``, ``text``.
    products : DataFrame, optional
        ``product_id``, ``description``: words of the description are no theme.
    n_terms : int, default 3
        Themes per product and side.

    Returns
    -------
    DataFrame
        ``product_id``, ``praise_themes``, ``complaint_themes`` (tuples of str, most
        telling first; empty where the product has no such review text), one row per
        reviewed product, sorted by ``product_id``.
    """
    ids = np.sort(reviews[S.PRODUCT_ID].astype(str).unique())
    out = pd.DataFrame({S.PRODUCT_ID: pd.array(ids, dtype="string")})
    names = {}
    if products is not None and S.DESCRIPTION in products.columns:
        names = dict(zip(products[S.PRODUCT_ID].astype(str), products[S.DESCRIPTION].astype(str),
                         strict=True))
    has_text = reviews[S.TEXT].notna().to_numpy() if S.TEXT in reviews.columns else np.zeros(
        len(reviews), bool)
    for column, mask in ((PRAISE_THEMES, praise_mask(reviews[S.RATING], scale=scale)),
                         (COMPLAINT_THEMES, complaint_mask(reviews[S.RATING], scale=scale))):
        chosen = reviews[mask & has_text]
        found = _themes(chosen, names, n_terms=n_terms)
        out[column] = [found.get(pid, ()) for pid in ids]
    return out


def product_reviews(
    reviews: pd.DataFrame, products: pd.DataFrame | None = None, *,
    scale: tuple[float, float] = RATING_SCALE, n_terms: int = 3,
) -> pd.DataFrame:
    """Return everything the reviews say per product: ratings, sentiment and themes.

    Parameters
    ----------
    reviews : DataFrame
        ``product_id``, ``rating``, ``text`` (see :mod:`recsys.data.reviews`).
    products : DataFrame, optional
        ``product_id``, ``description``.

    Returns
    -------
    DataFrame
        ``product_id``, ``description`` (the product id where unknown), the columns of
        :func:`rating_summary` and of :func:`product_themes`, sorted by ``product_id``.
    """
    summary = rating_summary(reviews, scale=scale)
    themes = product_themes(reviews, products=products, scale=scale, n_terms=n_terms)
    out = summary.merge(themes, on=S.PRODUCT_ID, how="left")
    names = pd.Series(dtype="string")
    if products is not None and S.DESCRIPTION in products.columns:
        names = products.drop_duplicates(S.PRODUCT_ID).set_index(
            products[S.PRODUCT_ID].drop_duplicates().astype(str))[S.DESCRIPTION]
    description = out[S.PRODUCT_ID].astype(str).map(names)
    out.insert(1, S.DESCRIPTION, description.fillna(out[S.PRODUCT_ID]).astype("string"))
    for col in (PRAISE_THEMES, COMPLAINT_THEMES):
        out[col] = [t if isinstance(t, tuple) else () for t in out[col]]
    return out


def _themes(reviews: pd.DataFrame, names: dict[str, str], *, n_terms: int) -> dict[str, tuple]:
    if reviews.empty:
        return {}
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    # terms are counted per review (a two-word phrase never spans two reviews), then
    # summed per product: one document per product, weighed against the others
    counter = CountVectorizer(analyzer=_terms)
    try:
        counts = counter.fit_transform(reviews[S.TEXT].astype(str).to_numpy())
    except ValueError:  # only stop words
        return {}
    codes, ids = pd.factorize(reviews[S.PRODUCT_ID].astype(str), sort=True)
    owner = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                          shape=(len(ids), len(codes)))
    weights = TfidfTransformer(sublinear_tf=True).fit_transform(owner @ counts).tocsr()
    terms = counter.get_feature_names_out().astype(str)
    n_words = np.char.count(terms, " ") + 1
    out = {}
    for row, pid in enumerate(ids):
        own = set(_words(names.get(pid, "")))
        start, end = weights.indptr[row], weights.indptr[row + 1]
        cols, vals = weights.indices[start:end], weights.data[start:end]
        # a phrase says more than its words: it wins a tie-ish contest with them
        vals = vals * np.where(n_words[cols] > 1, 1.25, 1.0)
        picked: list[str] = []
        for j in np.lexsort((terms[cols], -vals)):
            term = terms[cols[j]]
            words = set(term.split())
            if own & words or any(words & set(p.split()) for p in picked):
                continue
            picked.append(term)
            if len(picked) == n_terms:
                break
        out[pid] = tuple(picked)
    return out


def _terms(text: str) -> list[str]:
    """Words and two-word phrases of a text: no stop word, and a phrase only of words
    that stand side by side in the text (not across a comma or a left-out word)."""
    out: list[str] = []
    for clause in re.split(r"[.,;:!?()\"]+", text.lower()):
        previous = None
        for word in re.findall(r"[a-z][a-z']+", clause):
            if word in _STOP_WORDS:
                previous = None
                continue
            out.append(word)
            if previous is not None:
                out.append(f"{previous} {word}")
            previous = word
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z']+", text.lower())
