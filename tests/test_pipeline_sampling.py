"""The pipeline's seeded customer samples (recsys.pipeline.sampling): the evaluation of a
large shop runs on the lines of a sample of customers, the same one for the same seed."""

from __future__ import annotations

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.errors import ParameterError
from recsys.pipeline.run import run_pipeline
from recsys.pipeline.sampling import customer_sample, sample_customer_ids
from recsys.pipeline.steps import PipelineParams


@pytest.fixture()
def lines():
    return pd.DataFrame({
        S.CUSTOMER_ID: ["c3", "c1", "c2", None, "c1", "c4", "c5", "c3"],
        S.PRODUCT_ID: list("abcdefgh"),
    })


def test_sample_customer_ids_same_seed_same_sample(lines):
    first = sample_customer_ids(lines, 3, seed=7)
    assert list(first) == list(sample_customer_ids(lines, 3, seed=7))
    assert len(first) == 3 and set(first) <= {"c1", "c2", "c3", "c4", "c5"}
    assert list(first) == sorted(first)
    draws = {tuple(sample_customer_ids(lines, 3, seed=s)) for s in range(20)}
    assert len(draws) > 1  # the seed decides


def test_sample_customer_ids_everyone_when_the_shop_is_small(lines):
    assert sample_customer_ids(lines, 5, seed=0) is None
    assert sample_customer_ids(lines, 50, seed=0) is None
    assert sample_customer_ids(lines, None, seed=0) is None
    assert sample_customer_ids(lines, 0, seed=0) is None


def test_customer_sample_keeps_every_line_of_the_drawn_customers(lines):
    before = lines.copy()
    kept, info = customer_sample(lines, 2, seed=1)
    drawn = set(sample_customer_ids(lines, 2, seed=1))
    assert set(kept[S.CUSTOMER_ID]) == drawn
    assert len(kept) == lines[S.CUSTOMER_ID].isin(drawn).sum()
    assert info == {"sampled": True, "customers": 2, "of_customers": 5, "lines": len(kept),
                    "of_lines": 8, "seed": 1}
    pd.testing.assert_frame_equal(lines, before)  # input unchanged
    everyone, info = customer_sample(lines, None, seed=1)
    assert everyone is lines and info["sampled"] is False and info["customers"] == 5


def test_pipeline_evaluation_on_a_sample_same_seed_same_artifacts(sample_copy_small, tmp_path):
    params = PipelineParams(seed=2, eval_customers=60, steps=("evaluation",))
    first = run_pipeline(sample_copy_small, tmp_path / "a", params=params)
    again = run_pipeline(sample_copy_small, tmp_path / "b", params=params)
    sample = first["summary"]["evaluation"]
    assert sample["sampled"] is True and sample["customers"] == 60
    assert sample["of_customers"] > 60 and sample["lines"] < sample["of_lines"]
    assert first["parameters"]["eval_customers"] == 60
    for name in ("evaluation", "evaluation_settings"):
        assert first["artifacts"][name]["digest"] == again["artifacts"][name]["digest"], name
    table = pd.read_parquet(tmp_path / "a" / "evaluation.parquet")
    assert table["users"].max() <= 60


def test_pipeline_rejects_a_negative_evaluation_sample():
    with pytest.raises(ParameterError, match="eval_customers must be 0 .* got -1"):
        PipelineParams(eval_customers=-1).checked()


@pytest.fixture(scope="module")
def sample_copy_small(sample_dir, tmp_path_factory):
    import shutil

    folder = tmp_path_factory.mktemp("shop") / "shop"
    shutil.copytree(sample_dir, folder)
    return folder


def test_evaluation_page_says_its_figures_come_from_a_sample(sample_copy_small, tmp_path, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from recsys.pipeline.artifacts import open_artifacts
    from recsys.pipeline.store import read_store
    from ui import state
    from ui.cache import recommend
    from ui.cache.data import _artifact_index

    out = tmp_path / "art"
    run_pipeline(sample_copy_small, out, params=PipelineParams(eval_customers=60, steps=("evaluation",)))
    dataset = read_store(out / "store")
    monkeypatch.setattr(state, "get_dataset", lambda: dataset)
    monkeypatch.setitem(_artifact_index(), dataset.fingerprint, open_artifacts(out))
    recommend.evaluation_table.clear()
    page = str(Path(__file__).resolve().parents[1] / "pages" / "evaluation.py")
    at = AppTest.from_file(page, default_timeout=120).run()
    assert not at.exception
    notes = [i.value for i in at.info if "sample of customers" in i.value]
    assert notes and "60 of its" in notes[0] and "seed 0" in notes[0], [i.value for i in at.info]
    stored = pd.read_parquet(out / "evaluation.parquet")
    shown = [df.value for df in at.dataframe if "ndcg" in df.value.columns]
    assert shown and stored["users"].max() <= 60
