"""Atomic writes: files get the mode a normally created file gets, a replaced file too, and a
failed write leaves nothing behind; and the file-name sanitiser."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from debias._atomic import safe_name, temp_folder, write_atomic, write_csv


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def write_text(text: str):
    return lambda tmp: Path(tmp).write_text(text, encoding="utf-8")


def test_written_file_is_0644_under_umask_022(tmp_path, umask_022):
    path = write_atomic(tmp_path / "out" / "result.json", write_text("{}"))
    assert path.read_text() == "{}"
    assert mode(path) == 0o644
    assert sorted(p.name for p in path.parent.iterdir()) == ["result.json"]


def test_csv_is_0644_under_umask_022(tmp_path, umask_022):
    path = write_csv(pd.DataFrame({"a": [1, 2]}), tmp_path / "table.csv")
    assert mode(path) == 0o644
    assert pd.read_csv(path)["a"].tolist() == [1, 2]


def test_mode_follows_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        path = write_atomic(tmp_path / "private.txt", write_text("x"))
    finally:
        os.umask(old)
    assert mode(path) == 0o600


def test_replaced_file_is_0644(tmp_path, umask_022):
    path = tmp_path / "result.json"
    path.write_text("old")
    os.chmod(path, 0o600)
    write_atomic(path, write_text("new"))
    assert path.read_text() == "new"
    assert mode(path) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


def test_failed_write_leaves_nothing_behind(tmp_path):
    path = tmp_path / "result.json"

    def fail(tmp):
        Path(tmp).write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(path, fail)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "result.json"
    path.write_text("old")

    def fail(tmp):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        write_atomic(path, fail)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_temp_folder_is_0755_under_umask_022(tmp_path, umask_022):
    folder = temp_folder(tmp_path, "synthetic")
    assert folder.parent == tmp_path and folder.name.startswith(".synthetic.")
    assert mode(folder) == 0o755


@pytest.mark.parametrize(("value", "expected"), [
    ("a b/c", "a_b_c"), ("", "_"), ("dark-skin", "dark_skin"), ("x1", "x1"), (3, "3"),
])
def test_safe_name(value, expected):
    assert safe_name(value) == expected
