"""Service commands: ``serve`` (the HTTP recommendation service) and ``append-events``.

``python -m recsys serve DATA --host 127.0.0.1 --port 8000 --state DIR`` fits (or loads)
the model and answers the shop's website; keys come from ``RECSYS_API_KEYS``.
``python -m recsys append-events DATA.csv --state DIR`` appends the logged purchases to
the data file; ``--out FILE.csv`` writes them to a CSV of their own instead.
"""

from __future__ import annotations

import argparse
import sys

from recsys.cli.options import add_read_options, apply_to_environment
from recsys.errors import DataError, ParameterError, RecsysError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` and ``append-events`` commands to the ``python -m recsys`` parser."""
    srv = subparsers.add_parser(
        "serve",
        help="run the recommendation service (HTTP/JSON) for the shop's website and apps",
        description=(
            "Fit the hybrid recommender and the segments on DATA (any accepted layout; the "
            "dashboard's settings, so both give the same recommendations), or load the snapshot "
            "in DIR fitted on the same data, and serve them over HTTP. Purchase events posted "
            "to /v1/events are written to DIR and folded in at once. Keys come from the "
            "environment: RECSYS_API_KEYS='key1:read,key2:write'; optional RECSYS_CORS_ORIGINS "
            "(comma-separated origins), RECSYS_MAX_BODY_BYTES, RECSYS_REFIT_MINUTES. "
            "See /docs on the running service."
        ),
    )
    srv.add_argument("data", metavar="DATA", help="data file or folder")
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    srv.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    srv.add_argument("--state", required=True, metavar="DIR",
                     help="the service's own folder: event log and model snapshots")
    srv.add_argument("--k", type=int, default=5, help="customer segments (default 5, as the dashboard)")
    srv.add_argument("--seed", type=int, default=0, help="k-means seed (default 0)")
    srv.add_argument("--features", choices=("rfm", "rfm_behaviour"), default="rfm_behaviour",
                     help="segmentation feature set (default rfm_behaviour)")
    srv.add_argument("--refit-minutes", type=int, default=None, metavar="M",
                     help="refit every M minutes when new events arrived (default: "
                          "RECSYS_REFIT_MINUTES, else only on POST /v1/admin/refit)")
    add_read_options(srv)
    srv.set_defaults(handler=run_serve)

    app = subparsers.add_parser(
        "append-events",
        help="append the service's logged purchases to the data file (or export them)",
        description=(
            "Append the purchases in the service's event log (--state DIR) whose invoice is "
            "not in DATA yet, in DATA's own format, atomically and under a file lock; or, "
            "with --out, write them to a canonical CSV of their own."
        ),
    )
    app.add_argument("data", metavar="DATA", nargs="?", help="CSV data file to extend")
    app.add_argument("--state", required=True, metavar="DIR", help="the service's state folder")
    app.add_argument("--out", metavar="FILE.csv", help="write the events to this CSV instead")
    app.add_argument("--dates", choices=("auto", "day-first", "month-first"), default="auto",
                     help="how to read DATA's dates such as 05/12/2011 (default: detect, as "
                          "validate does); new dates are written in the same order")
    app.set_defaults(handler=run_append_events)


def run_serve(args: argparse.Namespace) -> int:
    """Handle ``serve``: check the settings, then serve until interrupted."""
    from pathlib import Path

    if not 1 <= args.port <= 65535:
        raise ParameterError(f"--port must be 1 to 65535, got {args.port}")
    if not 2 <= args.k <= 12:
        raise ParameterError(f"--k must be between 2 and 12, got {args.k}")
    if not Path(args.data).exists():
        raise DataError(f"no such data file or folder: {args.data}")
    try:
        from recsys.service.config import ModelSettings, ServiceConfig
        from recsys.service.server import serve
    except ImportError as exc:
        raise RecsysError(
            f"the service needs its extra packages ({exc.name} is missing): run "
            "'pip install -r requirements-service.txt' or 'make serve'") from None
    from recsys.service.runtime import StateInUse

    apply_to_environment(args)  # the refit child reads the data as the service did
    config = ServiceConfig.from_env(
        args.data, args.state, refit_minutes=args.refit_minutes,
        model=ModelSettings(k=args.k, feature_set=args.features, seed=args.seed))
    try:
        return serve(config, host=args.host, port=args.port)
    except StateInUse as exc:
        raise RecsysError(str(exc)) from None


def run_append_events(args: argparse.Namespace) -> int:
    """Handle ``append-events``: extend DATA, or write --out."""
    from pathlib import Path

    from recsys.service.export import append_events, events_csv

    if args.out:
        out = Path(args.out)
        if out.parent and not out.parent.exists():
            raise ParameterError(f"the folder of --out does not exist: {out.parent}; create it or pick another")
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_bytes(events_csv(Path(args.state)))
        tmp.replace(out)
        print(f"wrote the logged purchases to {out}", file=sys.stderr)
        return 0
    if not args.data:
        raise ParameterError("give the CSV data file to extend, or --out FILE.csv")
    done = append_events(Path(args.data), Path(args.state), dates=args.dates)
    print(f"appended {done.lines:,} lines of {done.invoices:,} purchases to {done.path}"
          + (f" ({done.already_there:,} already in the file)" if done.already_there else ""))
    return 0
