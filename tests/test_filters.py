"""Tests of recsys.data.filters.countries_by_lines (line filters and date ranges are tested
with the pages that use them, in test_trends and test_baskets)."""

from __future__ import annotations

import pandas as pd

from recsys.data import schema as S
from recsys.data.filters import countries_by_lines


def test_countries_by_lines_most_lines_first():
    tx = pd.DataFrame({S.COUNTRY: pd.array(["France", "United Kingdom", "France", None, "EIRE",
                                            "United Kingdom", "United Kingdom"], dtype="string")})
    assert countries_by_lines(tx) == ["United Kingdom", "France", "EIRE"]


def test_countries_by_lines_without_a_country_column():
    assert countries_by_lines(pd.DataFrame({S.PRODUCT_ID: ["a"]})) == []
