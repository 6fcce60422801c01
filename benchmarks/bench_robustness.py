"""Robustness of the hybrid: six monthly cuts of the development file and shops of other shapes.

Run: ``python -m benchmarks.bench_robustness`` (``--only real`` or ``--only generated``
for one half, ``--cases NAME,…`` for some cases; ``--ceiling`` scores the generator's own
purchase probabilities on the generated shops instead, the most any model can expect). For every case a file in the UCI
Online Retail layout is written to a temporary folder and scored by the independent
referee, ``../shared/tools/recs_eval.py`` (its protocol: train on the lines before the
last 30 days, targets = new products each customer bought in those days, NDCG@10),
with its reference models popularity, implicit ALS and EASE with recency beside the
hybrid's CSV. The hybrid learns from the lines before the referee's cut alone, exactly
as ``python -m recsys recommend FILE --until CUT`` does, and chooses its settings from
those lines (nothing here is tuned per case).

* Development file, data truncated at the end of June, July, August, September and
  October 2011 and whole (to 2011-12-09): six cuts, a month apart.
* Generated shops (``recsys.synth``, seeded): few (150) and many (3,000) products,
  3 and 24 months, sparse buyers (a quarter of their invoices kept) and dense buyers.

Beside accuracy, the concentration of the hybrid's lists: the share of customers whose
top 5 holds the most-recommended product, and catalogue coverage. Target (issue 11):
hybrid NDCG@10 >= 1.05 x EASE-recency at every cut and shape.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from recsys.data import schema as S

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "online_retail.parquet"
REFEREE = ROOT.parent / "shared" / "tools" / "recs_eval.py"

MONTH_ENDS = ("2011-06-30", "2011-07-31", "2011-08-31", "2011-09-30", "2011-10-31", None)
"""Last day kept of the development file per cut (None: the whole file)."""

SHAPES = {
    "few products": dict(n_customers=2000, n_products=150, months=12),
    "many products": dict(n_customers=2000, n_products=3000, months=12),
    "3 months": dict(n_customers=2000, n_products=400, months=3),
    "24 months": dict(n_customers=1500, n_products=400, months=24),
    "sparse buyers": dict(n_customers=3000, n_products=400, months=12, keep_invoices=0.25),
    "dense buyers": dict(n_customers=1000, n_products=400, months=12),
}
"""Generated shops: arguments of :func:`recsys.synth.shop.generate_shop`, and the share
of each customer's invoices kept (sparse buyers)."""

ANCHORS = {"popularity": "popularity", "als": "implicit-ALS-64",
           "ease": "EASE-recency(l=300,hl=60d)"}
TARGET = 1.05
UCI_RENAME = {S.INVOICE_ID: "InvoiceNo", S.PRODUCT_ID: "StockCode", S.DESCRIPTION: "Description",
              S.QUANTITY: "Quantity", S.INVOICE_DATE: "InvoiceDate",
              S.UNIT_PRICE: "UnitPrice", S.CUSTOMER_ID: "CustomerID", S.COUNTRY: "Country"}


def referee_module():
    """Import the referee as a module (its loading and split decide the cut)."""
    spec = importlib.util.spec_from_file_location("recs_eval", REFEREE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def referee_cut(path: Path, test_days: int = 30) -> pd.Timestamp:
    """Return the cut the referee will use on the file at ``path``."""
    ref = referee_module()
    return ref.split(ref.load(str(path)), test_days)[2]


def real_cases(folder: Path) -> list[tuple[str, Path]]:
    """Write the development file truncated after each of :data:`MONTH_ENDS`."""
    raw = pd.read_parquet(REAL)
    dates = pd.to_datetime(raw["InvoiceDate"])
    out = []
    for end in MONTH_ENDS:
        kept = raw if end is None else raw[dates < pd.Timestamp(end) + pd.Timedelta(days=1)]
        name = "whole file" if end is None else f"to {end}"
        path = folder / f"real_{end or 'all'}.parquet"
        kept.to_parquet(path, index=False)
        out.append((f"development file, {name}", path))
    return out


def generated_cases(folder: Path, names=None, seed: int = 0) -> list[tuple[str, Path]]:
    """Write each generated shop of :data:`SHAPES` in the UCI layout."""
    from recsys.synth.shop import generate_shop

    out = []
    for name, spec in SHAPES.items():
        if names and name not in names:
            continue
        spec = dict(spec)
        keep = spec.pop("keep_invoices", 1.0)
        shop = generate_shop(seed=seed, **spec)
        tx = shop.transactions
        if keep < 1.0:
            rng = np.random.default_rng(seed)
            invoices = tx[S.INVOICE_ID].unique()
            kept = invoices[rng.random(len(invoices)) < keep]
            tx = tx[tx[S.INVOICE_ID].isin(kept)]
        path = folder / f"shop_{name.replace(' ', '_')}.csv"
        tx[list(UCI_RENAME)].rename(columns=UCI_RENAME).to_csv(path, index=False)
        out.append((f"generated: {name}", path))
    return out


def hybrid_csv(path: Path, cut: pd.Timestamp, out: Path) -> dict:
    """Fit the hybrid on the lines of ``path`` before ``cut``; write its top 10 to ``out``."""
    from recsys.data.load import load_dataset
    from recsys.evaluation.split import as_of_products
    from recsys.export import to_csv_bytes
    from recsys.recommend.exposure import concentration
    from recsys.recommend.hybrid import HybridRecommender

    dataset = load_dataset(path)
    lines = dataset.transactions[dataset.transactions[S.INVOICE_DATE] < cut]
    train = lines[lines[S.CUSTOMER_ID].notna()]
    wall, cpu = time.perf_counter(), time.process_time()
    model = HybridRecommender().fit(train, products=as_of_products(dataset.products, lines),
                                    customers=dataset.customers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    customers = sorted(train[S.CUSTOMER_ID].astype(str).unique())
    recs = model.recommend(customers, n=10)
    out.write_bytes(to_csv_bytes(recs[[S.CUSTOMER_ID, "rank", S.PRODUCT_ID]]))
    conc = concentration(recs, model.data_.n_sold)
    # the same fitted model without its concentration offsets: what the cap costs
    uncapped = copy.copy(model)
    uncapped.offsets_ = None
    free = uncapped.recommend(customers, n=10)
    uncapped_csv(out).write_bytes(to_csv_bytes(free[[S.CUSTOMER_ID, "rank", S.PRODUCT_ID]]))
    free_conc = concentration(free, model.data_.n_sold)
    blend = model.blend_
    return {"fit_s": wall, "fit_cpu_s": cpu, "top_share": conc.top_share,
            "uncapped_top_share": free_conc.top_share,
            "coverage": conc.coverage, "gini": conc.gini, "cap": blend.cap,
            "settings": model.tuning_[["setting", "value"]].to_dict("records")}


def uncapped_csv(csv: Path) -> Path:
    return csv.with_name(csv.stem + "_uncapped.csv")


def referee(path: Path, csv: Path) -> dict:
    """Run the referee with its popularity, ALS and EASE-recency references and our CSVs."""
    res = subprocess.run(
        [sys.executable, str(REFEREE), str(path), "--anchors", "pop,als,ease", "--json",
         "--project-csv", f"hybrid={csv}", "--project-csv", f"uncapped={uncapped_csv(csv)}"],
        capture_output=True, text=True, check=True)
    return json.loads(res.stdout[res.stdout.index("{"):])


def run_case(name: str, path: Path, folder: Path) -> dict:
    cut = referee_cut(path)
    csv = folder / (path.stem + "_recs.csv")
    ours = hybrid_csv(path, cut, csv)
    judged = referee(path, csv)
    res = judged["results"]
    row = {"data": name, "cut": judged["cut"], "users": judged["eval_users"],
           "hybrid": res["hybrid"]["NDCG@10"], "uncapped": res["uncapped"]["NDCG@10"],
           **{k: res[v]["NDCG@10"] for k, v in ANCHORS.items()}, **ours}
    row["ratio"] = row["hybrid"] / row["ease"] if row["ease"] > 0 else float("nan")
    return row


def table(rows: list[dict]) -> str:
    """Return the rows as the README's markdown table."""
    lines = ["| Data | Cut | Customers scored | Hybrid NDCG@10 | EASE-recency | ALS-64 | "
             "Popularity | Hybrid ÷ EASE | Top product in top 5 of (without the cap) | "
             "Cap chosen | NDCG cost of the cap | Coverage | Fit (s wall / CPU) |",
             "|" + "---|" * 13]
    for r in rows:
        ok = "" if r["ratio"] >= TARGET else " (below 1.05)"
        lines.append(
            f"| {r['data']} | {r['cut']} | {r['users']:,} | {r['hybrid']:.4f} | {r['ease']:.4f} "
            f"| {r['als']:.4f} | {r['popularity']:.4f} | {r['ratio']:.2f}×{ok} | "
            f"{r['top_share']:.0%} ({r['uncapped_top_share']:.0%}) | "
            f"{'none' if r['cap'] is None else format(r['cap'], '.0%')} | "
            f"{1 - r['hybrid'] / r['uncapped'] if r['uncapped'] > 0 else 0:+.1%} | "
            f"{r['coverage']:.0%} | {r['fit_s']:.1f} / {r['fit_cpu_s']:.1f} |")
    return "\n".join(lines)


def ceiling(name: str, path: Path, seed: int = 0) -> dict:
    """Score the generator's own purchase probabilities on a generated case.

    A customer's next products, as the generator draws them: their hidden category
    tastes times the month's category factor, times the product's popularity within
    its category (popularity over price squared for bargain hunters). No recommender
    can expect to beat this ranking; it tells how much room the shop leaves above
    EASE with recency. The referee's own split and metric score it.
    """
    from recsys.synth.catalog import CATEGORY_NAMES, make_products
    from recsys.synth.customers import SEGMENTS, make_customers
    from recsys.synth.invoices import _category_by_month

    spec = dict(SHAPES[name])
    spec.pop("keep_invoices", None)
    ref = referee_module()
    train, test, cut = ref.split(ref.load(str(path)), 30)
    start = pd.Timestamp("2011-01-01")
    n_days = int((start + pd.DateOffset(months=spec["months"]) - start).days)
    products_ss, customers_ss = np.random.SeedSequence(seed).spawn(7)[:2]
    products = make_products(spec["n_products"], rng=np.random.default_rng(products_ss))
    draw = make_customers(spec["n_customers"], start=start, n_days=n_days,
                          rng=np.random.default_rng(customers_ss))
    category = pd.Categorical(products[S.CATEGORY], categories=CATEGORY_NAMES).codes

    def within(weight):
        total = np.bincount(category, weights=weight, minlength=len(CATEGORY_NAMES))
        return weight / total[category]

    plain = within(products["popularity"].to_numpy())
    cheap = within(products["popularity"].to_numpy() * products[S.UNIT_PRICE].to_numpy() ** -2.0)
    month = _category_by_month()[cut.month - 1]
    ids = products[S.PRODUCT_ID].astype(str).str.upper().to_numpy()
    position = {c: i for i, c in enumerate(draw.customers[S.CUSTOMER_ID].astype(str))}
    items = set(train["product_id"])
    bought = train.groupby("customer_id")["product_id"].agg(set).to_dict()
    later = test.groupby("customer_id")["product_id"].agg(set)
    targets = {u: (s - bought.get(u, set())) & items for u, s in later.items() if u in bought}
    targets = {u: t for u, t in targets.items() if t}
    recs = {}
    for u in targets:
        c = position[u]
        taste = draw.affinity[c] * month
        weight = cheap if SEGMENTS[draw.segment[c]].bargain else plain
        order = np.argsort(-(taste[category] * weight), kind="stable")
        recs[u] = [ids[j] for j in order if ids[j] not in bought[u]][:10]
    return {"data": f"generated: {name}", "cut": str(cut.date()),
            "ceiling": ref.metrics(recs, targets, 10, len(items))["NDCG@10"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("real", "generated"))
    ap.add_argument("--cases", help="comma-separated shape names (generated shops)")
    ap.add_argument("--json", help="also write the rows to this JSON file")
    ap.add_argument("--ceiling", action="store_true",
                    help="score the generator's own probabilities on the generated shops "
                         "(how much room each shape leaves), instead of the models")
    args = ap.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    rows = []
    if args.ceiling:
        with tempfile.TemporaryDirectory(prefix="recsys_ceiling_") as tmp:
            names = set(args.cases.split(",")) if args.cases else None
            for label, path in generated_cases(Path(tmp), names):
                row = ceiling(label.removeprefix("generated: "), path)
                rows.append(row)
                print(f"| {row['data']} | {row['cut']} | {row['ceiling']:.4f} |", flush=True)
        return 0
    with tempfile.TemporaryDirectory(prefix="recsys_robust_") as tmp:
        folder = Path(tmp)
        cases = []
        if args.only != "generated" and REAL.exists():
            cases += real_cases(folder)
        if args.only != "real":
            names = set(args.cases.split(",")) if args.cases else None
            cases += generated_cases(folder, names)
        for name, path in cases:
            row = run_case(name, path, folder)
            rows.append(row)
            print(table([row]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(rows))
    held = all(r["ratio"] >= TARGET for r in rows)
    print(f"\n>= {TARGET}x EASE-recency at every case: {'yes' if held else 'no'}; "
          f"load average after: {os.getloadavg()[0]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
