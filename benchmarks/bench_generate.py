"""Generation and append: a 1-million-line shop, and 100,000 lines appended to it.

Run: ``python -m benchmarks.bench_generate``. Each case runs in a fresh process, so its
wall time includes nothing cached and its peak memory is that process's peak resident
set size (``ru_maxrss``: the interpreter, libraries and data together, the figure a
machine must have). CPU seconds are shown beside wall seconds because the machine may
be shared (wall > CPU means the process waited for a core). tracemalloc is not used:
it slows pandas' string handling several-fold.

Targets (issue 2, 2-core machine): 1M lines generated <= 15 s; 100k lines appended to a
1M-line CSV <= 10 s; peak memory <= 1 GB at 1M lines.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "online_retail.parquet"
CUSTOMERS_FOR_1M = 21_000
APPEND_LINES = 100_000


def _case(name: str, folder: str, queue) -> None:
    from recsys.synth.append import append_random
    from recsys.synth.shop import generate_shop, write_shop

    start, cpu = time.perf_counter(), time.process_time()
    if name == "generate":
        shop = generate_shop(n_customers=CUSTOMERS_FOR_1M, seed=0)
        lines = len(shop.transactions)
        detail = f"{shop.transactions['invoice_id'].nunique():,} invoices"
    elif name == "generate+write":
        shop = generate_shop(n_customers=CUSTOMERS_FOR_1M, seed=0)
        write_shop(shop, folder)
        lines = len(shop.transactions)
        size = (Path(folder) / "transactions.csv").stat().st_size
        detail = f"transactions.csv {size / 2**20:,.0f} MiB"
    else:
        path = Path(folder) / ("transactions.csv" if name == "append" else "online_retail.csv")
        n_invoices = _invoices_for(path, APPEND_LINES)
        result = append_random(path, n_invoices=n_invoices, seed=1)
        lines = result.lines_added
        detail = f"{n_invoices:,} invoices, {result.new_customers:,} new customers"
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((name, lines, elapsed, cpu, rss, detail))


def _invoices_for(path: Path, lines: int) -> int:
    """Invoices that give about ``lines`` lines, from the file's mean basket size."""
    import pandas as pd

    header = path.open(encoding="utf-8", errors="replace").readline()
    column = "invoice_id" if "invoice_id" in header else "InvoiceNo"
    invoices = pd.read_csv(path, usecols=[column], dtype=str, engine="pyarrow")[column]
    return max(1, round(lines / (len(invoices) / invoices.nunique())))


def _run(name: str, folder: str) -> tuple:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_case, args=(name, folder, queue))
    proc.start()
    row = queue.get()
    proc.join()
    return row


def _real_csv(folder: str) -> bool:
    if not REAL_DATA.exists():
        return False
    import pandas as pd

    pd.read_parquet(REAL_DATA).to_csv(Path(folder) / "online_retail.csv", index=False)
    return True


def main() -> None:
    """Print one table row per case."""
    folder = tempfile.mkdtemp(prefix="bench_generate_")
    try:
        rows = [_run("generate", folder), _run("generate+write", folder)]
        rows.append(_run("append", folder))
        if _real_csv(folder):
            rows.append(_run("append-real", folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    labels = {
        "generate": "generate_shop (1M lines, in memory)",
        "generate+write": "generate_shop + write_shop (canonical CSVs)",
        "append": "append_random to the 1M-line transactions.csv",
        "append-real": "append_random to the real Online Retail CSV (542k lines)",
    }
    print(f"{'case':<58} {'lines':>10} {'wall s':>7} {'CPU s':>6} {'peak RSS MiB':>13}  detail")
    for name, lines, elapsed, cpu, rss, detail in rows:
        print(f"{labels[name]:<58} {lines:>10,} {elapsed:>7.2f} {cpu:>6.2f} {rss:>13,.0f}  "
              f"{detail}")


if __name__ == "__main__":
    main()
