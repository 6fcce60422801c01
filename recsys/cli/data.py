"""Data commands: ``validate`` (read and clean a file, print the cleaning report).

Each command is one ``_add_<command>(subparsers)`` function that builds its parser and
one ``_run_<command>(args)`` handler; :func:`register` calls the ``_add_`` functions.
To add a command, add its pair and one line to :func:`register`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from recsys.cli.options import add_read_options, load, note_lines

if TYPE_CHECKING:
    from recsys.data.dataset import Dataset


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the data commands to the ``python -m recsys`` parser."""
    _add_validate(subparsers)


# --- validate ----------------------------------------------------------------------


def _add_validate(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="read a data file or folder, detect its layout and print the cleaning report",
        description=(
            "Read PATH (a CSV, Excel or Parquet export in the UCI Online Retail, Online "
            "Retail II or canonical layout, or a folder of canonical CSVs), clean it and "
            "print what each cleaning rule did. Exit 0 when the data can be used, 2 when not."
        ),
    )
    parser.add_argument("path", metavar="PATH", help="file or folder to validate")
    add_read_options(parser)
    parser.set_defaults(handler=_run_validate)


def _run_validate(args: argparse.Namespace) -> int:
    dataset = load(args, notes=False)
    print(format_report(dataset, source=args.path))
    return 0


def format_report(dataset: Dataset, *, source: str = "") -> str:
    """Return the cleaning report of ``dataset`` as aligned plain-text lines.

    Lists the detected layout, raw lines, each rule's count, lines kept, customers with
    purchases (and, when the customers file has more, those registered without a
    purchase), products, invoices and the date range, numbers with thousands separators;
    then the report's notes (what reading repaired, chose or could not read), if any.
    """
    from recsys.data import schema as S
    from recsys.data.dataset import RULE_LABELS
    from recsys.data.layouts import LAYOUT_NAMES

    report = dataset.report
    tx = dataset.transactions
    rows: list[tuple[str, str]] = [("Raw lines", f"{report.raw_lines:,}")]
    for rule, n in report.removed:
        label = RULE_LABELS.get(rule, rule)
        if rule == "missing_customer":
            label = "Kept lines without a customer (product views only)"
        rows.append((f"  {label}", f"{n:,}"))
    rows += [
        ("Lines kept", f"{report.kept_lines:,}"),
        ("Customers with purchases", f"{dataset.n_buyers:,}"),
    ]
    registered = len(dataset.customers) - dataset.n_buyers
    if registered > 0:
        rows.append(("Customers registered without a purchase", f"{registered:,}"))
    rows += [
        ("Products", f"{len(dataset.products):,}"),
        ("Invoices", f"{tx[S.INVOICE_ID].nunique():,}"),
    ]
    if len(tx):
        first, last = tx[S.INVOICE_DATE].min(), tx[S.INVOICE_DATE].max()
        rows.append(("Date range", f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"))
    width = max(len(label) for label, _ in rows)
    value_width = max(len(value) for label, value in rows if label != "Date range")
    layout = LAYOUT_NAMES.get(report.layout, report.layout)
    lines = [f"{source}: {layout} layout" if source else f"{layout} layout"]
    for label, value in rows:
        lines.append(f"{label:<{width}}  {value:>{value_width}}")
    notes = note_lines(dataset)
    if notes:
        lines.append("Notes")
        lines += [f"  - {note}" for note in notes]
    return "\n".join(lines)
