"""Segmentation: planted clusters are found, segments are ordered by value and named uniquely."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.segments import features as F
from recsys.segments import kmeans as sg
from recsys.segments import ksweep, rfm
from recsys.segments.profile import ALL_CUSTOMERS, project_2d, segment_profile, segment_purchases


def _blobs(k: int, seed: int) -> np.ndarray:
    """``k`` unit-variance Gaussian blobs of uneven size, centres 10 apart (corners of a simplex)."""
    rng = np.random.default_rng(seed)
    centres = 10 / np.sqrt(2) * np.eye(k)
    sizes = rng.integers(60, 200, size=k)
    return np.vstack([c + rng.normal(size=(n, k)) for c, n in zip(centres, sizes, strict=True)])


@pytest.mark.parametrize("k", [3, 4, 5, 6])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sweep_k_suggests_the_planted_number_of_blobs(k, seed):
    sweep = ksweep.sweep_k(_blobs(k, seed), k_range=range(2, 10), random_state=seed)
    assert sweep.suggested_k == k, sweep.reason
    assert sweep.best_silhouette_k == k
    assert str(k) in sweep.reason
    assert list(sweep.table["k"]) == list(range(2, 10))
    assert sweep.table["inertia"].is_monotonic_decreasing
    assert sweep.table["silhouette"].between(-1, 1).all()


def test_sweep_k_silhouette_on_a_sample_matches_sklearn():
    from sklearn.metrics import silhouette_score

    x = _blobs(4, 3)
    sweep = ksweep.sweep_k(x, k_range=[3, 4], random_state=0, sample_size=10_000)
    assert sweep.sample_size == len(x)
    for k, labels in sweep.labels.items():
        expected = silhouette_score(x, labels)
        got = sweep.table.set_index("k").loc[k, "silhouette"]
        assert got == pytest.approx(expected, abs=1e-4)
    small = ksweep.sweep_k(x, k_range=[3, 4], random_state=0, sample_size=50)
    assert small.sample_size == 50


def test_sweep_k_rejects_bad_k():
    with pytest.raises(ParameterError, match="at least 2"):
        ksweep.sweep_k(np.zeros((10, 2)), k_range=[1, 2])
    with pytest.raises(ParameterError, match="customers"):
        ksweep.sweep_k(np.zeros((10, 2)), k_range=[2, 12])


def test_elbow_k_hand_computed():
    # Steep drop to k=4, then flat: the bend is at 4.
    assert ksweep.elbow_k(np.arange(2, 9), np.array([100, 60, 20, 18, 16, 14, 12])) == 4


@pytest.fixture(scope="module")
def shop_features(synthetic_dataset):
    return F.customer_features(synthetic_dataset)


@pytest.mark.parametrize("seed", [11, 3, 5])
def test_segment_customers_recovers_planted_segments(seed):
    from recsys.synth.shop import generate_shop

    shop = generate_shop(n_customers=800, seed=seed)
    feats = F.customer_features(shop.to_dataset())
    truth = shop.ground_truth.set_index(S.CUSTOMER_ID)["planted_segment"].reindex(feats.index.astype(str))
    k = truth.nunique()
    result = sg.segment_customers(feats, k=k, random_state=seed)
    labels = result.assignments.set_index(S.CUSTOMER_ID)["segment"].reindex(truth.index)
    assert adjusted_rand_score(truth, labels) >= 0.8


def test_segment_customers_same_seed_same_labels(shop_features):
    first = sg.segment_customers(shop_features, k=5, random_state=7)
    again = sg.segment_customers(shop_features, k=5, random_state=7)
    pd.testing.assert_frame_equal(first.assignments, again.assignments)


def test_segment_customers_reuses_sweep_labels(shop_features):
    prepared = sg.prepare_features(shop_features)
    sweep = ksweep.sweep_k(prepared, k_range=[4], random_state=2)
    reused = sg.segment_customers(shop_features, k=4, random_state=2, prepared=prepared, labels=sweep.labels[4])
    fitted = sg.segment_customers(shop_features, k=4, random_state=2)
    pd.testing.assert_frame_equal(reused.assignments, fitted.assignments)


@pytest.mark.parametrize("feature_set", ["rfm", "rfm_behaviour"])
def test_segments_named_uniquely_and_ordered_by_value_for_every_k(shop_features, feature_set):
    prepared = sg.prepare_features(shop_features, feature_set=feature_set)
    sweep = ksweep.sweep_k(prepared, random_state=0)
    for k in range(2, 13):
        result = sg.segment_customers(
            shop_features, k=k, feature_set=feature_set, prepared=prepared, labels=sweep.labels[k]
        )
        summary = result.summary
        assert summary["segment"].tolist() == list(range(1, k + 1))
        assert summary["segment_name"].is_unique
        assert summary["customers"].sum() == len(shop_features)
        assert result.assignments["segment"].nunique() == k
        mean_spend = summary["revenue"] / summary["customers"]
        assert mean_spend.is_monotonic_decreasing
        names = result.assignments.drop_duplicates("segment").set_index("segment")["segment_name"]
        assert names.sort_index().tolist() == summary["segment_name"].tolist()


def test_segment_customers_does_not_change_input(shop_features):
    before = shop_features.copy()
    sg.segment_customers(shop_features, k=3)
    pd.testing.assert_frame_equal(shop_features, before)


def test_segment_customers_rejects_bad_arguments(shop_features):
    with pytest.raises(ParameterError, match="k must be"):
        sg.segment_customers(shop_features, k=1)
    with pytest.raises(ParameterError, match="feature_set"):
        sg.segment_customers(shop_features, k=3, feature_set="everything")


def test_segment_customers_says_how_many_customers_it_needs(shop_features):
    with pytest.raises(ParameterError, match="for 4 customers, got 4: choose fewer segments"):
        sg.segment_customers(shop_features.iloc[:4], k=4)
    with pytest.raises(ParameterError, match="at least 3 customers with purchases; the data has 2"):
        sg.segment_customers(shop_features.iloc[:2], k=3)


def test_prepare_features_feature_sets(shop_features):
    rfm_only = sg.prepare_features(shop_features, feature_set="rfm")
    assert list(rfm_only.columns) == list(F.RFM_COLUMNS)
    full = sg.prepare_features(shop_features)
    assert set(F.RFM_COLUMNS) < set(full.columns)
    assert F.category_share_columns(full)
    assert full.abs().max().max() <= sg.CLIP_SD + 1e-9
    assert not full.isna().any().any()


def test_rf_segment_standard_map():
    assert rfm.rf_segment(5, 5) == "Champions"
    assert rfm.rf_segment(5, 1) == "New customers"
    assert rfm.rf_segment(4, 1) == "Promising"
    assert rfm.rf_segment(3, 3) == "Need attention"
    assert rfm.rf_segment(1, 5) == "Can't lose them"
    assert rfm.rf_segment(2, 3) == "At risk"
    assert rfm.rf_segment(1, 1) == "Hibernating"
    with pytest.raises(ValueError, match="r=6"):
        rfm.rf_segment(6, 1)


def test_rfm_scores_quintiles(shop_features):
    scores = rfm.rfm_scores(shop_features)
    for column in (rfm.R_QUINTILE, rfm.F_QUINTILE, rfm.M_QUINTILE):
        assert sorted(scores[column].unique()) == [1, 2, 3, 4, 5]
    # Spend has no ties here, so its quintiles are as even as they can be.
    counts = scores[rfm.M_QUINTILE].value_counts()
    assert counts.max() - counts.min() <= 1
    # Equal recency, equal score; more recent never scores lower.
    by_recency = scores[rfm.R_QUINTILE].groupby(shop_features[F.RECENCY_DAYS])
    assert (by_recency.nunique() == 1).all()
    assert by_recency.first().is_monotonic_decreasing
    top = scores[rfm.M_QUINTILE] == 5
    assert shop_features.loc[top, F.MONETARY].min() >= shop_features.loc[~top, F.MONETARY].max()
    grid = rfm.rfm_grid(scores)
    assert len(grid) == 25 and grid["customers"].sum() == len(shop_features)
    summary = rfm.rfm_segment_summary(shop_features, scores)
    assert summary["customers"].sum() == len(shop_features)


def test_quintile_scores_ties_share_a_score_known_answer():
    recency = pd.Series([5, 1, 1, 9, 3], index=list("abcde"))
    # Ranks of -recency: d 1, a 2, e 3, b and c share 4.5 -> ceil(5 * rank / 5).
    assert rfm.quintile_scores(recency, higher_is_better=False).tolist() == [2, 5, 5, 1, 3]


def test_rfm_scores_do_not_depend_on_row_order(shop_features):
    scores = rfm.rfm_scores(shop_features)
    shuffled = shop_features.sample(frac=1.0, random_state=3)
    again = rfm.rfm_scores(shuffled).loc[scores.index]
    pd.testing.assert_frame_equal(again, scores)


def test_segment_profile_and_purchases(synthetic_dataset, shop_features):
    result = sg.segment_customers(shop_features, k=4)
    profile = segment_profile(shop_features, result.assignments)
    assert profile["segment"].tolist() == [1, 2, 3, 4, ALL_CUSTOMERS]
    assert profile.iloc[:4]["customers"].sum() == profile.iloc[4]["customers"]
    assert profile.iloc[:4]["revenue_share"].sum() == pytest.approx(1.0)
    bought = segment_purchases(synthetic_dataset, result.assignments, segment=1, n=5)
    assert len(bought.top_products) == 5
    assert bought.top_products["revenue"].is_monotonic_decreasing
    assert bought.monthly["revenue"].sum() == pytest.approx(profile.iloc[0]["revenue"])
    assert bought.countries["customers"].sum() == profile.iloc[0]["customers"]
    prepared = sg.prepare_features(shop_features)
    points, explained = project_2d(prepared, result.assignments, max_points=100)
    assert len(points) == 100 and points["segment"].notna().all()
    assert 0 < explained[0] <= 1
    # The shares of variance are the two largest eigenvalues of the covariance matrix.
    eigenvalues = np.linalg.eigvalsh(np.cov(prepared.to_numpy(), rowvar=False))[::-1]
    assert explained == pytest.approx(tuple(eigenvalues[:2] / eigenvalues.sum()))


def test_fit_kmeans_large_path_fits_a_sample_then_refines(monkeypatch):
    from recsys.segments import ksweep

    monkeypatch.setattr(ksweep, "LARGE", 300)
    monkeypatch.setattr(ksweep, "FIT_SAMPLE", 200)
    x = _blobs(4, 9)
    assert len(x) > 300
    labels, inertia = ksweep.fit_kmeans(x, 4, random_state=0)
    # Blob c is centred on axis c, so the largest coordinate says which blob a row is from.
    assert adjusted_rand_score(np.argmax(x, axis=1), labels) == pytest.approx(1.0)
    centres = np.vstack([x[labels == c].mean(axis=0) for c in range(4)])
    assert inertia == pytest.approx(((x - centres[labels]) ** 2).sum(), rel=1e-6)
    again, _ = ksweep.fit_kmeans(x, 4, random_state=0)
    np.testing.assert_array_equal(labels, again)


def test_sweep_k_silhouette_sample_independent_of_fit_sample(monkeypatch):
    from recsys.segments import ksweep

    x = np.random.default_rng(4).normal(size=(25_000, 2))
    seen = {}
    real_distances, real_model = ksweep._pairwise_distances, ksweep.kmeans_model

    def distances(rows):
        seen["silhouette"] = rows
        return real_distances(rows)

    def model(k, random_state, n_init, **kwargs):
        fitted = real_model(k, random_state, n_init, **kwargs)
        if "init" not in kwargs:
            fit = fitted.fit
            fitted.fit = lambda rows: (seen.setdefault("fit", rows), fit(rows))[1]
        return fitted

    monkeypatch.setattr(ksweep, "_pairwise_distances", distances)
    monkeypatch.setattr(ksweep, "kmeans_model", model)
    ksweep.sweep_k(x, k_range=[2], random_state=0, n_init=1)
    shared = np.isin(seen["silhouette"][:, 0], seen["fit"][:, 0]).sum()
    # Independent samples of 3,000 and 20,000 rows out of 25,000 share about 2,400 rows
    # (sd ~20); drawn from one seed, the silhouette sample lay wholly inside the fit sample.
    assert len(seen["silhouette"]) == ksweep.SILHOUETTE_SAMPLE
    assert len(seen["fit"]) == ksweep.FIT_SAMPLE
    assert 2200 < shared < 2600


def test_project_2d_passes_its_random_state_to_pca(monkeypatch, shop_features):
    from recsys.segments import profile as sp

    seeds = []
    real_pca = sp.PCA

    def pca(**kwargs):
        seeds.append(kwargs["random_state"])
        return real_pca(**kwargs)

    monkeypatch.setattr(sp, "PCA", pca)
    result = sg.segment_customers(shop_features, k=3)
    prepared = sg.prepare_features(shop_features)
    a, _ = project_2d(prepared, result.assignments, max_points=50, random_state=7)
    b, _ = project_2d(prepared, result.assignments, max_points=50, random_state=7)
    assert seeds == [7, 7]
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.real_data
def test_sweep_and_segments_on_real_data(real_dataset):
    feats = F.customer_features(real_dataset)
    prepared = sg.prepare_features(feats)
    sweep = ksweep.sweep_k(prepared, random_state=0)
    assert sweep.table["k"].tolist() == list(range(2, 13))
    assert sweep.sample_size == ksweep.SILHOUETTE_SAMPLE < len(feats)
    assert 2 <= sweep.suggested_k <= 12 and sweep.reason
    result = sg.segment_customers(feats, k=5, prepared=prepared, labels=sweep.labels[5])
    assert result.summary["segment_name"].is_unique
    assert result.summary["customers"].sum() == len(feats)
    assert (result.summary["revenue"] / result.summary["customers"]).is_monotonic_decreasing


def test_segment_purchases_categories_are_those_the_segments_use(synthetic_dataset, shop_features):
    import dataclasses

    result = sg.segment_customers(shop_features, k=3)
    # A shop without categories of its own: the derived ones are passed in, as the app does.
    bare = dataclasses.replace(synthetic_dataset, products=synthetic_dataset.products.drop(columns=S.CATEGORY))
    assert not bare.has_categories
    assert segment_purchases(bare, result.assignments, segment=1).top_categories.empty
    ids = bare.products[S.PRODUCT_ID].astype(str)
    derived = pd.DataFrame({S.PRODUCT_ID: ids, S.CATEGORY: np.where(ids.str[-1].isin(list("02468")), "even", "odd")})
    bought = segment_purchases(bare, result.assignments, segment=1, n=50, categories=derived)
    got = bought.top_categories.set_index(S.CATEGORY)["revenue"]
    # By hand: the segment's revenue per product (net, as the top products are), summed by the last digit.
    every = segment_purchases(bare, result.assignments, segment=1, n=100_000).top_products
    parity = np.where(every[S.PRODUCT_ID].astype(str).str[-1].isin(list("02468")), "even", "odd")
    expected = every.groupby(parity)["revenue"].sum()
    assert set(got.index) <= {"even", "odd"}
    assert got.to_dict() == pytest.approx(expected[expected > 0].to_dict())
    assert bought.top_categories["share"].sum() == pytest.approx(1.0)
