"""Command-line interface: ``python -m recsys COMMAND ...``.

Each command lives in a submodule of this package that defines
``register(subparsers)``; registration only builds the parser (heavy imports happen
inside the handlers), so ``--help`` is instant. A handler returns the exit code; the
notes of the data it read (``args.notes``, see :mod:`recsys.cli.options`) follow on
standard error when it succeeded.
Errors the user can fix (a :class:`ValueError`, a missing file) print one line to
standard error and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES: tuple[str, ...] = (
    "recsys.cli.data",
    "recsys.cli.synth",
    "recsys.cli.segment",
    "recsys.cli.insights",
    "recsys.cli.recommend",
    "recsys.cli.pipeline",
    "recsys.cli.serve",
)

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every command of :data:`COMMAND_MODULES` registered."""
    parser = argparse.ArgumentParser(
        prog="python -m recsys",
        description=(
            "Customer segmentation, trends, frequent combinations and hybrid product "
            "recommendations for an online shop's transactions."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.handler(args) or 0)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    for note in getattr(args, "notes", ()):
        print(f"note: {note}", file=sys.stderr)
    return code
