"""The CLI as a user runs it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from debias.cli import main
from debias.data import load_dataset
from tests.e2e.cli import assert_one_line_error, run_cli
from tests.helpers import face_rows, write_csv_dataset


def test_help_lists_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("synth", "inspect"):
        assert command in result.stdout


def test_inspect_counts_match_the_loader(tmp_path):
    rows = face_rows(6, 3, skin_tone=["light", "light", "dark"], gender=["female", "male"])
    write_csv_dataset(tmp_path, rows)
    (tmp_path / "faces/f5.png").write_bytes(b"")
    result = run_cli("inspect", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "8 loaded at 64x64, 1 skipped" in result.stdout
    assert "faces/f5.png: empty file (0 bytes)" in result.stdout
    assert "dark | female" in result.stdout and "dark | male" not in result.stdout

    as_json = run_cli("inspect", tmp_path, "--json")
    summary = json.loads(as_json.stdout)
    expected = load_dataset(tmp_path).summary()
    assert summary == json.loads(json.dumps(expected))
    assert summary["per_attribute"]["skin_tone"]["dark"] == {"positive": 1, "negative": 0}


@pytest.mark.parametrize("make,args,message", [
    (lambda p: None, ["inspect", "{root}/missing"], "no such directory"),
    (lambda p: p.mkdir(), ["inspect", "{root}/empty"], "the folder is empty"),
    (lambda p: write_csv_dataset(p, face_rows(3, 0)), ["inspect", "{root}/oneclass"],
     "only one class"),
    (lambda p: write_csv_dataset(p, face_rows(2, 2)), ["inspect", "{root}/ok", "--attributes", "x"],
     "attribute 'x' not found"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, make, args, message):
    name = args[1].split("/")[-1]
    make(tmp_path / name)
    result = run_cli(*[a.format(root=tmp_path) for a in args])
    assert_one_line_error(result, 2, message)


def test_missing_label_column_exits_2(tmp_path):
    write_csv_dataset(tmp_path, face_rows(2, 2))
    frame = pd.read_csv(tmp_path / "labels.csv").drop(columns="label")
    frame.to_csv(tmp_path / "labels.csv", index=False)
    assert_one_line_error(run_cli("inspect", tmp_path), 2, "labels.csv has no 'label' column")


def test_usage_errors_exit_2(capsys):
    assert main(["inspect"]) == 2
    assert main(["inspect", ".", "--image-size", "0"]) == 2
    assert main(["no-such-command"]) == 2


def test_unexpected_errors_exit_1_without_traceback(tmp_path, monkeypatch, capsys):
    write_csv_dataset(tmp_path, face_rows(2, 2))
    monkeypatch.setattr("debias.data.load_dataset", lambda *a, **k: [][0])
    assert main(["inspect", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "unexpected IndexError" in err and "Traceback" not in err
