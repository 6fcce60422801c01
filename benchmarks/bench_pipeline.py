"""The batch pipeline (local engine) on generated shops of about 1, 3 and 10 million lines.

Run: ``python -m benchmarks.bench_pipeline [--sizes 1m,3m,10m] [--steps LIST]``. Each shop
is generated once (seeded, canonical CSVs, 2,000 products) into ``$RECSYS_BENCH_DIR``
(default ``/tmp/recsys-bench``) and kept for the next run. Then, each in a fresh process:

- ``first run``: ``python -m recsys pipeline SHOP --out ART`` from the CSV (import, clean,
  store, every step);
- ``again``: the same command once more (the store is reused: no CSV is read);
- ``open store``: what the dashboard pays to open the shop from the store
  (:func:`recsys.pipeline.store.read_store`).

Wall time, CPU time and the peak resident set size of the process (``ru_maxrss`` of the
child, interpreter and libraries included) are printed in total, wall and CPU seconds per
step (the manifest's ``timings`` and ``cpu_timings``), with the load average before and
after: on a shared machine wall > CPU means the process waited for a core. ``--first-only``
skips the second run and the opening of the store.

With ``--pages`` the artifacts go where the dashboard looks for them and every page is
opened once on them in a fresh process (AppTest: the server's time, not the browser's).

Targets (issue 13, 2-core machine): the 10M-line shop through the whole pipeline in
<= 3 minutes and <= 3 GB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"1m": 20_000, "3m": 60_000, "10m": 200_000}
"""Customers per shop size (about 53 lines each)."""
PRODUCTS = 2000


def bench_dir() -> Path:
    return Path(os.environ.get("RECSYS_BENCH_DIR", "/tmp/recsys-bench"))


def _measured(args: list[str]) -> tuple[float, float, float, str]:
    """Run ``python args`` in a fresh process; return wall s, CPU s, peak RSS MB (``wait4``
    on the child: its own figures) and its standard output."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"{' '.join(args)} failed with status {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def shop(size: str) -> Path:
    """Return the folder of the generated shop of ``size`` (generated on first use)."""
    folder = bench_dir() / f"shop-{size}"
    if not (folder / "transactions.csv").exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating the {size} shop in {folder} (once)…", flush=True)
        _measured(["-m", "recsys", "generate", "--out", str(folder), "--customers",
                   str(SIZES[size]), "--seed", "13", "--products", str(PRODUCTS)])
    return folder


_OPEN = """
import sys, time
from recsys.pipeline.store import read_store
t = time.perf_counter(); d = read_store(sys.argv[1])
print(f"{time.perf_counter() - t:.3f} {len(d.transactions)}")
"""


_PAGES = """
import json, os, sys, time
from pathlib import Path
from streamlit.testing.v1 import AppTest
out = {}
t = time.perf_counter(); c = time.process_time()
app = AppTest.from_file(os.path.join(os.getcwd(), "app.py"), default_timeout=600)  # cwd: the repository
app.run()
out["app.py (open the shop from its store)"] = (time.perf_counter() - t, time.process_time() - c,
                                                 [str(e.value)[:200] for e in app.exception])
for page in sys.argv[1:]:
    t = time.perf_counter(); c = time.process_time()
    app.switch_page(page).run()
    out[page] = (time.perf_counter() - t, time.process_time() - c,
                 [str(e.value)[:200] for e in app.exception])
print(json.dumps(out))
"""
PAGES = ("pages/overview.py", "pages/data.py", "pages/segments.py", "pages/segment_explorer.py",
         "pages/segment_movement.py", "pages/trends.py", "pages/baskets.py", "pages/customer.py",
         "pages/audiences.py", "pages/evaluation.py", "pages/customer_value.py", "pages/cohorts.py",
         "pages/reviews.py")
"""Pages opened (AppTest, server time) on the artifacts of a shop with ``--pages``."""


def page_times(shop_folder: Path, home: Path) -> dict[str, tuple[float, float, list[str]]]:
    """Open the app on ``shop_folder`` with its artifacts under ``home``, then every page once,
    in a fresh process (AppTest: server time, not the browser's drawing); return
    ``{page: (wall s, CPU s, exceptions)}``."""
    env = {**os.environ, "RECSYS_DATA": str(shop_folder.resolve()), "RECSYS_ARTIFACTS": str(home.resolve())}
    proc = subprocess.run([sys.executable, "-c", _PAGES, *PAGES], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1m,3m,10m")
    parser.add_argument("--steps", default=None, help="pipeline --steps (default: all)")
    parser.add_argument("--pages", action="store_true",
                        help="write the artifacts where the dashboard looks for them and open "
                             "every page on them (AppTest server time)")
    parser.add_argument("--first-only", action="store_true",
                        help="only the first run (no second run, no opening of the store)")
    args = parser.parse_args(argv)
    rows = []
    for size in [s.strip().lower() for s in args.sizes.split(",") if s.strip()]:
        folder = shop(size)
        out = bench_dir() / f"artifacts-{size}"
        if args.pages:  # where the dashboard looks: $RECSYS_ARTIFACTS/<fingerprint of the source>
            from recsys.pipeline.store import source_fingerprint

            out = bench_dir() / f"home-{size}" / source_fingerprint(folder)
            out.parent.mkdir(parents=True, exist_ok=True)
        command = ["-m", "recsys", "pipeline", str(folder), "--out", str(out)]
        if args.steps:
            command += ["--steps", args.steps]
        if out.exists():
            import shutil

            shutil.rmtree(out)
        before = _load()
        wall, cpu, rss, _ = _measured(command)
        load = f"{before}–{_load()}"
        manifest = json.loads((out / "manifest.json").read_text())
        if args.first_only:
            again, again_rss, seconds, open_rss = float("nan"), float("nan"), "nan", float("nan")
            lines = manifest["store"]["rows"]["transactions"]
        else:
            again, _again_cpu, again_rss, _ = _measured(command)
            _opened, _, open_rss, text = _measured(["-c", _OPEN, str(out / "store")])
            seconds, lines = text.split()
        rows.append((size, int(lines), manifest, wall, cpu, rss, again, again_rss, float(seconds), open_rss, load))
        print(f"{size}: {int(lines):,} lines  first run {wall:.1f} s (CPU {cpu:.1f} s, peak {rss:,.0f} MB)  "
              f"again {again:.1f} s  open store {float(seconds):.2f} s  load {load}", flush=True)
        print("   steps (wall / CPU): " + _steps(manifest), flush=True)
        if args.pages:
            before = _load()
            for page, (seconds, cpu_s, errors) in page_times(folder, out.parent).items():
                print(f"   {page}: {seconds:.2f} s (CPU {cpu_s:.2f} s){' ERROR ' + str(errors) if errors else ''}",
                      flush=True)
            print(f"   pages opened at load {before}–{_load()}", flush=True)
    print()
    print("| Shop | Lines | First run (import + all steps) | CPU | Peak RSS | Again (store reused) | "
          "Open the store | Load avg |")
    print("|---|---|---|---|---|---|---|---|")
    for size, lines, _manifest, wall, cpu, rss, again, _again_rss, seconds, open_rss, load in rows:
        print(f"| {size} | {lines:,} | {wall:.0f} s | {cpu:.0f} s | {rss:,.0f} MB | {again:.0f} s | "
              f"{seconds:.1f} s ({open_rss:,.0f} MB) | {load} |")
    print()
    for size, _, manifest, *_ in rows:
        print(f"{size} steps (wall / CPU): " + _steps(manifest))


def _load() -> str:
    """The one-minute load average."""
    path = Path("/proc/loadavg")
    return path.read_text().split()[0] if path.exists() else "?"


def _steps(manifest: dict) -> str:
    cpu = manifest.get("cpu_timings", {})
    return ", ".join(f"{k} {v:.1f} / {cpu.get(k, float('nan')):.1f} s" for k, v in manifest["timings"].items())


if __name__ == "__main__":
    main()
