"""`debias train` and `debias predict` from the shell."""

from __future__ import annotations

import pandas as pd
import pytest

from debias.synth import make_synthetic_benchmark
from debias.data import read_images
from debias.training import load_classifier
from generative import load_checkpoint
from tests.e2e.cli import assert_one_line_error, run_cli


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny") / "synth"
    return make_synthetic_benchmark(root, n_train=96, n_test=32, minority_share=0.25,
                                    image_size=32, progress=False)


@pytest.fixture(scope="module")
def trained(tiny, tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    result = run_cli("train", tiny, "--image-size", 32, "--model", "dbvae", "--out", out,
                     "--epochs", 2, "--batch-size", 16, "--latent-dim", 8)
    assert result.returncode == 0, result.stderr
    return out, result


def test_train_writes_model_log_and_resampling_summary(trained):
    out, result = trained
    state = load_checkpoint(out / "model.pt")
    assert state["model_class"] == "DBVAE" and state["epoch"] == 2
    assert state["extra"]["attributes"] == ["skin_tone", "gender"]
    assert len(state["extra"]["resampling"]) == 2
    log = pd.read_csv(out / "training_log.csv")
    assert len(log) == 2 * (48 // 8) and {"loss", "classification", "reconstruction"} <= set(log)
    resampling = pd.read_csv(out / "resampling.csv")
    assert list(resampling.epoch) == [0, 1]
    assert {"ess", "weight[dark & female]", "weight[light & male]"} <= set(resampling.columns)
    assert "effective sample size" in result.stdout and "recall by skin_tone & gender" in result.stdout
    assert not list(out.glob(".*"))  # no partial checkpoint left behind


def test_predict_a_dataset_and_a_plain_folder(trained, tiny, tmp_path):
    out, _ = trained
    result = run_cli("predict", out / "model.pt", tiny, "--out", tmp_path / "p.csv")
    assert result.returncode == 0, result.stderr
    preds = pd.read_csv(tmp_path / "p.csv")
    assert list(preds.columns) == ["path", "score", "prediction"] and len(preds) == 128
    assert preds.score.between(0, 1).all()
    assert (preds.prediction == (preds.score >= 0.5)).all()

    # A second code path: the Python API on the same images gives the same scores.
    model = load_classifier(out / "model.pt")
    images, paths, _ = read_images(tiny, image_size=32)
    assert paths == preds.path.tolist()
    assert preds.score.to_numpy() == pytest.approx(model.predict_proba(images), abs=1e-6)

    folder = tiny / "images" / "test"
    result = run_cli("predict", out / "model.pt", folder, "--out", tmp_path / "f.csv")
    assert result.returncode == 0, result.stderr
    plain = pd.read_csv(tmp_path / "f.csv")
    assert len(plain) == 32 and plain.path.iloc[0] == "000000.png"


def test_baseline_then_refuse_to_overwrite(tiny, tmp_path):
    args = ("train", tiny, "--image-size", 32, "--model", "baseline", "--out", tmp_path,
            "--epochs", 1, "--batch-size", 16)
    assert run_cli(*args).returncode == 0
    before = (tmp_path / "model.pt").read_bytes()
    assert_one_line_error(run_cli(*args), 2, "exists; pass --overwrite to replace it")
    assert (tmp_path / "model.pt").read_bytes() == before
    assert not (tmp_path / "resampling.csv").exists()  # the baseline does not resample


def test_predict_errors_exit_2(trained, tiny, tmp_path):
    out, _ = trained
    vae = tmp_path / "vae"
    assert run_cli("generative", "train", "ae", tiny, "--image-size", 32, "--out", vae,
                   "--epochs", 1, "--batch-size", 16).returncode == 0
    assert_one_line_error(run_cli("predict", vae / "model.pt", tiny), 2,
                          "holds a Autoencoder, not a face classifier")
    assert_one_line_error(run_cli("predict", out / "model.pt", tmp_path / "nope"), 2,
                          "no such file or folder")
    (tmp_path / "empty").mkdir()
    assert_one_line_error(run_cli("predict", out / "model.pt", tmp_path / "empty"), 2,
                          "no image files found")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "a.png").write_bytes(b"nope")
    assert_one_line_error(run_cli("predict", out / "model.pt", tmp_path / "junk"), 2,
                          "none of the 1 files is a readable image")


def test_latent_analysis_of_the_trained_dbvae(trained, tiny, tmp_path):
    out, _ = trained
    result = run_cli("latent", out / "model.pt", tiny, "--image-size", 32, "--out", tmp_path,
                     "--k", 8)
    assert result.returncode == 0, result.stderr
    assert "rarity finds skin_tone=dark: ROC AUC" in result.stdout
    faces = pd.read_csv(tmp_path / "tables" / "latent_faces.csv")
    assert len(faces) == 16 and faces.rarity.max() == 1.0 and faces.path.str.startswith("images/test/").all()
    deciles = pd.read_csv(tmp_path / "tables" / "latent_decile_errors.csv")
    assert deciles[deciles.attribute == "all"]["count"].sum() == 16
    assert (tmp_path / "rarest.png").exists() and (tmp_path / "most_typical.png").exists()
    assert len(list((tmp_path / "traversals").glob("*.png"))) == 4  # 2 attributes x 2 values


def test_latent_needs_a_dbvae(tiny, tmp_path):
    args = ("train", tiny, "--image-size", 32, "--model", "baseline", "--out", tmp_path,
            "--epochs", 1, "--batch-size", 16)
    assert run_cli(*args).returncode == 0
    assert_one_line_error(run_cli("latent", tmp_path / "model.pt", tiny), 2,
                          "latent analysis needs a DB-VAE")


def test_balanced_baseline_reports_its_group_weights(tiny, tmp_path):
    result = run_cli("train", tiny, "--image-size", 32, "--model", "baseline", "--out", tmp_path,
                     "--epochs", 1, "--batch-size", 16, "--balance-by", "skin_tone")
    assert result.returncode == 0, result.stderr
    weights = pd.read_csv(tmp_path / "resampling.csv")  # 36 light, 12 dark training faces
    assert weights["weight[dark & female]"].iloc[0] == pytest.approx(2.0, abs=0.01)
    bad = run_cli("train", tiny, "--model", "dbvae", "--out", tmp_path / "b", "--balance-by", "gender")
    assert_one_line_error(bad, 2, "--balance-by is for --model baseline")
