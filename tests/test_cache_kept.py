"""Tables kept beside a large file's artifacts (ui.cache.kept): read back, never stale."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from ui.cache import kept as K


@dataclass
class _Stored:
    folder: Path
    data_fingerprint: str


@pytest.fixture
def stored(tmp_path, monkeypatch):
    """Artifacts for the data fingerprint ``"fp"`` only, in a temporary folder."""
    import ui.cache.data

    found = _Stored(tmp_path, "fp")
    monkeypatch.setattr(ui.cache.data, "artifacts_for", lambda fingerprint: found if fingerprint == "fp" else None)
    return found


@dataclass(frozen=True)
class _Key:
    fingerprint: str
    k: int


def _counting():
    calls = []

    @K.kept
    def table(fingerprint, n: int, _dataset=None):
        calls.append((fingerprint, n))
        return pd.DataFrame({"n": [n] * n})

    return table, calls


def test_kept_reads_back_a_file_with_artifacts(stored):
    table, calls = _counting()
    first = table("fp", 3, _dataset=object())
    again = table("fp", 3, _dataset=object())  # another object: unhashed, as for Streamlit
    pd.testing.assert_frame_equal(first, again)
    assert calls == [("fp", 3)]
    assert len(list((stored.folder / K.FOLDER).glob("table-*.pickle"))) == 1


def test_kept_keys_on_every_hashed_argument(stored):
    table, calls = _counting()
    assert len(table("fp", 2)) == 2
    assert len(table("fp", 4)) == 4
    assert calls == [("fp", 2), ("fp", 4)]


def test_kept_finds_the_fingerprint_in_a_key_record(stored):
    calls = []

    @K.kept
    def sizes(key, _dataset=None):
        calls.append(key)
        return key.k * 10

    assert sizes(_Key("fp", 3)) == 30 and sizes(_Key("fp", 3)) == 30
    assert sizes(_Key("fp", 4)) == 40
    assert len(calls) == 2


def test_kept_without_artifacts_computes_and_writes_nothing(stored):
    table, calls = _counting()
    table("other", 2)
    table("other", 2)
    assert calls == [("other", 2), ("other", 2)]
    assert not (stored.folder / K.FOLDER).exists()


def test_kept_computes_again_when_the_file_is_damaged(stored):
    table, calls = _counting()
    table("fp", 2)
    (path,) = (stored.folder / K.FOLDER).glob("table-*.pickle")
    path.write_bytes(b"not a pickle")
    assert len(table("fp", 2)) == 2
    assert len(calls) == 2
    assert len(table("fp", 2)) == 2 and len(calls) == 2  # rewritten whole


def test_kept_digest_changes_with_the_code(stored, monkeypatch):
    table, calls = _counting()
    table("fp", 2)
    monkeypatch.setattr(K, "code_version", lambda: "another version")
    table("fp", 2)
    assert len(calls) == 2
    assert len(list((stored.folder / K.FOLDER).glob("table-*.pickle"))) == 2
