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
child, interpreter and libraries included) are printed per step and in total, with the
load average: on a shared machine wall > CPU means the process waited for a core.

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1m,3m,10m")
    parser.add_argument("--steps", default=None, help="pipeline --steps (default: all)")
    args = parser.parse_args(argv)
    rows = []
    for size in [s.strip().lower() for s in args.sizes.split(",") if s.strip()]:
        folder = shop(size)
        out = bench_dir() / f"artifacts-{size}"
        command = ["-m", "recsys", "pipeline", str(folder), "--out", str(out)]
        if args.steps:
            command += ["--steps", args.steps]
        if out.exists():
            import shutil

            shutil.rmtree(out)
        load = open("/proc/loadavg").read().split()[0] if Path("/proc/loadavg").exists() else "?"
        wall, cpu, rss, _ = _measured(command)
        manifest = json.loads((out / "manifest.json").read_text())
        again, again_cpu, again_rss, _ = _measured(command)
        opened, _, open_rss, text = _measured(["-c", _OPEN, str(out / "store")])
        seconds, lines = text.split()
        rows.append((size, int(lines), manifest, wall, cpu, rss, again, again_rss, float(seconds), open_rss, load))
        print(f"{size}: {int(lines):,} lines  first run {wall:.1f} s (CPU {cpu:.1f} s, peak {rss:,.0f} MB)  "
              f"again {again:.1f} s  open store {float(seconds):.2f} s  load {load}", flush=True)
        print("   steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in manifest["timings"].items()), flush=True)
    print()
    print("| Shop | Lines | First run (import + all steps) | CPU | Peak RSS | Again (store reused) | "
          "Open the store | Load avg |")
    print("|---|---|---|---|---|---|---|---|")
    for size, lines, _manifest, wall, cpu, rss, again, _again_rss, seconds, open_rss, load in rows:
        print(f"| {size} | {lines:,} | {wall:.0f} s | {cpu:.0f} s | {rss:,.0f} MB | {again:.0f} s | "
              f"{seconds:.1f} s ({open_rss:,.0f} MB) | {load} |")
    print()
    for size, _, manifest, *_ in rows:
        print(f"{size} steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in manifest["timings"].items()))


if __name__ == "__main__":
    main()
