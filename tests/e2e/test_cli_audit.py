"""`debias audit DATASET --predictions preds.csv`: an external model's predictions, audited."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.e2e.cli import assert_error_after_progress, assert_one_line_error, run_cli
from tests.helpers import face_rows, write_csv_dataset


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ds")
    rows = face_rows(40, 20, tone=["light", "dark"], gender=["female", "female", "male"])
    return write_csv_dataset(root, rows)


def predictions(root, tmp_path, *, miss_dark=0.5, seed=0):
    """Scores that find every light face and ``1 - miss_dark`` of the dark ones."""
    frame = pd.read_csv(root / "labels.csv", keep_default_na=False)
    rng = np.random.default_rng(seed)
    score = np.where(frame.label == 1, 0.9, 0.1)
    dark = np.flatnonzero((frame.label == 1) & (frame.tone == "dark"))
    score[dark[: int(len(dark) * miss_dark)]] = 0.3
    score = score + rng.uniform(-0.05, 0.05, len(score))
    path = tmp_path / "preds.csv"
    pd.DataFrame({"path": frame.path, "score": score}).to_csv(path, index=False)
    return path, frame.assign(score=score)


def test_audit_numbers_match_a_direct_count(dataset, tmp_path):
    preds, frame = predictions(dataset, tmp_path)
    out = tmp_path / "audit"
    result = run_cli("audit", dataset, "--predictions", preds, "--out", out, "--min-count", "5",
                     "--n-boot", "200")
    assert result.returncode == 0, result.stderr
    assert "audited 60 images with external" in result.stdout and "worst fnr dark 0.500" in result.stdout
    data = json.loads((out / "result.json").read_text())
    assert data["schema_version"] == 2 and data["dataset"]["audited"] == 60
    rows = {(r["slice"], r["group"]): r for r in data["models"]["external"]["per_group"]}
    faces = frame[frame.label == 1]
    for tone in ("light", "dark"):
        member = faces[faces.tone == tone]
        assert rows[("tone", tone)]["tpr"] == pytest.approx((member.score >= 0.5).mean())
        assert rows[("tone", tone)]["count"] == len(member)
    assert rows[("tone", "unknown")]["tpr"] is None  # non-faces: no positives, no TPR
    assert rows[("tone", "unknown")]["tpr_status"] == "undefined: no positives"
    table = pd.read_csv(out / "tables" / "external_per_group.csv")
    assert len(table) == len(rows)
    assert {"external_disparities.csv", "external_verdicts.csv", "external_threshold_sweep.csv"} <= {
        p.name for p in (out / "tables").iterdir()}


def test_subset_of_images_and_absolute_paths(dataset, tmp_path):
    preds, frame = predictions(dataset, tmp_path)
    part = pd.read_csv(preds).iloc[::2]
    part["path"] = [str(dataset / p) for p in part.path]
    part.to_csv(tmp_path / "half.csv", index=False)
    result = run_cli("audit", dataset, "--predictions", tmp_path / "half.csv", "--out",
                     tmp_path / "a", "--n-boot", "0", "--min-count", "3")
    assert result.returncode == 0, result.stderr
    assert "30 of the dataset's 60 images have no prediction" in result.stderr
    assert json.loads((tmp_path / "a" / "result.json").read_text())["dataset"]["audited"] == 30


@pytest.mark.parametrize("edit,args,message", [
    (lambda f: f.assign(path=f.path.where(f.index != 3, "faces/ghost.png")), [],
     "line 5: 'faces/ghost.png' is not an image of the dataset"),
    (lambda f: f.assign(score=f.score.astype(object).where(f.index != 0, "high")), [],
     "line 2: score 'high' is not a number"),
    (lambda f: pd.concat([f, f.iloc[:1]]), [], "is listed twice"),
    (lambda f: f.assign(score=f.score * 10 - 5), [], "scores outside [0, 1]"),
    (lambda f: f.rename(columns={"score": "p"}), [], "needs a 'score' column"),
    (lambda f: f, ["--reference-group", "tone=purple"], "no positive image of 'tone' is 'purple'"),
])
def test_bad_predictions_exit_2(dataset, tmp_path, edit, args, message):
    preds, _ = predictions(dataset, tmp_path)
    edit(pd.read_csv(preds)).to_csv(preds, index=False)
    result = run_cli("audit", dataset, "--predictions", preds, "--out", tmp_path / "x",
                     "--n-boot", "0", *args)
    assert_error_after_progress(result, 2, message)
    assert not (tmp_path / "x" / "result.json").exists()


def test_bad_tolerance_is_a_usage_error(dataset, tmp_path):
    preds, _ = predictions(dataset, tmp_path)
    result = run_cli("audit", dataset, "--predictions", preds, "--tolerance", "2,1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Invalid value for '--tolerance': '2,1': need finite 0 < LOW <= 1 <= HIGH" in result.stderr


def test_logit_scores_work_with_an_explicit_threshold_and_results_are_kept(dataset, tmp_path):
    preds, _ = predictions(dataset, tmp_path)
    frame = pd.read_csv(preds)
    frame.assign(score=np.log(frame.score / (1 - frame.score))).to_csv(preds, index=False)
    out = tmp_path / "o"
    args = ("audit", dataset, "--predictions", preds, "--out", out, "--n-boot", "0",
            "--threshold", "0", "--min-count", "5")
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert "worst fnr dark 0.500" in first.stdout
    before = (out / "result.json").read_bytes()
    assert_one_line_error(run_cli(*args), 2, "exists; pass --overwrite")
    assert (out / "result.json").read_bytes() == before
