"""The bundled sample in data/: small, loadable, and reproduced byte for byte by its command."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd

from recsys.data import schema as S
from recsys.synth.customers import NO_PURCHASE_SEGMENT
from recsys.synth.shop import CANONICAL_FILES, PLANTED_SEGMENT

ROOT = Path(__file__).resolve().parents[1]
MAX_SAMPLE_BYTES = 2_000_000


def sample_command(out_dir: Path) -> list[str]:
    """The Makefile ``sample`` recipe, with its variables filled in and ``--out`` replaced."""
    makefile = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^(SAMPLE_\w+)\s*:?=\s*(\S+)", makefile, flags=re.M))
    recipe = re.search(r"^sample:.*\n\t(.+)$", makefile, flags=re.M).group(1)
    recipe = re.sub(r"\$\((SAMPLE_\w+)\)", lambda m: variables[m.group(1)], recipe)
    args = shlex.split(recipe)
    assert args[:3] == ["$(BIN)/python", "-m", "recsys"], recipe
    args = [sys.executable, *args[1:]]
    args[args.index("--out") + 1] = str(out_dir)
    return args


def test_sample_files_small_and_complete(sample_dir):
    names = {p.name for p in sample_dir.iterdir() if p.suffix == ".csv"}
    assert names == set(CANONICAL_FILES)
    assert sum((sample_dir / n).stat().st_size for n in names) < MAX_SAMPLE_BYTES


def test_sample_command_reproduces_data_byte_for_byte(sample_dir, tmp_path):
    out = tmp_path / "sample"
    done = subprocess.run(sample_command(out), cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    for name in CANONICAL_FILES:
        assert (out / name).read_bytes() == (sample_dir / name).read_bytes(), name


def test_sample_loads_with_planted_truth(sample_dataset, sample_dir):
    truth = pd.read_csv(sample_dir / "ground_truth.csv", dtype=str)
    assert sample_dataset.report.layout == "canonical3"
    assert set(sample_dataset.customers[S.CUSTOMER_ID]) == set(truth[S.CUSTOMER_ID])
    assert truth[PLANTED_SEGMENT].nunique() == 7
    # customers registered without a purchase are loaded too, but are no buyers
    no_purchase = set(truth.loc[truth[PLANTED_SEGMENT] == NO_PURCHASE_SEGMENT, S.CUSTOMER_ID])
    assert len(no_purchase) == 17
    assert sample_dataset.n_buyers == len(truth) - len(no_purchase) == 400
    assert not no_purchase & set(sample_dataset.customer_transactions[S.CUSTOMER_ID])
    assert sample_dataset.has_categories
    bundles = pd.read_csv(sample_dir / "bundles.csv", dtype=str)
    assert set(bundles[S.PRODUCT_ID]) <= set(sample_dataset.products[S.PRODUCT_ID])
