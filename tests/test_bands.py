"""Customer attributes as numbers or bands: bounds, middles, order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data.bands import AGE_BANDS, attribute_values, band_categories, band_values, read_band


@pytest.mark.parametrize(("text", "band"), [
    ("45", (45.0, 45.0)), (45, (45.0, 45.0)), ("45-54", (45.0, 54.0)), ("45 – 54", (45.0, 54.0)),
    ("45 to 54", (45.0, 54.0)), ("50-74K", (50_000.0, 74_000.0)), ("15K-24K", (15_000.0, 24_000.0)),
    ("$50,000-$74,999", (50_000.0, 74_999.0)), ("£1m+", (1e6, np.inf)),
    ("Under 15K", (0.0, 15_000.0)), ("<15k", (0.0, 15_000.0)), ("Less than 25", (0.0, 25.0)),
    ("150K+", (150_000.0, np.inf)), ("65+", (65.0, np.inf)), ("65 and over", (65.0, np.inf)),
    ("Over 65", (65.0, np.inf)), ("5+", (5.0, np.inf)), ("1 250", (1250.0, 1250.0)),
    ("65+ years", (65.0, np.inf)), ("18 bis 24", (18.0, 24.0)), ("unter 15K", (0.0, 15_000.0)),
    ("über 65", (65.0, np.inf)), ("Moins de 25 ans", (0.0, 25.0)), ("Plus de 65 ans", (65.0, np.inf)),
    ("18 à 24", (18.0, 24.0)), ("Más de 65", (65.0, np.inf)),
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


def test_attribute_values_keeps_numbers_as_numbers():
    values = pd.Series(["34", " 51 ", "", None, "29"])
    read = attribute_values(values)
    assert read.dtype == np.float64
    assert read.iloc[[0, 1, 4]].tolist() == [34.0, 51.0, 29.0]
    assert read.iloc[[2, 3]].isna().all()
    assert values.tolist() == ["34", " 51 ", "", None, "29"]  # input unchanged


def test_attribute_values_orders_bands_by_lower_bound_then_unknown_text():
    values = pd.Series(["250K+", "Under 15K", "15-24K", "Unknown", "100-149K", None])
    read = attribute_values(values)
    assert read.cat.ordered
    assert list(read.cat.categories) == ["Under 15K", "15-24K", "100-149K", "250K+", "Unknown"]
    assert pd.isna(read.iloc[5])


def test_attribute_values_reads_ranges_as_bands_even_when_mostly_numbers():
    # "45-54" is a band, not the number 45 followed by noise: one band keeps the column banded
    read = attribute_values(pd.Series(["31", "40", "45-54", "62", "38", "29", "33", "41", "50", "36"]))
    assert isinstance(read.dtype, pd.CategoricalDtype)
    assert list(read.cat.categories)[:2] == ["29", "31"]
