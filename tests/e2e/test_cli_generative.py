"""`debias generative train / sample / translate` from the shell, on a tiny synthetic set."""

from __future__ import annotations

import pandas as pd
import pytest
from PIL import Image

from debias.synth import make_synthetic_benchmark
from generative import load_checkpoint
from tests.e2e.cli import assert_one_line_error, run_cli


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """64 training images (32 faces, 8 of them dark) and 16 test images, 32 x 32."""
    root = tmp_path_factory.mktemp("tiny") / "synth"
    return make_synthetic_benchmark(root, n_train=64, n_test=16, minority_share=0.25,
                                    image_size=32, progress=False)


def grid_shape(path, n, nrow=8, size=32, padding=2):
    """(width, height) that save_grid gives n images."""
    rows = -(-n // nrow)
    return (min(n, nrow) * (size + padding) + padding, rows * (size + padding) + padding)


def test_vae_train_then_sample(tiny, tmp_path):
    out = tmp_path / "vae"
    result = run_cli("generative", "train", "vae", tiny, "--image-size", 32, "--out", out,
                     "--epochs", 2, "--batch-size", 8)
    assert result.returncode == 0, result.stderr
    history = pd.read_csv(out / "history.csv")
    assert len(history) == 2 * (32 // 8)  # faces of the train split only
    assert {"loss", "reconstruction", "latent"} <= set(history.columns)
    state = load_checkpoint(out / "model.pt")
    assert state["model_class"] == "VAE" and state["epoch"] == 2

    result = run_cli("generative", "sample", out / "model.pt", "--n", 12, "--out", tmp_path / "g.png")
    assert result.returncode == 0, result.stderr
    assert Image.open(tmp_path / "g.png").size == grid_shape(tmp_path / "g.png", 12)


def test_train_refuses_to_overwrite_a_model(tiny, tmp_path):
    out = tmp_path / "ae"
    assert run_cli("generative", "train", "ae", tiny, "--image-size", 32, "--out", out,
                   "--epochs", 1, "--batch-size", 16).returncode == 0
    before = (out / "model.pt").read_bytes()
    result = run_cli("generative", "train", "ae", tiny, "--image-size", 32, "--out", out)
    assert_one_line_error(result, 2, "exists; pass --resume to continue it or --overwrite")
    assert (out / "model.pt").read_bytes() == before

    result = run_cli("generative", "sample", out / "model.pt")
    assert_one_line_error(result, 2, "a Autoencoder has no prior to sample from")


def test_resume_continues_to_more_epochs(tiny, tmp_path):
    out = tmp_path / "ae"
    args = ("generative", "train", "ae", tiny, "--image-size", 32, "--out", out, "--batch-size", 16)
    assert run_cli(*args, "--epochs", 1).returncode == 0
    result = run_cli(*args, "--epochs", 2, "--resume")
    assert result.returncode == 0, result.stderr
    assert load_checkpoint(out / "model.pt")["epoch"] == 2
    assert len(pd.read_csv(out / "history.csv")) == 2 * 2


def test_conditional_gan_samples_a_named_class(tiny, tmp_path):
    out = tmp_path / "gan"
    result = run_cli("generative", "train", "gan", tiny, "--image-size", 32, "--out", out,
                     "--epochs", 1, "--batch-size", 8, "--width", 8, "--condition", "gender")
    assert result.returncode == 0, result.stderr
    assert load_checkpoint(out / "model.pt")["extra"]["classes"] == ["female", "male"]
    ok = run_cli("generative", "sample", out / "model.pt", "--n", 8, "--class", "female",
                 "--out", tmp_path / "f.png")
    assert ok.returncode == 0, ok.stderr
    bad = run_cli("generative", "sample", out / "model.pt", "--class", "robot")
    assert_one_line_error(bad, 2, "--class 'robot': this GAN knows female, male")


def test_cyclegan_train_and_translate_a_folder(tiny, tmp_path):
    out = tmp_path / "cyc"
    result = run_cli("generative", "train", "cyclegan", tiny, "--image-size", 32, "--out", out,
                     "--epochs", 1, "--batch-size", 4, "--width", 4,
                     "--attribute", "skin_tone", "--from", "light", "--to", "dark")
    assert result.returncode == 0, result.stderr
    extra = load_checkpoint(out / "model.pt")["extra"]
    assert (extra["domain_a"], extra["domain_b"]) == ("light", "dark")

    images = tiny / "images" / "test"
    moved = tmp_path / "in"
    moved.mkdir()
    for name in sorted(p.name for p in images.iterdir())[:5]:
        (moved / name).write_bytes((images / name).read_bytes())
    (moved / "broken.png").write_bytes(b"not a png")
    result = run_cli("generative", "translate", out / "model.pt", moved, "--out", tmp_path / "t")
    assert result.returncode == 0, result.stderr
    assert "translated 5 images (skin_tone: light -> dark)" in result.stdout
    assert "skipped" in result.stderr and "broken.png" in result.stderr
    written = sorted(p.name for p in (tmp_path / "t").iterdir())
    assert len(written) == 6 and "pairs.png" in written
    assert Image.open(tmp_path / "t" / written[0]).size == (32, 32)


@pytest.mark.parametrize("args,message", [
    (["cyclegan", "--attribute", "skin_tone"], "cyclegan needs --attribute ATTR --from VALUE"),
    (["cyclegan", "--attribute", "skin_tone", "--from", "light", "--to", "green"],
     "skin_tone='green' has no training images (values: dark, light)"),
    (["gan", "--condition", "age"], "attribute 'age' not in the dataset"),
    (["vae", "--condition", "gender"], "--condition is for gan only"),
])
def test_train_usage_errors_exit_2(tiny, tmp_path, args, message):
    kind, *rest = args
    result = run_cli("generative", "train", kind, tiny, "--image-size", 32, "--out", tmp_path / "m", *rest)
    assert_one_line_error(result, 2, message)
    assert not (tmp_path / "m" / "model.pt").exists()


def test_corrupt_checkpoint_exits_2(tmp_path):
    (tmp_path / "model.pt").write_bytes(b"garbage")
    result = run_cli("generative", "sample", tmp_path / "model.pt")
    assert_one_line_error(result, 2, "model.pt")
