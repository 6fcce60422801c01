"""Synthetic-data commands: ``generate`` (a random shop) and ``append`` (new invoices).

``python -m recsys generate --out DIR --customers N --seed S`` writes a generated shop
(the bundled sample in ``data/`` is made this way, see the Makefile ``sample`` target);
``python -m recsys append PATH --invoices N --seed S`` adds new random invoices that
follow the file's own behaviour, atomically.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``generate`` and ``append`` to the ``python -m recsys`` parser."""
    _add_generate(subparsers)
    _add_append(subparsers)


# --- generate ----------------------------------------------------------------------


def _add_generate(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write a realistic random shop (canonical CSVs or one UCI Online Retail CSV)",
        description=(
            "Generate a random shop with planted customer segments and product bundles and "
            "write it to DIR. The same arguments always give the same bytes."
        ),
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    parser.add_argument("--customers", type=int, default=2000, metavar="N",
                        help="number of customers (default 2000; about 50 lines each)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument("--products", type=int, default=400, metavar="P",
                        help="number of products (default 400, at least 20)")
    parser.add_argument("--months", type=int, default=12, metavar="M",
                        help="length of the period in months (default 12)")
    parser.add_argument("--start", default="2011-01-01", metavar="YYYY-MM-DD",
                        help="first day of the period (default 2011-01-01)")
    parser.add_argument("--layout", choices=("canonical", "uci"), default="canonical",
                        help="canonical CSVs (default) or one UCI Online Retail CSV")
    parser.set_defaults(handler=_run_generate)


def _run_generate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from recsys.synth.shop import generate_shop, write_shop

    shop = generate_shop(
        n_customers=args.customers, n_products=args.products, start=args.start,
        months=args.months, seed=args.seed,
    )
    paths = write_shop(shop, args.out, layout=args.layout)
    tx = shop.transactions
    buyers = tx["customer_id"].nunique()
    print(
        f"Generated {len(tx):,} lines, {tx['invoice_id'].nunique():,} invoices, "
        f"{buyers:,} customers with purchases (+ {len(shop.customers) - buyers:,} registered "
        f"without a purchase), {len(shop.products):,} products "
        f"(seed {args.seed}, {tx['invoice_date'].min():%Y-%m-%d} to "
        f"{tx['invoice_date'].max():%Y-%m-%d})"
    )
    for path in paths:
        print(f"  wrote {path} ({Path(path).stat().st_size:,} bytes)")
    return 0


# --- append ------------------------------------------------------------------------


def _boost_item(text: str) -> tuple[str, float]:
    name, sep, factor = text.rpartition("=")
    try:
        value = float(factor)
    except ValueError:
        value = -1.0
    if not sep or not name or value <= 0:
        raise argparse.ArgumentTypeError(f"expected NAME=FACTOR with FACTOR > 0, got {text!r}")
    return name, value


def _add_append(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "append",
        help="append new random invoices to a CSV data file (atomic, locked)",
        description=(
            "Append N new invoices to PATH (a canonical transactions.csv or a UCI Online "
            "Retail / Online Retail II CSV) that follow the file's own behaviour. Old lines "
            "never change; the write is atomic and locked against concurrent appends."
        ),
    )
    parser.add_argument("path", metavar="PATH", help="CSV file to extend")
    parser.add_argument("--invoices", type=int, required=True, metavar="N",
                        help="number of new invoices")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument("--boost-country", type=_boost_item, action="append", default=[],
                        metavar="NAME=FACTOR",
                        help="buy FACTOR times as often from customers in country NAME "
                             "(repeatable), e.g. Germany=3")
    parser.add_argument("--boost-segment", type=_boost_item, action="append", default=[],
                        metavar="NAME=FACTOR",
                        help="the same for a planted segment (needs ground_truth.csv beside PATH)")
    parser.add_argument("--dates", choices=("auto", "day-first", "month-first"), default="auto",
                        help="how to read the file's dates such as 05/12/2011 (default: detect, "
                             "as validate does); new dates are written in the same order")
    parser.set_defaults(handler=_run_append)


def _run_append(args: argparse.Namespace) -> int:
    from recsys.synth.append import append_random

    boost = {}
    if args.boost_country:
        boost["country"] = dict(args.boost_country)
    if args.boost_segment:
        boost["segment"] = dict(args.boost_segment)
    result = append_random(args.path, n_invoices=args.invoices, seed=args.seed,
                           boost=boost or None, dates=args.dates)
    print(
        f"Appended {result.lines_added:,} lines in {result.invoices:,} invoices "
        f"({result.new_customers:,} new customers, {result.first_date:%Y-%m-%d} to "
        f"{result.last_date:%Y-%m-%d}) to {result.path}"
    )
    return 0
