"""Service fixtures: a running service on the bundled sample (one per module)."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the service extras are not installed (make test installs them)")

from .server import ROOT, ServiceProcess  # noqa: E402


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """The service on the bundled sample, CORS allowing https://shop.example.com."""
    state = tmp_path_factory.mktemp("service") / "state"
    proc = ServiceProcess(ROOT / "data", state,
                          env={"RECSYS_CORS_ORIGINS": "https://shop.example.com"}).start()
    proc.wait_precomputed()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def sample_customers():
    """Customer ids of the bundled sample with purchases, in data order."""
    import pandas as pd

    tx = pd.read_csv(ROOT / "data" / "transactions.csv", dtype=str)
    return list(dict.fromkeys(tx["customer_id"].dropna()))
