"""Browser fixtures: the running app (``app_url``), a fresh Chromium page (``page``) and
the bundled sample's headline figures worked out with pandas (``sample_figures``).

The app runs once per test session on a free port with the bundled sample; each test gets
its own browser context (fresh session state). Helpers to wait for Streamlit are in
:mod:`tests.e2e.helpers`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SAMPLE_DIR

from .helpers import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90
EXPECT_TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy in {START_TIMEOUT_S} s:\n{log.read_text()}")


@contextlib.contextmanager
def running_app(folder: Path):
    """Run ``streamlit run app.py`` on the bundled sample on a free port; yield its URL."""
    port = _free_port()
    log = folder / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "RECSYS_DATA"}
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """URL of the app started with ``streamlit run app.py`` on the bundled sample."""
    with running_app(tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session (skips when it is not installed)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make browser) to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page in its own browser context (its own Streamlit session)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    # Generous: the first run of a page on a busy 2-core machine can take several seconds.
    # expect(...) retries for its own timeout (5 s unless set), so it gets the same.
    page.set_default_timeout(EXPECT_TIMEOUT_MS)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    yield page
    context.close()


def _day(stamp: pd.Timestamp) -> str:
    return f"{stamp.day} {stamp:%b %Y}"


def _net_quantities(kept: pd.DataFrame, cancellations: pd.DataFrame) -> pd.Series:
    """Quantity of each kept line once the cancellations are matched to it.

    A cancellation cancels the same customer's purchases of the same product made at or
    before it, the latest first, and never more than was bought.
    """
    net = kept["quantity"].astype(int).copy()
    when = pd.to_datetime(kept["invoice_date"])
    for _, c in cancellations.sort_values("invoice_date", kind="stable").iterrows():
        need = abs(int(c["quantity"]))
        same = kept.index[(kept["customer_id"] == c["customer_id"])
                          & (kept["product_id"] == c["product_id"])
                          & (when <= pd.Timestamp(c["invoice_date"]))]
        for line in reversed(same):  # the latest purchase first (file order on a tie)
            take = min(net[line], need)
            net[line] -= take
            need -= take
    return net


@pytest.fixture(scope="session")
def sample_figures() -> dict[str, str]:
    """The Overview's headline figures of the bundled sample, worked out here with pandas.

    Straight from ``data/*.csv`` by the data contract's rules, not through ``recsys``:
    a line is kept unless its invoice is a cancellation ("C…"), its quantity or price is
    not positive or it repeats an earlier line exactly (the sample sells stock codes only:
    no postage or fee lines to set aside). Figures are net of cancellations: each one
    cancels the same customer's latest purchases of its product at or before it; a line
    cancelled in full is no sale, no order and no buyer; the value cancelled is the
    cancelled units at the purchases' prices.
    """
    raw = pd.read_csv(SAMPLE_DIR / "transactions.csv", dtype=str, keep_default_na=False,
                      na_values=[""])
    assert raw["product_id"].str.match(r"\d{5}").all()
    quantity = raw["quantity"].astype(int)
    price = raw["unit_price"].astype(float)
    cancelled = raw["invoice_id"].str.startswith("C")
    kept = raw[~cancelled & (quantity > 0) & (price > 0) & ~raw.duplicated()]
    net_quantity = _net_quantities(kept, raw[cancelled])
    sold = kept[net_quantity > 0]
    units = net_quantity[net_quantity > 0]
    revenue = (units * sold["unit_price"].astype(float)).sum()
    value_cancelled = ((kept["quantity"].astype(int) - net_quantity) * kept["unit_price"].astype(float)).sum()
    invoices = sold["invoice_id"].nunique()
    dates = pd.to_datetime(kept["invoice_date"], format="%Y-%m-%d %H:%M:%S")
    buyers = set(kept["customer_id"].dropna())
    registered = set(pd.read_csv(SAMPLE_DIR / "customers.csv", dtype=str)["customer_id"])
    return {
        "Customers": f"{sold['customer_id'].nunique():,}",
        "Invoices": f"{invoices:,}",
        "Revenue": f"£{revenue:,.0f}",
        "Average order value": f"£{revenue / invoices:,.2f}",
        "Products sold": f"{sold['product_id'].nunique():,}",
        "Units sold": f"{units.sum():,}",
        "Countries": f"{sold['country'].nunique():,}",
        "Cancelled": f"£{value_cancelled:,.0f}",
        "Date range": f"{_day(dates.min())} – {_day(dates.max())}",
        "lines kept": f"{len(kept):,} of {len(raw):,} lines kept",
        "customers": f"{len(buyers):,} customers with purchases + {len(registered - buyers):,} registered "
                     "without a purchase",
    }
