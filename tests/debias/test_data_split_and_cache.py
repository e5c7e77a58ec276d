"""Stratified splits, subsets that stay aligned, and the decode cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import debias.data._load as load_module
from debias.data import load_dataset
from debias.data._decode import decode_files
from debias.data._split import stratified_split
from tests.helpers import color_index, face_rows, index_colors, write_csv_dataset, write_image


def _dataset(root, n_pos=40, n_neg=20):
    rows = face_rows(n_pos, n_neg, tone=["light"] * 3 + ["dark"], gender=["f", "m"])
    for row, color in zip(rows, index_colors(len(rows))):
        row["color"] = color
    write_csv_dataset(root, rows)
    return root


def test_stratified_split_keeps_proportions_in_every_stratum():
    strata = np.array(["a"] * 50 + ["b"] * 30 + ["c"] * 7 + ["d"] * 1)
    train, test = stratified_split(strata, test_size=0.2, seed=3)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(88))
    counts = pd.Series(strata[test]).value_counts().to_dict()
    assert counts == {"a": 10, "b": 6, "c": 1}  # round(7 * 0.2) = 1; the single "d" stays
    again, _ = stratified_split(strata, test_size=0.2, seed=3)
    other, _ = stratified_split(strata, test_size=0.2, seed=4)
    assert np.array_equal(train, again) and not np.array_equal(train, other)


def test_dataset_split_is_stratified_and_aligned(tmp_path):
    data = load_dataset(_dataset(tmp_path))
    train, test = data.split(test_size=0.25, seed=0)
    assert len(train) + len(test) == len(data)
    assert not set(train.meta["path"]) & set(test.meta["path"])
    groups = test.meta.groupby(["label", "tone", "gender"]).size().to_dict()
    full = data.meta.groupby(["label", "tone", "gender"]).size().to_dict()
    assert groups == {k: int(np.floor(v * 0.25 + 0.5)) for k, v in full.items()}
    # every image still belongs to its row: colours encode the row of the CSV
    original_row = {p: i for i, p in enumerate(data.meta["path"])}
    for part in (train, test):
        for image, path in zip(part.images.numpy(), part.meta["path"]):
            assert color_index(image) == original_row[path]


def test_group_keys(tmp_path):
    data = load_dataset(_dataset(tmp_path, 4, 2))
    assert data.group_keys().tolist()[:2] == ["tone=light, gender=f", "tone=light, gender=m"]
    assert data.group_keys(["gender"]).tolist()[-1] == "gender=unknown"


def test_second_load_comes_from_cache(tmp_path, monkeypatch):
    root = _dataset(tmp_path / "data")
    first = load_dataset(root)

    def must_not_decode(*args, **kwargs):
        raise AssertionError("decoded again although nothing changed")

    monkeypatch.setattr(load_module, "decode_files", must_not_decode)
    second = load_dataset(root)
    assert np.array_equal(first.images.numpy(), second.images.numpy())
    assert second.meta.equals(first.meta)
    # a changed file changes the key: decoding is needed again
    write_image(root / "faces/f0.png", (1, 2, 3), size=(20, 20))
    with pytest.raises(AssertionError, match="decoded again"):
        load_dataset(root)
    # a different image size is a different cache entry too
    with pytest.raises(AssertionError, match="decoded again"):
        load_dataset(root, image_size=32)


def test_skipped_files_are_remembered_by_the_cache(tmp_path, monkeypatch):
    root = _dataset(tmp_path / "data", 4, 2)
    (root / "faces/f1.png").write_bytes(b"")
    first = load_dataset(root)
    monkeypatch.setattr(load_module, "decode_files", lambda *a, **k: 1 / 0)
    second = load_dataset(root)
    assert second.skipped == first.skipped and len(second) == 5


def test_no_cache_writes_nothing(tmp_path, isolated_cache):
    load_dataset(_dataset(tmp_path / "data", 4, 2), cache=False)
    assert not list(isolated_cache.iterdir())


def test_parallel_decode_equals_serial(tmp_path):
    files = []
    for i, color in enumerate(index_colors(150)):
        files.append(str(write_image(tmp_path / f"{i}.png", color, size=(20 + i % 7, 18))))
    (tmp_path / "7.png").write_bytes(b"")
    serial = decode_files(files, 8, workers=1)
    parallel = decode_files(files, 8, workers=2)
    assert np.array_equal(serial.images, parallel.images)
    assert np.array_equal(serial.ok, parallel.ok)
    assert serial.failures == parallel.failures == [(7, "empty file (0 bytes)")]
    assert np.array_equal(serial.original_sizes, parallel.original_sizes)
