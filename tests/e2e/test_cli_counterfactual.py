"""`debias counterfactual` from the shell, on a tiny synthetic set (issue 7, first slice)."""

from __future__ import annotations

import json

import pytest

from debias.synth import make_synthetic_benchmark
from tests.e2e.cli import assert_error_after_progress, run_cli


@pytest.fixture(scope="module")
def tiny_with_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("cf") / "synth"
    make_synthetic_benchmark(root, n_train=64, n_test=32, minority_share=0.25, image_size=32,
                             progress=False)
    model = root.parent / "m"
    result = run_cli("train", root, "--image-size", 32, "--model", "baseline", "--out", model,
                     "--epochs", 1, "--batch-size", 16)
    assert result.returncode == 0, result.stderr
    return root, model / "model.pt"


def test_probe_both_directions_and_write_json(tiny_with_model, tmp_path):
    root, model = tiny_with_model
    result = run_cli("counterfactual", root, "--image-size", 32, "--attribute", "skin_tone",
                     "--from", "light", "--to", "dark", "--model", model, "--cyclegan-epochs", 1,
                     "--max-images", 8, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "counterfactual.json").read_text())
    directions = [(d["edit"], d["from"], d["to"]) for d in data["directions"]]
    assert directions == [("cyclegan", "light", "dark"), ("cyclegan", "dark", "light")]
    summary = data["directions"][0]["models"]["baseline"]
    assert summary["n"] == 8 and summary["flips"] == summary["pos_to_neg"] + summary["neg_to_pos"]
    assert (tmp_path / data["directions"][0]["gallery"]).exists()
    assert (tmp_path / "cyclegan.pt").exists()


def test_unknown_value_exits_2(tiny_with_model, tmp_path):
    root, model = tiny_with_model
    result = run_cli("counterfactual", root, "--image-size", 32, "--attribute", "skin_tone",
                     "--from", "light", "--to", "green", "--model", model, "--out", tmp_path)
    assert_error_after_progress(result, 2, "skin_tone='green' has no training faces")
