"""The decode cache notices a file rewritten with the same size and mtime (its content is in
the key), and still hits when nothing changed."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

import debias.data._cache as cache_module
import debias.data._load as load_module
from debias.data import load_dataset
from tests.helpers import face_rows, write_csv_dataset


def _write_stored_png(path, image: Image.Image) -> int:
    """Save without compression, so that any pixels of the same shape give the same size."""
    image.save(path, compress_level=0)
    return os.path.getsize(path)


def _rewrite_keeping_size_and_mtime(path, image: Image.Image) -> None:
    """Overwrite ``path`` with ``image`` (same format, same byte size), then put its mtime
    back to the nanosecond, as ``cp -p`` or ``rsync -t`` would."""
    before = os.stat(path)
    if path.suffix == ".png":
        _write_stored_png(path, image)
    else:
        image.save(path)
    assert os.path.getsize(path) == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def _pixel(data, path: str) -> tuple[int, ...]:
    row = data.meta["path"].tolist().index(path)
    return tuple(int(v) for v in data.images[row, :, 8, 8])


@pytest.fixture(params=["one chunk", "chunks of 3"])
def root(request, tmp_path, monkeypatch):
    """8 images (f0 stored uncompressed), stamped in one go or by the thread pool."""
    if request.param == "chunks of 3":
        monkeypatch.setattr(cache_module, "_CHUNK", 3)
    root = write_csv_dataset(tmp_path / "data", face_rows(4, 4))
    _write_stored_png(root / "faces/f0.png", Image.new("RGB", (16, 16), (10, 20, 30)))
    return root


def test_same_size_and_mtime_but_new_pixels_is_decoded_again(root):
    assert _pixel(load_dataset(root, image_size=16), "faces/f0.png") == (10, 20, 30)
    _rewrite_keeping_size_and_mtime(root / "faces/f0.png",
                                    Image.new("RGB", (16, 16), (200, 0, 100)))
    again = load_dataset(root, image_size=16)
    assert _pixel(again, "faces/f0.png") == (200, 0, 100)
    assert _pixel(again, "faces/f1.png") == (220, 180, 150)  # the others are still right


def test_a_large_file_changed_only_in_its_middle_is_decoded_again(tmp_path):
    # BMP: no checksum at the end (a PNG's zlib stream ends with one over all its pixels).
    # 320 x 320 RGB is 300 KiB, above the size hashed whole: only the first, middle and
    # last 64 KiB are read, and rows 120-200 cover the middle of the file alone.
    rows = face_rows(4, 4)
    rows[0]["path"] = "faces/f0.bmp"
    root = write_csv_dataset(tmp_path / "data", rows)
    path, grey = root / "faces/f0.bmp", Image.new("RGB", (320, 320), (90, 90, 90))
    grey.save(path)
    assert os.path.getsize(path) > 256 * 1024
    assert _pixel(load_dataset(root, image_size=16), "faces/f0.bmp") == (90, 90, 90)
    banded = grey.copy()
    banded.paste((255, 0, 0), (0, 120, 320, 200))
    _rewrite_keeping_size_and_mtime(path, banded)
    assert _pixel(load_dataset(root, image_size=16), "faces/f0.bmp") == (255, 0, 0)


def test_unchanged_files_come_from_the_cache(root, monkeypatch, isolated_cache):
    first = load_dataset(root, image_size=16)
    entries = sorted(p.name for p in isolated_cache.iterdir())
    assert len(entries) == 2  # one entry: <key>.json and <key>.npy

    def must_not_decode(*args, **kwargs):
        raise AssertionError("decoded again although nothing changed")

    monkeypatch.setattr(load_module, "decode_files", must_not_decode)
    monkeypatch.setattr(load_module, "decode_to_npy", must_not_decode)
    second = load_dataset(root, image_size=16)
    assert np.array_equal(second.images.numpy(), first.images.numpy())
    assert sorted(p.name for p in isolated_cache.iterdir()) == entries


def test_the_thread_pool_gives_the_key_of_one_pass(tmp_path, monkeypatch):
    files = [str(tmp_path / f"{i}.png") for i in range(10)]
    for i, file in enumerate(files[:-1]):
        Image.new("RGB", (8, 8), (i, 0, 0)).save(file)  # the last one is missing
    one_pass = cache_module.cache_key(files, 16)
    monkeypatch.setattr(cache_module, "_CHUNK", 3)
    assert cache_module.cache_key(files, 16) == one_pass
    assert cache_module.cache_key(files[::-1], 16) != one_pass  # the order still counts
