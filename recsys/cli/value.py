"""Customer value command: ``clv`` (BG/NBD + Gamma-Gamma, one row per customer).

``python -m recsys clv DATA [--calibration-end YYYY-MM-DD] [--time-unit D|W]
[--out FILE.csv] [--json]`` reads any accepted layout, fits the repeat-purchase (BG/NBD)
and spend (Gamma-Gamma) models on the purchases up to the calibration end (default the
last day of the data) and prints the fitted parameters; ``--out`` writes each customer's
P(active), expected purchases and predicted 12-month value with the spreadsheet-safe
writer of the dashboard's downloads.
"""

from __future__ import annotations

import argparse
import json
import sys

from recsys.cli.options import add_read_options, load


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a yearly rate such as 0.1, got {text!r}") from exc
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a yearly rate from 0 to below 1 (0.1 = 10%), got {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``clv`` command to the ``python -m recsys`` parser."""
    parser = subparsers.add_parser(
        "clv",
        help="predicted customer value: P(active), expected purchases, 12-month value",
        description=(
            "Read DATA (a CSV, Excel or Parquet export in an accepted layout, or a folder of "
            "canonical CSVs), fit BG/NBD (repeat purchases on distinct days, and drop-out) and "
            "Gamma-Gamma (spend per purchase, net of cancellations) by maximum likelihood on "
            "the purchases up to the calibration end, and print the fitted parameters."
        ),
    )
    parser.add_argument("path", metavar="DATA", help="data file or folder")
    parser.add_argument(
        "--calibration-end", metavar="YYYY-MM-DD",
        help="last day of the calibration period, its purchases included; T is counted in days "
             "from each customer's first purchase to it (default: the last day of the data)",
    )
    parser.add_argument("--time-unit", choices=("D", "W"), default="D",
                        help="unit of time of the fit: D = days (default), W = weeks")
    parser.add_argument("--discount-rate", type=_rate, default=0.10, metavar="RATE",
                        help="yearly discount rate of the predicted 12-month value (default 0.1)")
    parser.add_argument("--out", metavar="FILE.csv",
                        help="write one row per customer: repeat purchases, recency and age, spend, "
                             "p_alive, expected purchases in 30/90/365 days, expected spend per "
                             "purchase and predicted_value (12 months)")
    parser.add_argument("--json", action="store_true",
                        help='print the parameters as JSON: {"bgnbd": {"r", "alpha", "a", "b"}, '
                             '"gamma_gamma": {"p", "q", "v"}, ...}')
    add_read_options(parser)
    parser.set_defaults(handler=run_clv)


def run_clv(args: argparse.Namespace) -> int:
    """Handle ``clv``: load, fit, print the parameters, optionally write the CSV."""
    from pathlib import Path

    from recsys.errors import ParameterError
    from recsys.value.clv import customer_value
    from recsys.value.summary import as_day

    out = Path(args.out) if args.out else None
    if out is not None and out.parent and not out.parent.exists():
        raise ParameterError(f"the folder of --out does not exist: {out.parent}")
    calibration_end = as_day(args.calibration_end, what="--calibration-end") if args.calibration_end else None
    dataset = load(args)  # --dates, --max-rows and the cleaning notes, as every command
    value = customer_value(dataset, calibration_end=calibration_end, time_unit=args.time_unit,
                           discount_rate=args.discount_rate)
    if out is not None:
        _write(value, out)
    params = value.parameters()
    if args.json:
        print(json.dumps(params, indent=2))
    else:
        _print_summary(value, params)
    if out is not None:
        print(f"wrote {len(value.table):,} customers to {out}", file=sys.stderr)
    return 0


def _write(value, out) -> None:
    from recsys.export import to_csv_bytes
    from recsys.value.clv import value_export

    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(to_csv_bytes(value_export(value)))
    tmp.replace(out)


def _print_summary(value, params: dict) -> None:
    unit = "day" if value.time_unit == "D" else "week"
    bg, gg = params["bgnbd"], params["gamma_gamma"]
    table = value.table
    print(f"calibration end {params['calibration_end']}, time in {unit}s, "
          f"{params['customers']:,} customers ({params['repeat_customers']:,} with repeat purchases)")
    print(f"BG/NBD       r = {bg['r']:.4g}, alpha = {bg['alpha']:.4g}, a = {bg['a']:.4g}, b = {bg['b']:.4g}")
    print(f"Gamma-Gamma  p = {gg['p']:.4g}, q = {gg['q']:.4g}, v = {gg['v']:.4g}")
    print(f"mean P(active) {table['p_alive'].mean():.1%}; expected purchases in the next 90 days "
          f"{table['expected_purchases_90d'].sum():,.0f}; predicted 12-month value "
          f"{table['predicted_value'].sum():,.0f} (net, discounted at {value.discount_rate:.0%} a year)")
