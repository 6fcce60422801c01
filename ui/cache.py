"""Cached steps of the analysis: the only module that uses ``st.cache_data`` / ``st.cache_resource``.

Each wrapper is keyed by small scalars (the data set's fingerprint plus the step's
parameters); large inputs are passed as ``_``-prefixed arguments, which Streamlit does
not hash, beside the fingerprint that identifies them. ``st.cache_data`` returns a
copy per caller; ``st.cache_resource`` returns one shared fitted object that callers
must never mutate.
"""

from __future__ import annotations

import streamlit as st  # noqa: F401

# ---- Data: loading, generating, appending ------------------------------------------
# A Dataset is frozen and read-only by contract, so it is cached as a resource: one shared
# object per data set, instead of a pickled copy of half a million lines on every rerun.

# isort: split
import hashlib
import io
from pathlib import Path

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""Largest upload the loader accepts (the server refuses larger ones: ``maxUploadSize``)."""

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data"
"""The bundled sample shop (canonical CSVs)."""


def file_stamp(path: str | Path) -> str:
    """Return a token that changes when the file (or any file in the folder) changes."""
    path = Path(path)
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    parts = []
    for file in files:
        stat = file.stat()
        parts.append(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def bytes_digest(data: bytes) -> str:
    """Return a hex digest of ``data`` (the cache key of an upload)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@st.cache_resource(show_spinner="Loading the data set…", max_entries=4)
def _load_path(path: str, stamp: str):
    from recsys.data.load import load_dataset

    return load_dataset(Path(path))


def load_path(path: str | Path):
    """Return the :class:`recsys.Dataset` of a file or folder, reloaded when it changes."""
    path = Path(path)
    return _load_path(str(path.resolve()), file_stamp(path))


def load_sample():
    """Return the bundled sample shop as a :class:`recsys.Dataset`."""
    return load_path(SAMPLE_DIR)


@st.cache_resource(show_spinner="Reading the uploaded file…", max_entries=3)
def _load_uploaded(digest: str, name: str, _data: bytes):
    from recsys.data.load import load_dataset

    return load_dataset(io.BytesIO(_data), name=name, max_bytes=MAX_UPLOAD_BYTES)


def load_uploaded(data: bytes, name: str):
    """Return the :class:`recsys.Dataset` of an uploaded file (cached by a hash of its bytes).

    Raises
    ------
    recsys.errors.DataError
        When the file cannot be used; the message names what is wrong.
    """
    return _load_uploaded(bytes_digest(data), name, data)


class _NotCached(Exception):
    """Raised inside a cached function to look in its cache without filling it."""


def _generate_now(n_customers: int, seed: int, progress=None):
    from recsys.synth.shop import generate_shop

    shop = generate_shop(n_customers=n_customers, seed=seed, progress=progress)
    _generated_shop(n_customers, seed, _ready=shop)
    return shop.to_dataset()


@st.cache_resource(show_spinner="Generating the shop…", max_entries=4)
def _generate(n_customers: int, seed: int, _ready=None, _lookup_only: bool = False):
    if _ready is not None:
        return _ready
    if _lookup_only:
        raise _NotCached  # exceptions are not cached: the next call still misses
    return _generate_now(n_customers, seed)


# The raw tables of the last shop generated (with its cancellations, as written to CSV),
# kept for a working copy: one entry, so a second copy of every shop is not held.
@st.cache_resource(show_spinner="Generating the shop…", max_entries=1)
def _generated_shop(n_customers: int, seed: int, _ready=None):
    if _ready is not None:
        return _ready
    from recsys.synth.shop import generate_shop

    return generate_shop(n_customers=n_customers, seed=seed)


def generate(n_customers: int, seed: int, *, progress=None):
    """Return a generated shop of ``n_customers`` (same seed, same data) as a Dataset.

    A shop already in the cache is returned as it is. Otherwise, with ``progress``
    (called as ``progress(fraction_done, message)``), the shop is generated here, outside
    the cache, and then stored under its key: Streamlit does not allow a cached function
    to update an element (the progress bar) drawn outside it.
    """
    n_customers, seed = int(n_customers), int(seed)
    if progress is None:
        return _generate(n_customers, seed)
    try:
        return _generate(n_customers, seed, _lookup_only=True)
    except _NotCached:
        return _generate(n_customers, seed, _ready=_generate_now(n_customers, seed, progress))


def generated_shop(n_customers: int, seed: int):
    """Return the :class:`recsys.synth.shop.GeneratedShop` (raw tables) of :func:`generate`.

    The last shop generated is kept, so writing it out (a working copy to append to)
    does not generate it again; another shop is generated once more.
    """
    return _generated_shop(int(n_customers), int(seed))


@st.cache_data(show_spinner=False, max_entries=16)
def shop_overview(fingerprint: str, _dataset, *, n: int = 10):
    """Return ``(kpis, top_products, top_countries)`` of the data set (see recsys.insights.overview)."""
    from recsys.insights import overview

    tx = _dataset.transactions
    return (
        overview.shop_kpis(_dataset),
        overview.top_products(tx, _dataset.products, n=n),
        overview.top_countries(tx, n=n),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def revenue_by_period(fingerprint: str, freq: str, _transactions):
    """Return :func:`recsys.insights.trends.period_totals` of the data set's lines."""
    from recsys.insights.trends import period_totals

    return period_totals(_transactions, freq=freq)


# ---- Segmentation: features, k sweep, segments -------------------------------------
# Every step is keyed by the data fingerprint plus its own small parameters. The sweep keeps
# the k-means labels of every k, so moving the k slider reuses a fit instead of refitting.


@st.cache_data(show_spinner="Computing customer figures…", max_entries=8)
def customer_features(fingerprint: str, _dataset):
    """Return :func:`recsys.segments.features.customer_features` of the data set (indexed by customer_id).

    Category shares use :func:`product_category_table` (the Trends page's categories,
    derived from descriptions where the source has none), so UCI data has them too.
    """
    from recsys.segments.features import customer_features as compute

    return compute(_dataset, products=product_category_table(fingerprint, _dataset))


@st.cache_data(show_spinner=False, max_entries=8)
def prepared_features(fingerprint: str, feature_set: str, _dataset):
    """Return :func:`recsys.segments.kmeans.prepare_features` of the data set's customer figures."""
    from recsys.segments.kmeans import prepare_features

    return prepare_features(customer_features(fingerprint, _dataset), feature_set=feature_set)


@st.cache_data(show_spinner="Trying k = 2 to 12 (k-means and silhouette)…", max_entries=8)
def k_sweep(fingerprint: str, feature_set: str, seed: int, _dataset):
    """Return the :class:`recsys.segments.kmeans.KSweep` (k = 2..12) of the data set."""
    from recsys.segments.kmeans import sweep_k

    prepared = prepared_features(fingerprint, feature_set, _dataset)
    k_range = range(2, min(12, len(prepared) - 1) + 1)
    return sweep_k(prepared, k_range=k_range, random_state=int(seed))


@st.cache_data(show_spinner="Forming segments…", max_entries=32)
def segmentation(fingerprint: str, k: int, feature_set: str, seed: int, _dataset):
    """Return the :class:`recsys.segments.kmeans.Segmentation` of the data set at ``k``.

    Reuses the sweep's k-means labels for ``k`` (same seed, same fit) when it has them.
    """
    from recsys.segments.kmeans import segment_customers

    features = customer_features(fingerprint, _dataset)
    prepared = prepared_features(fingerprint, feature_set, _dataset)
    sweep = k_sweep(fingerprint, feature_set, seed, _dataset)
    return segment_customers(
        features,
        k=int(k),
        feature_set=feature_set,
        random_state=int(seed),
        prepared=prepared,
        labels=sweep.labels.get(int(k)),
    )


def segment_assignments(fingerprint: str, k: int, feature_set: str, seed: int, _dataset):
    """Return the segments of every customer at ``k`` (cached through :func:`segmentation`).

    Returns
    -------
    DataFrame
        Columns ``customer_id`` (str), ``segment`` (int, 1 = most valuable),
        ``segment_name`` (str).
    """
    return segmentation(fingerprint, int(k), feature_set, int(seed), _dataset).assignments


@st.cache_data(show_spinner=False, max_entries=8)
def rfm_scores(fingerprint: str, _dataset):
    """Return :func:`recsys.segments.rfm.rfm_scores` of the data set's customers."""
    from recsys.segments.rfm import rfm_scores as compute

    return compute(customer_features(fingerprint, _dataset))


@st.cache_data(show_spinner=False, max_entries=16)
def segment_projection(fingerprint: str, k: int, feature_set: str, seed: int, _dataset):
    """Return ``(points, explained)`` of :func:`recsys.segments.profile.project_2d` at ``k``."""
    from recsys.segments.profile import project_2d

    prepared = prepared_features(fingerprint, feature_set, _dataset)
    assignments = segment_assignments(fingerprint, k, feature_set, seed, _dataset)
    return project_2d(prepared, assignments, random_state=int(seed))


@st.cache_data(show_spinner=False, max_entries=16)
def segment_profiles(fingerprint: str, k: int, feature_set: str, seed: int, _dataset):
    """Return :func:`recsys.segments.profile.segment_profile` (figures per segment and overall)."""
    from recsys.segments.profile import segment_profile

    features = customer_features(fingerprint, _dataset)
    assignments = segment_assignments(fingerprint, k, feature_set, seed, _dataset)
    return segment_profile(features, assignments)


@st.cache_data(show_spinner=False, max_entries=32)
def segment_purchases(fingerprint: str, k: int, feature_set: str, seed: int, segment: int, _dataset):
    """Return :func:`recsys.segments.profile.segment_purchases` of one segment."""
    from recsys.segments.profile import segment_purchases as compute

    assignments = segment_assignments(fingerprint, k, feature_set, seed, _dataset)
    return compute(_dataset, assignments, segment=int(segment))


# ---- Trends and baskets ------------------------------------------------------------
# Filters (date range, countries, segments) are small scalars and tuples, so every step
# is keyed by the data fingerprint plus them. The filtered lines and the basket matrix
# are shared resources (read-only); tables and rules are data, copied per caller.


def _segment_customers(fingerprint, segments, k, feature_set, seed, _dataset):
    """Customer ids in ``segments`` (None when no segment filter is set)."""
    if not segments:
        return None
    assignments = segment_assignments(fingerprint, int(k), feature_set, int(seed), _dataset)
    chosen = assignments[assignments["segment"].isin([int(s) for s in segments])]
    return chosen["customer_id"].astype(str).tolist()


@st.cache_resource(show_spinner=False, max_entries=6)
def insight_lines(
    fingerprint: str,
    start: object,
    end: object,
    countries: tuple[str, ...] = (),
    segments: tuple[int, ...] = (),
    k: int = 0,
    feature_set: str = "",
    seed: int = 0,
    _dataset=None,
):
    """Return the data set's lines within the date range, countries and segments (shared).

    An empty ``countries`` / ``segments`` keeps all; ``k``, ``feature_set``, ``seed`` say
    which segmentation ``segments`` refers to. Callers must not modify the frame.
    """
    from recsys.data.filters import filter_lines

    customers = _segment_customers(fingerprint, segments, k, feature_set, seed, _dataset)
    return filter_lines(
        _dataset.transactions, start=start, end=end, countries=list(countries) or None,
        customer_ids=customers,
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def insight_figure(key: tuple, _build):
    """Return the figure ``_build()`` makes, built once per ``key`` (shared: never modify it).

    ``key`` names the chart and every input it depends on (fingerprint, filters,
    settings), as small scalars; building plotly figures is most of a re-render.
    """
    return _build()


@st.cache_data(show_spinner="Grouping products into categories…", max_entries=8)
def product_category_table(fingerprint: str, _dataset):
    """Return :func:`recsys.data.categories.dataset_categories` (``product_id``, ``category``, ``derived``)."""
    from recsys.data.categories import dataset_categories

    return dataset_categories(_dataset)


@st.cache_data(show_spinner=False, max_entries=16)
def segment_choices(fingerprint: str, k: int, feature_set: str, seed: int, _dataset):
    """Return ``[(segment, segment_name), ...]`` of the segmentation, best segment first."""
    assignments = segment_assignments(fingerprint, int(k), feature_set, int(seed), _dataset)
    pairs = assignments[["segment", "segment_name"]].drop_duplicates().sort_values("segment")
    return [(int(s), str(n)) for s, n in zip(pairs["segment"], pairs["segment_name"], strict=True)]


@st.cache_data(show_spinner="Adding up sales…", max_entries=16)
def trend_tables(fingerprint: str, start, end, freq: str, _dataset):
    """Return the Trends page's tables for a date range and period length.

    Returns
    -------
    dict
        ``totals`` (:func:`recsys.insights.trends.period_totals`), ``by_category``
        (:func:`recsys.insights.trends.category_totals`), ``weekday_hour``, ``year_over_year``,
        ``season`` (category seasonality index), ``peaks`` (:func:`recsys.insights.seasonality.peak_months`),
        ``derived`` (bool: categories derived from descriptions).
    """
    from recsys.data.categories import line_categories
    from recsys.insights import seasonality, trends

    tx = insight_lines(fingerprint, start, end, _dataset=_dataset)
    categories = product_category_table(fingerprint, _dataset)
    season = seasonality.seasonality_index(tx, keys=line_categories(tx, categories))
    return {
        "totals": trends.period_totals(tx, freq=freq),
        "by_category": trends.category_totals(tx, categories, freq=freq),
        "weekday_hour": trends.weekday_hour(tx),
        "year_over_year": seasonality.year_over_year(tx),
        "season": season,
        "peaks": seasonality.peak_months(season),
        "derived": bool(categories["derived"].any()),
    }


@st.cache_data(show_spinner="Finding seasonal products…", max_entries=8)
def product_seasonality(fingerprint: str, start, end, min_revenue: float, _dataset):
    """Return ``(season, peaks)`` per product (:func:`recsys.insights.seasonality.seasonality_index`),
    ``key`` being the product's description and id."""
    from recsys.data import schema as S
    from recsys.data.catalogue import product_labels
    from recsys.insights import seasonality

    tx = insight_lines(fingerprint, start, end, _dataset=_dataset)
    labels = product_labels(tx[S.PRODUCT_ID], _dataset.products)
    season = seasonality.seasonality_index(tx, keys=labels, min_revenue=min_revenue)
    return season, seasonality.peak_months(season)


@st.cache_data(show_spinner=False, max_entries=16)
def trend_movers(fingerprint: str, start, end, by: str, weeks: int, _dataset):
    """Return :func:`recsys.insights.trends.movers` of products (``by="product"``) or categories,
    the recent window ending with ``end`` (both windows inside the range when it spans
    ``2 * weeks`` weeks)."""
    import pandas as pd

    from recsys.data import schema as S
    from recsys.data.catalogue import product_labels
    from recsys.data.categories import line_categories
    from recsys.insights import trends

    tx = insight_lines(fingerprint, start, end, _dataset=_dataset)
    as_of = pd.Timestamp(end) + pd.Timedelta(days=1)
    if by == "category":
        keys = line_categories(tx, product_category_table(fingerprint, _dataset))
        return trends.movers(tx, keys=keys, weeks=int(weeks), min_units=50, as_of=as_of)
    keys = product_labels(tx[S.PRODUCT_ID], _dataset.products)
    return trends.movers(tx, keys=keys, weeks=int(weeks), as_of=as_of)


@st.cache_data(show_spinner="Adding up sales per segment…", max_entries=16)
def segment_trend_table(fingerprint: str, start, end, freq: str, k: int, feature_set: str,
                        seed: int, _dataset):
    """Return :func:`recsys.insights.trends.segment_totals` for the segmentation at ``k``."""
    from recsys.insights import trends

    tx = insight_lines(fingerprint, start, end, _dataset=_dataset)
    assignments = segment_assignments(fingerprint, int(k), feature_set, int(seed), _dataset)
    return trends.segment_totals(tx, assignments, freq=freq)


@st.cache_resource(show_spinner=False, max_entries=6)
def basket_matrix_for(fingerprint: str, start, end, countries: tuple[str, ...],
                      segments: tuple[int, ...], k: int, feature_set: str, seed: int,
                      max_basket_items: int, _dataset):
    """Return the :class:`recsys.baskets.itemsets.BasketMatrix` of the filtered lines (shared)."""
    from recsys.baskets.itemsets import basket_matrix

    tx = insight_lines(fingerprint, start, end, countries, segments, k, feature_set, seed,
                       _dataset=_dataset)
    return basket_matrix(tx, max_basket_items=int(max_basket_items) or None)


@st.cache_data(show_spinner="Finding products bought together…", max_entries=32)
def basket_rules_for(fingerprint: str, start, end, countries: tuple[str, ...],
                     segments: tuple[int, ...], k: int, feature_set: str, seed: int,
                     max_basket_items: int, min_support: float, max_len: int,
                     min_confidence: float, _dataset, positive_only: bool = True):
    """Return the frequent sets and rules of the filtered baskets, ready to show.

    With ``positive_only`` (the default) only rules with lift above 1 are kept: the others
    are bought together no more often than chance would have it.

    Returns
    -------
    dict
        ``itemsets`` (:func:`recsys.baskets.itemsets.frequent_itemsets`), ``rules``
        (:func:`recsys.baskets.insights.describe_rules` of the association rules, without
        the frozenset columns: ``antecedent_text``, ``consequent_text``, ``sentence``,
        ``support``, ``confidence``, ``lift``, ``leverage``, ``conviction``, ``count``),
        ``pairs`` (:func:`recsys.baskets.insights.top_pairs`), ``csv`` (bytes of
        :func:`recsys.baskets.insights.rules_for_export`), ``weak_rules`` (int: rules left
        out for a lift of 1 or less).

    Raises
    ------
    recsys.errors.DataError
        When the settings would explode or no basket is left.
    """
    from recsys.baskets.insights import describe_rules, rules_for_export, top_pairs
    from recsys.baskets.itemsets import frequent_itemsets
    from recsys.baskets.rules import association_rules
    from recsys.export import to_csv_bytes

    matrix = basket_matrix_for(fingerprint, start, end, countries, segments, k, feature_set,
                               seed, max_basket_items, _dataset)
    itemsets = frequent_itemsets(matrix, min_support=float(min_support), max_len=int(max_len))
    rules = association_rules(itemsets, min_confidence=float(min_confidence))
    weak = rules["lift"] <= 1
    if positive_only:
        rules = rules[~weak].reset_index(drop=True)
    described = describe_rules(rules, _dataset.products)
    return {
        "itemsets": itemsets.drop(columns="itemsets"),
        "rules": described.drop(columns=["antecedents", "consequents"]),
        "pairs": top_pairs(rules, _dataset.products, n=12),
        "csv": to_csv_bytes(rules_for_export(rules, _dataset.products)),
        "weak_rules": int(weak.sum()) if positive_only else 0,
    }


@st.cache_data(show_spinner="Looking for settings that work…", max_entries=16)
def basket_workable_settings(fingerprint: str, start, end, countries: tuple[str, ...],
                             segments: tuple[int, ...], k: int, feature_set: str, seed: int,
                             max_basket_items: int, min_support: float, max_len: int, _dataset):
    """Return :func:`recsys.baskets.insights.workable_settings` of the filtered baskets."""
    from recsys.baskets.insights import workable_settings

    matrix = basket_matrix_for(fingerprint, start, end, countries, segments, k, feature_set,
                               seed, max_basket_items, _dataset)
    return workable_settings(matrix, min_support=float(min_support), max_len=int(max_len))


@st.cache_data(show_spinner=False, max_entries=16)
def basket_products_for(fingerprint: str, start, end, countries: tuple[str, ...],
                        segments: tuple[int, ...], k: int, feature_set: str, seed: int,
                        max_basket_items: int, _dataset):
    """Return :func:`recsys.baskets.insights.item_frequencies` of the filtered baskets."""
    from recsys.baskets.insights import item_frequencies

    matrix = basket_matrix_for(fingerprint, start, end, countries, segments, k, feature_set,
                               seed, max_basket_items, _dataset)
    return item_frequencies(matrix, _dataset.products)


@st.cache_data(show_spinner=False, max_entries=16)
def country_choices(fingerprint: str, _dataset) -> list[str]:
    """Return the data set's countries, most lines first (empty when it has none)."""
    from recsys.data import schema as S

    if S.COUNTRY not in _dataset.transactions:
        return []
    return [str(c) for c in _dataset.transactions[S.COUNTRY].value_counts().index]


@st.cache_data(show_spinner=False, max_entries=64)
def bought_together_for(fingerprint: str, start, end, countries: tuple[str, ...],
                        segments: tuple[int, ...], k: int, feature_set: str, seed: int,
                        max_basket_items: int, product_id: str, n: int, _dataset):
    """Return :func:`recsys.baskets.insights.bought_together` with a ``description`` column."""
    from recsys.baskets.insights import bought_together, description_map

    matrix = basket_matrix_for(fingerprint, start, end, countries, segments, k, feature_set,
                               seed, max_basket_items, _dataset)
    out = bought_together(matrix, product_id, n=int(n))
    names = description_map(_dataset.products)
    out.insert(1, "description", [names.get(p, p) for p in out["product_id"]])
    return out

# ---- Recommendations and evaluation ------------------------------------------------
# The fitted hybrid is a shared resource (read-only by contract); batch recommendations
# and the evaluation table are data, copied per caller. Segments come from the
# Segmentation section's cached ``segment_assignments`` so every page agrees on them.

@st.cache_data(show_spinner=False, max_entries=4)
def known_customers(fingerprint: str, _dataset) -> list[str]:
    """Return every customer id of the data set, sorted (see ``recsys.insights.customers``)."""
    from recsys.insights.customers import known_customer_ids

    return known_customer_ids(_dataset)


@st.cache_resource(show_spinner=False, max_entries=4)
def customer_lookup(fingerprint: str, _dataset):
    """Return ``recsys.insights.customers.customer_lines`` of the data set (shared, read-only).

    One sort of the customer lines per data set, so looking up a customer is a binary
    search instead of a scan of every line.
    """
    from recsys.insights.customers import customer_lines

    return customer_lines(_dataset)


def segments_or_none(fingerprint: str, k: int, feature_set: str, seed: int, _dataset):
    """Return ``segment_assignments(...)``, or ``None`` when this data set cannot be segmented.

    A shop with fewer customers than ``k`` (or without the features a feature set
    needs) has no segments; recommendations and profiles then go without them, and
    the Segments page explains why.
    """
    try:
        return segment_assignments(fingerprint, k, feature_set, seed, _dataset)
    except ValueError:
        return None


@st.cache_resource(show_spinner="Fitting the recommender…", max_entries=4)
def fitted_recommender(fingerprint: str, k: int, feature_set: str, seed: int, _dataset):
    """Return a ``HybridRecommender`` fitted on the data set's customer lines.

    Parameters
    ----------
    fingerprint : str
        ``Dataset.fingerprint`` of ``_dataset`` (the cache key).
    k, feature_set, seed
        Segmentation settings; the segments they give feed the per-segment popularity
        and the reasons ("popular with Champions").
    _dataset : recsys.Dataset
        The shop (not hashed).
    """
    from recsys.recommend.hybrid import HybridRecommender

    segments = segments_or_none(fingerprint, k, feature_set, seed, _dataset)
    model = HybridRecommender()
    return model.fit(
        _dataset.customer_transactions,
        products=_dataset.products,
        customers=_dataset.customers,
        segments=segments,
    )


@st.cache_data(show_spinner="Recommending for every customer…", max_entries=4)
def customer_recommendations(
    fingerprint: str, k: int, feature_set: str, seed: int, n: int, _dataset
):
    """Return the top ``n`` recommendations of every known customer (for exports).

    Returns
    -------
    DataFrame
        Columns ``customer_id``, ``product_id``, ``score``, ``rank``, ``reason`` and
        ``description`` (from the product table), one row per customer and rank.
    """
    from recsys.data.catalogue import with_descriptions

    model = fitted_recommender(fingerprint, k, feature_set, seed, _dataset)
    recs = model.recommend(known_customers(fingerprint, _dataset), n=int(n))
    return with_descriptions(recs, _dataset.products)


@st.cache_data(show_spinner="Preparing the CSV…", max_entries=32)
def segment_csv(
    fingerprint: str,
    k: int,
    feature_set: str,
    seed: int,
    segment: int | None,
    n_recs: int,
    _dataset,
) -> tuple[bytes, int]:
    """Return the segment export as spreadsheet-safe CSV bytes, and its number of rows.

    One row per customer of ``segment`` (every customer when ``None``): segment number
    and name, the customer figures and, when ``n_recs`` > 0, the top ``n_recs``
    recommendations (``recsys.segments.export.segment_export`` written by ``to_csv_bytes``).
    Cached, so page reruns do not rebuild it.
    """
    from recsys.export import to_csv_bytes
    from recsys.segments.export import segment_export

    result = segmentation(fingerprint, k, feature_set, seed, _dataset)
    features = customer_features(fingerprint, _dataset)
    recs = (
        customer_recommendations(fingerprint, k, feature_set, seed, n_recs, _dataset)
        if n_recs
        else None
    )
    table = segment_export(features, result.assignments, recommendations=recs, n_recs=n_recs)
    if segment is not None:
        table = table[table["segment"] == segment]
    return to_csv_bytes(table), len(table)


@st.cache_data(
    show_spinner="Training every model on the lines before the cut and scoring it after "
    "(a few seconds on the sample, longer on a large file; done once per setting)…",
    max_entries=8,
)
def evaluation_table(fingerprint: str, test_days: int, k_at: int, _dataset):
    """Return ``recsys.evaluation.compare.evaluate_models`` for the default models on a time split.

    No progress callback: a cached function must not update elements created outside
    it (Streamlit replays its elements on a cache hit), so the spinner says what runs.

    Returns
    -------
    DataFrame
        Columns ``model``, ``slice``, ``users``, ``precision``, ``recall``, ``ndcg``,
        ``hit_rate``, ``map``, ``coverage``, ``novelty``.
    """
    from recsys.evaluation.compare import default_models, evaluate_models

    return evaluate_models(
        _dataset.customer_transactions,
        models=default_models(),
        test_days=int(test_days),
        k=int(k_at),
        products=_dataset.products,
        customers=_dataset.customers,
    )


@st.cache_data(show_spinner=False, max_entries=8)
def evaluation_split(fingerprint: str, test_days: int, _dataset) -> dict:
    """Return the cut date and line / customer counts of the evaluation's time split.

    Returns
    -------
    dict
        ``cut`` (Timestamp), ``train_lines``, ``test_lines``, ``train_customers``,
        ``test_customers``, ``first_date``, ``last_date``.
    """
    from recsys.data import schema as S
    from recsys.evaluation.split import time_split

    split = time_split(_dataset.customer_transactions, test_days=int(test_days))
    tx = _dataset.customer_transactions
    return {
        "cut": split.cut,
        "train_lines": len(split.train),
        "test_lines": len(split.test),
        "train_customers": int(split.train[S.CUSTOMER_ID].nunique()),
        "test_customers": int(split.test[S.CUSTOMER_ID].nunique()),
        "first_date": tx[S.INVOICE_DATE].min(),
        "last_date": tx[S.INVOICE_DATE].max(),
    }
