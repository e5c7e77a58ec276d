"""`debias audit DATASET` end to end: train both models, report, resume, re-render."""

from __future__ import annotations

import json
from html import escape as html_escape
import os
import signal
import subprocess
import sys
import time

import pytest

from debias.synth import make_synthetic_benchmark
from reports import validate_result
from tests.e2e.cli import assert_error_after_progress, assert_one_line_error, run_cli


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("small") / "synth"
    return make_synthetic_benchmark(root, n_train=160, n_test=64, minority_share=0.25,
                                    image_size=32, progress=False)


@pytest.fixture(scope="module")
def audited(small, tmp_path_factory):
    out = tmp_path_factory.mktemp("audit")
    result = run_cli("audit", small, "--image-size", 32, "--out", out, "--epochs", 2, "--allow-degenerate",
                     "--n-boot", 100, "--min-count", 5, "--latent-dim", 8)
    assert result.returncode == 0, result.stderr
    return out, result


def test_audit_writes_a_valid_result_and_a_report_that_shows_its_numbers(audited):
    out, result = audited
    assert "report: " in result.stdout and "DB-VAE vs baseline" in result.stdout
    for stage in range(1, 7):
        assert f"[{stage}/6]" in result.stderr
    data = json.loads((out / "result.json").read_text())
    validate_result(data)
    assert set(data["models"]) == {"baseline", "dbvae"} and "latent" in data
    html = (out / "report.html").read_text()
    shown = 0
    for name, model in data["models"].items():
        for row in model["per_group"]:
            if row["tpr"] is not None:
                assert f"{row['tpr']:.3f}" in html
                shown += 1
    assert shown >= 8
    for row in data["comparison"]["rows"]:
        assert html_escape(row["slice"]) in html
    assert (out / "models" / "baseline.pt").exists() and (out / "models" / "dbvae.pt").exists()
    assert (out / "tables" / "dbvae_per_group.csv").exists()


def test_report_rerenders_identically_from_result_json(audited, tmp_path):
    out, _ = audited
    result = run_cli("report", out / "result.json", "--out", tmp_path / "again.html")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "again.html").read_bytes() == (out / "report.html").read_bytes()
    (tmp_path / "bad.json").write_text('{"schema_version": 1}')
    assert_one_line_error(run_cli("report", tmp_path / "bad.json"), 2, "bad.json")


def test_rerun_refuses_to_replace_a_finished_audit(audited, small):
    out, _ = audited
    before = (out / "report.html").read_bytes()
    assert_one_line_error(run_cli("audit", small, "--out", out), 2, "pass --overwrite")
    assert (out / "report.html").read_bytes() == before


def test_interrupted_audit_keeps_checkpoints_and_continues(small, tmp_path):
    out = tmp_path / "a"
    args = [sys.executable, "-m", "debias", "audit", str(small), "--image-size", "32", "--out",
            str(out), "--epochs", "100", "--batch-size", "4", "--n-boot", "50",
            "--no-train-dbvae", "--allow-degenerate"]  # 4,000 small steps: seconds of training to interrupt
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    # A shell's background job inherits SIGINT ignored, and Python then never raises
    # KeyboardInterrupt: give the child the default disposition, as a terminal would.
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 240
    while not (out / "models" / "baseline.pt").exists() and time.time() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert not (out / "report.html").exists() and not (out / "result.json").exists()
    assert not list(out.rglob(".*tmp"))
    again = run_cli(*args[3:])
    assert again.returncode == 0, again.stderr
    assert "baseline: continuing from" in again.stderr
    other = run_cli("audit", small, "--image-size", 32, "--out", tmp_path / "a", "--overwrite", "--allow-degenerate",
                    "--epochs", 1, "--no-train-dbvae", "--n-boot", 0)
    assert other.returncode == 0, other.stderr  # --overwrite retrains from scratch


def test_settings_mismatch_is_refused(small, tmp_path):
    args = ("audit", small, "--image-size", 32, "--out", tmp_path, "--no-train-dbvae", "--allow-degenerate",
            "--n-boot", 0)
    assert run_cli(*args, "--epochs", 1).returncode == 0
    (tmp_path / "result.json").unlink()
    assert_error_after_progress(run_cli(*args, "--epochs", 2), 2, "was trained with other settings")
