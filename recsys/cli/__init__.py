"""Command-line interface: ``python -m recsys COMMAND ...``.

Each command lives in a submodule of this package that defines
``register(subparsers)``; registration only builds the parser (heavy imports happen
inside the handlers), so ``--help`` is instant. A handler returns the exit code; the
notes of the data it read (``args.notes``, see :mod:`recsys.cli.options`) follow on
standard error when it succeeded.

Errors: a problem the user can fix (a :class:`recsys.errors.RecsysError`, or a file that
cannot be read or written) prints one line to standard error, naming the value or the
file, and exits with status 2. Anything else is a bug: one line with a reference
(``internal error 1a2b3c4d: …``), exit status 70, and the traceback appended to the log
file ``$RECSYS_LOG`` (default ``recsys-errors.log`` in the temporary folder);
``RECSYS_TRACEBACK=1`` prints the traceback on standard error as well.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import importlib
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from recsys.errors import LOG_ENV, RecsysError, new_reference

COMMAND_MODULES: tuple[str, ...] = (
    "recsys.cli.data",
    "recsys.cli.synth",
    "recsys.cli.segment",
    "recsys.cli.insights",
    "recsys.cli.recommend",
    "recsys.cli.pipeline",
    "recsys.cli.serve",
    "recsys.cli.value",
)

EXIT_USAGE = 2
"""Exit status of an error the user can fix (as argparse uses for a bad option)."""
EXIT_BUG = 70
"""Exit status of an unexpected error (``EX_SOFTWARE`` of sysexits.h)."""
TRACEBACK_ENV = "RECSYS_TRACEBACK"
"""Set to ``1`` to print the traceback of an unexpected error on standard error too."""


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every command of :data:`COMMAND_MODULES` registered."""
    parser = argparse.ArgumentParser(
        prog="python -m recsys",
        description=(
            "Customer segmentation, trends, frequent combinations and hybrid product "
            "recommendations for an online shop's transactions."
        ),
        epilog=(
            f"Exit status 2: a problem with the input or the options (the message says which). "
            f"Status {EXIT_BUG}: a bug; the traceback goes to ${LOG_ENV} "
            "(default: recsys-errors.log in the temporary folder)."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def log_path() -> Path:
    """Return the file that receives the tracebacks of unexpected errors."""
    value = os.environ.get(LOG_ENV, "").strip()
    return Path(value).expanduser() if value else Path(tempfile.gettempdir()) / "recsys-errors.log"


_OS_ADVICE = {
    errno.ENOSPC: "free some space on that disk, or write somewhere else",
    errno.EDQUOT: "free some space in your quota, or write somewhere else",
    errno.EACCES: "check the permissions of the file and its folder",
    errno.EPERM: "check the permissions of the file and its folder",
    errno.EROFS: "write to a disk that is not read-only",
    errno.ENOENT: "check the path",
    errno.EISDIR: "give a file, not a folder",
    errno.ENOTDIR: "check the path: a part of it is a file, not a folder",
}


def file_problem(exc: OSError) -> str:
    """Return one line for a file that cannot be used, naming it and saying what to do:
    ``cannot use FILE: reason: advice`` (never ``[Errno 28]``)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    advice = _OS_ADVICE.get(exc.errno)
    line = reason if exc.filename is None else f"cannot use {exc.filename}: {reason}"
    return f"{line}: {advice}" if advice else line


def report_bug(exc: BaseException, argv: Sequence[str] | None) -> str:
    """Write the traceback of ``exc`` with a new reference to the log; return the line to print."""
    reference = new_reference()
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    command = " ".join(["python -m recsys", *(sys.argv[1:] if argv is None else argv)])
    entry = f"{dt.datetime.now().isoformat(timespec='seconds')} reference {reference}: {command}\n{text}\n"
    path = log_path()
    try:
        with path.open("a", encoding="utf-8") as log:
            log.write(entry)
        where = f"the details are in {path}"
    except OSError as log_error:
        where = f"the log {path} could not be written ({file_problem(log_error)})"
    if os.environ.get(TRACEBACK_ENV, "").strip() not in ("", "0"):
        sys.stderr.write(text)
    return (
        f"internal error {reference}: this is a bug, not a problem with your data or options; "
        f"{where} (quote {reference} when reporting it)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.handler(args) or 0)
    except RecsysError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: {file_problem(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the command's last line: anything else is a bug
        print(report_bug(exc, argv), file=sys.stderr)
        return EXIT_BUG
    for note in getattr(args, "notes", ()):
        print(f"note: {note}", file=sys.stderr)
    return code
