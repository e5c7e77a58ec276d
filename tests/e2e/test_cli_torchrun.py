"""`torchrun --nproc_per_node 2 -m debias train|audit` on the CPU (gloo), as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from debias.synth import make_synthetic_benchmark
from debias.training import load_classifier


def torchrun(*args):
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                           "--nproc_per_node", "2", "-m", "debias", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("ddp") / "synth"
    return make_synthetic_benchmark(root, n_train=160, n_test=64, minority_share=0.25,
                                    image_size=32, progress=False)


def test_train_under_torchrun_writes_once_from_rank_zero(small, tmp_path):
    result = torchrun("train", small, "--image-size", 32, "--epochs", 3, "--batch-size", 16,
                      "--latent-dim", 8, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("model: ") == 1  # one rank prints
    assert "2 processes" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt", "resampling.csv",
                                                          "training_log.csv"]
    log = pd.read_csv(tmp_path / "training_log.csv")
    assert len(log) == 3 * (80 // 8)  # 80 training faces, 8 per global batch
    steps = len(log) // 3
    assert log["loss"].tail(steps).mean() < log["loss"].head(steps).mean()
    assert len(pd.read_csv(tmp_path / "resampling.csv")) == 3
    model = load_classifier(tmp_path / "model.pt")
    assert type(model).__name__ == "DBVAE"


def test_audit_under_torchrun_reports_once(small, tmp_path):
    result = torchrun("audit", small, "--image-size", 32, "--epochs", 1, "--batch-size", 16, "--allow-degenerate",
                      "--latent-dim", 8, "--n-boot", 20, "--min-count", 5, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("report: ") == 1
    assert result.stderr.count("[6/6]") == 1
    data = json.loads((tmp_path / "result.json").read_text())
    assert set(data["models"]) == {"baseline", "dbvae"}


def test_batch_that_does_not_split_is_refused(small, tmp_path):
    result = torchrun("train", small, "--image-size", 32, "--batch-size", 10, "--out", tmp_path)
    assert result.returncode != 0
    assert "error: --batch-size 10 does not split into 2 processes' equal shares" in result.stderr
    assert not (tmp_path / "model.pt").exists()
