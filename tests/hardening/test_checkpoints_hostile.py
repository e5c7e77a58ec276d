"""Checkpoints and `predict` options that must be refused, not trusted: a NaN or out-of-range
threshold, non-finite weights, a config that does not match its weights or is of the wrong
type, and a config that would allocate far more than its file holds.

No training: tiny models are built directly and written with the trainer's `save_checkpoint`;
a hostile file is that payload edited and saved again with `torch.save`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import torch

from debias.errors import DataError
from debias.models import DBVAE, BaselineClassifier, BaselineConfig, DBVAEConfig
from debias.training import load_classifier, predict_frame
from generative import VAE, CheckpointError, VAEConfig, save_checkpoint
from tests.e2e.cli import assert_one_line_error, run_cli
from tests.helpers import write_image

SIZE = 32
EXTRA = {"history": [], "resampling": [], "attributes": [], "train_seconds": 1.0, "split": None}


def checkpoint(path, model=None, *, edit=None):
    """Write ``model`` (a seeded 32-pixel baseline by default) as `debias train` does, then
    let ``edit(payload)`` change what the file holds."""
    if model is None:
        torch.manual_seed(0)
        model = BaselineClassifier(BaselineConfig(image_size=SIZE))
    save_checkpoint(path, model, step=1, epoch=1, extra=dict(EXTRA))
    if edit is not None:
        payload = torch.load(path, weights_only=True)
        edit(payload)
        torch.save(payload, path)
    return path


def dbvae(latent_dim=4):
    torch.manual_seed(0)
    return DBVAE(DBVAEConfig(image_size=SIZE, latent_dim=latent_dim))


def set_tensor(name, value):
    def edit(payload):
        payload["state_dict"][name].fill_(value)
    return edit


def set_config(**fields):
    def edit(payload):
        payload["config"].update(fields)
    return edit


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    for i, color in enumerate([(220, 180, 150), (30, 90, 30), (120, 60, 200)]):
        write_image(folder / f"{i}.png", color, size=(SIZE, SIZE))
    return folder


# -- predict --threshold ------------------------------------------------------------------

@pytest.mark.parametrize("threshold", ["nan", "inf", "1.5", "-0.1"])
def test_predict_refuses_a_threshold_that_is_not_a_probability(images, tmp_path, threshold):
    # Refused while the options are parsed: the checkpoint (here none) is never opened.
    out = tmp_path / "p.csv"
    result = run_cli("predict", tmp_path / "none.pt", images, "--threshold", threshold,
                     "--out", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "Error: Invalid value for '--threshold'" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("threshold", [float("nan"), float("inf"), -0.5, 1.5, "0.5"])
def test_predict_frame_refuses_a_threshold_that_is_not_a_probability(threshold):
    model = BaselineClassifier(BaselineConfig(image_size=SIZE))
    images = torch.zeros(2, 3, SIZE, SIZE, dtype=torch.uint8)
    with pytest.raises(DataError, match=r"`threshold` must be a number in \[0, 1\]"):
        predict_frame(model, images, ["a", "b"], threshold=threshold)


# -- non-finite weights and scores --------------------------------------------------------

def test_predict_refuses_a_checkpoint_with_nan_weights(images, tmp_path):
    path = checkpoint(tmp_path / "nan.pt", edit=set_tensor("encoder.head.3.weight", float("nan")))
    out = tmp_path / "p.csv"
    result = run_cli("predict", path, images, "--out", out)
    assert_one_line_error(result, 2, f"error: {path}: tensor 'encoder.head.3.weight' holds NaN")
    assert not out.exists()


@pytest.mark.parametrize("name, value, what", [
    ("encoder.features.0.weight", float("inf"), "infinite values"),
    ("encoder.features.0.bias", float("-inf"), "infinite values"),
    ("encoder.features.2.running_mean", float("nan"), "NaN"),  # a buffer, not a parameter
])
def test_load_refuses_non_finite_tensors_naming_file_and_tensor(tmp_path, name, value, what):
    path = checkpoint(tmp_path / "bad.pt", edit=set_tensor(name, value))
    with pytest.raises(CheckpointError, match=f"^{path}: tensor '{name}' holds {what}"):
        load_classifier(path)


def test_predict_refuses_nan_scores_from_finite_weights(images, tmp_path):
    # Every weight is finite, but a negative BatchNorm variance makes every score NaN: the
    # check after scoring, not the one on load, stops it (before, "0 called faces", exit 0).
    path = checkpoint(tmp_path / "negvar.pt",
                      edit=set_tensor("encoder.features.2.running_var", -1.0))
    out = tmp_path / "p.csv"
    result = run_cli("predict", path, images, "--out", out)
    assert_one_line_error(result, 2, "error: the model scored 3 of 3 images as NaN (first: ")
    assert not out.exists()


# -- config against weights ---------------------------------------------------------------

def test_predict_refuses_a_config_that_does_not_match_the_weights(images, tmp_path):
    path = checkpoint(tmp_path / "latent.pt", dbvae(latent_dim=4), edit=set_config(latent_dim=5))
    result = run_cli("predict", path, images, "--out", tmp_path / "p.csv")
    assert_one_line_error(result, 2, f"error: {path}: config does not match the weights: "
                          "tensor 'encoder.head.3.weight' is (9, 512) in the file, the config "
                          "makes it (11, 512)")


def drop_tensor(name):
    def edit(payload):
        del payload["state_dict"][name]
    return edit


def add_tensor(name):
    def edit(payload):
        payload["state_dict"][name] = torch.zeros(3)
    return edit


@pytest.mark.parametrize("edit, message", [
    (set_config(image_size=64), "tensor 'encoder.head.1.weight' is (512, 288) in the file, "
     "the config makes it (512, 1152)"),
    (set_config(width=2), "tensor 'encoder.features.0.weight' is (12, 3, 5, 5) in the file, "
     "the config makes it (24, 3, 5, 5)"),
    (drop_tensor("encoder.head.3.bias"),
     "the network the config describes has a tensor 'encoder.head.3.bias' that the file lacks"),
    (add_tensor("encoder.extra"),
     "the file has a tensor 'encoder.extra' that the network the config describes lacks"),
])
def test_load_refuses_a_config_that_does_not_match_the_weights(tmp_path, edit, message):
    path = checkpoint(tmp_path / "bad.pt", edit=edit)
    with pytest.raises(CheckpointError) as err:
        load_classifier(path)
    assert str(err.value) == f"{path}: config does not match the weights: {message}"


def test_load_refuses_a_tensor_of_another_kind(tmp_path):
    def to_int(payload):
        payload["state_dict"]["encoder.head.3.bias"] = torch.zeros(1, dtype=torch.int64)
    path = checkpoint(tmp_path / "int.pt", edit=to_int)
    with pytest.raises(CheckpointError, match="tensor 'encoder.head.3.bias' is a torch.int64 "
                       "strided tensor in the file, the network's is torch.float32"):
        load_classifier(path)


# -- config of the wrong type -------------------------------------------------------------

@pytest.mark.parametrize("config, message", [
    ([32, 1], "its config is a list, not a dict"),
    ("image_size=32", "its config is a str, not a dict"),
    (None, "its config is a NoneType, not a dict"),
    ({"image_size": 32.0}, "config field 'image_size' is float 32.0, expected an integer"),
    ({"width": True}, "config field 'width' is bool True, expected an integer"),
    ({"image_size": 20}, "its config cannot build a BaselineClassifier (image_size must be a "
     "multiple of 16, got 20)"),
])
def test_load_refuses_a_config_of_the_wrong_type(tmp_path, config, message):
    def edit(payload):
        payload["config"] = config
    path = checkpoint(tmp_path / "bad.pt", edit=edit)
    with pytest.raises(CheckpointError) as err:
        load_classifier(path)
    assert str(err.value) == f"{path}: {message}"


@pytest.mark.parametrize("fields, message", [
    ({"kl_weight": "0.1"}, "config field 'kl_weight' is str '0.1', expected a number"),
    ({"kl_weight": float("nan")},
     "config field 'kl_weight' is float nan, expected a finite number"),
    ({"reconstruction": "l3"}, "config field 'reconstruction' is str 'l3', expected one of "
     "'l1', 'l2'"),
    ({"latent_dim": [4]}, "config field 'latent_dim' is list [4], expected an integer"),
])
def test_load_checks_each_config_field_against_its_type(tmp_path, fields, message):
    path = checkpoint(tmp_path / "bad.pt", dbvae(), edit=set_config(**fields))
    with pytest.raises(CheckpointError) as err:
        load_classifier(path)
    assert str(err.value) == f"{path}: {message}"


@pytest.mark.parametrize("part, value, message", [
    ("state_dict", [1, 2], "its state_dict is not a dict of named tensors"),
    ("state_dict", {"encoder.head.3.bias": 1.0}, "its state_dict is not a dict of named tensors"),
    ("extra", [], "its extra is a list, not a dict"),
    ("extra", {**EXTRA, "history": "abc"}, "its history is a str, not a list"),
    ("extra", {**EXTRA, "train_seconds": "1"}, "its train_seconds is a str, not a number"),
])
def test_load_refuses_other_parts_of_the_wrong_type(tmp_path, part, value, message):
    def edit(payload):
        payload[part] = value
    path = checkpoint(tmp_path / "bad.pt", edit=edit)
    with pytest.raises(CheckpointError) as err:
        load_classifier(path)
    assert str(err.value) == f"{path}: {message}"


def test_a_generative_model_is_refused_before_it_is_built(tmp_path, monkeypatch):
    path = checkpoint(tmp_path / "vae.pt", VAE(VAEConfig(image_size=SIZE, latent_dim=4, width=1)))
    monkeypatch.setattr(VAE, "__init__", lambda *a, **k: pytest.fail("VAE built"))
    with pytest.raises(CheckpointError, match="holds a VAE, not a face classifier"):
        load_classifier(path)


def test_a_valid_checkpoint_still_loads_as_saved(tmp_path):
    model = dbvae()
    loaded = load_classifier(checkpoint(tmp_path / "ok.pt", model))
    assert isinstance(loaded, DBVAE) and not loaded.training
    assert loaded.config == model.config and loaded.train_seconds_ == 1.0
    for (name, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), name


# -- a config that claims far more than its file holds -----------------------------------

HUGE = """
import os, resource, sys, time
import torch
from debias.models import BaselineClassifier, BaselineConfig  # registers the classifiers
from generative import CheckpointError, CycleGAN, CycleGANConfig, load_model, save_checkpoint

def vm_bytes():
    with open("/proc/self/status") as status:
        line = next(l for l in status if l.startswith("VmSize:"))
    return int(line.split()[1]) * 1024

folder = sys.argv[1]
torch.manual_seed(0)
small = save_checkpoint(f"{folder}/small.pt", BaselineClassifier(BaselineConfig(image_size=32)))
payload = torch.load(small, weights_only=True)
# Zero-stride views: the file is a few kB, yet every tensor has the shape the config implies.
with torch.device("meta"):
    wide = BaselineClassifier(BaselineConfig(image_size=32, width=100000)).state_dict()
views = {k: torch.zeros((), dtype=v.dtype).expand(v.shape) for k, v in wide.items()}
cases = {
    "width 100000 (1.9 PB)": {**payload, "config": {"image_size": 32, "width": 100000}},
    "width 150 (4.7 GB)": {**payload, "config": {"image_size": 64, "width": 150}},
    "zero-stride views": {**payload, "config": {"image_size": 32, "width": 100000},
                          "state_dict": views},
}
gan = save_checkpoint(f"{folder}/gan.pt", CycleGAN(CycleGANConfig(width=2, n_blocks=1)))
blocks = torch.load(gan, weights_only=True)
blocks["config"]["n_blocks"] = 100000
for name, case in cases.items():
    torch.save(case, f"{folder}/{name}.pt")
torch.save(blocks, f"{folder}/blocks.pt")

limit = vm_bytes() + 1024 ** 3  # anything that allocates a gigabyte more fails
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
for name in [*cases, "blocks"]:
    path = f"{folder}/{name}.pt"
    start = time.perf_counter()
    try:
        load_model(path)
        print(f"{name}: ACCEPTED")
    except CheckpointError as err:
        print(f"{name}: {time.perf_counter() - start:.2f} s: {err}")
    except BaseException as err:
        print(f"{name}: {type(err).__name__}: {str(err).splitlines()[0][:200]}")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc: Linux")
def test_a_config_claiming_a_huge_network_is_refused_quickly_without_allocating(tmp_path):
    # In a child process whose address space may grow by 1 GB at most: loading succeeded in
    # refusing these only if it never allocated the network the config describes.
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(HUGE), str(tmp_path)],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert set(lines) == {"width 100000 (1.9 PB)", "width 150 (4.7 GB)", "zero-stride views",
                          "blocks"}, result.stdout
    for name, line in lines.items():
        seconds, _, message = line.partition(" s: ")
        assert message, f"{name}: {line}"  # a CheckpointError, not MemoryError / RuntimeError
        assert float(seconds) < 10, f"{name}: {line}"
    assert "config does not match the weights: tensor 'encoder.features.0.weight' is " \
           "(12, 3, 5, 5) in the file, the config makes it (1200000, 3, 5, 5)" \
           in lines["width 100000 (1.9 PB)"]
    assert "the config makes it (1800, 3, 5, 5)" in lines["width 150 (4.7 GB)"]
    assert "tensor 'encoder.features.0.weight' claims 90,000,000 values but its storage " \
           "holds fewer" in lines["zero-stride views"]
    assert "has far more parts than the file's" in lines["blocks"]
