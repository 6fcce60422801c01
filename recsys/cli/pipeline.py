"""Batch command: ``pipeline`` (import once, compute every artifact the app and the service read).

``python -m recsys pipeline DATA --out DIR [--engine local|spark] [--k K] [--seed S]
[--until YYYY-MM-DD]`` imports and cleans DATA once into a columnar store (``DIR/store``)
and writes the artifacts (segments for every k, trends, rules, recommendations, the
evaluation) as Parquet with ``DIR/manifest.json``; see :mod:`recsys.pipeline`.
"""

from __future__ import annotations

import argparse
import sys

from recsys.cli.options import add_read_options, apply_to_environment, report_note_lines


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``pipeline`` command to the ``python -m recsys`` parser."""
    from recsys.pipeline.steps import STEPS, PipelineParams

    defaults = PipelineParams()
    parser = subparsers.add_parser(
        "pipeline",
        help="import once into a columnar store and compute every artifact (Parquet + manifest)",
        description=(
            "Read DATA (any accepted layout, or a folder of canonical CSVs) once into a columnar "
            "store and write segments (every k from 2 to 12), trends, frequent sets and rules, "
            "every customer's recommendations and the evaluation as Parquet files with a "
            "manifest.json (data fingerprint, settings, engine, versions, timings) to DIR. DIR "
            "is replaced only when the run is complete; the same data and settings give the same "
            "files. With --engine spark the steps run on Spark (pyspark; DATA and DIR may be "
            "HDFS or S3 paths under spark-submit)."
        ),
    )
    parser.add_argument("path", metavar="DATA", help="data file or folder (or hdfs:// / s3a:// path with --engine spark)")
    parser.add_argument("--out", required=True, metavar="DIR", help="artifact folder (replaced whole)")
    parser.add_argument("--engine", choices=("local", "spark"), default="local",
                        help="local (pandas, one machine; default) or spark")
    parser.add_argument("--k", type=int, default=defaults.k,
                        help=f"segments of segments.parquet and of the recommender, 2..12 (default {defaults.k})")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="seed of every random step (default 0)")
    parser.add_argument("--until", metavar="YYYY-MM-DD",
                        help="recommendations learn only from lines before this day (default: all)")
    parser.add_argument("--n", type=int, default=defaults.n_recommendations, metavar="N",
                        help=f"recommendations per customer (default {defaults.n_recommendations})")
    parser.add_argument("--eval-customers", type=int, default=defaults.eval_customers, metavar="N",
                        help="the evaluation runs on the lines of a seeded sample of N customers "
                             f"(default {defaults.eval_customers}; 0: every customer)")
    parser.add_argument("--tune-customers", type=int, default=defaults.tune_customers, metavar="N",
                        help="the recommender's settings are chosen by validation on a seeded "
                             f"sample of N customers (default {defaults.tune_customers}; 0: every customer)")
    parser.add_argument("--steps", default=",".join(STEPS), metavar="LIST",
                        help=f"comma-separated subset of {', '.join(STEPS)} (default all)")
    parser.add_argument("--master", metavar="URL",
                        help="Spark master (default local[2], or the one spark-submit sets)")
    add_read_options(parser)
    parser.set_defaults(handler=run_pipeline_command)


def run_pipeline_command(args: argparse.Namespace) -> int:
    """Handle ``pipeline``: run it, print one line per step with its time."""
    import time

    from recsys.pipeline.run import run_pipeline
    from recsys.pipeline.steps import PipelineParams

    apply_to_environment(args)
    steps = tuple(s.strip() for s in args.steps.split(",") if s.strip())
    params = PipelineParams(k=args.k, seed=args.seed, until=args.until,
                            n_recommendations=args.n, eval_customers=args.eval_customers or None,
                            tune_customers=args.tune_customers or None,
                            steps=steps)
    started = time.perf_counter()

    def progress(done: float, message: str) -> None:
        print(f"[{100 * done:3.0f}%] {time.perf_counter() - started:7.1f} s  {message}", file=sys.stderr)

    manifest = run_pipeline(args.path, args.out, params=params, engine=args.engine,
                            progress=progress, spark_master=args.master)
    timings = manifest.get("timings", {})
    cpu = manifest.get("cpu_timings", {})
    for step, seconds in timings.items():
        print(f"{step:<16} {seconds:8.2f} s" + (f"  (CPU {cpu[step]:.2f} s)" if step in cpu else ""))
    report = manifest.get("store", {}).get("report")
    if report:  # what reading the data repaired or left out, as every command says it
        from recsys.pipeline.store import report_from_dict

        args.notes = report_note_lines(report_from_dict(report))
    artifacts = manifest.get("artifacts", {})
    print(f"wrote {len(artifacts)} artifacts to {args.out} (data fingerprint "
          f"{manifest.get('data_fingerprint')})", file=sys.stderr)
    return 0
