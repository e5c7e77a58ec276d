"""`debias train --method ...` from the shell: the label-free methods, the references that
read group labels, and model selection on a held-out share."""

from __future__ import annotations

import pytest

from debias.synth import make_synthetic_benchmark
from debias.training import load_classifier
from tests.e2e.cli import assert_error_after_progress, run_cli

FAST = ("--image-size", 32, "--epochs", 2, "--batch-size", 16)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("methods") / "synth"
    return make_synthetic_benchmark(root, n_train=96, n_test=32, minority_share=0.25,
                                    image_size=32, progress=False)


def test_jtt_trains_and_records_its_error_set(tiny, tmp_path):
    result = run_cli("train", tiny, "--method", "jtt", "--jtt-epochs", 1, "--upweight", 5,
                     "--out", tmp_path, *FAST)
    assert result.returncode == 0, result.stderr
    assert "training jtt on" in result.stderr
    model = load_classifier(tmp_path / "model.pt")
    assert model.method_["name"] == "jtt" and model.method_["upweight"] == 5


def test_afr_with_selection_on_a_held_out_share(tiny, tmp_path):
    result = run_cli("train", tiny, "--method", "afr", "--afr-gamma", 2, "--select-on-val",
                     "--weight-decay", 0.01, "--out", tmp_path, *FAST)
    assert result.returncode == 0, result.stderr
    model = load_classifier(tmp_path / "model.pt")
    assert model.method_["name"] == "afr" and model.method_["gamma"] == 2


@pytest.mark.parametrize("args, message", [
    (("--method", "dfr"), "dfr uses group labels: pass --balance-by"),
    (("--method", "jtt", "--balance-by", "skin_tone"), "jtt is label-free"),
    (("--model", "dbvae", "--method", "jtt"), "--model dbvae and --method jtt disagree"),
    (("--method", "baseline", "--patience", 2), "--patience needs --select-on-val"),
])
def test_bad_method_options_are_refused(tiny, tmp_path, args, message):
    result = run_cli("train", tiny, *args, "--out", tmp_path, *FAST)
    if result.stderr.startswith("["):  # refused after loading
        assert_error_after_progress(result, 2, message)
    else:
        assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "model.pt").exists()


def test_dfr_reads_the_groups_it_is_given(tiny, tmp_path):
    result = run_cli("train", tiny, "--method", "dfr", "--balance-by", "skin_tone",
                     "--out", tmp_path, *FAST)
    assert result.returncode == 0, result.stderr
    assert load_classifier(tmp_path / "model.pt").method_["name"] == "dfr"


def test_an_audit_compares_every_method_with_the_baseline(tiny, tmp_path):
    import json

    result = run_cli("audit", tiny, "--methods", "jtt,balanced", "--balance-by", "skin_tone",
                     "--out", tmp_path, "--n-boot", 50, "--allow-degenerate",
                     "--seed", 0, *FAST)
    assert result.returncode == 0, result.stderr
    assert "reading the group labels of skin_tone" in result.stderr
    saved = json.loads((tmp_path / "result.json").read_text())
    assert list(saved["models"]) == ["baseline", "jtt", "balanced"]
    assert set(saved["comparisons"]) == {"jtt", "balanced"} and "comparison" not in saved
    assert saved["config"]["training"]["methods"] == ["baseline", "jtt", "balanced"]
    assert saved["models"]["balanced"]["label"] == "Group-balanced (group labels)"


def test_an_audit_refuses_group_labels_no_method_reads(tiny, tmp_path):
    result = run_cli("audit", tiny, "--methods", "jtt", "--balance-by", "skin_tone",
                     "--out", tmp_path, *FAST)
    assert_error_after_progress(result, 2, "read only by the balanced and dfr methods")
