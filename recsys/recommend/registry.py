"""The recommenders the product knows, by name.

Every entry builds an unfitted recommender that follows the contract of
:mod:`recsys.recommend.base`. The evaluation compares entries by name, the ``evaluate``
command takes them in ``--models``, and the hybrid tries the entries named in its
``extra_parts`` as further parts of its blend, keeping one only where its own
validation says it helps. A new model joins with :func:`register_model`::

    register_model("sequence", "mypackage.sequence:SequenceRecommender",
                   label="Neural sequence model", blend_part=True)

Entries are imported on use, so listing them stays cheap.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from recsys.errors import ParameterError


@dataclass(frozen=True)
class ModelEntry:
    """One registered recommender.

    Attributes
    ----------
    name : str
        Short name (``--models``, ``extra_parts``).
    target : str
        ``"package.module:Class"`` of the estimator.
    label : str
        What the model is, in a few words (tables, ``--help``).
    params : dict
        Keyword arguments of the estimator for this entry.
    blend_part : bool
        Whether the hybrid may blend it in (it scores any purchase history through
        ``score_histories`` on the hybrid's shared index).
    """

    name: str
    target: str
    label: str
    params: dict = field(default_factory=dict)
    blend_part: bool = False

    def build(self, **params):
        """Return a new unfitted estimator (entry parameters, overridden by ``params``)."""
        module, _, attr = self.target.partition(":")
        cls = getattr(importlib.import_module(module), attr)
        return cls(**{**self.params, **params})


_MODELS: dict[str, ModelEntry] = {}


def register_model(name: str, target: str, *, label: str, params: dict | None = None,
                   blend_part: bool = False) -> ModelEntry:
    """Add (or replace) a model under ``name`` and return its entry."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ParameterError(f"model name must be letters, digits, '-' or '_', got {name!r}")
    entry = ModelEntry(name, target, label, dict(params or {}), blend_part)
    _MODELS[name] = entry
    return entry


def model_entry(name: str) -> ModelEntry:
    """Return the entry registered under ``name``."""
    try:
        return _MODELS[name]
    except KeyError:
        raise ParameterError(f"unknown model {name!r}; known: {', '.join(_MODELS)}") from None


def model_names(*, blend_parts: bool = False) -> tuple[str, ...]:
    """Return the registered names (only those that may join the blend, if asked)."""
    return tuple(n for n, e in _MODELS.items() if e.blend_part or not blend_parts)


def make_model(name: str, **params):
    """Return a new unfitted recommender of the entry ``name``."""
    return model_entry(name).build(**params)


register_model("hybrid", "recsys.recommend.hybrid:HybridRecommender",
               label="Hybrid (collaborative, content, profile and trend, tuned per shop)")
register_model("ease", "recsys.recommend.ease:EASERecommender",
               label="EASE with recency (the strongest plain model)",
               params={"l2": 300.0, "half_life_days": 60.0})
register_model("popularity", "recsys.recommend.popularity:PopularityRecommender",
               label="Popularity")
register_model("als", "recsys.recommend.als:ALSRecommender", label="Implicit ALS",
               blend_part=True)
register_model("itemknn", "recsys.recommend.itemknn:ItemKNNRecommender", label="Item-kNN (BM25)",
               blend_part=True)
register_model("content", "recsys.recommend.content:ContentRecommender",
               label="Content (TF-IDF of descriptions)")
register_model("sequence", "recsys.recommend.sequence:SequenceRecommender",
               label="Neural sequence model (SASRec-style; PyTorch to fit)", blend_part=True)
register_model("profile", "recsys.recommend.profile:ProfileRecommender",
               label="Category and price profile")
register_model("topics", "recsys.recommend.topics:TopicRecommender",
               label="Tastes and seasons (topic model of purchases)", blend_part=True)
