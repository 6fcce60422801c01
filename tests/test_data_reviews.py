"""The reviews table: validation of ratings, ids and dates, and reviews.csv in a folder."""

from __future__ import annotations

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.data.dataset import Dataset
from recsys.data.load import load_dataset
from recsys.data.reviews import empty_reviews, normalise_reviews, ratings
from recsys.errors import DataError
from tests.test_load import write_three_files

PRODUCTS = pd.DataFrame({S.PRODUCT_ID: ["P1", "P2"]})
CUSTOMERS = pd.DataFrame({S.CUSTOMER_ID: ["C1", "C2"]})


def reviews_frame(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame({
        S.CUSTOMER_ID: ["C1", "C2", "C9", "C1"],
        S.PRODUCT_ID: ["p1", "P2", "P2", "P404"],
        S.RATING: ["4", "2/5", "5 stars", "3"],
        S.TEXT: [" lovely mug ", "chipped", None, "ok"],
        S.REVIEW_DATE: ["2011-03-01", "2011-03-02", "2011-04-01", "2011-05-01"],
    })
    return frame.assign(**overrides)


def test_normalise_reviews_reads_ratings_ids_and_dates():
    frame = reviews_frame()
    before = frame.copy()
    reviews, report = normalise_reviews(frame, products=PRODUCTS, customers=CUSTOMERS)
    pd.testing.assert_frame_equal(frame, before)  # input unchanged
    assert list(reviews.columns) == list(S.REVIEW_COLUMNS)
    assert list(reviews[S.PRODUCT_ID]) == ["P1", "P2", "P2"]  # upper-cased like stock codes
    assert list(reviews[S.RATING]) == [4.0, 2.0, 5.0]
    assert reviews[S.TEXT].iloc[0] == "lovely mug"
    assert reviews[S.REVIEW_DATE].iloc[1] == pd.Timestamp("2011-03-02")
    assert str(reviews[S.REVIEW_DATE].dtype) == "datetime64[ns]"
    assert (report.rows, report.kept, report.unknown_products, report.unknown_customers) == (
        4, 3, 1, 1)
    notes = " ".join(report.notes())
    assert "1 review of products not in the catalogue (first: 'P404')" in notes
    assert "1 review by reviewers who are not customers" in notes


def test_normalise_reviews_needs_only_product_and_rating():
    reviews, report = normalise_reviews(pd.DataFrame({S.PRODUCT_ID: ["P1"], S.RATING: [5]}))
    assert reviews[S.CUSTOMER_ID].isna().all() and reviews[S.TEXT].isna().all()
    assert report.notes() == ()


def test_normalise_reviews_keeps_the_latest_review_of_a_customer():
    frame = reviews_frame(**{S.CUSTOMER_ID: ["C1", "C1", "C2", "C2"],
                             S.PRODUCT_ID: ["P1", "P1", "P2", "P2"],
                             S.REVIEW_DATE: ["2011-05-01", "2011-03-01", "2011-01-01",
                                             "2011-01-01"]})
    reviews, report = normalise_reviews(frame)
    assert report.duplicates == 2
    assert list(reviews[S.RATING]) == [4.0, 3.0]  # C1's May review, C2's later row


@pytest.mark.parametrize(
    ("value", "shown"),
    [("6", "'6'"), ("great", "'great'"), ("0", "'0'"), ("4/10", "'4/10'"), ("", "an empty value")],
)
def test_normalise_reviews_refuses_a_rating_off_the_scale(value, shown):
    frame = reviews_frame(**{S.RATING: ["4", value, "5", "1"]})
    with pytest.raises(DataError) as err:
        normalise_reviews(frame, label="reviews.csv", columns={S.RATING: "stars"})
    message = str(err.value)
    assert f"column 'stars' has {shown} on row 3" in message
    assert "from 1 to 5" in message


def test_ratings_on_a_stated_scale():
    assert list(ratings(pd.Series(["8", "10/10", 1]), scale=(1, 10))) == [8.0, 10.0, 1.0]
    with pytest.raises(DataError, match=r"'11'.*from 1 to 10"):
        ratings(pd.Series(["8", "11"]), scale=(1, 10))
    with pytest.raises(DataError, match="lower to a higher"):
        ratings(pd.Series(["1"]), scale=(5, 1))


def test_normalise_reviews_names_missing_columns_and_bad_dates():
    with pytest.raises(DataError, match="missing columns stars; found product_id"):
        normalise_reviews(pd.DataFrame({S.PRODUCT_ID: ["P1"]}), columns={S.RATING: "stars"})
    with pytest.raises(DataError, match="'date' has a date that cannot be read: 'soon'"):
        normalise_reviews(reviews_frame(**{S.REVIEW_DATE: ["2011-01-01", "soon", None, None]}),
                          columns={S.REVIEW_DATE: "date"})
    with pytest.raises(DataError, match="'item' is empty on row 2"):
        normalise_reviews(reviews_frame(**{S.PRODUCT_ID: [None, "P1", "P1", "P2"]}),
                          columns={S.PRODUCT_ID: "item"})


def test_dataset_without_reviews_has_an_empty_table_and_keeps_its_fingerprint(sample_dataset):
    assert list(empty_reviews().columns) == list(S.REVIEW_COLUMNS)
    bare = Dataset(transactions=sample_dataset.transactions, products=sample_dataset.products,
                   customers=sample_dataset.customers,
                   cancellations=sample_dataset.cancellations, report=sample_dataset.report)
    assert not bare.has_reviews and list(bare.reviews.columns) == list(S.REVIEW_COLUMNS)
    same = Dataset(transactions=bare.transactions, products=bare.products,
                   customers=bare.customers, cancellations=bare.cancellations,
                   report=bare.report, reviews=empty_reviews())
    assert same.fingerprint == bare.fingerprint


def test_load_dataset_folder_reads_reviews_csv(tmp_path):
    folder = write_three_files(tmp_path / "shop")
    without = load_dataset(folder)
    assert not without.has_reviews
    (folder / "reviews.csv").write_text(
        "customer_id,product_id,rating,text,review_date\n"
        "C1,P1,5,\"Lovely, sturdy mug\",2023-08-01\nC2,P2,1,Arrived broken,2023-08-02\n"
        "C7,P404,3,,2023-08-03\n"
    )
    ds = load_dataset(folder)
    assert ds.has_reviews and ds.fingerprint != without.fingerprint
    assert list(ds.reviews[S.RATING]) == [5.0, 1.0]
    assert ds.reviews[S.TEXT].iloc[0] == "Lovely, sturdy mug"
    assert any("not in the catalogue (first: 'P404')" in note for note in ds.report.notes)


def test_load_dataset_folder_refuses_bad_ratings_naming_the_file(tmp_path):
    folder = write_three_files(tmp_path / "shop")
    (folder / "reviews.csv").write_text("product_id,rating\nP1,5\nP2,five\n")
    with pytest.raises(DataError, match=r"reviews.csv: column 'rating' has 'five' on row 3"):
        load_dataset(folder)
