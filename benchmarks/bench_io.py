"""Import + clean of the real Online Retail file, as Parquet and as the published CSV.

Run: ``python -m benchmarks.bench_io``. Each case runs in a fresh Python process (as
on a cold app start) that loads the data three times: the first call includes the
lazy imports, the best of three is the steady state. Peak memory is the process's
high-water resident set size (``VmHWM``) minus what it held after importing
``recsys``, so Arrow's own allocations count too.

Targets (issue 2, 2-core machine): Parquet <= 1 s, CSV <= 3 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "online_retail.parquet"
RUNS = 3
SCALE = 4

_CHILD = """
import json, sys, time
from recsys.data.load import load_dataset


def high_water_mb():
    # VmHWM belongs to this process image; ru_maxrss can carry the parent's peak
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


base = high_water_mb()
times, cpu = [], []
for _ in range({runs}):
    start, start_cpu = time.perf_counter(), time.process_time()
    ds = load_dataset(sys.argv[1])
    times.append(time.perf_counter() - start)
    cpu.append(time.process_time() - start_cpu)
    lines = ds.report.raw_lines
    del ds
print(json.dumps({{"first": times[0], "best": min(times), "cpu": min(cpu), "lines": lines,
                  "peak_mb": high_water_mb() - base}}))
"""


def write_uci_csv(source: Path, out: Path) -> Path:
    """Write ``source`` as the published UCI CSV: ISO-8859-1, month-first dates without
    zero padding (``12/1/2010 8:26``) and customer ids as floats (``17850.0``)."""
    frame = pd.read_parquet(source)
    dates = pd.to_datetime(frame["InvoiceDate"])
    distinct = pd.Series(dates.unique())
    text = (
        distinct.dt.month.astype(str) + "/" + distinct.dt.day.astype(str) + "/"
        + distinct.dt.year.astype(str) + " " + distinct.dt.hour.astype(str) + ":"
        + distinct.dt.strftime("%M")
    )  # fmt: skip
    frame["InvoiceDate"] = dates.map(dict(zip(distinct, text, strict=True)))
    frame.to_csv(out, index=False, encoding="latin-1")
    return out


def write_scaled_parquet(source: Path, out: Path, *, times: int) -> Path:
    """Write ``times`` copies of ``source`` with distinct invoice numbers (a bigger shop
    with the same behaviour), to show how time and memory grow with lines."""
    frame = pd.read_parquet(source)
    copies = []
    for i in range(times):
        copy = frame.copy()
        copy["InvoiceNo"] = copy["InvoiceNo"].astype(str) + ("" if i == 0 else f"-{i}")
        copies.append(copy)
    pd.concat(copies, ignore_index=True).to_parquet(out, index=False)
    return out


def measure(path: Path) -> dict:
    """Load ``path`` in a fresh process; return first / best seconds, lines, peak MB."""
    result = subprocess.run(
        [sys.executable, "-c", _CHILD.format(runs=RUNS), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print the import + clean table (or why it was skipped).

    Wall times depend on what else runs on the machine, so the table also gives the
    CPU time of the best run (all threads) and the load average when it started.
    """
    if not REAL_DATA.exists():
        print(f"bench_io skipped: real data set not found at {REAL_DATA}")
        return
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load}")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = write_uci_csv(REAL_DATA, Path(tmp) / "online_retail.csv")
        big_path = write_scaled_parquet(REAL_DATA, Path(tmp) / "x4.parquet", times=SCALE)
        cases = [
            ("Parquet (UCI layout)", REAL_DATA, 1.0),
            ("CSV (UCI, Latin-1, month-first dates)", csv_path, 3.0),
            (f"Parquet x{SCALE} (scaling check)", big_path, None),
        ]
        rows = []
        for label, path, target in cases:
            m = measure(path)
            size_mb = path.stat().st_size / 2**20
            met = "-" if target is None else "yes" if m["best"] <= target else "NO"
            rows.append(
                (label, f"{m['lines']:,}", f"{size_mb:.1f}", f"{m['first']:.2f}",
                 f"{m['best']:.2f}", f"{m['cpu']:.2f}", "-" if target is None else f"{target:.0f}", met,
                 f"{m['peak_mb']:.0f}")
            )  # fmt: skip
    header = ("import + clean", "lines", "file MB", "first s", f"best of {RUNS} s",
              "CPU s", "target s", "met", "peak MB")  # fmt: skip
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                        enumerate(zip(row, widths, strict=True))))  # fmt: skip


if __name__ == "__main__":
    main()
