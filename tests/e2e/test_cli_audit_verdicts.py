"""`debias audit` exit codes for pipelines: --fail-on (3), the sanity gates (4 unless
--allow-degenerate), and options refused before any work (2). External predictions: no training."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.e2e.cli import run_cli
from tests.helpers import face_rows, write_csv_dataset

FAST = ("--n-boot", "50", "--min-count", "5", "--image-size", "32")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("verdicts")
    return write_csv_dataset(root, face_rows(400, 200, tone=["light", "dark"]))


def scores_file(root, folder, *, miss_dark: float, miss_light: float, constant=None):
    """Scores that miss exactly the given shares of each tone's faces and reject non-faces."""
    frame = pd.read_csv(root / "labels.csv", keep_default_na=False)
    score = np.where(frame.label == 1, 0.9, 0.1)
    for tone, miss in (("dark", miss_dark), ("light", miss_light)):
        faces = np.flatnonzero((frame.label == 1) & (frame.tone == tone))
        score[faces[: int(round(miss * len(faces)))]] = 0.2
    if constant is not None:
        score[:] = constant
    path = folder / "preds.csv"
    pd.DataFrame({"path": frame.path, "score": score}).to_csv(path, index=False)
    return path


def audit(dataset, preds, out, *args):
    return run_cli("audit", dataset, "--predictions", preds, "--out", out, *FAST, *args)


def test_fail_on_clear_exits_3_on_a_planted_gap(dataset, tmp_path):
    preds = scores_file(dataset, tmp_path, miss_dark=0.25, miss_light=0.02)
    # Labels 1/0 name the classes positive/negative; --class-names gives them their names.
    result = audit(dataset, preds, tmp_path / "a", "--fail-on", "clear",
                   "--class-names", "face,non-face")
    assert result.returncode == 3, result.stderr
    assert "exit 3: a disparity with clear evidence was found" in result.stderr
    assert "external: faces of dark are missed 12.5\u00d7 as often as faces of light" in \
        result.stdout
    summary = json.loads((tmp_path / "a" / "result.json").read_text())["summary"]
    assert summary["verdict"]["code"] == "disparity_clear" and summary["verdict"]["clear"] == 1
    assert (tmp_path / "a" / "report.html").exists()  # the report is written all the same


def test_fail_on_exits_0_on_a_fair_scorer(dataset, tmp_path):
    preds = scores_file(dataset, tmp_path, miss_dark=0.05, miss_light=0.05)
    result = audit(dataset, preds, tmp_path / "a", "--fail-on", "weak")
    assert result.returncode == 0, result.stderr
    verdict = json.loads((tmp_path / "a" / "result.json").read_text())["summary"]["verdict"]
    assert verdict["code"] == "no_clear_disparity"


@pytest.mark.parametrize("constant, threshold, reason", [
    (0.9, None, "calls 100.0% of the images positive"),
    (0.1, None, "calls 100.0% of the images negative"),
    (None, "1.5", "the threshold 1.5 lies outside [0, 1]"),
], ids=["all-ones", "all-zeros", "threshold-1.5"])
def test_a_degenerate_audit_cannot_conclude_and_exits_4(dataset, tmp_path, constant, threshold,
                                                        reason):
    preds = scores_file(dataset, tmp_path, miss_dark=0.05, miss_light=0.05, constant=constant)
    extra = ("--threshold", threshold) if threshold else ()
    result = audit(dataset, preds, tmp_path / "a", "--fail-on", "weak", *extra)
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr and "exit 4: the sanity checks failed" in result.stderr
    headline = next(line for line in result.stdout.splitlines()
                    if line.startswith("This audit cannot support a fairness conclusion: "))
    assert reason in headline
    data = json.loads((tmp_path / "a" / "result.json").read_text())
    assert data["summary"]["verdict"]["code"] == "cannot_conclude"
    codes = {v["code"] for v in data["models"]["external"]["verdicts"]}
    assert codes <= {"reference", "not_judged"}  # no pass, no fail
    html = (tmp_path / "a" / "report.html").read_text()
    assert "This audit cannot support a fairness conclusion" in html
    assert "We cannot say whether the model treats groups fairly" in html
    allowed = audit(dataset, preds, tmp_path / "b", "--allow-degenerate", *extra)
    assert allowed.returncode == 0, allowed.stderr


@pytest.mark.parametrize("args, message", [
    (("--threshold", "nan"), "give a finite number"),
    (("--tolerance", "0.8,inf"), "need finite 0 < LOW <= 1 <= HIGH"),
    (("--threshold", "1.5"), "--threshold 1.5 is outside [0, 1]"),
    (("--reference-group", "tone=purple"), "no positive image of 'tone' is 'purple'"),
    (("--reference-group", "colour=light"), "'colour' is not a slice of this dataset"),
], ids=["threshold-nan", "tolerance-inf", "threshold-trained", "unknown-group", "unknown-slice"])
def test_bad_options_are_refused_before_training(dataset, tmp_path, args, message):
    out = tmp_path / "a"
    result = run_cli("audit", dataset, "--out", out, "--epochs", "1", *FAST, *args)
    # Refused by the option parser (usage, then the error) or once the dataset is read
    # (progress, then the error): either way the last line says why, and nothing trained.
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert message in result.stderr.strip().splitlines()[-1]
    assert "training" not in result.stderr
    assert not (out / "models").exists() and not (out / "result.json").exists()
