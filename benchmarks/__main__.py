"""``python -m benchmarks``: run every ``benchmarks/bench_*.py`` module's ``main()``."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def main() -> int:
    """Run each benchmark module in name order; a failing one is reported, not fatal."""
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    failed = []
    for name in names:
        print(f"\n== benchmarks.{name} ==", flush=True)
        start = time.perf_counter()
        try:
            importlib.import_module(f"benchmarks.{name}").main()
        except Exception as exc:  # one broken benchmark must not hide the others
            failed.append(name)
            print(f"FAILED: {type(exc).__name__}: {exc}", flush=True)
        print(f"({time.perf_counter() - start:.1f} s)", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
