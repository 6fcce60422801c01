"""Reviews of a generated shop, consistent with its purchases and planted preferences.

Only buyers review, and only after their first purchase of the product (a few days to a
few weeks later, within the period). A customer rates products of the categories they
favour (their planted affinities) higher than others; a few products are planted as
poorly rated, each with one complaint theme ("arrived broken", "smaller than pictured",
…) that its low reviews repeat, so an analysis of the reviews has a known answer: those
products must come out as the most complained about, with their theme. Customers
review a poor product more often than a good one (an unhappy buyer speaks up).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.synth.catalog import CATEGORY_NAMES

THEME = "theme"
"""Column of the planted poor products: the complaint theme their reviews repeat."""

REVIEW_SHARE = 0.07
"""Share of bought (customer, product) pairs that get a review."""
POOR_REVIEW_SHARE = 0.3
"""The same for a planted poor product."""
POOR_SHARE = 0.03
"""Share of the catalogue planted as poorly rated (at least three products)."""
NO_TEXT_SHARE = 0.15
"""Share of reviews with a rating only."""

PRAISE: tuple[str, ...] = (
    "Lovely quality, exactly as pictured.",
    "Great value for money.",
    "Beautiful colours and well made.",
    "Bought as a gift and it was loved.",
    "Sturdy and really pretty, would buy again.",
    "Perfect, arrived quickly and well packed.",
    "Gorgeous design, my friends all want one.",
    "Excellent product, highly recommend.",
)
MIXED: tuple[str, ...] = (
    "Nice enough but",
    "It does the job, although",
    "Pretty, however",
    "Okay for the price but",
)
COMPLAINTS: dict[str, tuple[str, ...]] = {
    "arrived broken": ("Arrived broken, the glass was cracked.",
                       "Smashed in the box, cracked into pieces.",
                       "Cracked on arrival and badly packed."),
    "smaller than pictured": ("Much smaller than pictured, tiny.",
                              "Tiny, far smaller than the photo suggests.",
                              "Smaller than described, disappointing size."),
    "flimsy": ("Flimsy and cheap, fell apart within a week.",
               "Poor flimsy plastic, fell apart quickly.",
               "Flimsy, broke after two uses."),
    "colour faded": ("The colour faded after one wash.",
                     "Colour nothing like the photo and faded quickly.",
                     "Faded colour, looks dull and washed out."),
    "parts missing": ("Parts missing from the box, no lid.",
                      "Came with missing pieces and no instructions.",
                      "Missing the lid, incomplete set."),
}
"""Complaint themes and the sentences of reviews that complain of them."""


@dataclass(frozen=True)
class GeneratedReviews:
    """Reviews drawn for a generated shop, and the planted poor products.

    Attributes
    ----------
    reviews : DataFrame
        ``customer_id``, ``product_id``, ``rating`` (int, 1-5), ``text`` (str or <NA>),
        ``review_date`` (datetime64[ns]), by date.
    poor_products : DataFrame
        ``product_id``, ``theme`` (a key of :data:`COMPLAINTS`).
    """

    reviews: pd.DataFrame
    poor_products: pd.DataFrame


def empty_generated_reviews() -> GeneratedReviews:
    """Return no reviews and no poor products (columns as :class:`GeneratedReviews`)."""
    reviews = pd.DataFrame({S.CUSTOMER_ID: pd.Series(dtype=object),
                            S.PRODUCT_ID: pd.Series(dtype=object),
                            S.RATING: pd.Series(dtype=np.int64),
                            S.TEXT: pd.Series(dtype=object),
                            S.REVIEW_DATE: pd.Series(dtype="datetime64[ns]")})
    poor = pd.DataFrame({S.PRODUCT_ID: pd.Series(dtype=object), THEME: pd.Series(dtype=object)})
    return GeneratedReviews(reviews, poor)


def make_reviews(
    transactions: pd.DataFrame,
    products: pd.DataFrame,
    affinity: np.ndarray,
    customer_ids: pd.Series,
    *,
    end: pd.Timestamp,
    rng: np.random.Generator,
) -> GeneratedReviews:
    """Draw reviews of what customers bought.

    Parameters
    ----------
    transactions : DataFrame
        Raw generated lines: ``invoice_id``, ``invoice_date``, ``customer_id``,
        ``product_id``, ``quantity`` (cancellations start with "C" and are not
        purchases).
    products : DataFrame
        ``product_id``, ``description``, ``category``, ``popularity``.
    affinity : ndarray, shape (n_customers, n_categories)
        Each customer's category preferences (rows in the order of ``customer_ids``,
        columns in the order of :data:`recsys.synth.catalog.CATEGORY_NAMES`).
    customer_ids : Series
        The customers of ``affinity``'s rows.
    end : Timestamp
        End of the period (exclusive): no review is dated on or after it.
    rng : Generator
        The reviews' own random stream.

    Returns
    -------
    GeneratedReviews
    """
    rng = np.random.default_rng(rng)
    poor = _poor_products(products, rng)
    bought = _first_purchases(transactions)
    if bought.empty:
        return GeneratedReviews(empty_generated_reviews().reviews, poor)
    is_poor = bought[S.PRODUCT_ID].isin(poor[S.PRODUCT_ID]).to_numpy()
    share = np.where(is_poor, POOR_REVIEW_SHARE, REVIEW_SHARE)
    picked = rng.random(len(bought)) < share
    bought, is_poor = bought[picked].reset_index(drop=True), is_poor[picked]
    delay = 1 + np.floor(rng.exponential(12.0, len(bought))).astype(np.int64)
    when = (bought[S.INVOICE_DATE].dt.normalize() + pd.to_timedelta(delay, unit="D")
            + pd.to_timedelta(rng.integers(8 * 60, 22 * 60, len(bought)), unit="min"))
    inside = (when < end).to_numpy()
    bought, is_poor, when = bought[inside].reset_index(drop=True), is_poor[inside], when[inside]

    rating = _ratings(bought, products, affinity, customer_ids, is_poor, rng)
    themes = poor.set_index(S.PRODUCT_ID)[THEME]
    text = _texts(bought, rating, themes, rng)
    reviews = pd.DataFrame({
        S.CUSTOMER_ID: bought[S.CUSTOMER_ID].astype(str).to_numpy(),
        S.PRODUCT_ID: bought[S.PRODUCT_ID].astype(str).to_numpy(),
        S.RATING: rating,
        S.TEXT: text,
        S.REVIEW_DATE: when.to_numpy(),
    })
    order = np.lexsort((reviews[S.PRODUCT_ID], reviews[S.CUSTOMER_ID], reviews[S.REVIEW_DATE]))
    return GeneratedReviews(reviews.iloc[order].reset_index(drop=True), poor)


def _poor_products(products: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Pick the poorly rated products among the better sellers (so they get reviewed)."""
    n = max(3, int(round(POOR_SHARE * len(products))))
    popularity = products["popularity"].to_numpy(dtype=np.float64)
    candidates = np.flatnonzero(popularity >= np.quantile(popularity, 0.5))
    chosen = np.sort(rng.choice(candidates, size=min(n, len(candidates)), replace=False))
    names = np.array(list(COMPLAINTS), dtype=object)
    theme = names[rng.permutation(np.resize(np.arange(len(names)), len(chosen)))]
    return pd.DataFrame({S.PRODUCT_ID: products[S.PRODUCT_ID].to_numpy()[chosen].astype(str),
                         THEME: theme})


def _first_purchases(transactions: pd.DataFrame) -> pd.DataFrame:
    """Each customer's first purchase of each product (cancellations and guests left out)."""
    tx = transactions
    sale = (tx[S.CUSTOMER_ID].notna() & (tx[S.QUANTITY] > 0)
            & ~tx[S.INVOICE_ID].astype(str).str.startswith(S.CANCELLATION_PREFIX))
    lines = tx.loc[sale, [S.CUSTOMER_ID, S.PRODUCT_ID, S.INVOICE_DATE]]
    first = lines.groupby([S.CUSTOMER_ID, S.PRODUCT_ID], observed=True, sort=True)[
        S.INVOICE_DATE].min()
    return first.reset_index()


def _ratings(bought, products, affinity, customer_ids, is_poor, rng) -> np.ndarray:
    """Stars 1-5: higher for favoured categories, low for the planted poor products."""
    row = pd.Index(customer_ids.astype(str)).get_indexer(bought[S.CUSTOMER_ID].astype(str))
    catalogue = products.set_index(S.PRODUCT_ID)
    category = catalogue[S.CATEGORY].reindex(bought[S.PRODUCT_ID]).to_numpy()
    col = pd.Index(CATEGORY_NAMES).get_indexer(category)
    liking = np.log(np.clip(affinity[row, col] * len(CATEGORY_NAMES), 1e-3, None))
    quality = pd.Series(rng.normal(0.0, 0.25, len(catalogue)), index=catalogue.index)
    leniency = rng.normal(0.0, 0.35, len(customer_ids))
    mean = np.where(is_poor, 1.6, 4.0 + 0.45 * np.clip(liking, -1.5, 1.5))
    mean = mean + quality.reindex(bought[S.PRODUCT_ID]).to_numpy() + leniency[row]
    return np.clip(np.rint(mean + rng.normal(0.0, 0.7, len(bought))), 1, 5).astype(np.int64)


def _texts(bought, rating, themes: pd.Series, rng: np.random.Generator) -> np.ndarray:
    """Review text: praise for 4-5 stars, a complaint for 1-2, both for 3."""
    n = len(bought)
    names = list(COMPLAINTS)
    theme = themes.reindex(bought[S.PRODUCT_ID]).to_numpy(dtype=object)
    random_theme = np.array(names, dtype=object)[rng.integers(0, len(names), n)]
    theme = np.where(pd.isna(theme), random_theme, theme)
    pick = rng.integers(0, 1 << 30, (n, 2))
    no_text = rng.random(n) < NO_TEXT_SHARE
    out = np.empty(n, dtype=object)
    for i in range(n):
        if no_text[i]:
            out[i] = None
            continue
        complaint = COMPLAINTS[theme[i]]
        if rating[i] >= 4:
            out[i] = PRAISE[pick[i, 0] % len(PRAISE)]
        elif rating[i] == 3:
            sentence = complaint[pick[i, 1] % len(complaint)]
            out[i] = f"{MIXED[pick[i, 0] % len(MIXED)]} {sentence[0].lower()}{sentence[1:]}"
        else:
            out[i] = complaint[pick[i, 1] % len(complaint)]
    return out
