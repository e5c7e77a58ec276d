"""Unreadable files are skipped with reasons; bad folders give one clear error."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from debias.data import load_dataset
from debias.errors import DataError
from tests.helpers import face_rows, write_csv_dataset, write_image


def _truncate(path, keep=100):
    path.write_bytes(path.read_bytes()[:keep])


def test_corrupt_files_are_skipped_counted_and_listed(tmp_path):
    write_csv_dataset(tmp_path, face_rows(6, 4))
    noisy = Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 40, 3), dtype=np.uint8))
    noisy.save(tmp_path / "faces/f1.png")
    _truncate(tmp_path / "faces/f1.png", 300)
    (tmp_path / "faces/f2.png").write_bytes(b"")
    (tmp_path / "faces/f3.png").write_bytes(b"GIF89a but not really")
    (tmp_path / "nonfaces/n0.png").write_text("plain text with a .png name")
    data = load_dataset(tmp_path)
    assert len(data) == 6
    assert data.meta["path"].tolist() == ["faces/f0.png", "faces/f4.png", "faces/f5.png",
                                          "nonfaces/n1.png", "nonfaces/n2.png", "nonfaces/n3.png"]
    reasons = {s.path: s.reason for s in data.skipped}
    assert reasons["faces/f1.png"].startswith("truncated or corrupt")
    assert reasons["faces/f2.png"] == "empty file (0 bytes)"
    assert reasons["faces/f3.png"].startswith("not an image")
    assert reasons["nonfaces/n0.png"].startswith("not an image")
    # the meta frame stays aligned with the images after skipping
    assert data.labels.tolist() == data.meta["label"].tolist()


def test_nothing_readable_is_fatal(tmp_path):
    write_csv_dataset(tmp_path, face_rows(2, 2))
    for path in (tmp_path / "faces").iterdir():
        path.write_bytes(b"")
    for path in (tmp_path / "nonfaces").iterdir():
        path.write_bytes(b"")
    with pytest.raises(DataError, match="none of the 4 image files .* could be read"):
        load_dataset(tmp_path)


def test_one_class_left_after_skipping_is_fatal(tmp_path):
    write_csv_dataset(tmp_path, face_rows(2, 2))
    for path in (tmp_path / "nonfaces").iterdir():
        path.write_bytes(b"")
    with pytest.raises(DataError, match="only one class left after skipping 2"):
        load_dataset(tmp_path)


def test_one_class_csv(tmp_path):
    write_csv_dataset(tmp_path, face_rows(3, 0))
    with pytest.raises(DataError, match="only one class .*all 3 images are positive"):
        load_dataset(tmp_path)


def test_empty_folder(tmp_path):
    with pytest.raises(DataError, match="the folder is empty"):
        load_dataset(tmp_path)


def test_missing_and_non_directory_root(tmp_path):
    with pytest.raises(DataError, match="no such directory"):
        load_dataset(tmp_path / "nope")
    write_image(tmp_path / "a.png")
    with pytest.raises(DataError, match="not a directory"):
        load_dataset(tmp_path / "a.png")


def test_unknown_layout(tmp_path):
    (tmp_path / "readme.txt").write_text("hi")
    write_image(tmp_path / "random_name.png")
    with pytest.raises(DataError, match="cannot tell the layout"):
        load_dataset(tmp_path)


def test_not_a_csv(tmp_path):
    (tmp_path / "labels.csv").write_bytes(b'path,label\n"a.png,1\n')
    with pytest.raises(DataError, match="not a valid CSV"):
        load_dataset(tmp_path)
