"""Customer value speed: BG/NBD + Gamma-Gamma fit, holdout check, movement, cohorts, audiences.

Run: ``python -m benchmarks.bench_value``. Prints wall and CPU seconds per step and the
load average beside them (the machine may be shared: wall > CPU means waiting for a core).

Cases
-----
CDNOW
    The published CDNOW sample (``../shared/data/cdnow``, skipped when absent): the
    calibration summary and both fits, with the fitted parameters.
real data
    The Online Retail file in ``../shared/data`` (skipped when absent): purchase days net
    of cancellations, ``customer_value`` in days and in weeks, the holdout check calibrated
    three months before the end, segment movement over six months, segment sizes at 13
    month ends, cohorts and the audience table.
generated
    A generated shop of 20,000 customers (about a million lines): ``customer_value``.

Target (issue 14): the value fit ≤ 5 s on the development file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
REAL_DATA = DATA / "online_retail.parquet"
CDNOW = DATA / "cdnow" / "CDNOW_sample.txt"


def _timed(label: str, fn):
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<58} {wall:6.2f} s wall {cpu:6.2f} s CPU  load {os.getloadavg()[0]:.1f}", flush=True)
    return result


def bench_cdnow() -> None:
    import pandas as pd

    from recsys.value.bgnbd import BetaGeoModel
    from recsys.value.gammagamma import GammaGammaModel
    from recsys.value.summary import customer_summary

    if not CDNOW.exists():
        print(f"CDNOW: skipped ({CDNOW} not found)")
        return
    raw = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype={0: str, 2: str},
                      names=["customer_id", "full_id", "date", "cds", "amount"])
    raw["day"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    days = raw.groupby(["customer_id", "day"], as_index=False)["amount"].sum()
    summary = customer_summary(days, calibration_end="1997-09-30", time_unit="W")
    bg = _timed("CDNOW: BG/NBD fit (2,357 customers, weeks)", lambda: BetaGeoModel(time_unit="W").fit(summary))
    gg = _timed("CDNOW: Gamma-Gamma fit (946 repeat customers)", lambda: GammaGammaModel().fit(summary))
    print("  BG/NBD " + ", ".join(f"{k} = {v:.4f}" for k, v in bg.params_.items())
          + "  (published 0.243, 4.414, 0.793, 2.426)")
    print("  Gamma-Gamma " + ", ".join(f"{k} = {v:.3f}" for k, v in gg.params_.items())
          + "  (published 6.25, 3.74, 15.44)")


def bench_real() -> None:
    import pandas as pd

    from recsys.data.categories import dataset_categories
    from recsys.data.load import load_dataset
    from recsys.segments.movement import segment_movement, segment_sizes_over_time
    from recsys.value.audience import audience_table
    from recsys.value.clv import customer_value
    from recsys.value.cohorts import cohort_activity, repeat_purchase_curve
    from recsys.value.holdout import holdout_check
    from recsys.value.summary import purchase_days

    if not REAL_DATA.exists():
        print(f"real data: skipped ({REAL_DATA} not found)")
        return
    dataset = load_dataset(REAL_DATA)
    tx = dataset.customer_transactions
    days = _timed("real: purchase days, net of cancellations",
                  lambda: purchase_days(tx, cancellations=dataset.cancellations))
    value = _timed("real: customer_value (days), 4,334 customers", lambda: customer_value(dataset))
    _timed("real: customer_value (weeks)", lambda: customer_value(dataset, time_unit="W"))
    end = days["day"].max()
    check = _timed("real: holdout check, calibration to 3 months before the end",
                   lambda: holdout_check(days, calibration_end=end - pd.DateOffset(months=3)))
    print(f"  holdout: actual {check.actual_total:,.0f} repeat purchases, predicted "
          f"{check.predicted_total:,.0f} ({check.total_error:+.1%})")
    categories = _timed("real: product categories (shared with Trends)", lambda: dataset_categories(dataset))
    _timed("real: segment movement over 6 months, k = 5",
           lambda: segment_movement(dataset, before=end - pd.DateOffset(months=6), k=5, products=categories))
    month_ends = list(pd.date_range(days["day"].min(), end, freq="ME")) + [end]
    _timed(f"real: segment sizes at {len(month_ends)} month ends, k = 5",
           lambda: segment_sizes_over_time(dataset, dates=month_ends, k=5, products=categories))
    _timed("real: cohorts and the repeat-purchase curve",
           lambda: (cohort_activity(days), repeat_purchase_curve(days)))
    _timed("real: audience table", lambda: audience_table(dataset, value.table))


def bench_generated() -> None:
    from recsys.synth.shop import generate_shop
    from recsys.value.clv import customer_value

    dataset = generate_shop(n_customers=20_000, seed=1).to_dataset()
    _timed(f"generated: customer_value, {dataset.n_buyers:,} customers, "
           f"{len(dataset.transactions):,} lines", lambda: customer_value(dataset))


def main() -> None:
    bench_cdnow()
    bench_real()
    bench_generated()


if __name__ == "__main__":
    main()
