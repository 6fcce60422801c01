"""The batch pipeline on the bundled sample: store, artifacts, manifest, atomic replacement."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from recsys.cli import main
from recsys.data import schema as S
from recsys.errors import DataError, ParameterError
from recsys.pipeline import artifacts as A
from recsys.pipeline.run import run_pipeline
from recsys.pipeline.steps import PipelineParams
from recsys.pipeline.store import read_store, source_fingerprint, write_store

QUICK = ("segments", "rules", "recommendations")


@pytest.fixture(scope="module")
def sample_copy(sample_dir, tmp_path_factory):
    """A copy of the bundled sample (tests change it)."""
    folder = tmp_path_factory.mktemp("shop") / "shop"
    shutil.copytree(sample_dir, folder)
    return folder


@pytest.fixture(scope="module")
def full_run(sample_copy, tmp_path_factory):
    out = tmp_path_factory.mktemp("art") / "artifacts"
    manifest = run_pipeline(sample_copy, out, params=PipelineParams(seed=3))
    return out, manifest


def test_store_round_trip_keeps_tables_and_fingerprint(sample_dataset, tmp_path):
    write_store(sample_dataset, tmp_path, source_digest="abc")
    for strings in ("python", "pyarrow"):
        back = read_store(tmp_path, source_digest="abc", strings=strings)
        assert back.fingerprint == sample_dataset.fingerprint
        pd.testing.assert_frame_equal(back.transactions.astype({c: "string[python]" for c in (
            S.INVOICE_ID, S.CUSTOMER_ID, S.PRODUCT_ID, S.COUNTRY)}), sample_dataset.transactions)
        assert back.report == sample_dataset.report
    # Rebuilt from the tables (hashing them again), the fingerprint is the same.
    again = type(sample_dataset)(back.transactions, back.products, back.customers,
                                 back.cancellations, back.report, back.reviews)
    assert again.fingerprint == sample_dataset.fingerprint
    assert len(back.reviews) == len(sample_dataset.reviews) > 0


def test_store_refuses_another_source(sample_dataset, tmp_path):
    write_store(sample_dataset, tmp_path, source_digest="abc")
    with pytest.raises(A.StaleArtifacts, match="made from other data"):
        read_store(tmp_path, source_digest="def")
    with pytest.raises(A.StaleArtifacts, match="no complete columnar store"):
        read_store(tmp_path / "nothing")


def test_source_fingerprint_follows_the_bytes(sample_copy, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(sample_copy, copy)
    assert source_fingerprint(copy) == source_fingerprint(sample_copy)
    with open(copy / "transactions.csv", "ab") as handle:
        handle.write(b"\n")
    assert source_fingerprint(copy) != source_fingerprint(sample_copy)


def test_pipeline_writes_every_artifact_with_its_manifest(full_run, sample_dataset):
    out, manifest = full_run
    assert manifest["engine"] == "local"
    assert manifest["data_fingerprint"] == sample_dataset.fingerprint
    assert manifest["parameters"]["seed"] == 3 and manifest["parameters"]["k"] == 5
    assert {"pandas", "pyarrow", "recsys", "python"} <= set(manifest["versions"])
    assert set(manifest["timings"]) >= {"import", "segments", "recommendations", "total"}
    expected = {"segments", "segments_by_k", "k_sweep", "rules", "itemsets", "recommendations",
                "trends_month", "evaluation", "overview_kpis", "features", "projection"}
    assert expected <= set(manifest["artifacts"])
    for name, entry in manifest["artifacts"].items():
        frame = pd.read_parquet(out / entry["file"])
        assert len(frame) == entry["rows"], name
    assert (out / "store" / "store.json").exists()


def test_pipeline_segments_are_those_of_the_dashboard_path(full_run, sample_dataset):
    from recsys.data.categories import dataset_categories
    from recsys.segments.features import customer_features
    from recsys.segments.kmeans import prepare_features, segment_customers

    out, manifest = full_run
    features = customer_features(sample_dataset, products=dataset_categories(sample_dataset))
    expected = segment_customers(features, k=7, random_state=3, prepared=prepare_features(features))
    by_k = pd.read_parquet(out / "segments_by_k.parquet")
    assert sorted(by_k["k"].unique()) == list(range(2, 13))
    got = by_k[by_k["k"] == 7].drop(columns="k").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected.assignments, check_dtype=False)
    chosen = pd.read_parquet(out / "segments.parquet")
    assert list(chosen.columns[:3]) == [S.CUSTOMER_ID, S.SEGMENT, S.SEGMENT_NAME]
    assert "monetary" in chosen.columns and len(chosen) == sample_dataset.n_buyers
    assert manifest["summary"]["segments"]["suggested_k"] in range(2, 13)


def test_pipeline_rules_hold_product_id_lists(full_run, sample_dataset):
    from recsys.baskets.itemsets import basket_rules
    from recsys.data.cancellations import net_transactions

    out, _ = full_run
    rules = pd.read_parquet(out / "rules.parquet")
    # Baskets of the net lines, as on the Baskets page: an order cancelled in full is no basket.
    _, expected = basket_rules(net_transactions(sample_dataset), min_support=0.01, min_confidence=0.2, max_len=3)
    assert len(rules) == len(expected) > 0
    assert isinstance(rules["antecedents"].iloc[0], np.ndarray)
    got = {(tuple(a), tuple(c)) for a, c in zip(rules["antecedents"], rules["consequents"], strict=True)}
    want = {(tuple(sorted(a)), tuple(sorted(c))) for a, c in zip(expected["antecedents"], expected["consequents"], strict=True)}
    assert got == want
    assert rules[["support", "confidence", "lift"]].notna().all().all()


def test_pipeline_recommends_every_known_customer(full_run, sample_dataset):
    out, _ = full_run
    recs = pd.read_parquet(out / "recommendations.parquet")
    assert list(recs.columns) == [S.CUSTOMER_ID, S.RANK, S.PRODUCT_ID, S.SCORE, S.REASON]
    assert set(recs[S.CUSTOMER_ID]) == set(sample_dataset.customers[S.CUSTOMER_ID].astype(str))
    assert (recs.groupby(S.CUSTOMER_ID)[S.RANK].max() == 10).all()
    assert recs[S.REASON].str.len().gt(0).all()


def test_pipeline_same_data_and_settings_same_artifacts_store_reused(full_run, sample_copy, tmp_path):
    out, manifest = full_run
    again = run_pipeline(sample_copy, out, params=PipelineParams(seed=3))
    assert again["store"]["reused"] is True
    assert {k: v["digest"] for k, v in again["artifacts"].items()} == {
        k: v["digest"] for k, v in manifest["artifacts"].items()}
    elsewhere = run_pipeline(sample_copy, tmp_path / "other", params=PipelineParams(seed=3, steps=QUICK))
    assert elsewhere["store"]["reused"] is False
    for name in elsewhere["artifacts"]:
        assert elsewhere["artifacts"][name]["digest"] == manifest["artifacts"][name]["digest"], name


def test_open_artifacts_refuses_other_data_or_settings(full_run, sample_dataset, tmp_path):
    out, manifest = full_run
    found = A.open_artifacts(out, data_fingerprint=sample_dataset.fingerprint, parameters={"k": 5, "seed": 3})
    assert found.table("k_sweep")["k"].tolist() == list(range(2, 13))
    with pytest.raises(A.StaleArtifacts, match="computed from other data"):
        A.open_artifacts(out, data_fingerprint="0" * 16)
    with pytest.raises(A.StaleArtifacts, match="other settings: seed 3 \\(asked 4\\)"):
        A.open_artifacts(out, parameters={"seed": 4})
    with pytest.raises(A.StaleArtifacts, match="another version of the source"):
        A.open_artifacts(out, source_fingerprint="f" * 32)
    with pytest.raises(A.StaleArtifacts, match="no pipeline artifacts"):
        A.open_artifacts(tmp_path)
    with pytest.raises(A.StaleArtifacts, match="have no 'nothing'"):
        found.table("nothing")
    assert issubclass(A.StaleArtifacts, DataError)


def test_pipeline_killed_half_way_keeps_the_previous_artifacts(sample_copy, tmp_path, monkeypatch):
    from recsys.pipeline import steps

    out = tmp_path / "art"
    first = run_pipeline(sample_copy, out, params=PipelineParams(steps=("rules",)))

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setitem(steps.LOCAL_STEPS, "recommendations", killed)
    with pytest.raises(KeyboardInterrupt):
        run_pipeline(sample_copy, out, params=PipelineParams(k=4, steps=("rules", "recommendations")))
    assert json.loads((out / "manifest.json").read_text())["parameters"] == first["parameters"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".art.tmp")) == []
    assert A.open_artifacts(out).table("rules").shape[0] == first["artifacts"]["rules"]["rows"]


def test_pipeline_process_killed_keeps_the_previous_artifacts(sample_copy, tmp_path):
    """SIGKILL (no cleanup runs) of the real command while it writes: the previous run's
    artifacts are still the ones read, and the next run clears the half-written folder."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "art"
    first = run_pipeline(sample_copy, out, params=PipelineParams(steps=("rules",)))
    proc = subprocess.Popen([sys.executable, "-m", "recsys", "pipeline", str(sample_copy), "--out", str(out),
                             "--k", "4", "--steps", "segments,rules,recommendations"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not list(tmp_path.glob(".art.tmp-*/store")) and proc.poll() is None:
            time.sleep(0.005)
        assert proc.poll() is None, "the run ended before it could be killed half-way"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert list(tmp_path.glob(".art.tmp-*")), "the killed run left its half-written folder"
    found = A.open_artifacts(out)
    assert found.parameters == first["parameters"] and not found.has("recommendations")
    assert found.table("rules").shape[0] == first["artifacts"]["rules"]["rows"]
    again = run_pipeline(sample_copy, out, params=PipelineParams(k=4, steps=("rules",)))
    assert again["parameters"]["k"] == 4
    assert list(tmp_path.glob(".art.tmp-*")) == []


def test_open_source_reads_no_stale_store_after_the_file_changed(sample_copy, tmp_path, monkeypatch):
    from recsys.pipeline import home

    monkeypatch.delenv(home.ARTIFACTS_ENV, raising=False)
    shop = tmp_path / "shop"
    shutil.copytree(sample_copy, shop)
    before, found = home.open_source(shop, home=tmp_path / "home", min_lines=0)
    lines = (shop / "transactions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (shop / "transactions.csv").write_text("".join(lines[:-100]), encoding="utf-8")
    assert home.find_artifacts(shop, home=tmp_path / "home") is None
    seen = []
    after, found_after = home.open_source(shop, home=tmp_path / "home", min_lines=0,
                                          progress=lambda done, message: seen.append(message))
    assert seen, "the changed file was not analysed again"
    assert found_after.folder != found.folder
    assert after.fingerprint != before.fingerprint == found.data_fingerprint
    assert found_after.data_fingerprint == after.fingerprint
    assert after.report.raw_lines == before.report.raw_lines - 100


def test_swap_without_atomic_exchange_and_recovery(tmp_path, monkeypatch):
    monkeypatch.setattr(A, "_exchange", lambda a, b: False)
    target = tmp_path / "art"
    for value in (1, 2):
        with A.ArtifactWriter(target) as writer:
            writer.write("t", pd.DataFrame({"x": [value]}))
            writer.commit({"engine": "local", "data_fingerprint": str(value)})
    assert A.open_artifacts(target).table("t")["x"].tolist() == [2]
    # A crash between the two renames: the previous folder is under a hidden name.
    target.rename(tmp_path / ".art.old-1-abc")
    assert A.open_artifacts(target).data_fingerprint == "2"


def test_pipeline_rejects_bad_settings(sample_copy, tmp_path, capsys):
    with pytest.raises(ParameterError, match="k must be between 2 and 12, got 13"):
        run_pipeline(sample_copy, tmp_path / "a", params=PipelineParams(k=13))
    with pytest.raises(ParameterError, match="engine must be one of"):
        run_pipeline(sample_copy, tmp_path / "a", engine="dask")
    assert main(["pipeline", str(sample_copy), "--out", str(tmp_path / "a"), "--until", "soon"]) == 2
    assert "--until must be a date like 2011-11-09, got 'soon'" in capsys.readouterr().err
    assert main(["pipeline", str(sample_copy), "--out", str(tmp_path / "a"), "--steps", "magic"]) == 2
    assert "unknown steps ['magic']" in capsys.readouterr().err
    assert main(["pipeline", str(tmp_path / "missing"), "--out", str(tmp_path / "a")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


def test_cli_pipeline_until_matches_the_recommend_command(sample_copy, tmp_path, capsys):
    until = "2011-12-01"
    assert main(["pipeline", str(sample_copy), "--out", str(tmp_path / "art"), "--until", until,
                 "--steps", "segments,recommendations", "--n", "3"]) == 0
    assert "recommendations" in capsys.readouterr().out
    assert main(["recommend", str(sample_copy), "--until", until, "--n", "3",
                 "--out", str(tmp_path / "r.csv")]) == 0
    cli = pd.read_csv(tmp_path / "r.csv", dtype={S.CUSTOMER_ID: str, S.PRODUCT_ID: str}, encoding="utf-8-sig")
    ours = pd.read_parquet(tmp_path / "art" / "recommendations.parquet")
    assert ours[[S.CUSTOMER_ID, S.RANK, S.PRODUCT_ID]].astype(str).values.tolist() == \
        cli[[S.CUSTOMER_ID, S.RANK, S.PRODUCT_ID]].astype(str).values.tolist()


def test_open_source_computes_artifacts_once_then_reads_the_store(sample_copy, sample_dataset, tmp_path, monkeypatch):
    from recsys.pipeline import home

    monkeypatch.delenv(home.ARTIFACTS_ENV, raising=False)
    seen = []
    dataset, found = home.open_source(sample_copy, home=tmp_path, min_lines=0,
                                      progress=lambda done, message: seen.append(done))
    assert found is not None and seen[0] == 0.0 and seen[-1] == 1.0
    assert dataset.fingerprint == sample_dataset.fingerprint
    again, found_again = home.open_source(sample_copy, home=tmp_path, min_lines=0,
                                          progress=lambda done, message: seen.append("again"))
    assert "again" not in seen and found_again.folder == found.folder
    assert again.fingerprint == dataset.fingerprint
    pd.testing.assert_frame_equal(again.transactions, dataset.transactions)
    sweep = home.segment_sweep(found_again)
    assert sweep.table["k"].tolist() == list(range(2, 13))
    assert home.matches(found_again, fingerprint=dataset.fingerprint, feature_set="rfm_behaviour", seed=0)
    assert not home.matches(found_again, fingerprint=dataset.fingerprint, seed=1)


def test_open_source_small_files_and_switched_off_keep_no_artifacts(sample_copy, tmp_path, monkeypatch):
    from recsys.pipeline import home

    monkeypatch.delenv(home.ARTIFACTS_ENV, raising=False)
    assert home.open_source(sample_copy, home=tmp_path)[1] is None  # under 100,000 lines
    monkeypatch.setenv(home.ARTIFACTS_ENV, "off")
    assert home.open_source(sample_copy, home=tmp_path, min_lines=0)[1] is None
    assert not any(tmp_path.iterdir())


def test_stored_sweep_gives_the_fitted_segments(full_run, sample_dataset):
    from recsys.pipeline import home
    from recsys.segments.kmeans import prepare_features, segment_customers

    out, _ = full_run
    found = A.open_artifacts(out)
    features = home.stored_features(found)
    sweep = home.segment_sweep(found)
    for k in (2, 5, 12):
        result = segment_customers(features, k=k, random_state=3, prepared=prepare_features(features),
                                   labels=sweep.labels[k])
        stored = found.table("segments_by_k")
        stored = stored[stored["k"] == k].drop(columns="k").reset_index(drop=True)
        pd.testing.assert_frame_equal(result.assignments, stored, check_dtype=False)
