"""The dashboard in Chromium: each page's first view, and moves of the k slider, as a marketer sees them.

Run: ``python -m benchmarks.bench_browser [--data PATH] [--artifacts DIR]``. Starts
``streamlit run app.py`` on a free port with ``RECSYS_DATA=PATH`` (default: the real file in
``../shared/data``) and ``RECSYS_ARTIFACTS=DIR`` (default: a folder under
``$RECSYS_BENCH_DIR``), then in Debian's headless Chromium (Playwright):

1. ``prepare``: the first opening of the file, which runs the pipeline once (progress bar)
   when the folder holds no artifacts yet;
2. ``restart``: the server is stopped and started again (nothing in memory); every page is
   then opened in a new browser session, and timed from navigation until the page has
   settled: the script has stopped, the status widget is gone and every Plotly chart on the
   page has drawn its SVG;
3. ``k moves``: on the Segments page, k set to 2, 3, …, 12 through the sidebar slider (arrow
   keys), each timed until settled with its charts drawn;
4. the bytes the browser received over the WebSocket per page view (Plotly payloads).

Figures vary with the machine's load (printed beside them); the targets (issue 13) are
first view <= 2 s per page and a k move <= 1 s on the real file.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "online_retail.parquet"
PAGES = ("", "segments", "segment_explorer", "customer", "trends", "baskets", "evaluation", "data")
CHARTS_DRAWN = """() => {
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  for (const c of charts) { if (!c.querySelector('.main-svg')) return false; }
  const root = document.querySelector('[data-testid="stApp"]');
  return root && root.getAttribute('data-test-script-state') === 'notRunning'
      && !document.querySelector('[data-testid="stStatusWidget"]');
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data: Path, artifacts: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "RECSYS_DATA": str(data), "RECSYS_ARTIFACTS": str(artifacts)}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    import urllib.request

    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("streamlit did not start")


def _settle(page, timeout: float = 600_000) -> None:
    page.wait_for_selector('[data-testid="stMain"]', state="visible", timeout=timeout)
    page.wait_for_timeout(150)
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout, polling=50)
    page.wait_for_timeout(150)
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout, polling=50)


def _received(page) -> list[int]:
    sizes: list[int] = []

    def on_socket(ws):
        ws.on("framereceived", lambda payload: sizes.append(len(payload)))

    page.on("websocket", on_socket)
    return sizes


def main(argv: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REAL_DATA))
    parser.add_argument("--artifacts", default=None)
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not data.exists():
        print(f"skipped: {data} not found")
        return
    artifacts = Path(args.artifacts or Path(os.environ.get("RECSYS_BENCH_DIR", "/tmp/recsys-bench")) / "app-artifacts")
    load = lambda: open("/proc/loadavg").read().split()[0]  # noqa: E731
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        port = _free_port()
        server = _start(data, artifacts, port)
        url = f"http://127.0.0.1:{port}"
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            start = time.perf_counter()
            page.goto(url)
            _settle(page)
            print(f"prepare (first opening of the file, load {load()}): {time.perf_counter() - start:.1f} s")
            page.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
        port = _free_port()
        server = _start(data, artifacts, port)
        url = f"http://127.0.0.1:{port}"
        rows = []
        try:
            for path in PAGES:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                sizes = _received(page)
                start = time.perf_counter()
                page.goto(f"{url}/{path}")
                _settle(page)
                rows.append((path or "overview", time.perf_counter() - start, sum(sizes), load()))
                print(f"{rows[-1][0]}: first view {rows[-1][1]:.2f} s, {rows[-1][2] / 1e6:.2f} MB "
                      f"received (load {rows[-1][3]})", flush=True)
                context.close()
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(f"{url}/segments?k=2")
            _settle(page)
            slider = page.locator('[data-testid="stSidebar"] [role="slider"]').first
            moves = []
            for k in range(3, 13):
                sizes = _received(page)
                slider.focus()
                start = time.perf_counter()
                page.keyboard.press("ArrowRight")
                page.wait_for_timeout(100)
                _settle(page)
                moves.append((k, time.perf_counter() - start, sum(sizes)))
            context.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
        browser.close()
    print(f"\nAfter a restart of the server, {data.name}:\n")
    print("| Page | First view in Chromium | Received | Load avg |")
    print("|---|---|---|---|")
    for name, seconds, size, avg in rows:
        print(f"| {name} | {seconds:.2f} s | {size / 1e6:.2f} MB | {avg} |")
    print("\n| k move on Segments | Until settled, charts drawn | Received |")
    print("|---|---|---|")
    for k, seconds, size in moves:
        print(f"| {k - 1} → {k} | {seconds:.2f} s | {size / 1e6:.2f} MB |")


if __name__ == "__main__":
    main()
