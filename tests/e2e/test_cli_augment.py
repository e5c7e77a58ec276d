"""`debias audit --augment --counterfactual` and `debias train --augment` from the shell."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from debias.data import load_dataset
from debias.synth import make_synthetic_benchmark
from reports import validate_result
from tests.e2e.cli import assert_error_after_progress, assert_one_line_error, run_cli


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("aug") / "synth"
    return make_synthetic_benchmark(root, n_train=160, n_test=64, minority_share=0.25,
                                    image_size=32, progress=False)


@pytest.fixture(scope="module")
def augmented_audit(small, tmp_path_factory):
    out = tmp_path_factory.mktemp("audit-aug")
    result = run_cli("audit", small, "--image-size", 32, "--out", out, "--epochs", 1, "--allow-degenerate",
                     "--n-boot", 50, "--min-count", 5, "--latent-dim", 8,
                     "--augment", "cyclegan", "--counterfactual", "skin_tone",
                     "--generator-epochs", 1, "--counterfactual-images", 8)
    assert result.returncode == 0, result.stderr
    return out, result


def test_audit_with_augmentation_and_probe_writes_every_part(augmented_audit, small):
    out, result = augmented_audit
    data = json.loads((out / "result.json").read_text())
    validate_result(data)
    assert set(data["models"]) == {"baseline", "dbvae", "augmented"}
    # The test split is the plain audit's: synthetic faces only ever join the training split.
    _, test = load_dataset(small, image_size=32, cache=False).split(seed=0)
    assert data["dataset"]["audited"] == len(test)
    counts = {name: [(r["slice"], r["group"], r["count"]) for r in m["per_group"]]
              for name, m in data["models"].items()}
    assert counts["augmented"] == counts["baseline"]

    augmentation = data["augmentation"]
    assert augmentation["method"] == "cyclegan" and augmentation["attribute"] == "skin_tone"
    table = pd.read_csv(out / "synthetic" / "synthetic.csv", keep_default_na=False)
    assert len(table) == sum(augmentation["added"].values()) > 0
    assert set(table["synthetic"]) == {"cyclegan"} and set(table["label"]) == {1}
    assert set(table["skin_tone"]) == set(augmentation["added"])
    assert all((out / "synthetic" / p).exists() for p in table["path"])
    assert all((small / p).exists() for p in table["source"])  # each translated real face

    probe = data["counterfactual"]
    assert probe["attribute"] == "skin_tone"
    assert (probe["source"], probe["target"]) == ("light", "dark")  # most common -> rarest
    directions = [(d["edit"], d["from"], d["to"]) for d in probe["directions"]]
    assert ("cyclegan", "light", "dark") in directions and ("cyclegan", "dark", "light") in directions
    for d in probe["directions"]:
        for s in d["models"].values():
            assert s["flips"] == s["pos_to_neg"] + s["neg_to_pos"]
            assert s["flip_rate"] == pytest.approx(s["flips"] / s["n"])
    assert "counterfactual cyclegan light -> dark (8 faces)" in result.stdout
    html = (out / "report.html").read_text()
    assert 'id="counterfactual"' in html


def test_train_with_gan_augmentation(small, tmp_path):
    result = run_cli("train", small, "--image-size", 32, "--model", "baseline", "--out", tmp_path,
                     "--epochs", 1, "--batch-size", 16, "--augment", "gan",
                     "--augment-by", "skin_tone", "--augment-cap", 1, "--generator-epochs", 1)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "model.pt").exists()
    table = pd.read_csv(tmp_path / "synthetic" / "synthetic.csv", keep_default_na=False)
    train, _ = load_dataset(small, image_size=32, cache=False).split(seed=0)
    dark = int(((train.labels == 1).numpy() & (train.meta["skin_tone"] == "dark").to_numpy()).sum())
    assert len(table) == dark  # cap 1: one synthetic face per real dark face
    assert set(table["synthetic"]) == {"gan"} and set(table["skin_tone"]) == {"dark"}
    assert set(table["gender"]) == {"unknown"}  # the GAN is conditioned on skin tone alone
    assert "added" in result.stderr


@pytest.mark.parametrize("args, pattern", [
    (["--augment", "cyclegan", "--augment-by", "hair"], "--augment-by 'hair': not an attribute"),
    (["--counterfactual", "hair"], "--counterfactual 'hair': not an attribute"),
    (["--counterfactual", "skin_tone=light"], "write ATTR or ATTR=FROM:TO"),
    (["--counterfactual", "skin_tone=light:green"], "green"),
])
def test_bad_augment_or_probe_request_is_refused_before_training(small, tmp_path, args, pattern):
    result = run_cli("audit", small, "--image-size", 32, "--out", tmp_path / "a", "--allow-degenerate", *args)
    assert_error_after_progress(result, 2, pattern)
    assert "[2/6]" not in result.stderr  # refused before any model was trained
    assert not (tmp_path / "a" / "models").exists()


def test_augment_needs_models_to_train(small, tmp_path):
    preds = tmp_path / "preds.csv"
    preds.write_text("path,score\n")
    result = run_cli("audit", small, "--out", tmp_path / "a", "--predictions", preds,
                     "--augment", "gan")
    assert_one_line_error(result, 2, "cannot be used with --predictions")
