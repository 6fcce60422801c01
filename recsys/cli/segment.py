"""Segmentation command: ``segment`` (cluster customers, write the per-customer CSV).

``python -m recsys segment PATH --k K --seed S --out FILE.csv [--features rfm|rfm_behaviour]``
reads any accepted layout (or a folder of canonical CSVs), computes the customer
features (with category shares; categories derived from product descriptions where the
source has none), forms ``K`` segments numbered by value and named, and writes one row per
customer (``customer_id``, ``segment``, ``segment_name``, the figures, ``p_alive`` and
``predicted_value`` from :mod:`recsys.value`) with the same spreadsheet-safe writer as the
dashboard's downloads.
"""

from __future__ import annotations

import argparse
import sys

from recsys.cli.options import add_read_options, load
from recsys.errors import ParameterError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``segment`` command to the ``python -m recsys`` parser."""
    parser = subparsers.add_parser(
        "segment",
        help="segment customers with k-means and write one CSV row per customer",
        description=(
            "Read PATH (a CSV, Excel or Parquet export in the UCI Online Retail, Online "
            "Retail II or canonical layout, or a folder of canonical CSVs), form K customer "
            "segments (1 = most valuable) and write customer_id, segment, segment_name, "
            "the customer figures, P(active) and predicted 12-month value (p_alive, predicted_value) "
            "and the top recommendations to FILE.csv (UTF-8 with BOM, formulas neutralised)."
        ),
    )
    parser.add_argument("path", metavar="PATH", help="data file or folder")
    parser.add_argument("--k", type=int, default=5, help="number of segments, 2..12 (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="k-means seed (default 0)")
    parser.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the CSV")
    parser.add_argument(
        "--hash-ids", action="store_true",
        help="write customer_id_sha256 (SHA-256 of the trimmed, lower-case id, e.g. an e-mail "
             "address as ad platforms match it) instead of customer_id",
    )  # fmt: skip
    parser.add_argument(
        "--features",
        choices=("rfm", "rfm_behaviour"),
        default="rfm_behaviour",
        help="feature set: RFM only, or RFM plus behaviour (default)",
    )
    parser.add_argument(
        "--recs",
        type=int,
        default=5,
        metavar="N",
        help="add each customer's top N hybrid recommendations as rec_1..rec_N (default 5; 0 for none)",
    )
    parser.add_argument(
        "--sweep", action="store_true", help="also print inertia and silhouette for k = 2..12"
    )
    add_read_options(parser)
    parser.set_defaults(handler=run_segment)


def run_segment(args: argparse.Namespace) -> int:
    """Handle ``segment``: load, segment, write the export, print a one-line summary per segment."""
    from pathlib import Path

    from recsys.data import schema as S
    from recsys.data.categories import dataset_categories
    from recsys.export import to_csv_bytes
    from recsys.segments.export import segment_export
    from recsys.segments.features import customer_features
    from recsys.segments.kmeans import prepare_features, segment_customers
    from recsys.segments.ksweep import sweep_k

    if not 2 <= args.k <= 12:
        raise ParameterError(f"--k must be between 2 and 12, got {args.k}")
    if args.recs < 0:
        raise ParameterError(f"--recs must be 0 or more, got {args.recs}")
    out = Path(args.out)
    if out.parent and not out.parent.exists():
        raise ParameterError(f"the folder of --out does not exist: {out.parent}; create it or pick another")
    dataset = load(args)
    # Categories derived from descriptions where the source has none (as on the Trends page),
    # so the behaviour features and the CSV hold category shares on UCI exports too.
    features = customer_features(dataset, products=dataset_categories(dataset))
    prepared = prepare_features(features, feature_set=args.features)
    result = segment_customers(
        features, k=args.k, feature_set=args.features, random_state=args.seed, prepared=prepared
    )
    recommendations = None
    if args.recs:
        from recsys.data.cancellations import customer_lines_with_cancellations
        from recsys.data.catalogue import with_descriptions
        from recsys.recommend.ratings import fit_recommender

        model = fit_recommender(
            customer_lines_with_cancellations(dataset),
            reviews=dataset.reviews,
            products=dataset.products,
            customers=dataset.customers,
            segments=result.assignments,
        )
        recs = model.recommend(result.assignments[S.CUSTOMER_ID].tolist(), n=args.recs)
        recommendations = with_descriptions(recs, dataset.products)
    # Contact columns (email, names, phone) are added where the customers file has them;
    # the existing columns keep their names, as scripts join on them.
    export = segment_export(
        _with_value(features, dataset), result.assignments, recommendations=recommendations,
        n_recs=args.recs, hash_ids=args.hash_ids, customers=dataset.customers,
    )
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(to_csv_bytes(export))
    tmp.replace(out)
    for row in result.summary.itertuples(index=False):
        print(
            f"{row.segment:>3}  {row.segment_name:<24} {row.customers:>8,} customers  "
            f"{100 * row.revenue_share:5.1f}% of revenue"
        )
    if args.sweep:
        sweep = sweep_k(prepared, random_state=args.seed)
        print(sweep.table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(f"suggested k = {sweep.suggested_k}: {sweep.reason} (silhouette on {sweep.sample_size:,} customers)")
    print(f"wrote {len(export):,} customers to {out}", file=sys.stderr)
    return 0


def _with_value(features, dataset):
    """Return ``features`` plus each customer's ``p_alive`` and ``predicted_value`` (12 months).

    The value columns are empty, with a note on standard error, when the data is too small
    or too short for the value models.
    """
    from recsys.errors import DataError
    from recsys.value.clv import customer_value, export_columns

    try:
        value = customer_value(dataset)
    except DataError as exc:
        print(f"note: no customer value columns: {exc}", file=sys.stderr)
        value = None
    return features.join(export_columns(value, features.index))
