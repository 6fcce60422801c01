"""The service's settings: API keys with their scopes, CORS origins, limits, model settings.

Keys come from the environment, never from a file in the repository or the command line
(where ``ps`` would show them): ``RECSYS_API_KEYS="key1:read,key2:write"``. A ``write``
key may also read. Keys are compared in constant time (each candidate against every key,
through SHA-256 digests of equal length) and never logged; error messages about a bad
entry name its position, not its text.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from recsys.errors import ParameterError

KEYS_ENV = "RECSYS_API_KEYS"
CORS_ENV = "RECSYS_CORS_ORIGINS"
BODY_ENV = "RECSYS_MAX_BODY_BYTES"
REFIT_ENV = "RECSYS_REFIT_MINUTES"

READ, WRITE = "read", "write"
SCOPES: tuple[str, ...] = (READ, WRITE)
"""Scopes a key may have; ``write`` includes ``read``."""

MIN_KEY_LENGTH = 16
"""Keys shorter than this are accepted with a warning in the log (guessable)."""

DEFAULT_MAX_BODY = 64 * 1024
"""Largest request body, in bytes (an event of 500 lines is about 40 KB)."""


class ApiKeys:
    """The configured keys and their scopes; answers "which scope has this key?".

    Parameters
    ----------
    entries : mapping of str to str
        Key text to scope (``"read"`` or ``"write"``).
    """

    def __init__(self, entries: Mapping[str, str]):
        self._digests = [(hashlib.sha256(k.encode()).digest(), s) for k, s in entries.items()]
        self.short_keys = sum(len(k) < MIN_KEY_LENGTH for k in entries)

    def __len__(self) -> int:
        return len(self._digests)

    def scope_of(self, candidate: str | None) -> str | None:
        """Return the scope of ``candidate`` (None when missing or unknown).

        Every configured key is compared, whatever matched before, so the time taken
        does not tell how much of a key was right or which key it was.
        """
        if not candidate:
            return None
        digest = hashlib.sha256(candidate.encode("utf-8", "surrogateescape")).digest()
        found = None
        for known, scope in self._digests:
            if hmac.compare_digest(digest, known):
                found = scope
        return found

    def allows(self, candidate: str | None, scope: str) -> bool | None:
        """Return None for an unknown key, else whether the key's scope covers ``scope``."""
        have = self.scope_of(candidate)
        if have is None:
            return None
        return have == WRITE or have == scope


def parse_api_keys(text: str | None) -> ApiKeys:
    """Return the :class:`ApiKeys` of a ``"key1:read,key2:write"`` setting.

    Raises
    ------
    ParameterError
        When the setting is empty or an entry has no key or an unknown scope; the
        message names the entry by position, never by its text.
    """
    if not text or not text.strip():
        raise ParameterError(
            f"{KEYS_ENV} is not set: give the service at least one key, e.g. "
            f'{KEYS_ENV}="a-long-random-read-key:read,a-long-random-write-key:write"'
        )
    entries: dict[str, str] = {}
    for position, item in enumerate(text.split(","), start=1):
        item = item.strip()
        if not item:
            continue
        key, sep, scope = item.rpartition(":")
        key, scope = key.strip(), scope.strip().lower()
        if not sep or not key:
            raise ParameterError(
                f"entry {position} of {KEYS_ENV} is not KEY:SCOPE (scope read or write)"
            )
        if scope not in SCOPES:
            raise ParameterError(
                f"entry {position} of {KEYS_ENV} has the scope {scope!r}; use read or write"
            )
        if entries.get(key) not in (None, scope):
            raise ParameterError(f"entry {position} of {KEYS_ENV} repeats a key with another scope")
        entries[key] = scope
    if not entries:
        raise ParameterError(f"{KEYS_ENV} holds no key; expected KEY:SCOPE entries")
    return ApiKeys(entries)


def parse_origins(text: str | None) -> tuple[str, ...]:
    """Return the CORS allow-list of a comma-separated setting (empty: no cross-origin calls).

    Raises
    ------
    ParameterError
        For ``*`` (any site could call with a visitor's browser) or an origin that is
        not ``scheme://host[:port]``.
    """
    origins = []
    for item in (text or "").split(","):
        item = item.strip().rstrip("/")
        if not item:
            continue
        if item == "*":
            raise ParameterError(
                f"{CORS_ENV}: '*' would let any website call the service; list the shop's "
                "origins, e.g. https://shop.example.com"
            )
        scheme, sep, rest = item.partition("://")
        if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
            raise ParameterError(
                f"{CORS_ENV}: {item!r} is not an origin; write scheme://host[:port], "
                "e.g. https://shop.example.com"
            )
        origins.append(item)
    return tuple(dict.fromkeys(origins))


def _positive_int(text: str | None, name: str, default: int) -> int:
    if text is None or not text.strip():
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ParameterError(f"{name} must be a positive whole number, got {text!r}")
    return value


@dataclass(frozen=True)
class ModelSettings:
    """How the model is fitted: the dashboard's defaults, so both show the same lists.

    Attributes
    ----------
    k : int
        Number of customer segments (the dashboard's default k).
    feature_set : str
        ``"rfm_behaviour"`` or ``"rfm"``.
    seed : int
        k-means seed.
    """

    k: int = 5
    feature_set: str = "rfm_behaviour"
    seed: int = 0


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the service is started with.

    Attributes
    ----------
    data : Path
        The shop's data (any layout the app reads).
    state : Path
        The service's own folder: event log and model snapshots.
    keys : ApiKeys
    cors_origins : tuple of str
        Origins a browser may call from (empty: none).
    max_body_bytes : int
    refit_minutes : int
        Refit on a schedule when new events arrived (0: only on request).
    model : ModelSettings
    """

    data: Path
    state: Path
    keys: ApiKeys
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY
    refit_minutes: int = 0
    model: ModelSettings = field(default_factory=ModelSettings)

    @classmethod
    def from_env(cls, data: str | Path, state: str | Path, *, model: ModelSettings | None = None,
                 refit_minutes: int | None = None,
                 environ: Mapping[str, str] | None = None) -> ServiceConfig:
        """Return the settings of a service on ``data`` with state in ``state``.

        Keys, CORS origins, the body limit and the refit schedule are read from
        ``environ`` (default ``os.environ``).
        """
        env = os.environ if environ is None else environ
        refit = refit_minutes
        if refit is None:
            refit = 0 if not env.get(REFIT_ENV) else _positive_int(env.get(REFIT_ENV), REFIT_ENV, 0)
        if refit < 0:
            raise ParameterError(f"the refit interval must be 0 or more minutes, got {refit}")
        return cls(
            data=Path(data),
            state=Path(state),
            keys=parse_api_keys(env.get(KEYS_ENV)),
            cors_origins=parse_origins(env.get(CORS_ENV)),
            max_body_bytes=_positive_int(env.get(BODY_ENV), BODY_ENV, DEFAULT_MAX_BODY),
            refit_minutes=int(refit),
            model=model or ModelSettings(),
        )
