"""Insight commands: ``trends`` (totals per month or week) and ``rules`` (association rules).

Both read PATH with :func:`recsys.data.load.load_dataset` and write a CSV (UTF-8 with a
byte-order mark, formula-looking text neutralised, :func:`recsys.export.to_csv_bytes`)
to ``--out`` or, without ``--out``, the same bytes to standard output.
"""

from __future__ import annotations

import argparse
import sys

from recsys.cli.options import add_read_options, load


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``trends`` and ``rules`` commands to the ``python -m recsys`` parser."""
    _add_trends(subparsers)
    _add_rules(subparsers)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from exc
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--start", metavar="YYYY-MM-DD", help="first day to include")
    parser.add_argument("--end", metavar="YYYY-MM-DD", help="last day to include")
    parser.add_argument("--country", action="append", metavar="NAME",
                        help="only lines of this country (repeat for several)")


def _filtered(dataset, args: argparse.Namespace):
    from recsys.data.cancellations import net_transactions
    from recsys.data.filters import filter_lines
    from recsys.errors import DataError

    # Net of cancellations, as on the dashboard: an order cancelled in full is no sale.
    tx = filter_lines(net_transactions(dataset), start=args.start, end=args.end,
                      countries=args.country)
    if tx.empty:
        raise DataError("no lines left after the --start/--end/--country filters")
    return tx


def _write(frame, out: str | None) -> None:
    from recsys.export import to_csv_bytes

    # The same bytes to standard output as to --out: `> file.csv` is a download too,
    # so formula-looking descriptions must be neutralised there as well.
    data = to_csv_bytes(frame)
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from pathlib import Path

    Path(out).write_bytes(data)
    print(f"wrote {len(frame):,} rows to {out}", file=sys.stderr)


# --- trends ---------------------------------------------------------------------------


def _add_trends(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "trends",
        help="revenue, orders, customers and units per month or week, as CSV",
        description=(
            "Read PATH and write one row per month (or Monday-week): period (first day), "
            "revenue (sum of quantity x unit price), orders (distinct invoices), customers "
            "(distinct customers) and units (sum of quantity), all net of cancellations "
            "(a cancellation subtracts from the same customer's purchase of the product, "
            "latest first, never below zero)."
        ),
    )
    parser.add_argument("path", metavar="PATH", help="data file or folder")
    parser.add_argument("--freq", choices=("M", "W"), default="M",
                        help="M = months (default), W = weeks starting on Monday")
    parser.add_argument("--out", metavar="FILE.csv", help="write here instead of standard output")
    _add_filters(parser)
    add_read_options(parser)
    parser.set_defaults(handler=_run_trends)


def _run_trends(args: argparse.Namespace) -> int:
    from recsys.insights.trends import period_totals

    dataset = load(args)
    table = period_totals(_filtered(dataset, args), freq=args.freq)
    table["period"] = table["period"].dt.strftime("%Y-%m-%d")
    table["revenue"] = table["revenue"].round(2)
    _write(table, args.out)
    return 0


# --- rules ----------------------------------------------------------------------------


def _add_rules(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="association rules between products bought together, as CSV",
        description=(
            "Read PATH, find the product sets in at least --min-support of the invoices and "
            "write the rules 'antecedents -> consequents' (one product as consequent) with "
            "support, confidence, lift, leverage and conviction, strongest lift first. Item "
            "sets are written with product descriptions where known."
        ),
    )
    parser.add_argument("path", metavar="PATH", help="data file or folder")
    parser.add_argument("--min-support", type=_fraction, default=0.01, metavar="S",
                        help="share of invoices an item set must be in (default 0.01, "
                             "at least 0.001)")
    parser.add_argument("--min-confidence", type=_fraction, default=0.2, metavar="C",
                        help="lowest confidence of a rule (default 0.2)")
    parser.add_argument("--max-len", type=int, default=10, metavar="L",
                        help="most products in an item set (default 10 as in arules, at most 10)")
    parser.add_argument("--max-basket-items", type=int, default=500, metavar="N",
                        help="leave out invoices with more distinct products (default 500; "
                             "0 keeps all)")
    parser.add_argument("--method", choices=("sparse", "mlxtend"), default="sparse",
                        help="counting method (same result; mlxtend is slower)")
    parser.add_argument("--out", metavar="FILE.csv", help="write here instead of standard output")
    _add_filters(parser)
    add_read_options(parser)
    parser.set_defaults(handler=_run_rules)


def _run_rules(args: argparse.Namespace) -> int:
    from recsys.baskets.insights import rules_for_export
    from recsys.baskets.itemsets import basket_rules

    dataset = load(args)
    _, rules = basket_rules(
        _filtered(dataset, args),
        min_support=args.min_support,
        min_confidence=args.min_confidence,
        max_len=args.max_len,
        max_basket_items=args.max_basket_items or None,
        method=args.method,
    )
    _write(rules_for_export(rules, dataset.products), args.out)
    return 0
