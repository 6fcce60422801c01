"""Ratings, sentiment and themes of reviews: hand-made answers and the planted poor products."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.load import load_dataset
from recsys.insights import reviews as R
from recsys.synth.reviews import THEME
from recsys.synth.shop import generate_shop, write_shop

HAND = pd.DataFrame({
    S.CUSTOMER_ID: ["1", "2", "3", "4", "5", "6"],
    S.PRODUCT_ID: ["A", "A", "A", "B", "B", "C"],
    S.RATING: [5.0, 4.0, 3.0, 1.0, 2.0, 5.0],
    S.TEXT: ["Lovely, really lovely", "good value", None, "arrived broken", "broken lid",
             "great"],
})


def test_rating_summary_by_hand():
    summary = R.rating_summary(HAND).set_index(S.PRODUCT_ID)
    assert list(summary.index) == ["A", "B", "C"]
    assert summary.loc["A", R.N_REVIEWS] == 3 and summary.loc["A", R.MEAN_RATING] == 4.0
    assert summary.loc["A", R.PRAISE_SHARE] == pytest.approx(2 / 3)
    assert summary.loc["B", R.COMPLAINT_SHARE] == 1.0
    shop_mean = 20 / 6
    assert summary.loc["C", R.ADJUSTED_RATING] == pytest.approx((5 + 5 * shop_mean) / 6)
    assert summary.loc["A", R.SENTIMENT] > 0.3 > -0.3 > summary.loc["B", R.SENTIMENT]
    assert summary[R.SENTIMENT].between(-1, 1).all()


def test_review_sentiment_reads_negation_and_missing_text():
    scores = R.review_sentiment(pd.Series(["very good", "not good", None, "very good"]))
    assert scores[0] > 0.05 and scores[1] < -0.05 and np.isnan(scores[2])
    assert scores[0] == scores[3]


def test_praised_and_complained_lists_need_enough_reviews():
    summary = R.rating_summary(HAND)
    # C's one 5 and A's 5, 4, 3, each with five reviews at the shop's mean 20/6 added:
    # C (5 + 50/3) / 6 = 3.61 before A (12 + 50/3) / 8 = 3.58; B praised by nobody
    assert list(R.most_praised(summary, min_reviews=1)[S.PRODUCT_ID]) == ["C", "A"]
    assert list(R.most_praised(summary, min_reviews=2)[S.PRODUCT_ID]) == ["A"]
    assert list(R.most_complained(summary, min_reviews=2)[S.PRODUCT_ID]) == ["B"]
    assert R.most_complained(summary, min_reviews=4).empty


def test_rating_distribution_counts_every_star():
    dist = R.rating_distribution(HAND, "A")
    assert list(dist[R.STARS]) == [1, 2, 3, 4, 5]
    assert list(dist[R.COUNT]) == [0, 0, 1, 1, 1]
    assert R.rating_distribution(HAND, "Z")[R.COUNT].sum() == 0


def test_product_themes_leave_out_the_product_name_and_common_words():
    reviews = pd.DataFrame({
        S.PRODUCT_ID: ["M", "M", "M", "P", "P"],
        S.RATING: [1.0, 2.0, 5.0, 1.0, 5.0],
        S.TEXT: ["mug arrived broken", "broken handle, arrived broken", "great mug",
                 "plate too small", "great plate"],
    })
    products = pd.DataFrame({S.PRODUCT_ID: ["M", "P"], S.DESCRIPTION: ["RED MUG", "BLUE PLATE"]})
    themes = R.product_themes(reviews, products=products).set_index(S.PRODUCT_ID)
    assert themes.loc["M", R.COMPLAINT_THEMES][0] == "arrived broken"
    assert "mug" not in " ".join(themes.loc["M", R.COMPLAINT_THEMES])
    assert themes.loc["P", R.COMPLAINT_THEMES][0] == "small"
    assert themes.loc["M", R.PRAISE_THEMES] == ("great",)


def test_rating_summary_of_no_reviews_is_empty():
    empty = R.rating_summary(HAND.iloc[:0])
    assert empty.empty and list(empty.columns) == list(R.SUMMARY_COLUMNS)


def test_reviews_pipeline_finds_the_planted_poor_products(tmp_path):
    """Generate, write, load, analyse: the planted poor products are the most complained
    about, with their planted theme among their complaint themes."""
    shop = generate_shop(n_customers=500, n_products=150, seed=21)
    write_shop(shop, tmp_path)
    dataset = load_dataset(tmp_path)
    poor = pd.read_csv(tmp_path / "poor_products.csv", dtype=str).set_index(S.PRODUCT_ID)[THEME]
    summary = R.rating_summary(dataset.reviews)
    complained = R.most_complained(summary, n=len(poor))
    counts = summary.set_index(S.PRODUCT_ID)[R.N_REVIEWS].reindex(poor.index).fillna(0)
    visible = set(counts[counts >= 8].index)  # planted products with enough reviews to tell
    assert len(visible) >= 3
    assert visible <= set(complained[S.PRODUCT_ID])
    assert not set(R.most_praised(summary)[S.PRODUCT_ID]) & set(poor.index)
    themes = R.product_themes(dataset.reviews, products=dataset.products).set_index(S.PRODUCT_ID)
    for pid in visible:
        said = " ".join(themes.loc[pid, R.COMPLAINT_THEMES])
        assert set(poor[pid].split()) & set(said.split()) or _synonym(poor[pid], said), (pid, said)


def _synonym(theme: str, said: str) -> bool:
    words = {"arrived broken": "cracked", "smaller than pictured": "tiny", "flimsy": "apart",
             "colour faded": "faded", "parts missing": "missing"}
    return words[theme] in said
