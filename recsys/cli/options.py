"""Options every command that reads data shares: ``--dates`` and ``--max-rows``.

:func:`add_read_options` adds them to a command's parser; :func:`load` reads the
command's ``PATH`` with them and keeps the cleaning report's notes (an ambiguous date
order, repaired values, unreadable ones) in ``args.notes``, which
:func:`recsys.cli.main` prints to standard error after the command succeeded: a command
never uses a reading it did not say, and a refusal stays one line.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from recsys.data.dataset import CleaningReport, Dataset

DATE_CHOICES = ("auto", "day-first", "month-first")


def _positive(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number of lines, got {text!r}")
    return value


def add_read_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--dates`` and ``--max-rows`` to a command that reads ``PATH``."""
    parser.add_argument(
        "--dates", choices=DATE_CHOICES, default="auto",
        help="how to read dates such as 05/12/2011: detect the order (default; the report "
             "says when no date proves it), or read them day-first or month-first",
    )  # fmt: skip
    parser.add_argument(
        "--max-rows", type=_positive, default=None, metavar="N",
        help="refuse files with more lines, before reading them (default 20,000,000 or "
             "RECSYS_MAX_ROWS; about 1 GB of memory per 2 million lines)",
    )  # fmt: skip


def apply_to_environment(args: argparse.Namespace) -> None:
    """Make the read options the process's defaults (``RECSYS_DATES``, ``RECSYS_MAX_ROWS``),
    for commands whose reading happens deeper or in child processes (pipeline, serve)."""
    import os

    os.environ["RECSYS_DATES"] = args.dates
    if args.max_rows is not None:
        os.environ["RECSYS_MAX_ROWS"] = str(args.max_rows)


def load(args: argparse.Namespace, *, notes: bool = True) -> Dataset:
    """Load ``args.path`` with the read options; keep the report's notes in ``args.notes``."""
    from recsys.data.load import load_dataset

    dataset = load_dataset(args.path, dates=args.dates, max_rows=args.max_rows)
    if notes:
        args.notes = note_lines(dataset)
    return dataset


def note_lines(dataset: Dataset) -> list[str]:
    """The report's notes, and how to read ambiguous dates the other way."""
    return report_note_lines(dataset.report)


def report_note_lines(report: CleaningReport) -> list[str]:
    """The notes of a cleaning report (see :func:`note_lines`)."""
    lines = [n for n in (report.ambiguous_dates_note(), *report.notes) if n]
    if report.dates_ambiguous:
        other = "month-first" if report.date_order == "day-first" else "day-first"
        lines.append(f"dates were read {report.date_order}; to read them {other}: --dates {other}")
    return lines
