"""Segment names are true of at least 90% of their members, for every k."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from recsys.errors import ParameterError
from recsys.segments import features as F
from recsys.segments import kmeans as sg
from recsys.segments import ksweep, naming
from recsys.segments.claims import member_fit, unmet_claims
from recsys.segments.rfm import RFM_SEGMENTS


def _features(rows) -> pd.DataFrame:
    """Customers with recency, frequency, spend, tenure and cancellation rate."""
    columns = [F.RECENCY_DAYS, F.FREQUENCY, F.MONETARY, F.TENURE_DAYS, F.CANCELLATION_RATE]
    frame = pd.DataFrame(rows, columns=columns)
    frame.index = [f"c{i}" for i in range(len(frame))]
    return frame


def _centers(features: pd.DataFrame, segment: np.ndarray) -> pd.DataFrame:
    z = (features - features.mean()) / features.std(ddof=0)
    return z.groupby(segment).mean()


def test_name_segments_known_answers():
    # Population medians: recency 30, frequency 2, spend 100, tenure 200, cancellation 0.
    features = _features(
        [(5, 8, 900, 400, 0.0)] * 10        # segment 1: recent, repeat, high spend
        + [(90, 1, 20, 300, 0.0)] * 10      # segment 2: lapsed, one order, low spend
        + [(30, 2, 100, 200, 0.4)] * 10     # segment 3: mid recency and spend, 2 orders, all cancel
    )
    segment = np.repeat([1, 2, 3], 10)
    names, claims = naming.name_segments(features, segment, _centers(features, segment))
    assert names[naming.NAME].tolist() == [
        "Recent repeat high spenders", "Lapsed one-order low spenders", "Occasional buyers who cancel orders"
    ]
    assert names[naming.FIT_SHARE].tolist() == [1.0, 1.0, 1.0]
    assert names.loc[3, naming.TRAIT] == F.CANCELLATION_RATE and names.loc[3, naming.TRAIT_ABOVE]
    assert names.loc[3, naming.DESCRIPTION] == (
        "100% of members (10 of 10) have cancelled at least one order and placed no more orders than the "
        "median customer."
    )
    assert set(claims[claims["segment"] == 1]["tag"]) == {"Recent", "repeat", "high spenders"}


def test_name_segments_leave_out_a_claim_that_fails_for_more_than_a_tenth():
    # 8 of 10 members of segment 1 bought recently: not enough to call them "Recent".
    features = _features(
        [(5, 8, 900, 400, 0.0)] * 8 + [(200, 8, 900, 400, 0.0)] * 2
        + [(60, 1, 20, 300, 0.0)] * 10
    )
    segment = np.repeat([1, 2], 10)
    names, _ = naming.name_segments(features, segment, _centers(features, segment))
    assert names.loc[1, naming.NAME] == "Repeat high spenders"
    assert "Recent" not in names.loc[1, naming.NAME]


def test_name_segments_mixed_segment_has_no_claims():
    rng = np.random.default_rng(0)
    features = _features(
        [(float(r), int(f), float(m), 300.0, 0.0) for r, f, m in
         zip(rng.integers(1, 300, 40), rng.integers(1, 9, 40), rng.integers(10, 900, 40), strict=True)]
    )
    segment = np.repeat([1, 2], 20)
    names, claims = naming.name_segments(features, segment, _centers(features, segment))
    assert names[naming.NAME].is_unique
    for seg, name in names[naming.NAME].items():
        if name.startswith("Mixed customers"):
            assert claims[claims["segment"] == seg].empty
            assert names.loc[seg, naming.FIT_SHARE] == 1.0


def test_name_segments_twins_are_told_apart():
    features = _features([(5, 8, 900, 400, 0.0)] * 10 + [(4, 9, 950, 400, 0.0)] * 10 + [(90, 1, 20, 400, 0.0)] * 20)
    segment = np.repeat([1, 2, 3], [10, 10, 20])
    names, _ = naming.name_segments(features, segment, _centers(features, segment))
    assert names[naming.NAME].is_unique
    assert names.loc[1, naming.NAME].startswith("Recent repeat high spenders (")


def test_name_segments_rejects_a_bad_min_fit():
    features = _features([(5, 8, 900, 400, 0.0)] * 4)
    with pytest.raises(ParameterError, match="min_fit"):
        naming.name_segments(features, np.array([1, 1, 2, 2]), _centers(features, np.array([1, 1, 2, 2])),
                             min_fit=1.5)


def test_member_fit_and_unmet_claims():
    features = _features([(5, 8, 900, 400, 0.0)] * 9 + [(200, 8, 900, 400, 0.0)] + [(90, 1, 20, 300, 0.0)] * 10)
    segment = np.repeat([1, 2], 10)
    result_names, claims = naming.name_segments(features, segment, _centers(features, segment))
    assert result_names.loc[1, naming.NAME] == "Recent repeat high spenders"
    assignments = pd.DataFrame({"customer_id": features.index, "segment": segment})
    fits = member_fit(features, assignments, claims)
    assert fits.sum() == 19 and not fits["c9"]
    assert result_names.loc[1, naming.FIT_CUSTOMERS] == 9
    assert unmet_claims(features.loc["c9"], claims, segment=1) == [
        "last ordered more recently than the median customer"
    ]
    assert unmet_claims(features.loc["c0"], claims, segment=1) == []


# Each word a name may use, and the test it puts every member to (medians of all customers).
def _word_tests(features: pd.DataFrame) -> list[tuple[str, object]]:
    med = features.median(numeric_only=True)
    tests = [
        (r"^Recent\b", lambda f: f[F.RECENCY_DAYS] < med[F.RECENCY_DAYS]),
        (r"^Lapsed\b", lambda f: f[F.RECENCY_DAYS] > med[F.RECENCY_DAYS]),
        (r"\brepeat\b|^Repeat\b", lambda f: f[F.FREQUENCY] > med[F.FREQUENCY]),
        (r"\bone-order\b|^One-order\b", lambda f: f[F.FREQUENCY] <= 1),
        (r"\boccasional\b|^Occasional\b", lambda f: f[F.FREQUENCY] <= med[F.FREQUENCY]),
        (r"\bhigh spenders\b|^High spenders", lambda f: f[F.MONETARY] > med[F.MONETARY]),
        (r"\blow spenders\b|^Low spenders", lambda f: f[F.MONETARY] < med[F.MONETARY]),
        (r"who cancel orders", lambda f: f[F.CANCELLATION_RATE] > 0),
        (r"who never cancel", lambda f: f[F.CANCELLATION_RATE] <= 0),
        (r"new to the shop", lambda f: f[F.TENURE_DAYS] < med[F.TENURE_DAYS]),
        (r"of long standing", lambda f: f[F.TENURE_DAYS] > med[F.TENURE_DAYS]),
        (r"with large orders", lambda f: f[F.AVG_ORDER_VALUE] > med[F.AVG_ORDER_VALUE]),
        (r"with small orders", lambda f: f[F.AVG_ORDER_VALUE] < med[F.AVG_ORDER_VALUE]),
        (r"with a wide range", lambda f: f[F.DISTINCT_PRODUCTS] > med[F.DISTINCT_PRODUCTS]),
        (r"with a narrow range", lambda f: f[F.DISTINCT_PRODUCTS] < med[F.DISTINCT_PRODUCTS]),
        (r"with many items per order", lambda f: f[F.ITEMS_PER_ORDER] > med[F.ITEMS_PER_ORDER]),
        (r"with few items per order", lambda f: f[F.ITEMS_PER_ORDER] < med[F.ITEMS_PER_ORDER]),
        (r"who reorder quickly", lambda f: f[F.MEAN_DAYS_BETWEEN_ORDERS] < med[F.MEAN_DAYS_BETWEEN_ORDERS]),
        (r"with long gaps between orders",
         lambda f: f[F.MEAN_DAYS_BETWEEN_ORDERS] > med[F.MEAN_DAYS_BETWEEN_ORDERS]),
    ]
    for column in F.category_share_columns(features):
        name, m = re.escape(column[len(F.CATEGORY_SHARE_PREFIX):]), med[column]
        tests += [
            (rf"who buy {name}\b", lambda f, c=column: f[c] > 0),
            (rf"who buy no {name}\b", lambda f, c=column: f[c] <= 0),
            (rf"who spend more on {name}\b", lambda f, c=column, m=m: f[c] > m),
            (rf"who spend less on {name}\b", lambda f, c=column, m=m: f[c] < m),
        ]
    return tests


def _name_violations(features: pd.DataFrame, result: sg.Segmentation) -> list[str]:
    """Segments whose name, read word by word, is true of fewer than 90% of members."""
    seg = result.assignments.set_index("customer_id")["segment"].reindex(features.index.astype(str)).to_numpy()
    tests = _word_tests(features)
    out = []
    for row in result.summary.itertuples():
        members = features[seg == row.segment]
        name = str(row.segment_name).split(" (")[0]
        fits = pd.Series(True, index=members.index)
        matched = 0
        for pattern, test in tests:
            if re.search(pattern, name):
                fits &= test(members)
                matched += 1
        shown = f"{row.segment_name!r} ({len(members)} members)"
        if fits.mean() < 0.9:
            out.append(f"{shown}: only {fits.mean():.0%} of members fit")
        if int(fits.sum()) != row.fit_customers:
            out.append(f"{shown}: says {row.fit_customers} fit, the words give {int(fits.sum())}")
        if matched == 0 and not name.startswith("Mixed customers"):
            out.append(f"{shown}: a word the test does not know")
        if name in RFM_SEGMENTS or name.startswith(tuple(f"{s} " for s in RFM_SEGMENTS)):
            out.append(f"{shown}: a name of the RFM grid, which means something else")
    return out


def _figure(pattern: str, sentence: str) -> float | None:
    found = re.search(pattern, sentence)
    return float(found.group(1).replace(",", "")) if found else None


def _sentence_violations(features: pd.DataFrame, result: sg.Segmentation) -> list[str]:
    """Segments whose "typical customer" sentence contradicts its name or itself."""
    from recsys.segments.profile import segment_profile
    from ui.figures.segments import describe_segment

    profile = segment_profile(features, result.assignments).set_index("segment")
    everyone = describe_segment(profile.loc[0])
    days, orders, spent = r"last ordered ([\d,]+) days? ago", r"([\d,]+) orders of", r"£([\d,]+) spent in all"
    out = []
    for _, row in profile.drop(index=0).iterrows():
        name, said = str(row["segment_name"]), describe_segment(row)
        shown = f"{name!r}: {said!r} (all customers: {everyone!r})"
        checks = [
            ("every 0 days" not in said, "says every 0 days"),
            ("a single order" not in said or not re.search(r"every|in all|a year", said),
             "a single order with a rhythm or a total"),
        ]
        for pattern, word_more, word_less in ((days, "Lapsed", "Recent"), (orders, "repeat", None),
                                              (spent, "high spenders", "low spenders")):
            mine, theirs = _figure(pattern, said), _figure(pattern, everyone)
            if mine is None or theirs is None:
                continue
            if re.search(rf"\b{word_more}\b", name, flags=re.I):
                checks.append((mine >= theirs, f"{word_more} but {mine:,.0f} < {theirs:,.0f}"))
            if word_less and re.search(rf"\b{word_less}\b", name, flags=re.I):
                checks.append((mine <= theirs, f"{word_less} but {mine:,.0f} > {theirs:,.0f}"))
        if re.search(r"\bone-order\b", name, flags=re.I):
            checks.append(("a single order" in said, "one-order but not a single order"))
        if re.search(r"\brepeat\b", name, flags=re.I):
            checks.append(("a single order" not in said, "repeat but a single order"))
        out += [f"{shown}: {problem}" for ok, problem in checks if not ok]
    return out


def _check_every_k(features: pd.DataFrame, feature_set: str) -> dict:
    prepared = sg.prepare_features(features, feature_set=feature_set)
    sweep = ksweep.sweep_k(prepared, random_state=0)
    problems = {}
    for k in range(2, 13):
        result = sg.segment_customers(features, k=k, feature_set=feature_set, prepared=prepared,
                                      labels=sweep.labels[k])
        assert result.summary["segment_name"].is_unique
        assert result.summary["description"].str.len().gt(0).all()
        assert (result.summary["fit_share"] >= naming.MIN_FIT).all()
        found = _name_violations(features, result) + _sentence_violations(features, result)
        if found:
            problems[k] = found
    return problems


@pytest.mark.parametrize("data", ["synthetic_dataset", "sample_dataset"])
@pytest.mark.parametrize("feature_set", ["rfm_behaviour", "rfm"])
def test_segment_names_true_of_members_for_every_k(request, data, feature_set):
    features = F.customer_features(request.getfixturevalue(data))
    assert not _check_every_k(features, feature_set)


@pytest.mark.real_data
def test_segment_names_true_of_members_for_every_k_on_real_data(real_dataset):
    from recsys.data.categories import dataset_categories

    features = F.customer_features(real_dataset, products=dataset_categories(real_dataset))
    assert not _check_every_k(features, "rfm_behaviour")


@pytest.mark.real_data
def test_cancellations_segment_is_named_by_its_cancellations(real_dataset):
    # The "Need attention" segment at k = 5: every member has cancelled orders, and
    # cancellations set it apart most (the darkest cell of the profile heatmap).
    from recsys.data.categories import dataset_categories

    features = F.customer_features(real_dataset, products=dataset_categories(real_dataset))
    result = sg.segment_customers(features, k=5)
    row = result.summary.set_index("segment_name").filter(like="who cancel orders", axis=0)
    assert len(row) == 1
    assert row["trait"].iloc[0] == F.CANCELLATION_RATE
    assert row["fit_share"].iloc[0] >= 0.99


@pytest.mark.real_data
def test_customer_17850_is_not_called_recent(real_dataset):
    # Last bought 373 days before the end of the data, and was named "Champions (bought recently…)".
    from recsys.data.categories import dataset_categories

    features = F.customer_features(real_dataset, products=dataset_categories(real_dataset))
    result = sg.segment_customers(features, k=5)
    name = result.assignments.set_index("customer_id").loc["17850", "segment_name"]
    fits = member_fit(features, result.assignments, result.claims)
    assert features.loc["17850", F.RECENCY_DAYS] > 300
    assert not name.startswith("Recent") or not fits["17850"]
