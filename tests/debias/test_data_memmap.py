"""Datasets above the memory budget: decoded straight to disk, memmapped, subsets spilled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image

import debias.data._disk as disk_module
import debias.data._load as load_module
from debias.data import load_dataset
from debias.data._memory import default_budget, parse_size
from debias.errors import DataError
from tests.e2e.cli import assert_one_line_error, run_cli

TINY = 4096  # bytes: far below any of these datasets (16x16 RGB = 768 bytes per image)


def _noise_dataset(root, n=90, broken=(7,)):
    """``n`` random-noise PNGs (so every pixel tells rows apart) in the CSV layout, faces
    with an attribute, and corrupt files at the ``broken`` rows."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True)
    rows = []
    for i in range(n):
        path = root / f"{i:03d}.png"
        if i in broken:
            path.write_bytes(b"not a png")
        else:
            Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)).save(path)
        rows.append({"path": path.name, "label": int(i % 3 != 0),
                     "tone": "dark" if i % 3 == 1 else "light" if i % 3 == 2 else ""})
    pd.DataFrame(rows).to_csv(root / "labels.csv", index=False)
    return root


def _is_file_backed(images: torch.Tensor) -> bool:
    """True when the tensor's memory is a mapping of a file (not anonymous memory)."""
    address = images.data_ptr()
    with open("/proc/self/maps") as maps:
        for line in maps:
            span, _, _, _, inode, *rest = line.split()
            low, high = (int(x, 16) for x in span.split("-"))
            if low <= address < high:
                return inode != "0"
    return False


@pytest.fixture
def data_root(tmp_path):
    return _noise_dataset(tmp_path / "data")


def test_memmapped_load_equals_the_in_memory_load(data_root):
    in_memory = load_dataset(data_root, image_size=16, cache=False)
    mapped = load_dataset(data_root, image_size=16, cache=False, memory_budget=TINY)
    assert not _is_file_backed(in_memory.images) and _is_file_backed(mapped.images)
    assert torch.equal(mapped.images, in_memory.images)
    assert mapped.meta["path"].tolist() == in_memory.meta["path"].tolist()
    assert [s.path for s in mapped.skipped] == ["007.png"]  # the corrupt row is compacted away
    assert np.array_equal(mapped.original_sizes, in_memory.original_sizes)


def test_split_of_a_memmapped_dataset_spills_and_matches(data_root):
    in_memory = load_dataset(data_root, image_size=16, cache=False)
    mapped = load_dataset(data_root, image_size=16, cache=False, memory_budget=TINY)
    for ours, theirs in zip(mapped.split(seed=3), in_memory.split(seed=3)):
        assert _is_file_backed(ours.images)
        assert torch.equal(ours.images, theirs.images)
        assert ours.meta["path"].tolist() == theirs.meta["path"].tolist()
    small = mapped.subset([5, 2])  # under the budget: plain memory, in the order asked
    assert not _is_file_backed(small.images)
    assert torch.equal(small.images, in_memory.images[[5, 2]])


def test_copies_in_many_small_blocks_keep_every_row_in_place(tmp_path, monkeypatch):
    """Compaction around corrupt files at block edges, and subsets in any order, when rows
    are copied a few at a time."""
    root = _noise_dataset(tmp_path / "data", broken=(0, 7, 8, 44, 89))
    in_memory = load_dataset(root, image_size=16, cache=False)
    monkeypatch.setattr(disk_module, "_COPY_BYTES", 5 * 3 * 16 * 16)
    mapped = load_dataset(root, image_size=16, cache=False, memory_budget=TINY)
    assert torch.equal(mapped.images, in_memory.images)
    assert [s.path for s in mapped.skipped] == ["000.png", "007.png", "008.png", "044.png",
                                                 "089.png"]
    order = np.random.default_rng(1).permutation(len(mapped))[:60]
    for index in (order, np.sort(order), np.r_[order[:30], order[:30]]):  # repeats too
        picked = mapped.subset(index)
        assert _is_file_backed(picked.images)
        assert torch.equal(picked.images, in_memory.images[torch.from_numpy(index)])
        assert picked.meta["path"].tolist() == in_memory.meta["path"].iloc[index].tolist()


def test_cached_memmap_is_reused_and_no_cache_leaves_nothing(data_root, isolated_cache,
                                                              monkeypatch):
    load_dataset(data_root, image_size=16, cache=False, memory_budget=TINY).split(seed=0)
    assert list(isolated_cache.iterdir()) == []  # scratch files are unlinked at once
    first = load_dataset(data_root, image_size=16, memory_budget=TINY)
    assert sorted(p.suffix for p in isolated_cache.iterdir()) == [".json", ".npy"]

    def must_not_decode(*args, **kwargs):
        raise AssertionError("decoded again instead of reading the cache")

    monkeypatch.setattr(load_module, "decode_to_npy", must_not_decode)
    monkeypatch.setattr(load_module, "decode_files", must_not_decode)
    again = load_dataset(data_root, image_size=16, memory_budget=TINY)
    assert _is_file_backed(again.images) and torch.equal(again.images, first.images)
    # The same cache entry within a large budget is read into memory.
    roomy = load_dataset(data_root, image_size=16, memory_budget="1GB")
    assert not _is_file_backed(roomy.images) and torch.equal(roomy.images, first.images)


def test_a_dataset_cached_in_memory_opens_as_a_memmap_under_a_small_budget(data_root):
    first = load_dataset(data_root, image_size=16)
    small = load_dataset(data_root, image_size=16, memory_budget=TINY)
    assert _is_file_backed(small.images) and torch.equal(small.images, first.images)


@pytest.mark.parametrize("text, expected", [
    ("512MB", 512 * 2**20), ("1.5G", int(1.5 * 2**30)), ("2GiB", 2 * 2**30), ("100k", 102400),
    ("4096", 4096), (" 3 gb ", 3 * 2**30), (7, 7)])
def test_sizes(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["nonsense", "12 parsecs", "-5MB", "0", ""])
def test_bad_sizes_are_refused(text):
    with pytest.raises(DataError, match="memory_budget"):
        parse_size(text)


def test_default_budget_reads_the_environment(monkeypatch):
    monkeypatch.setenv("DEBIAS_MEMORY_BUDGET", "3MB")
    assert default_budget() == 3 * 2**20
    monkeypatch.delenv("DEBIAS_MEMORY_BUDGET")
    assert default_budget() > 2**20  # half the RAM


def test_cli_refuses_a_bad_budget_in_one_line(data_root):
    result = run_cli("inspect", data_root, "--memory-budget", "lots")
    assert_one_line_error(result, 2, "--memory-budget 'lots'")
    good = run_cli("inspect", data_root, "--memory-budget", "4KB", "--image-size", 16)
    assert good.returncode == 0, good.stderr
