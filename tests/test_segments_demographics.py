"""Demographics as segmentation features (a switch, off by default) and segment mixes."""

from __future__ import annotations

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import DataError
from recsys.segments.demographics import (
    demographic_attributes,
    demographic_columns,
    demographic_mix,
    with_demographics,
)
from recsys.segments.features import customer_features
from recsys.segments.kmeans import (
    DEFAULT_FEATURE_SET,
    DEMOGRAPHICS_SET,
    feature_columns,
    prepare_features,
    segment_customers,
)

CUSTOMERS = pd.DataFrame({
    S.CUSTOMER_ID: ["a", "b", "c", "d"],
    S.AGE: ["45-54", 30, None, "65+"],
    S.INCOME: ["50-74K", "Under 15K", "150K+", "Unknown"],
    S.GENDER: ["F", "M", "F", None],
})
FEATURES = pd.DataFrame({"monetary": [1.0, 2.0, 3.0, 4.0]},
                        index=pd.Index(["a", "b", "c", "d"], name=S.CUSTOMER_ID))


def test_with_demographics_adds_middles_and_medians():
    out = with_demographics(FEATURES, CUSTOMERS)
    assert demographic_columns(out) == ["demographic__age", "demographic__income"]
    assert out["demographic__age"].tolist() == [49.5, 30.0, 49.5, 81.25]  # c: the median
    assert out["demographic__income"].tolist()[:3] == [62_000.0, 7_500.0, 187_500.0]
    assert list(FEATURES.columns) == ["monetary"]  # input unchanged


def test_demographic_attributes_need_half_the_customers_known():
    sparse = CUSTOMERS.assign(**{S.INCOME: [None, None, None, "50-74K"]})
    assert demographic_attributes(sparse) == [S.AGE]
    assert demographic_attributes(None) == []


def test_demographic_mix_by_hand():
    assignments = pd.DataFrame({S.CUSTOMER_ID: ["a", "b", "c", "d"], S.SEGMENT: [1, 1, 2, 2],
                                S.SEGMENT_NAME: ["Loyal", "Loyal", "New", "New"]})
    mix = demographic_mix(assignments, CUSTOMERS, S.INCOME)
    one = mix[mix[S.SEGMENT] == 1].set_index("band")["share"]
    assert list(one.index) == ["Under 15K", "50-74K", "150K+", "Unknown"]
    assert one.tolist() == [0.5, 0.5, 0.0, 0.0]
    two = mix[mix[S.SEGMENT] == 2].set_index("band")
    assert two.loc["150K+", "customers"] == 1 and two.loc["Unknown", "customers"] == 1
    assert set(mix[S.SEGMENT_NAME]) == {"Loyal", "New"} and len(mix) == 8
    gender = demographic_mix(assignments, CUSTOMERS, S.GENDER)
    assert gender[gender[S.SEGMENT] == 2].set_index("band")["share"].to_dict() == {
        "F": 0.5, "M": 0.0, "Unknown": 0.5}


def test_demographics_switch_off_by_default(sample_dataset):
    features = customer_features(sample_dataset)
    assert DEFAULT_FEATURE_SET != DEMOGRAPHICS_SET
    joined = with_demographics(features, sample_dataset.customers)
    assert not demographic_columns(pd.DataFrame(columns=feature_columns(joined)))
    used = feature_columns(joined, feature_set=DEMOGRAPHICS_SET)
    assert [c for c in used if c.startswith("demographic__")] == [
        "demographic__age", "demographic__income", "demographic__household"]
    with pytest.raises(DataError, match="needs customer ages, incomes or household sizes"):
        feature_columns(features, feature_set=DEMOGRAPHICS_SET)


def test_demographics_change_the_segments(sample_dataset):
    features = customer_features(sample_dataset)
    joined = with_demographics(features, sample_dataset.customers)
    plain = segment_customers(features, k=4, random_state=0)
    with_demo = segment_customers(features, k=4, feature_set=DEMOGRAPHICS_SET, random_state=0,
                                  prepared=prepare_features(joined, feature_set=DEMOGRAPHICS_SET))
    assert len(with_demo.assignments) == len(plain.assignments)
    assert "demographic__income" in with_demo.centers.columns
    assert not (plain.assignments[S.SEGMENT].to_numpy()
                == with_demo.assignments[S.SEGMENT].to_numpy()).all()
