"""Customer attributes as numbers or bands: bounds, middles, order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data.bands import AGE_BANDS, band_categories, band_values, read_band


@pytest.mark.parametrize(("text", "band"), [
    ("45", (45.0, 45.0)), (45, (45.0, 45.0)), ("45-54", (45.0, 54.0)), ("45 – 54", (45.0, 54.0)),
    ("45 to 54", (45.0, 54.0)), ("50-74K", (50_000.0, 74_000.0)), ("15K-24K", (15_000.0, 24_000.0)),
    ("$50,000-$74,999", (50_000.0, 74_999.0)), ("£1m+", (1e6, np.inf)),
    ("Under 15K", (0.0, 15_000.0)), ("<15k", (0.0, 15_000.0)), ("Less than 25", (0.0, 25.0)),
    ("150K+", (150_000.0, np.inf)), ("65+", (65.0, np.inf)), ("65 and over", (65.0, np.inf)),
    ("Over 65", (65.0, np.inf)), ("5+", (5.0, np.inf)), ("1 250", (1250.0, 1250.0)),
])
def test_read_band_forms(text, band):
    assert read_band(text) == band


@pytest.mark.parametrize("text", ["Unknown", "", "  ", None, np.nan, "Single", "54-45", "2 Adults Kids"])
def test_read_band_unreadable_is_missing(text):
    assert read_band(text) is None


def test_band_values_middles_numbers_and_open_bands():
    values = band_values(pd.Series(["45-54", "Under 15K", "150K+", 30, "Unknown", None]))
    assert values[:4].tolist() == [49.5, 7_500.0, 187_500.0, 30.0]
    assert values[4:].isna().all()


def test_band_categories_ordered_by_bounds_not_text():
    values = pd.Series(["100-149K", "Under 15K", "25-34K", "150K+", "25-34K", None])
    bands = band_categories(values)
    assert bands.cat.ordered
    assert list(bands.cat.categories) == ["Under 15K", "25-34K", "100-149K", "150K+"]
    assert bands.tolist()[:4] == ["100-149K", "Under 15K", "25-34K", "150K+"]
    assert pd.isna(bands.iloc[5])


def test_band_categories_numbers_into_bins_or_their_own():
    ages = band_categories(pd.Series([19, 34, 35, 71, 45.5]), bins=AGE_BANDS)
    assert ages.tolist() == ["Under 25", "25-34", "35-44", "65+", "45-54"]
    sizes = band_categories(pd.Series(["1", "2", "5+", "3", "2"]))
    assert list(sizes.cat.categories) == ["1", "2", "3", "5+"]
    many = band_categories(pd.Series(np.arange(100.0)))
    assert len(many.cat.categories) == 4 and many.notna().all()
