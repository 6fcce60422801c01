"""Segment names agree with the segment's typical (median) figures, for every k."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.segments import features as F
from recsys.segments import kmeans as sg
from recsys.segments import ksweep, naming


def _standing(rows: list[tuple[float, float, float, int, int, int, int]]) -> pd.DataFrame:
    columns = [naming.R_SCORE, naming.F_SCORE, naming.M_SCORE, naming.R_SIDE, naming.F_SIDE, naming.M_SIDE,
               naming.T_SIDE]
    return pd.DataFrame(rows, columns=columns, index=range(1, len(rows) + 1))


def test_segment_standing_hand_computed():
    # Six customers, two segments; population medians: recency 25, frequency 2.5, spend 35, tenure 45.
    recency = pd.Series([5.0, 10, 20, 30, 40, 50])
    frequency = pd.Series([5, 4, 3, 2, 1, 1])
    monetary = pd.Series([100.0, 80, 60, 10, 5, 1])
    tenure = pd.Series([90.0, 80, 70, 30, 40, 50])
    standing = naming.segment_standing(recency, frequency, monetary, tenure, np.array([1, 1, 1, 2, 2, 2]))
    # Segment 1: medians recency 10, frequency 4, spend 80 -> 4 of 6 customers less recent,
    # 4 buy less often, 4 spend less: position 4/6 + half of its own tie (1/6) = 0.75.
    assert standing.loc[1, [naming.R_SCORE, naming.F_SCORE, naming.M_SCORE]].tolist() == pytest.approx([0.75] * 3)
    assert standing.loc[1, [naming.R_SIDE, naming.F_SIDE, naming.M_SIDE, naming.T_SIDE]].tolist() == [1, 1, 1, 1]
    # Segment 2: medians recency 40, frequency 1 (tied with one other: 0 below, 2 at -> 1/6), spend 5.
    assert standing.loc[2, naming.F_SCORE] == pytest.approx(1 / 6)
    assert standing.loc[2, [naming.R_SIDE, naming.F_SIDE, naming.M_SIDE, naming.T_SIDE]].tolist() == [-1, -1, -1, -1]


def test_name_segments_known_answers():
    named = naming.name_segments(
        _standing(
            [
                (0.9, 0.9, 0.9, 1, 1, 1, 1),  # recent, frequent, big spend
                (0.1, 0.1, 0.1, -1, -1, -1, -1),  # longest gone, one order, little spend
                (0.2, 0.85, 0.85, -1, 1, 1, 1),  # frequent big spenders, not lately
                (0.88, 0.15, 0.2, 1, -1, -1, -1),  # very recent first-timers
            ]
        )
    )
    assert named[naming.NAME].tolist() == ["Champions", "Lost", "Can't lose them", "New customers"]
    assert named[naming.DESCRIPTION].str.len().gt(0).all()


def test_name_segments_falls_back_to_a_plain_name_when_no_classic_name_fits():
    # Recent frequent customers who spend less than the median: Champions and Loyal need
    # high spend, Promising and New need low frequency; only Potential loyalists fits, and
    # only one segment can have it.
    named = naming.name_segments(_standing([(0.8, 0.8, 0.3, 1, 1, -1, 1), (0.8, 0.8, 0.3, 1, 1, -1, 1)]))
    assert named[naming.NAME].tolist() == ["Potential loyalists", "Recent frequent low spenders"]
    assert "more recently" in named[naming.DESCRIPTION].iloc[1]


def test_name_segments_unique_beyond_the_vocabulary():
    many = _standing([(0.9, 0.9, 0.9, 1, 1, 1, 1)] * 15)
    names = naming.name_segments(many)[naming.NAME]
    assert names.is_unique and len(names) == 15
    assert "Champions" in set(names)


def _position(values: pd.Series, value: float) -> float:
    """Share of customers below ``value``, ties counting half."""
    return float(((values < value).sum() + (values <= value).sum()) / 2 / len(values))


def _violations(features: pd.DataFrame, assignments: pd.DataFrame) -> list[str]:
    """Every way a segment's name contradicts its members' median figures (empty = consistent)."""
    seg = assignments.set_index("customer_id").reindex(features.index.astype(str))
    frame = features.assign(segment=seg["segment"].to_numpy(), name=seg["segment_name"].to_numpy())
    pop = frame[[F.RECENCY_DAYS, F.FREQUENCY, F.MONETARY, F.TENURE_DAYS]].median()
    out = []
    lapsing = {}
    for name, members in frame.groupby("name"):
        med = members[[F.RECENCY_DAYS, F.FREQUENCY, F.MONETARY, F.TENURE_DAYS]].median()
        recent = med[F.RECENCY_DAYS] < pop[F.RECENCY_DAYS]
        lapsed = med[F.RECENCY_DAYS] > pop[F.RECENCY_DAYS]
        frequent = med[F.FREQUENCY] > pop[F.FREQUENCY]
        high = med[F.MONETARY] > pop[F.MONETARY]
        low_f = med[F.FREQUENCY] <= pop[F.FREQUENCY]
        low_m = med[F.MONETARY] <= pop[F.MONETARY]
        r_pos = 1 - _position(frame[F.RECENCY_DAYS], med[F.RECENCY_DAYS])
        positions = [r_pos, _position(frame[F.FREQUENCY], med[F.FREQUENCY]),
                     _position(frame[F.MONETARY], med[F.MONETARY])]
        required = {
            "Champions": recent and frequent and high,
            "Loyal": frequent and high and r_pos >= 0.4,
            "Can't lose them": lapsed and frequent and high,
            "At risk": lapsed and high,
            "Big spenders": high and low_f and positions[2] >= 0.75,
            "Potential loyalists": recent,
            "Need attention": all(0.3 <= p < 0.7 for p in positions),
            "Promising": recent and low_f and low_m,
            "New customers": recent and low_f and r_pos >= 0.65 and med[F.TENURE_DAYS] < pop[F.TENURE_DAYS],
            "About to sleep": lapsed and low_f and 0.25 <= r_pos < 0.5,
            "Hibernating": lapsed and low_f and low_m,
            "Lost": lapsed and low_f and low_m and r_pos < 0.25,
        }
        if name in required:
            ok = required[name]
            if name in ("About to sleep", "Lost"):
                lapsing[name] = med[F.RECENCY_DAYS]
        else:
            words = str(name).split(" (")[0].split()
            ok = ("Recent" not in words or recent) and ("Lapsed" not in words or lapsed)
            ok = ok and ("high" not in words or high) and ("low" not in words or med[F.MONETARY] < pop[F.MONETARY])
            ok = ok and ("frequent" not in words or frequent)
            ok = ok and ("occasional" not in words or med[F.FREQUENCY] < pop[F.FREQUENCY])
        if not ok:
            out.append(f"{name}: median recency {med[F.RECENCY_DAYS]:g} (all {pop[F.RECENCY_DAYS]:g}), "
                       f"frequency {med[F.FREQUENCY]:g} ({pop[F.FREQUENCY]:g}), "
                       f"spend {med[F.MONETARY]:.2f} ({pop[F.MONETARY]:.2f})")
    if len(lapsing) == 2 and not lapsing["Lost"] > lapsing["About to sleep"]:
        out.append(f"Lost and About to sleep: median recency {lapsing['Lost']:g} vs {lapsing['About to sleep']:g}")
    return out


@pytest.mark.parametrize("data", ["synthetic_dataset", "sample_dataset"])
@pytest.mark.parametrize("feature_set", ["rfm_behaviour", "rfm"])
def test_segment_names_agree_with_member_medians_for_every_k(request, data, feature_set):
    features = F.customer_features(request.getfixturevalue(data))
    prepared = sg.prepare_features(features, feature_set=feature_set)
    sweep = ksweep.sweep_k(prepared, random_state=0)
    problems = {}
    for k in range(2, 13):
        result = sg.segment_customers(features, k=k, feature_set=feature_set, prepared=prepared,
                                      labels=sweep.labels[k])
        assert result.summary["segment_name"].is_unique
        assert result.summary["description"].str.len().gt(0).all()
        found = _violations(features, result.assignments)
        if found:
            problems[k] = found
    assert not problems


def test_segment_customers_summary_scores_are_member_median_positions(synthetic_dataset):
    features = F.customer_features(synthetic_dataset)
    result = sg.segment_customers(features, k=4, feature_set="rfm")
    members = result.assignments.set_index("customer_id")["segment"].reindex(features.index.astype(str))
    for row in result.summary.itertuples():
        spend = features.loc[(members == row.segment).to_numpy(), F.MONETARY].median()
        assert row.m_score == pytest.approx(_position(features[F.MONETARY], spend))
