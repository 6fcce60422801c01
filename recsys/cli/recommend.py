"""Recommendation commands: ``recommend`` (batch top-N CSV) and ``evaluate`` (time split).

``python -m recsys recommend PATH --until YYYY-MM-DD --n 10 --out FILE.csv [--kind again]``
learns from the lines strictly before the date and writes ``customer_id, rank,
product_id, score, reason`` for every customer with a purchase before it: products new
to the customer (``--kind new``, the default) or the products they bought before and are
due to buy again (``--kind again``).

``python -m recsys evaluate PATH --test-days 30 [--k 10]`` compares the hybrid with its
baselines on a time split and prints precision, recall, NDCG, hit rate, MAP, coverage,
novelty and concentration, overall and by history slice; then the settings the hybrid
chose by validation before the cut, and the buy-again lists against their baselines.
"""

from __future__ import annotations

import argparse
import sys

from recsys.cli.options import add_read_options, load
from recsys.errors import DataError, ParameterError

MODEL_NAMES = ("hybrid", "ease", "popularity", "als", "itemknn")
KINDS = ("new", "again")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``recommend`` and ``evaluate`` commands to the ``python -m recsys`` parser."""
    rec = subparsers.add_parser(
        "recommend",
        help="write the top-N hybrid recommendations of every customer to a CSV",
        description=(
            "Read PATH (any accepted layout or a folder of canonical CSVs), fit the hybrid "
            "recommender (--kind new) or the buy-again model (--kind again) on the lines "
            "strictly before --until, and write customer_id, rank, product_id, score, reason "
            "for every customer with a purchase before that date (UTF-8 with BOM, formulas "
            "neutralised)."
        ),
    )
    rec.add_argument("path", metavar="PATH", help="data file or folder")
    rec.add_argument("--until", metavar="YYYY-MM-DD",
                     help="learn only from lines before this date (default: all lines)")
    rec.add_argument("--n", type=int, default=10, help="products per customer (default 10)")
    rec.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the CSV")
    rec.add_argument("--keep-purchased", action="store_true",
                     help="allow products the customer already bought (--kind new)")
    rec.add_argument("--kind", choices=KINDS, default="new",
                     help="new: products new to the customer (default); again: products they "
                     "bought before and are due to buy again, by their own rhythm")
    add_read_options(rec)
    rec.set_defaults(handler=run_recommend)

    ev = subparsers.add_parser(
        "evaluate",
        help="compare the hybrid recommender with baselines on a time split",
        description=(
            "Read PATH, train on all lines before the last --test-days days and score each "
            "model's top-k on the products customers bought afterwards and had not bought "
            "before (the protocol of ../shared/tools/recs_eval.py)."
        ),
    )
    ev.add_argument("path", metavar="PATH", help="data file or folder")
    ev.add_argument("--test-days", type=int, default=30, help="days in the test period (default 30)")
    ev.add_argument("--k", type=int, default=10, help="list length (default 10)")
    ev.add_argument("--models", default=",".join(MODEL_NAMES),
                    help=f"comma-separated subset of {', '.join(MODEL_NAMES)} (default all)")
    ev.add_argument("--seed", type=int, default=0, help="seed of the ALS model (default 0)")
    add_read_options(ev)
    ev.set_defaults(handler=run_evaluate)


def run_recommend(args: argparse.Namespace) -> int:
    """Handle ``recommend``: fit before ``--until``, write one row per recommendation."""
    from pathlib import Path

    import pandas as pd

    from recsys.data import schema as S
    from recsys.data.cancellations import with_cancelled_quantity
    from recsys.evaluation.split import as_of_products
    from recsys.export import to_csv_bytes
    from recsys.recommend.again import BuyAgainRecommender
    from recsys.recommend.base import check_n
    from recsys.recommend.ratings import fit_recommender

    n = check_n(args.n)
    out = Path(args.out)
    if out.parent and not out.parent.exists():
        raise ParameterError(f"the folder of --out does not exist: {out.parent}; create it or pick another")
    dataset = load(args)
    lines = dataset.transactions
    if args.until:
        try:
            until = pd.Timestamp(args.until)
        except ValueError:
            raise ParameterError(f"--until must be a date like 2011-11-09, got {args.until!r}") from None
        lines = lines[lines[S.INVOICE_DATE] < until]
    train = lines[lines[S.CUSTOMER_ID].notna()]
    if train.empty and args.until:
        raise DataError(f"no purchase by a known customer before {args.until}; pick a later date")
    if train.empty:
        raise DataError(
            f"{Path(args.path).name} has no clean line with a customer id, so there is no one to "
            "recommend to: check the customer id column (see python -m recsys validate)"
        )
    # Which purchases were cancelled in full by then: never named in a reason.
    cancelled = dataset.cancellations
    if args.until and len(cancelled):
        cancelled = cancelled[cancelled[S.INVOICE_DATE] < until]
    train = with_cancelled_quantity(train, cancelled)
    products = as_of_products(dataset.products, lines)
    customers = sorted(train[S.CUSTOMER_ID].astype(str).unique())
    if args.kind == "again":
        model = BuyAgainRecommender().fit(train, products=products)
        recs = model.recommend(customers, n=n)
    else:
        # reviews written after --until are not read (recsys.recommend.ratings)
        model = fit_recommender(train, reviews=dataset.reviews, products=products,
                                customers=dataset.customers)
        recs = model.recommend(customers, n=n, exclude_purchased=not args.keep_purchased)
    recs = recs[[S.CUSTOMER_ID, "rank", S.PRODUCT_ID, "score", "reason"]]
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(to_csv_bytes(recs.round({"score": 6})))
    tmp.replace(out)
    what = "buy-again products" if args.kind == "again" else "recommendations"
    print(f"wrote {len(recs):,} {what} for {recs[S.CUSTOMER_ID].nunique():,} customers to {out}",
          file=sys.stderr)
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    """Handle ``evaluate``: print the metrics table of every model and history slice."""
    from recsys.data import schema as S
    from recsys.evaluation.again import evaluate_again
    from recsys.evaluation.compare import default_models, evaluate_models
    from recsys.evaluation.split import time_split

    names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(names) - set(MODEL_NAMES))
    if unknown or not names:
        raise ParameterError(f"--models must name some of {', '.join(MODEL_NAMES)}, got {args.models!r}")
    if args.k < 1:
        raise ParameterError(f"--k must be a positive integer, got {args.k}")
    dataset = load(args)
    lines = dataset.transactions
    split = time_split(lines, test_days=args.test_days)
    models = {name: model for name, model in default_models(args.seed).items() if name in names}

    def progress(done: float, message: str) -> None:
        print(f"[{100 * done:3.0f}%] {message}", file=sys.stderr)

    fitted: dict[str, object] = {}
    table = evaluate_models(lines, models=models, test_days=args.test_days, k=args.k,
                            products=dataset.products, customers=dataset.customers,
                            progress=progress, fitted=fitted)
    print(f"cut {split.cut:%Y-%m-%d}: train on lines before, test on the {args.test_days} days "
          f"after; k = {args.k}; targets = new products bought after the cut; top_share = "
          "share of customers whose top 5 hold the most-recommended product")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if "hybrid" in fitted:
        settings = fitted["hybrid"].tuning_
        print("\nhybrid settings chosen by validation on the lines before the cut "
              "(ndcg: validation NDCG@10 with the chosen value, ndcg_default: with the default)")
        print(settings.to_string(index=False, float_format=lambda v: f"{v:.4f}")
              if len(settings) else "too little history to validate: defaults kept")
    progress(0.0, "buy again: fitting and scoring on repeat purchases")
    again = evaluate_again(lines[lines[S.CUSTOMER_ID].notna()], test_days=args.test_days,
                           k=args.k, products=dataset.products)
    print("\nbuy again: targets = products bought after the cut that the customer had bought "
          "before")
    print(again.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return 0
