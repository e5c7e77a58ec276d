"""A `debias train` checkpoint used later: audited with --model, analysed with `latent`, always
on the test faces it was trained without (the split is recorded in the checkpoint)."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from debias.data import load_dataset
from debias.synth import make_synthetic_benchmark
from tests.e2e.cli import assert_error_after_progress, run_cli

SEED = 3  # not the default: a split recomputed with seed 0 would differ


@pytest.fixture(scope="module")
def unsplit(tmp_path_factory):
    """A CSV dataset without a split column: the split comes from the training seed."""
    root = make_synthetic_benchmark(tmp_path_factory.mktemp("unsplit") / "data", n_train=96,
                                    n_test=32, minority_share=0.25, image_size=32,
                                    progress=False)
    labels = pd.read_csv(root / "labels.csv")
    labels.drop(columns=["split"]).to_csv(root / "labels.csv", index=False)
    return root


@pytest.fixture(scope="module")
def checkpoints(unsplit, tmp_path_factory):
    out = {}
    for kind in ("baseline", "dbvae"):
        folder = tmp_path_factory.mktemp(kind)
        result = run_cli("train", unsplit, "--image-size", 32, "--model", kind, "--out", folder,
                         "--epochs", 1, "--batch-size", 16, "--latent-dim", 8, "--seed", SEED)
        assert result.returncode == 0, result.stderr
        out[kind] = folder / "model.pt"
    return out


def faces_of_test_split(root, seed):
    _, test = load_dataset(root, image_size=32).split(seed=seed)
    return set(test.meta.loc[test.meta["label"] == 1, "path"])


@pytest.mark.parametrize("kind", ["baseline", "dbvae"])
def test_audit_of_a_train_checkpoint(unsplit, checkpoints, kind, tmp_path):
    result = run_cli("audit", unsplit, "--image-size", 32, "--allow-degenerate", "--model", checkpoints[kind],
                     "--out", tmp_path, "--n-boot", 50)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "result.json").read_text())
    assert list(data["models"]) == [kind]
    section = data["models"][kind]
    assert section["source"] == str(checkpoints[kind])
    # The checkpoint's history came back with it: one epoch, its losses.
    assert [e["epoch"] for e in section["training"]["epochs"]] == [0]
    missed = {img["path"] for g in section["misclassified"] for img in g["images"]}
    assert missed <= {str(p) for p in load_dataset(unsplit, image_size=32).split(seed=SEED)[1]
                      .meta["path"]}
    assert (tmp_path / "report.html").exists()


def test_latent_analyses_exactly_the_training_runs_test_faces(unsplit, checkpoints, tmp_path):
    result = run_cli("latent", checkpoints["dbvae"], unsplit, "--image-size", 32,
                     "--out", tmp_path, "--k", 4)
    assert result.returncode == 0, result.stderr
    analysed = set(pd.read_csv(tmp_path / "tables" / "latent_faces.csv")["path"])
    expected = faces_of_test_split(unsplit, SEED)
    assert analysed == expected
    assert analysed != faces_of_test_split(unsplit, 0)  # what the old code used


def test_a_changed_dataset_is_refused(unsplit, checkpoints, tmp_path):
    changed = tmp_path / "changed"
    shutil.copytree(unsplit, changed)
    labels = pd.read_csv(changed / "labels.csv")
    labels.iloc[4:].to_csv(changed / "labels.csv", index=False)  # four images fewer
    for args in (("latent", checkpoints["dbvae"], changed, "--out", tmp_path / "l"),
                 ("audit", changed, "--model", checkpoints["baseline"], "--out", tmp_path / "a")):
        result = run_cli(*args, "--image-size", 32)
        assert_error_after_progress(result, 2, "was trained on another split of this dataset")
    assert not (tmp_path / "a" / "result.json").exists()
