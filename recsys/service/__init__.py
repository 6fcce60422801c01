"""The recommendation service a shop's website and apps call (``python -m recsys serve``).

Layers, each usable without the next:

* :mod:`~recsys.service.model` — the model snapshot (the dashboard's hybrid recommender and
  segments), fitted, saved, loaded;
* :mod:`~recsys.service.events` — the durable, fsync'd purchase-event log;
* :mod:`~recsys.service.live` — the live model: reads, purchases folded in, refit and swap;
* :mod:`~recsys.service.runtime`, :mod:`~recsys.service.api`,
  :mod:`~recsys.service.middleware` — the HTTP service (FastAPI on uvicorn);
* :mod:`~recsys.service.export` — events appended to the data file.

The web framework is an optional extra (``requirements-service.txt``); nothing here is
imported by the dashboard.
"""
