"""The model the service serves: the dashboard's hybrid recommender and segments, as one
immutable snapshot that can be saved, loaded and swapped whole.

:func:`fit_shop_model` fits exactly what the dashboard's Customer page fits for the same
data and settings (customer features with the Trends page's categories, k-means segments
with the default k, feature set and seed, then ``HybridRecommender`` with those segments),
so the shop's website and the dashboard show the same recommendations. A refit adds the
purchase events recorded since (:func:`with_events`).

Snapshots are pickles in the service's own state folder (``models/``), written to a
temporary file and renamed into place; ``models/current.json`` names the newest with the
data fingerprint, settings and last event it includes. Only files the service wrote are
ever unpickled.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.data.dataset import Dataset
from recsys.errors import RecsysError
from recsys.files import fsync_dir
from recsys.service.config import ModelSettings
from recsys.service.table import TopLists, build_top_lists

MODELS_DIR = "models"
CURRENT = "current.json"
SNAPSHOT_FORMAT = 2
"""Bumped when :class:`ShopModel` changes shape; older snapshots are refitted, not read."""

KEEP_SNAPSHOTS = 2

log = logging.getLogger("recsys.service.model")


@dataclass(frozen=True)
class SegmentFigures:
    """One customer's segment and RFM figures at fit time."""

    segment: int
    segment_name: str
    recency_days: float
    frequency: int
    monetary: float


@dataclass(frozen=True)
class ShopModel:
    """Everything one model version answers from; never changed after it is built.

    Attributes
    ----------
    version : str
        Changes whenever the data, the events included or the settings change.
    recommender : HybridRecommender or RatedRecommender
        Fitted on the data's customer lines plus the events up to ``events_upto``.
    descriptions : dict of str to str
        Product descriptions by product id.
    segments : dict of str to SegmentFigures
        By customer id (empty when the shop has too few customers to segment).
    catalogue : frozenset of str
        Product ids the recommender knows (sold, or in the product table).
    known_invoices : frozenset of str
        Invoice ids of the data file (an event repeating one is a duplicate).
    events_upto : int
        Sequence number of the last event fitted on.
    data_fingerprint : str
        ``Dataset.fingerprint`` of the data file as loaded (without events).
    as_of : str
        Date of the last purchase fitted on (ISO).
    fitted_at : str
        When the fit ended (UTC, ISO).
    fit_seconds : float
    settings : ModelSettings
    top : TopLists or None
        Every customer's top products (:mod:`recsys.service.table`); None until built.
    source_fingerprint : str
        Digest of the data file's bytes (:func:`recsys.pipeline.store.source_fingerprint`):
        a restart on the same bytes takes the snapshot without reading the file.
    """

    version: str
    recommender: object
    descriptions: dict
    segments: dict
    catalogue: frozenset
    known_invoices: frozenset
    events_upto: int
    data_fingerprint: str
    as_of: str
    fitted_at: str
    fit_seconds: float
    settings: ModelSettings
    top: TopLists | None = None
    source_fingerprint: str = ""

    def description(self, product_id: str) -> str:
        """Return the product's description ("" when unknown)."""
        return self.descriptions.get(product_id, "")


def with_top_lists(model: ShopModel) -> ShopModel:
    """Return ``model`` with every customer's top products precomputed (same version)."""
    if model.top is not None:
        return model
    return dataclasses.replace(model, top=build_top_lists(model.recommender))


def with_events(dataset: Dataset, lines: pd.DataFrame) -> Dataset:
    """Return ``dataset`` with event lines added to its transactions.

    Parameters
    ----------
    dataset : Dataset
    lines : DataFrame
        As from :func:`recsys.service.events.event_lines`; a customer's country is taken
        from their earlier lines where known.
    """
    if lines.empty:
        return dataset
    tx = dataset.transactions
    extra = lines.copy()
    if S.COUNTRY in tx.columns:
        known = tx.dropna(subset=[S.CUSTOMER_ID]).drop_duplicates(S.CUSTOMER_ID, keep="last")
        country = pd.Series(known[S.COUNTRY].to_numpy(), index=known[S.CUSTOMER_ID].astype(str))
        extra[S.COUNTRY] = extra[S.CUSTOMER_ID].map(country)
    extra = extra.reindex(columns=tx.columns)
    for col in tx.columns:
        extra[col] = extra[col].astype(tx[col].dtype)
    return dataclasses.replace(dataset, transactions=pd.concat([tx, extra], ignore_index=True))


def fit_segments(dataset: Dataset, settings: ModelSettings) -> tuple[pd.DataFrame | None, dict]:
    """Return the dashboard's segments of ``dataset`` and the figures per customer.

    Returns
    -------
    assignments : DataFrame or None
        ``customer_id``, ``segment``, ``segment_name``; None when the shop has too few
        customers for ``settings.k`` (the dashboard then fits without segments too).
    figures : dict of str to SegmentFigures
    """
    from recsys.data.categories import dataset_categories
    from recsys.segments import features as F
    from recsys.segments.features import customer_features
    from recsys.segments.kmeans import prepare_features, segment_customers

    if dataset.customer_transactions.empty:
        return None, {}
    features = customer_features(dataset, products=dataset_categories(dataset))
    try:
        prepared = prepare_features(features, feature_set=settings.feature_set)
        result = segment_customers(features, k=settings.k, feature_set=settings.feature_set,
                                   random_state=settings.seed, prepared=prepared)
    except RecsysError as exc:
        log.warning("no segments: %s", exc)
        return None, {}
    a = result.assignments
    f = features.reindex(a[S.CUSTOMER_ID].to_numpy())
    figures = {
        str(cid): SegmentFigures(int(seg), str(name), float(r), int(fr), float(m))
        for cid, seg, name, r, fr, m in zip(
            a[S.CUSTOMER_ID], a[S.SEGMENT], a[S.SEGMENT_NAME], f[F.RECENCY_DAYS],
            f[F.FREQUENCY], f[F.MONETARY], strict=True)
    }
    return a, figures


def fit_shop_model(dataset: Dataset, *, events: pd.DataFrame | None = None, events_upto: int = 0,
                   settings: ModelSettings | None = None) -> ShopModel:
    """Fit the recommender and segments on ``dataset`` plus ``events`` lines.

    Parameters
    ----------
    dataset : Dataset
        The data file, loaded and cleaned.
    events : DataFrame, optional
        Event lines (:func:`recsys.service.events.event_lines`) of invoices not in the
        data file.
    events_upto : int
        Sequence number of the last event the fit includes.
    settings : ModelSettings, optional
        Segmentation settings (default: the dashboard's).

    Returns
    -------
    ShopModel
    """
    from recsys.recommend.ratings import fit_recommender

    settings = settings or ModelSettings()
    start = time.perf_counter()
    base_fingerprint = dataset.fingerprint
    known_invoices = frozenset(dataset.transactions[S.INVOICE_ID].astype(str).unique())
    if events is not None and len(events):
        dataset = with_events(dataset, events)
    assignments, figures = fit_segments(dataset, settings)
    lines = dataset.customer_transactions
    if lines.empty:
        from recsys.errors import DataError

        raise DataError("the data has no line with a customer id: there is nothing to "
                        "recommend from; load a file with a customer column")
    from recsys.data.cancellations import customer_lines_with_cancellations

    # With what was cancelled: a purchase cancelled in full is never named in a reason.
    # the dashboard's recommender: with reviews, ratings count (recsys.recommend.ratings)
    recommender = fit_recommender(
        customer_lines_with_cancellations(dataset), reviews=dataset.reviews,
        products=dataset.products, customers=dataset.customers, segments=assignments)
    products = dataset.products
    descriptions = {}
    if S.DESCRIPTION in products.columns:
        named = products.dropna(subset=[S.DESCRIPTION])
        descriptions = dict(zip(named[S.PRODUCT_ID].astype(str),
                                named[S.DESCRIPTION].astype(str), strict=True))
    tag = f"{dataset.fingerprint}|{settings}|{events_upto}|{SNAPSHOT_FORMAT}"
    version = hashlib.blake2b(tag.encode(), digest_size=6).hexdigest()
    return ShopModel(
        version=version,
        recommender=recommender,
        descriptions=descriptions,
        segments=figures,
        catalogue=frozenset(str(p) for p in recommender.data_.items),
        known_invoices=known_invoices,
        events_upto=int(events_upto),
        data_fingerprint=base_fingerprint,
        as_of=pd.Timestamp(lines[S.INVOICE_DATE].max()).isoformat(),
        fitted_at=pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        fit_seconds=round(time.perf_counter() - start, 3),
        settings=settings,
    )


# ---- snapshots -----------------------------------------------------------------------

def save_snapshot(model: ShopModel, state: Path) -> Path:
    """Write ``model`` to ``state/models/<version>.pkl`` and point ``current.json`` at it."""
    folder = Path(state) / MODELS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{model.version}.pkl"
    tmp = folder / f".{model.version}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    meta = {"format": SNAPSHOT_FORMAT, "version": model.version, "file": target.name,
            "data_fingerprint": model.data_fingerprint, "events_upto": model.events_upto,
            "source_fingerprint": model.source_fingerprint,
            "settings": dataclasses.asdict(model.settings), "fitted_at": model.fitted_at}
    tmp_meta = folder / f".{CURRENT}.{os.getpid()}.tmp"
    tmp_meta.write_text(json.dumps(meta, indent=1))
    os.replace(tmp_meta, folder / CURRENT)
    fsync_dir(folder)
    old = sorted((p for p in folder.glob("*.pkl") if p != target), key=lambda p: p.stat().st_mtime)
    for stale in old[: max(0, len(old) - (KEEP_SNAPSHOTS - 1))]:
        stale.unlink(missing_ok=True)
    return target


def load_snapshot(state: Path, *, data_fingerprint: str | None = None, settings: ModelSettings,
                  last_seq: int, source_fingerprint: str | None = None) -> ShopModel | None:
    """Return the newest snapshot if it was fitted on this data and settings, else None.

    The data is known by its ``data_fingerprint`` (the loaded data) or, without loading
    it, by the ``source_fingerprint`` of the file's bytes; one that matches is enough.

    A snapshot that includes events the log no longer has (``events_upto > last_seq``)
    or cannot be read (another library version) is not used: the caller refits.
    """
    folder = Path(state) / MODELS_DIR
    try:
        meta = json.loads((folder / CURRENT).read_text())
    except (OSError, ValueError):
        return None
    same_data = ((data_fingerprint and meta.get("data_fingerprint") == data_fingerprint)
                 or (source_fingerprint and meta.get("source_fingerprint") == source_fingerprint))
    if (meta.get("format") != SNAPSHOT_FORMAT or not same_data
            or meta.get("settings") != dataclasses.asdict(settings)
            or int(meta.get("events_upto", -1)) > last_seq):
        return None
    try:
        with open(folder / str(meta["file"]), "rb") as fh:
            model = pickle.load(fh)
    except Exception as exc:  # a snapshot of other library versions: refit instead
        log.warning("model snapshot not readable (%s); refitting", type(exc).__name__)
        return None
    return model if isinstance(model, ShopModel) else None


def as_float(value: float) -> float:
    """Return a finite float for JSON (NaN and infinities become 0)."""
    value = float(value)
    return value if np.isfinite(value) else 0.0
