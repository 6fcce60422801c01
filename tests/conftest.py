"""Shared fixtures: the bundled sample, one seeded synthetic shop, the real data file."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data"
REAL_DATA = ROOT.parent / "shared" / "data" / "online_retail.parquet"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """Folder of the bundled sample shop (canonical CSVs)."""
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def sample_dataset(sample_dir):
    """The bundled sample loaded and cleaned (a :class:`recsys.Dataset`)."""
    from recsys.data.load import load_dataset

    return load_dataset(sample_dir)


@pytest.fixture(scope="session")
def synthetic_shop():
    """One seeded generated shop (``recsys.synth.shop.GeneratedShop``), 800 customers."""
    from recsys.synth.shop import generate_shop

    return generate_shop(n_customers=800, seed=11)


@pytest.fixture(scope="session")
def synthetic_dataset(synthetic_shop):
    """The seeded generated shop as a cleaned :class:`recsys.Dataset`."""
    return synthetic_shop.to_dataset()


@pytest.fixture(scope="session")
def real_data_path() -> Path:
    """Path of the real Online Retail file; skips the test where it is absent."""
    if not REAL_DATA.exists():
        pytest.skip(f"real data set not found at {REAL_DATA} (kept outside the repository)")
    return REAL_DATA


@pytest.fixture(scope="session")
def real_dataset(real_data_path):
    """The real Online Retail file loaded and cleaned (read once per test session)."""
    from recsys.data.load import load_dataset

    return load_dataset(real_data_path)
