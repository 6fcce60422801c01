"""The local engine's steps: each computes artifact tables from a Dataset with the same
``recsys`` functions the dashboard and the commands call (one code path per computation).

Every step is a function ``step(dataset, params, context) -> dict[name, DataFrame]``;
``context`` carries what later steps reuse (categories, features, segments) and the
``summary`` (small results that are not tables, written to the manifest). Artifact names
and columns:

``categories``        product_id, category, derived
``features``          customer_id + every customer figure (:func:`recsys.segments.features.customer_features`)
``k_sweep``           k, inertia, silhouette
``segments``          customer_id, segment, segment_name + the figures, at the chosen k
``segments_by_k``     k, customer_id, segment, segment_name, for every k of the sweep
``segment_summary``   k + :attr:`recsys.segments.kmeans.Segmentation.summary`
``segment_centers``   k, segment + one column per prepared feature
``segment_profiles``  k + :func:`recsys.segments.profile.segment_profile`
``projection``        customer_id, pc1, pc2 (a seeded sample of at most 5,000 customers)
``rfm``               customer_id, r, f, m, rfm_code, rfm_segment
``overview_kpis``     one row of :class:`recsys.insights.overview.ShopKpis`
``top_products``, ``top_countries``  :mod:`recsys.insights.overview`
``trends_month``, ``trends_week``    :func:`recsys.insights.trends.period_totals`
``category_trends_month``, ``category_trends_week``  :func:`recsys.insights.trends.category_totals`
``segment_trends_month``  :func:`recsys.insights.trends.segment_totals` at the chosen k
``weekday_hour``, ``year_over_year``, ``seasonality``, ``peak_months``  :mod:`recsys.insights`
``itemsets``          itemset (list of product ids), support, ... (:func:`recsys.baskets.itemsets.frequent_itemsets`)
``rules``             antecedents, consequents (lists of product ids), support, confidence, lift, ...
``recommendations``   customer_id, rank, product_id, score, reason
``evaluation``        :func:`recsys.evaluation.compare.evaluate_models` of the default models
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.dataset import Dataset
from recsys.errors import ParameterError

K_MIN, K_MAX = 2, 12
STEPS: tuple[str, ...] = ("segments", "overview", "trends", "rules", "recommendations", "evaluation")
"""The steps of a run, in order (the import into the store always runs first)."""


@dataclass(frozen=True)
class PipelineParams:
    """Settings of a pipeline run; the manifest records them and readers compare them.

    Attributes
    ----------
    k : int, default 5
        Segments of ``segments.parquet`` and of the per-segment popularity of the
        recommender (every k from 2 to 12 is in ``segments_by_k``).
    seed : int, default 0
        Seed of k-means, the silhouette sample, the projection and the models.
    until : str or None
        ``YYYY-MM-DD``: recommendations learn only from lines before this day.
    feature_set : {"rfm", "rfm_behaviour"}
    n_recommendations : int, default 10
    min_support, min_confidence, max_len, max_basket_items
        Basket settings (the Baskets page's defaults).
    test_days, k_at : int
        Evaluation: days of the test period, list length.
    eval_customers : int or None, default 5000
        The evaluation runs on the lines of a seeded sample of this many customers
        (:mod:`recsys.pipeline.sampling`; every customer when the shop has fewer, or with
        None or 0), so its cost stays bounded on large shops.
    tune_customers : int or None, default 10000
        The recommender's settings are chosen by validation on the lines of a seeded
        sample of this many customers, then fitted on every line
        (:mod:`recsys.pipeline.recommend`; the dashboard's own model when the shop has
        fewer customers, or with None or 0).
    steps : tuple of str
        Which of :data:`STEPS` to run.
    """

    k: int = 5
    seed: int = 0
    until: str | None = None
    feature_set: str = "rfm_behaviour"
    n_recommendations: int = 10
    min_support: float = 0.01
    min_confidence: float = 0.2
    max_len: int = 3
    max_basket_items: int = 500
    test_days: int = 30
    k_at: int = 10
    eval_customers: int | None = 5000
    tune_customers: int | None = 10000
    steps: tuple[str, ...] = STEPS

    def checked(self) -> PipelineParams:
        """Return these settings if every one is in range, else raise ParameterError."""
        from recsys.segments.kmeans import check_feature_set

        if not K_MIN <= int(self.k) <= K_MAX:
            raise ParameterError(f"k must be between {K_MIN} and {K_MAX}, got {self.k}")
        if self.until is not None:
            try:
                pd.Timestamp(self.until)
            except ValueError:
                raise ParameterError(
                    f"--until must be a date like 2011-11-09, got {self.until!r}") from None
        try:
            check_feature_set(self.feature_set)
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
        if not 1 <= int(self.n_recommendations) <= 100:
            raise ParameterError(f"n_recommendations must be between 1 and 100, got {self.n_recommendations}")
        if not 0 < float(self.min_support) <= 1 or not 0 <= float(self.min_confidence) <= 1:
            raise ParameterError(
                f"min_support must be in (0, 1] and min_confidence in [0, 1], got "
                f"{self.min_support} and {self.min_confidence}")
        for name in ("eval_customers", "tune_customers"):
            value = getattr(self, name)
            if value is not None and int(value) < 0:
                raise ParameterError(f"{name} must be 0 (every customer) or more, got {value}")
        unknown = sorted(set(self.steps) - set(STEPS))
        if unknown:
            raise ParameterError(f"unknown steps {unknown}: choose among {', '.join(STEPS)}")
        return self

    def as_dict(self) -> dict:
        """Return the settings as JSON-ready values (steps as a list)."""
        out = dataclasses.asdict(self)
        out["steps"] = list(self.steps)
        return out


@dataclass
class Context:
    """What one step hands the next, and the run's summary (see the module docstring)."""

    categories: pd.DataFrame | None = None
    features: pd.DataFrame | None = None
    assignments: pd.DataFrame | None = None
    summary: dict = field(default_factory=dict)


def _categories(dataset: Dataset, context: Context) -> pd.DataFrame:
    if context.categories is None:
        from recsys.data.categories import dataset_categories

        context.categories = dataset_categories(dataset)
    return context.categories


def _features(dataset: Dataset, context: Context) -> pd.DataFrame:
    if context.features is None:
        from recsys.segments.features import customer_features

        context.features = customer_features(dataset, products=_categories(dataset, context))
    return context.features


def with_k(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """Return ``frame`` with a first column ``k`` (for the tables of every k in one file)."""
    out = frame.reset_index(drop=True)
    out.insert(0, "k", np.int8(k))
    return out


def segment_tables(dataset: Dataset, params: PipelineParams, context: Context) -> dict[str, pd.DataFrame]:
    """Features, the k sweep and the segments of every k (see the module docstring)."""
    from recsys.segments.kmeans import prepare_features
    from recsys.segments.ksweep import sweep_k
    from recsys.segments.profile import project_2d

    features = _features(dataset, context)
    prepared = prepare_features(features, feature_set=params.feature_set)
    k_range = range(K_MIN, min(K_MAX, len(prepared) - 1) + 1)
    if params.k not in k_range:
        raise ParameterError(f"k = {params.k} needs more than {params.k} customers; "
                             f"this data set has {len(prepared)}")
    sweep = sweep_k(prepared, k_range=k_range, random_state=params.seed)
    by_k, summaries, centers, profiles, chosen = segments_for_every_k(
        features, prepared, sweep.labels, k_range, params)
    context.assignments = chosen.assignments
    points, explained = project_2d(prepared, chosen.assignments, random_state=params.seed)
    context.summary["segments"] = {
        "k": params.k,
        "k_range": [int(k) for k in k_range],
        "suggested_k": int(sweep.suggested_k),
        "reason": sweep.reason,
        "elbow_k": int(sweep.elbow_k),
        "best_silhouette_k": int(sweep.best_silhouette_k),
        "sample_size": int(sweep.sample_size),
        "n_customers": int(sweep.n_customers),
        "projection_explained": [float(explained[0]), float(explained[1])],
    }
    return segment_artifacts(features, chosen.assignments, sweep.table, by_k, summaries,
                             centers, profiles, points)


def segments_for_every_k(features, prepared, labels, k_range, params: PipelineParams):
    """Name and profile the segments of every k from the sweep's labels (both engines).

    Returns
    -------
    tuple
        ``(assignments, summaries, centers, profiles, chosen)``: four lists of tables, one per
        k with a ``k`` column, and the :class:`Segmentation` of ``params.k``.
    """
    from recsys.segments.kmeans import segment_customers
    from recsys.segments.profile import segment_profile

    by_k, summaries, centers, profiles, chosen = [], [], [], [], None
    for k in k_range:
        result = segment_customers(features, k=k, feature_set=params.feature_set,
                                   random_state=params.seed, prepared=prepared, labels=labels[k])
        by_k.append(with_k(result.assignments, k))
        summaries.append(with_k(result.summary, k))
        centers.append(with_k(result.centers.reset_index(), k))
        profiles.append(with_k(segment_profile(features, result.assignments), k))
        if k == params.k:
            chosen = result
    assert chosen is not None, "params.k lies in k_range (checked by the caller)"
    return by_k, summaries, centers, profiles, chosen


def segment_artifacts(features: pd.DataFrame, assignments: pd.DataFrame, k_sweep: pd.DataFrame,
                      by_k: list, summaries: list, centers: list, profiles: list,
                      points: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return the segment artifacts (one table per name) from the per-k pieces.

    Shared by the local and the Spark engines, so both write the same tables and columns.
    """
    from recsys.segments.rfm import rfm_scores

    segments = assignments.merge(
        features.reset_index().astype({S.CUSTOMER_ID: str}), on=S.CUSTOMER_ID, how="left")
    return {
        "features": features.reset_index(),
        "k_sweep": k_sweep,
        "segments": segments,
        "segments_by_k": pd.concat(by_k, ignore_index=True),
        "segment_summary": pd.concat(summaries, ignore_index=True),
        "segment_centers": pd.concat(centers, ignore_index=True),
        "segment_profiles": pd.concat(profiles, ignore_index=True),
        "projection": points[[S.CUSTOMER_ID, "pc1", "pc2"]],
        "rfm": rfm_scores(features).rename_axis(S.CUSTOMER_ID).reset_index(),
    }


def overview_tables(dataset: Dataset, params: PipelineParams, context: Context) -> dict[str, pd.DataFrame]:
    """The shop at a glance: headline figures, top products and countries."""
    from recsys.insights import overview

    kpis = overview.shop_kpis(dataset)
    tx = overview.annotated_lines(dataset)  # net figures, with the value cancelled beside them
    return {
        "overview_kpis": pd.DataFrame([dataclasses.asdict(kpis)]),
        "top_products": overview.top_products(tx, dataset.products, n=10),
        "top_countries": overview.top_countries(tx, n=10),
    }


def trend_tables(dataset: Dataset, params: PipelineParams, context: Context) -> dict[str, pd.DataFrame]:
    """What sells when, over the whole date range (the Trends page's default view)."""
    from recsys.data.cancellations import net_transactions
    from recsys.data.categories import line_categories
    from recsys.insights import seasonality, trends

    tx = net_transactions(dataset)  # as on the dashboard: an order cancelled in full is no sale
    categories = _categories(dataset, context)
    season = seasonality.seasonality_index(tx, keys=line_categories(tx, categories))
    out = {
        "categories": categories,
        "trends_month": trends.period_totals(tx, freq="M"),
        "trends_week": trends.period_totals(tx, freq="W"),
        "category_trends_month": trends.category_totals(tx, categories, freq="M"),
        "category_trends_week": trends.category_totals(tx, categories, freq="W"),
        "weekday_hour": trends.weekday_hour(tx),
        "year_over_year": seasonality.year_over_year(tx),
        "seasonality": season,
        "peak_months": seasonality.peak_months(season),
    }
    if context.assignments is not None:
        out["segment_trends_month"] = trends.segment_totals(tx, context.assignments, freq="M")
    return out


def as_lists(sets: pd.Series) -> list[list[str]]:
    """Return item sets (frozensets of product ids) as sorted lists, for Parquet."""
    return [sorted(str(item) for item in items) for items in sets]


def rule_tables(dataset: Dataset, params: PipelineParams, context: Context) -> dict[str, pd.DataFrame]:
    """Frequent product sets and association rules at the run's basket settings."""
    from recsys.baskets.itemsets import basket_rules
    from recsys.data.cancellations import net_transactions

    itemsets, rules = basket_rules(
        net_transactions(dataset), min_support=params.min_support, min_confidence=params.min_confidence,
        max_len=params.max_len, max_basket_items=params.max_basket_items or None)
    itemsets = itemsets.assign(itemsets=as_lists(itemsets["itemsets"]))
    rules = rules.assign(antecedents=as_lists(rules["antecedents"]),
                         consequents=as_lists(rules["consequents"]))
    return {"itemsets": itemsets, "rules": rules}


def training_lines(dataset: Dataset, until: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(lines, customer_lines)`` before ``until`` (all lines without it).

    ``customer_lines`` carry ``cancelled_quantity`` (cancellations before ``until``).

    Raises
    ------
    ParameterError
        When no customer bought anything before ``until``.
    """
    from recsys.data.cancellations import with_cancelled_quantity

    lines = dataset.transactions
    cancelled = dataset.cancellations
    if until is not None:
        lines = lines[lines[S.INVOICE_DATE] < pd.Timestamp(until)]
        cancelled = cancelled[cancelled[S.INVOICE_DATE] < pd.Timestamp(until)] if len(cancelled) else cancelled
    train = lines[lines[S.CUSTOMER_ID].notna()]
    if train.empty and until is not None:
        raise ParameterError(f"no purchase by a known customer before {until}; pick a later date")
    if train.empty:
        raise ParameterError(
            "the data has no clean line with a customer id, so there is no one to recommend "
            "to: check the customer id column (see python -m recsys validate)"
        )
    # With what was cancelled in full by then: such purchases are never named in a reason.
    return lines, with_cancelled_quantity(train, cancelled)


def recommendation_tables(dataset: Dataset, params: PipelineParams, context: Context) -> dict[str, pd.DataFrame]:
    """Every customer's top-N hybrid recommendations with reasons.

    Without ``until``: every known customer (registered ones without purchases get
    cold-start lists), with the segments of the chosen k, as the dashboard does. With it:
    trained on the lines before that day, for every customer who bought before it, as
    ``python -m recsys recommend --until`` does.
    """
    from recsys.evaluation.split import as_of_products
    from recsys.insights.customer_ids import known_customer_ids
    from recsys.pipeline.recommend import fit_shop_recommender

    lines, train = training_lines(dataset, params.until)
    if params.until is None:
        customers = known_customer_ids(dataset)
        products = dataset.products
    else:
        customers = sorted(train[S.CUSTOMER_ID].astype(str).unique())
        products = as_of_products(dataset.products, lines)
    model, tuning = fit_shop_recommender(
        train, reviews=dataset.reviews, products=products, customers=dataset.customers,
        segments=context.assignments, tune_customers=params.tune_customers, seed=params.seed)
    recs = model.recommend(customers, n=params.n_recommendations)
    recs = recs[[S.CUSTOMER_ID, S.RANK, S.PRODUCT_ID, S.SCORE, S.REASON]]
    context.summary["recommendations"] = {"customers": len(customers), "trained_lines": len(train),
                                          "settings_chosen_on": tuning}
    return {"recommendations": recs}


def evaluation_tables(dataset: Dataset, params: PipelineParams, context: Context) -> dict[str, pd.DataFrame]:
    """The hybrid against its baselines on a time split (the Evaluation page's default), and
    the settings the hybrid chose by validation on the lines before the cut.

    On the lines of a seeded sample of ``params.eval_customers`` customers when the shop
    has more (:func:`recsys.pipeline.sampling.customer_sample`); the manifest's
    ``summary["evaluation"]`` says which.
    """
    from recsys.evaluation.compare import default_models, evaluate_models
    from recsys.pipeline.sampling import customer_sample

    lines, sample = customer_sample(dataset.customer_transactions, params.eval_customers, params.seed)
    context.summary["evaluation"] = sample
    fitted: dict[str, object] = {}
    table = evaluate_models(lines, models=default_models(params.seed),
                            test_days=params.test_days, k=params.k_at, products=dataset.products,
                            customers=dataset.customers, fitted=fitted)
    return {"evaluation": table, "evaluation_settings": fitted["hybrid"].tuning_}


Step = Callable[[Dataset, PipelineParams, Context], dict[str, pd.DataFrame]]
LOCAL_STEPS: dict[str, Step] = {
    "segments": segment_tables,
    "overview": overview_tables,
    "trends": trend_tables,
    "rules": rule_tables,
    "recommendations": recommendation_tables,
    "evaluation": evaluation_tables,
}
"""The local engine's implementation of each step of :data:`STEPS`."""
