"""Cached recommendations: the fitted hybrid, every customer's top products, the campaign
CSVs with them (a segment, an audience, a flow between segments), and the evaluation on a
time split.

The fitted hybrid is a shared resource (read-only by contract); batch recommendations
and the evaluation table are data, copied per caller. Segments come from
:func:`ui.cache.segments.segments_or_none`, so every page agrees on them.
"""

from __future__ import annotations

import streamlit as st

from recsys.errors import RecsysError
from ui.cache.insights import known_customers
from ui.cache.kept import kept
from ui.cache.keys import SegmentKey
from ui.cache.segments import customer_features, segmentation, segments_or_none
from ui.cache.value import value_or_none


@st.cache_resource(show_spinner="Fitting the recommender…", max_entries=4)
def fitted_recommender(key: SegmentKey, _dataset):
    """Return a ``HybridRecommender`` fitted on the data set's customer lines (wrapped in a
    ``recsys.recommend.ratings.RatedRecommender`` when the shop has reviews).

    Parameters
    ----------
    key : SegmentKey
        The data set's fingerprint (the cache key) and the segmentation settings; the
        segments they give feed the per-segment popularity and the reasons ("popular
        with Champions").
    _dataset : recsys.Dataset
        The shop (not hashed).
    """
    from recsys.data.cancellations import customer_lines_with_cancellations
    from recsys.recommend.ratings import fit_recommender

    segments = segments_or_none(key, _dataset)
    # with what was cancelled, so that a purchase cancelled in full is never a reason
    lines = customer_lines_with_cancellations(_dataset)
    # with reviews: disliked purchases are no reason, well-rated products get a boost
    return fit_recommender(lines, reviews=_dataset.reviews, products=_dataset.products,
                           customers=_dataset.customers, segments=segments)


@st.cache_data(show_spinner="Recommending for every customer…", max_entries=4)
@kept
def customer_recommendations(key: SegmentKey, n: int, _dataset):
    """Return the top ``n`` recommendations of every known customer (for exports).

    Returns
    -------
    DataFrame
        Columns ``customer_id``, ``product_id``, ``score``, ``rank``, ``reason`` and
        ``description`` (from the product table), one row per customer and rank.
    """
    from recsys.data.catalogue import with_descriptions

    recs = _stored_recommendations(key, int(n), _dataset)
    if recs is None:
        model = fitted_recommender(key, _dataset)
        recs = model.recommend(known_customers(key.fingerprint, _dataset), n=int(n))
    return with_descriptions(recs, _dataset.products)


def _stored_recommendations(key: SegmentKey, n: int, _dataset):
    """Every customer's top ``n`` from the pipeline's artifacts, when they were computed for
    this data set with these segments (and no reviews, which add columns), else None."""
    from recsys.data import schema as S
    from recsys.pipeline.home import matches
    from ui.cache.data import artifacts_for

    stored = artifacts_for(key.fingerprint)
    if (stored is None or not stored.has("recommendations")
            or not matches(stored, fingerprint=key.fingerprint, feature_set=key.feature_set, seed=key.seed)):
        return None
    params = stored.parameters
    if (params.get("k") != key.k or params.get("until") is not None
            or int(params.get("n_recommendations", 0)) < n
            or (_dataset.reviews is not None and len(_dataset.reviews))):
        return None
    recs = stored.table("recommendations")
    recs = recs[recs[S.RANK] <= n]
    return recs[[S.CUSTOMER_ID, S.PRODUCT_ID, S.SCORE, S.RANK, S.REASON]].reset_index(drop=True)


def _export_features(key: SegmentKey, _dataset):
    """The customer figures plus ``p_alive`` and ``predicted_value`` (empty without a value fit)."""
    from recsys.value.clv import export_columns

    features = customer_features(key.fingerprint, _dataset)
    return features.join(export_columns(value_or_none(key.fingerprint, _dataset), features.index))


@st.cache_data(show_spinner="Preparing the CSV…", max_entries=8)
@kept
def export_table(key: SegmentKey, n_recs: int, _dataset):
    """Return the campaign export of every customer (``recsys.segments.export.segment_export``).

    One row per customer: segment number and name, the contact columns where the data has
    them, the customer figures, ``p_alive`` and ``predicted_value`` (empty when the value
    models cannot be fitted) and, when ``n_recs`` > 0, the top ``n_recs`` recommendations;
    sorted by segment then customer id.
    """
    from recsys.segments.export import segment_export

    result = segmentation(key, _dataset)
    recs = customer_recommendations(key, n_recs, _dataset) if n_recs else None
    return segment_export(_export_features(key, _dataset), result.assignments, recommendations=recs,
                          n_recs=n_recs, customers=_dataset.customers)


@st.cache_data(show_spinner="Preparing the CSV…", max_entries=32)
@kept
def segment_csv(key: SegmentKey, segment: int | None, n_recs: int, _dataset, hash_ids: bool = False, *,
                technical: bool = False) -> tuple[bytes, int]:
    """Return the campaign CSV of a segment as spreadsheet-safe bytes, and its number of rows.

    One row per customer of ``segment`` (every customer when ``None``): the columns of
    :func:`export_table` and the contact columns where the data has them, under readable
    names (``ui.campaign.campaign_table``; the technical figures only with ``technical``),
    written by ``to_csv_bytes``. ``hash_ids`` writes the hashed id instead of the id (and
    no contact column). Cached, so page reruns do not rebuild it.
    """
    from recsys.export import to_csv_bytes
    from recsys.segments.export import segment_export
    from ui.campaign import campaign_table

    result = segmentation(key, _dataset)
    recs = customer_recommendations(key, n_recs, _dataset) if n_recs else None
    table = segment_export(_export_features(key, _dataset), result.assignments, recommendations=recs,
                           n_recs=n_recs, segment=segment, hash_ids=hash_ids,
                           customers=None if hash_ids else _dataset.customers)
    return to_csv_bytes(campaign_table(table, technical=technical)), len(table)


@st.cache_data(show_spinner="Preparing the CSV…", max_entries=32)
def customers_csv(key: SegmentKey, customer_ids: tuple[str, ...], n_recs: int, _dataset,
                  technical: bool = False) -> tuple[bytes, int]:
    """Return the rows of :func:`export_table` of ``customer_ids`` as CSV bytes, and their number.

    The same spreadsheet-safe, campaign-ready file as a segment download (readable column
    names, contact columns where known, the technical figures only with ``technical``:
    ``ui.campaign.campaign_table``), for an audience or a flow between segments; rows in
    the order of ``customer_ids``.
    """
    import pandas as pd

    from recsys.export import to_csv_bytes
    from ui.campaign import campaign_table

    table = export_table(key, n_recs, _dataset)
    order = pd.Index(table["customer_id"].astype(str)).get_indexer(list(customer_ids))
    rows = table.iloc[order[order >= 0]]
    return to_csv_bytes(campaign_table(rows, technical=technical)), len(rows)


@st.cache_data(
    show_spinner="Training every model on the lines before the cut and scoring it after "
    "(a few seconds on the sample, longer on a large file; done once per setting)…",
    max_entries=8,
)
def evaluation_table(fingerprint: str, test_days: int, k_at: int, _dataset):
    """Return ``recsys.evaluation.compare.evaluate_models`` for the default models on a time
    split, and the settings the hybrid chose there.

    No progress callback: a cached function must not update elements created outside
    it (Streamlit replays its elements on a cache hit), so the spinner says what runs.

    Returns
    -------
    table : DataFrame
        Columns ``model``, ``slice``, ``users``, ``precision``, ``recall``, ``ndcg``,
        ``hit_rate``, ``map``, ``coverage``, ``novelty``, ``top_share``, ``gini``.
    settings : DataFrame or None
        The hybrid's ``tuning_`` (``setting``, ``value``, ``default``, ``ndcg``,
        ``ndcg_default``); None when stored artifacts predate it.
    """
    from recsys.evaluation.compare import default_models, evaluate_models

    stored = _stored_evaluation(fingerprint, test_days, k_at)
    if stored is not None:
        settings = stored.table("evaluation_settings") if stored.has("evaluation_settings") else None
        return stored.table("evaluation"), settings
    fitted: dict[str, object] = {}
    table = evaluate_models(
        _dataset.customer_transactions,
        models=default_models(),
        test_days=int(test_days),
        k=int(k_at),
        products=_dataset.products,
        customers=_dataset.customers,
        fitted=fitted,
    )
    return table, fitted["hybrid"].tuning_


def _stored_evaluation(fingerprint: str, test_days: int, k_at: int):
    """The pipeline artifacts holding the evaluation at these settings, or None."""
    from ui.cache.data import artifacts_for

    stored = artifacts_for(fingerprint)
    if (stored is not None and stored.has("evaluation") and stored.data_fingerprint == fingerprint
            and stored.parameters.get("test_days") == int(test_days)
            and stored.parameters.get("k_at") == int(k_at) and stored.parameters.get("seed") == 0):
        return stored
    return None


def evaluation_sample(fingerprint: str, test_days: int, k_at: int) -> dict | None:
    """Return how the stored evaluation sampled customers when :func:`evaluation_table`
    reads one computed on a sample (``customers``, ``of_customers``, ``lines``,
    ``of_lines``, ``seed``; see :mod:`recsys.pipeline.sampling`), else None."""
    stored = _stored_evaluation(fingerprint, test_days, k_at)
    sample = None if stored is None else stored.summary.get("evaluation")
    return dict(sample) if sample and sample.get("sampled") else None


@st.cache_data(
    show_spinner="Scoring the buy-again lists on the repeat purchases after the cut…",
    max_entries=8,
)
@kept
def again_table(fingerprint: str, test_days: int, k_at: int, _dataset):
    """Return ``recsys.evaluation.again.evaluate_again`` on the customer lines: the buy-again
    model against most-frequent-first and most-recent-first (``model``, ``users``,
    ``precision``, ``recall``, ``ndcg``, ``hit_rate``, ``map``)."""
    from recsys.evaluation.again import evaluate_again

    return evaluate_again(_dataset.customer_transactions, test_days=int(test_days), k=int(k_at),
                          products=_dataset.products)


@st.cache_resource(show_spinner="Learning each customer's buying rhythm…", max_entries=4)
def buy_again_model(fingerprint: str, _dataset):
    """Return a ``BuyAgainRecommender`` fitted on the data set's customer lines."""
    from recsys.data.cancellations import customer_lines_with_cancellations
    from recsys.recommend.again import BuyAgainRecommender

    # purchases cancelled in full neither count in a rhythm nor appear in a reason
    return BuyAgainRecommender().fit(customer_lines_with_cancellations(_dataset),
                                     products=_dataset.products)


@st.cache_data(show_spinner=False, max_entries=8)
@kept
def evaluation_split(fingerprint: str, test_days: int, _dataset):
    """Return :func:`recsys.evaluation.split.split_summary` of the customer lines: the cut
    date and the line and customer counts on each side."""
    from recsys.evaluation.split import split_summary

    return split_summary(_dataset.customer_transactions, test_days=int(test_days))


def customers_csv_later(key: SegmentKey, customer_ids: tuple[str, ...], n_recs: int, _dataset, *,
                        technical: bool = False):
    """Return a function that builds :func:`customers_csv`'s bytes when called (on a download click).

    The first export needs the fitted recommender and every customer's recommendations
    (seconds on a large shop): deferred to the click, the page shows at once. Should the
    recommendations fail on this data set, the file comes without them rather than not at all.
    """

    def build() -> bytes:
        try:
            return customers_csv(key, customer_ids, n_recs, _dataset, technical)[0]
        except RecsysError:
            return customers_csv(key, customer_ids, 0, _dataset, technical)[0]

    return build


@st.cache_data(
    show_spinner="Training the neural sequence model on the lines before the cut and scoring "
    "it after (seconds on a small shop, minutes on a large file; done once per setting)…",
    max_entries=4,
)
def sequence_evaluation(fingerprint: str, test_days: int, k_at: int, _dataset):
    """Return the neural sequence model's evaluation on the split of :func:`evaluation_table`.

    Returns
    -------
    table : DataFrame
        ``recsys.evaluation.compare.evaluate_models`` of the model ``"sequence"`` alone
        (columns as :func:`evaluation_table`).
    seconds : float
        Wall time of training and scoring.
    """
    import time

    from recsys.evaluation.compare import evaluate_models
    from recsys.recommend.sequence import SequenceRecommender

    start = time.perf_counter()
    table = evaluate_models(
        _dataset.customer_transactions,
        models={"sequence": SequenceRecommender()},
        test_days=int(test_days),
        k=int(k_at),
        products=_dataset.products,
        customers=_dataset.customers,
    )
    return table, time.perf_counter() - start
