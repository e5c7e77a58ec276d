"""Audits of tasks other than face detection, and of folders without attributes, from the shell.

A gender classifier's audit (labels ``female`` / ``male``, groups by race) must speak of its
classes in every line it prints and every sentence of its report, never of faces."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from tests.e2e.cli import assert_error_after_progress, run_cli
from tests.helpers import write_image

FACE_WORD = re.compile(r"\b(non-?)?faces?\b", re.IGNORECASE)


def visible_text(html: str) -> str:
    """The report without the inline plotly.js library (whose code names browser APIs); chart
    specs, tables and sentences stay."""
    return re.sub(r"<script[^>]*>.*?</script>",
                  lambda m: "" if len(m.group(0)) > 100_000 else m.group(0), html, flags=re.S)


def _gender_dataset(root, n=120):
    """Female images bright, male images dark (learnable in two epochs); race a/b on both
    classes, so every group holds both classes."""
    rng = np.random.default_rng(0)
    rows = []
    for label, base in (("female", 200), ("male", 60)):
        for i in range(n):
            colour = tuple(int(v) for v in np.clip(base + rng.normal(0, 25, 3), 0, 255))
            path = f"img/{label}_{i}.png"
            write_image(root / path, colour, size=(32, 32))
            rows.append({"path": path, "label": label, "race": "a" if i % 3 else "b"})
    pd.DataFrame(rows).to_csv(root / "labels.csv", index=False)
    return root


@pytest.fixture(scope="module")
def gender_audit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gender")
    root = _gender_dataset(tmp / "data")
    out = tmp / "out"
    result = run_cli("audit", root, "--positive", "female", "--out", out, "--image-size", 32,
                     "--epochs", 2, "--n-boot", 50, "--min-count", 5, "--latent-dim", 8,
                     "--allow-degenerate")
    return result, out


def test_a_gender_classifier_audit_never_says_face(gender_audit):
    result, out = gender_audit
    assert result.returncode == 0, result.stderr
    printed = result.stdout + result.stderr
    assert not FACE_WORD.search(printed), FACE_WORD.search(printed)
    assert "female images" in printed
    saved = json.loads((out / "result.json").read_text())
    assert saved["classes"] == {"positive": "female", "negative": "male", "task": "binary"}
    # Both classes are people: the conclusions are about the error rate, not the miss rate.
    assert saved["config"]["verdict_metric"] == "error_rate"
    plain = saved["summary"]["plain"]
    sentences = " ".join(saved["summary"]["headline"] + plain["found"] + plain["sure"]
                         + plain["next"])
    assert not FACE_WORD.search(sentences)
    report = visible_text((out / "report.html").read_text())
    found = FACE_WORD.search(report)
    assert not found, report[max(0, found.start() - 200):found.end() + 200]
    assert "female images" in report


def test_the_counterfactual_probe_is_refused_for_a_task_other_than_faces(tmp_path):
    root = _gender_dataset(tmp_path / "data", n=20)
    result = run_cli("audit", root, "--positive", "female", "--out", tmp_path / "out",
                     "--image-size", 32, "--counterfactual", "race")
    assert_error_after_progress(result, 2, "--counterfactual is for face detection")
    assert not (tmp_path / "out" / "report.html").exists()


def _plain_folder(root, n=40):
    for i in range(n):
        write_image(root / "faces" / f"f{i}.png", (200, 150, 120))
        write_image(root / "not_faces" / f"n{i}.png", (20, 90, 20))
    return root


def _scores(path, n=40):
    pd.DataFrame({"path": [f"faces/f{i}.png" for i in range(n)]
                  + [f"not_faces/n{i}.png" for i in range(n)],
                  "score": [0.9] * (n - 4) + [0.2] * 4 + [0.1] * n}).to_csv(path, index=False)
    return path


def test_a_folder_without_attributes_is_audited_for_overall_performance(tmp_path):
    root = _plain_folder(tmp_path / "data")
    result = run_cli("audit", root, "--predictions", _scores(tmp_path / "p.csv"), "--out",
                     tmp_path / "out", "--n-boot", 50, "--image-size", 16)
    assert result.returncode == 0, result.stderr
    assert "No subgroup analysis was possible" in result.stdout
    assert "over all test images: accuracy 0.950" in result.stdout
    saved = json.loads((tmp_path / "out" / "result.json").read_text())
    assert saved["summary"]["verdict"]["code"] == "no_groups"
    assert saved["summary"]["gates"] == []
    report = (tmp_path / "out" / "report.html").read_text()
    assert "No subgroup analysis was possible" in report


def test_discovered_slices_give_a_folder_without_attributes_groups(tmp_path):
    root = tmp_path / "data"
    n = 130
    for i in range(n):  # two kinds of faces; the scores miss most blue ones
        write_image(root / "faces" / f"f{i}.png", (40, 40, 200) if i % 3 == 0 else (200, 60, 40))
    for i in range(40):
        write_image(root / "not_faces" / f"n{i}.png", (20, 90, 20))
    scores = [0.2 if i % 3 == 0 and i % 2 == 0 else 0.9 for i in range(n)] + [0.1] * 40
    pd.DataFrame({"path": [f"faces/f{i}.png" for i in range(n)]
                  + [f"not_faces/n{i}.png" for i in range(40)],
                  "score": scores}).to_csv(tmp_path / "p.csv", index=False)
    result = run_cli("audit", root, "--predictions", tmp_path / "p.csv", "--out",
                     tmp_path / "out", "--n-boot", 50, "--image-size", 16, "--min-count", 5,
                     "--discover-slices", 4)
    assert result.returncode == 0, result.stderr
    assert "discovered 4 slices of the faces from downsampled pixels" in result.stderr
    saved = json.loads((tmp_path / "out" / "result.json").read_text())
    assert saved["discovered"]["k"] == 4
    assert saved["dataset"]["attributes"] == ["discovered slice"]
    rows = [r for r in saved["models"]["external"]["per_group"]
            if r["slice"] == "discovered slice" and r["fnr"] is not None]
    # The blue faces, half of them missed, form a slice of their own; the red ones none missed.
    assert max(r["fnr"] for r in rows) > 0.4 and min(r["fnr"] for r in rows) == 0
    report = (tmp_path / "out" / "report.html").read_text()
    assert "Discovered slices" in report and "not demographic" in report


@pytest.mark.parametrize("value", ["1", "many", "-3"])
def test_a_bad_number_of_slices_is_refused(tmp_path, value):
    result = run_cli("audit", tmp_path, "--discover-slices", value)
    assert result.returncode == 2 and "--discover-slices" in result.stderr
