"""`debias synth` from the shell: what it writes, and what it refuses to overwrite."""

from __future__ import annotations

import pandas as pd

from debias.data import load_dataset
from tests.e2e.cli import assert_one_line_error, run_cli


def test_synth_writes_a_loadable_biased_csv_dataset(tmp_path):
    out = tmp_path / "synth"
    result = run_cli("synth", out, "--n-train", 40, "--n-test", 16, "--minority-share", 0.1,
                     "--image-size", 32)
    assert result.returncode == 0, result.stderr
    assert f"wrote 56 images and labels.csv to {out}" in result.stdout
    frame = pd.read_csv(out / "labels.csv")
    train_faces = frame[(frame.split == "train") & (frame.label == "face")]
    assert (train_faces.skin_tone == "dark").sum() == 2  # 10% of 20 faces
    data = load_dataset(out, image_size=32)
    assert len(data) == 56 and data.attributes == ["skin_tone", "gender"]


def test_synth_refuses_a_non_empty_folder_and_keeps_it(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    result = run_cli("synth", out, "--n-train", 8, "--n-test", 8)
    assert_one_line_error(result, 2, "already exists and is not empty")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "precious"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp leftovers


def test_synth_overwrite_replaces_an_earlier_benchmark_only(tmp_path):
    out = tmp_path / "synth"
    out.mkdir()
    (out / "old.txt").write_text("old")
    refused = run_cli("synth", out, "--n-train", 8, "--n-test", 8, "--overwrite")
    assert_one_line_error(refused, 2, "is not a synthetic benchmark written by debias")
    assert (out / "old.txt").read_text() == "old"
    (out / "old.txt").unlink()
    assert run_cli("synth", out, "--n-train", 8, "--n-test", 8).returncode == 0
    (out / "old.txt").write_text("old")
    result = run_cli("synth", out, "--n-train", 8, "--n-test", 8, "--overwrite", "--seed", "1")
    assert result.returncode == 0, result.stderr
    assert not (out / "old.txt").exists() and (out / "labels.csv").exists()


def test_synth_bad_sizes_exit_2(tmp_path):
    result = run_cli("synth", tmp_path / "s", "--n-train", 8, "--n-test", 12)
    assert_one_line_error(result, 2, "n_test must be at least 8 and a multiple of 8")
    assert not (tmp_path / "s").exists()
