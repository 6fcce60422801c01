"""Building a model from the data file and the event log: at boot, and for a refit.

:func:`build_model` is the one way a model is made: load the data file, add the logged
events it does not already hold (by invoice id), fit (:func:`recsys.service.model.fit_shop_model`)
and save a snapshot. At boot it runs in the service process (nothing is served yet); a
refit runs it in a child process (:func:`fit_in_child`) at lower priority, so requests
keep the service process's core and the model arrives as a snapshot to swap in.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from recsys.data.dataset import Dataset
from recsys.service.config import ModelSettings
from recsys.service.events import LOG_NAME, event_lines, read_log
from recsys.service.model import ShopModel, fit_shop_model, save_snapshot, with_top_lists
from recsys.service.table import TopLists

CHILD_NICENESS = 5
"""How much lower the refit child's priority is than the service's."""


def build_model(data: Path, state: Path, settings: ModelSettings, upto: int, *,
                dataset: Dataset | None = None, top: bool = True) -> tuple[ShopModel, Path]:
    """Fit on ``data`` plus the logged events with sequence number up to ``upto``.

    With ``top``, every customer's top products are precomputed before the snapshot is
    saved (:func:`recsys.service.model.with_top_lists`); a boot leaves that to
    :func:`top_lists_in_child` so that it is ready sooner.

    Returns
    -------
    model : ShopModel
    snapshot : Path
        Where the model was saved.
    """
    from recsys.data.load import load_dataset
    from recsys.pipeline.store import source_fingerprint

    source = source_fingerprint(data)  # before reading: the bytes the fit saw, or older
    if dataset is None:
        dataset = load_dataset(data)
    events = [e for e in read_log(Path(state) / LOG_NAME).events if e.seq <= upto]
    if events:
        in_file = set(dataset.transactions["invoice_id"].astype(str).unique())
        events = [e for e in events if e.invoice_id not in in_file]
    model = fit_shop_model(dataset, events=event_lines(events) if events else None,
                           events_upto=upto, settings=settings)
    model = dataclasses.replace(model, source_fingerprint=source)
    if top:
        model = with_top_lists(model)
    return model, save_snapshot(model, state)


def _lower_priority() -> None:
    try:
        os.nice(CHILD_NICENESS)
    except OSError:
        pass


def _child(data: str, state: str, settings: ModelSettings, upto: int) -> str:
    from recsys.service.logs import configure_logging

    configure_logging()
    _, path = build_model(Path(data), Path(state), settings, upto)
    return str(path)


def fit_in_child(data: Path, state: Path, settings: ModelSettings, upto: int) -> ShopModel:
    """Run :func:`build_model` in a fresh child process and return the model it saved."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_lower_priority) as pool:
        path = pool.submit(_child, str(data), str(state), settings, int(upto)).result()
    with open(path, "rb") as fh:
        return pickle.load(fh)


def _top_child(snapshot: str, state: str) -> TopLists:
    from recsys.service.logs import configure_logging

    configure_logging()
    with open(snapshot, "rb") as fh:
        model = with_top_lists(pickle.load(fh))
    save_snapshot(model, Path(state))
    return model.top


def top_lists_in_child(snapshot: Path, state: Path) -> TopLists:
    """Precompute the top products of the model saved at ``snapshot`` in a child process,
    save the snapshot again with them (a warm boot then loads them) and return them."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_lower_priority) as pool:
        return pool.submit(_top_child, str(snapshot), str(state)).result()
