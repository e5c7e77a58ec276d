"""Decoded images on disk: streaming decode into a .npy file, memmapped reads, and subsets
written to scratch files, so that memory stays bounded whatever the number of images.

Files are written with ordinary writes (never through a writable mapping), so pages being
written do not count in the process's resident memory; reads go through a copy-on-write
memmap, whose clean pages the kernel can drop under memory pressure.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import torch

from debias.data._decode import DecodedImages, decode_in_chunks

_COPY_BYTES = 16 * 2**20  # image bytes copied at once when compacting or writing a subset


def _rows_per_copy(row_bytes: int) -> int:
    return max(1, _COPY_BYTES // row_bytes)


def _write_header(handle, shape: tuple[int, ...]) -> int:
    """Write a uint8 C-order .npy header for ``shape``; returns the offset of the data."""
    np.lib.format.write_array_header_1_0(
        handle, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.uint8)),
                 "fortran_order": False, "shape": shape})
    return handle.tell()


def open_images(path: Path, budget: int) -> np.ndarray:
    """The array in ``path``: read into memory when its size is within ``budget`` bytes, else
    a copy-on-write memmap (writable for torch, never written back)."""
    mapped = np.load(path, mmap_mode="c")
    if mapped.nbytes <= budget:
        del mapped
        return np.load(path)
    return mapped


def decode_to_npy(files: list[str], image_size: int, path: Path, *, workers: int | None = None,
                  progress: bool | None = None) -> DecodedImages:
    """Decode ``files`` straight into the .npy file ``path`` (written under a temporary name,
    renamed when complete), the decoded rows only, in input order.

    Returns
    -------
    DecodedImages
        ``images`` is a memmap of ``path`` (uint8 (M, 3, S, S)).
    """
    n, row = len(files), 3 * image_size * image_size
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    sizes = np.zeros((n, 2), dtype=np.int32)
    good = np.zeros(n, dtype=bool)
    failures: list[tuple[int, str]] = []
    try:
        with open(partial, "wb") as handle:
            start_of_data = _write_header(handle, (n, 3, image_size, image_size))
            handle.truncate(start_of_data + n * row)

            def write(start, out, sz, ok, fails):
                handle.seek(start_of_data + start * row)
                handle.write(np.ascontiguousarray(out).tobytes())
                sizes[start : start + len(out)], good[start : start + len(out)] = sz, ok
                failures.extend(fails)

            decode_in_chunks(files, image_size, write, workers=workers, progress=progress)
        ok = np.flatnonzero(good)
        if len(ok) < n:
            partial = _compact(partial, good, image_size)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return DecodedImages(np.load(path, mmap_mode="c"), ok.astype(np.int64), sizes[ok],
                         sorted(failures))


def _compact(source: Path, keep: np.ndarray, image_size: int) -> Path:
    """A new .npy beside ``source`` with only the rows where ``keep`` is True (``source`` is
    removed); copied a block of rows at a time with plain reads, so that no page of
    ``source`` is mapped into this process."""
    row = 3 * image_size * image_size
    target = source.with_name(source.name + ".compact")
    block_rows = _rows_per_copy(row)
    buffer = np.empty((block_rows, 3, image_size, image_size), dtype=np.uint8)
    with open(source, "rb") as reader, open(target, "wb") as writer:
        np.lib.format.read_magic(reader)
        np.lib.format.read_array_header_1_0(reader)
        _write_header(writer, (int(keep.sum()), 3, image_size, image_size))
        for start in range(0, len(keep), block_rows):
            block = keep[start : start + block_rows]
            rows = buffer[: len(block)]
            reader.readinto(memoryview(rows).cast("B"))
            if block.any():
                writer.write(rows[block].tobytes())
    source.unlink()
    return target


def scratch_dir(preferred: Path | None) -> Path:
    """Where unnamed scratch arrays go: ``preferred`` (the cache folder) when it can be
    created, else the system's temporary folder."""
    if preferred is not None:
        try:
            preferred.mkdir(parents=True, exist_ok=True)
            return preferred
        except OSError:
            pass
    return Path(tempfile.gettempdir())


def rows_to_scratch(images: torch.Tensor, index: np.ndarray, directory: Path) -> torch.Tensor:
    """``images[index]`` written to an unnamed scratch file and memmapped back: the file is
    unlinked as soon as it is open, so it vanishes with the last reference (nothing is left
    on disk, even after a crash). Rows are read in increasing position (sequential reads of
    a memmapped source) and written where ``index`` puts them.

    Parameters
    ----------
    images : uint8 tensor (N, 3, S, S)
    index : int ndarray (M,)

    Returns
    -------
    uint8 tensor (M, 3, S, S), backed by the scratch file.
    """
    source = images.numpy()
    if len(index) == 0:
        return torch.empty((0, *source.shape[1:]), dtype=torch.uint8)
    row = int(np.prod(source.shape[1:]))
    order = np.argsort(index, kind="stable")  # output positions, by increasing input row
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix=".debias-rows-", suffix=".npy",
                                         delete=False)
    path = Path(handle.name)
    try:
        with handle:
            start_of_data = _write_header(handle, (len(index), *source.shape[1:]))
            handle.truncate(start_of_data + len(index) * row)
            step = _rows_per_copy(row)
            for start in range(0, len(index), step):
                targets = order[start : start + step]
                rows = np.ascontiguousarray(source[index[targets]])
                if (np.diff(targets) == 1).all():  # consecutive output rows: one write
                    handle.seek(start_of_data + int(targets[0]) * row)
                    handle.write(rows.tobytes())
                else:
                    for target, one in zip(targets, rows):
                        handle.seek(start_of_data + int(target) * row)
                        handle.write(one.tobytes())
        mapped = np.load(path, mmap_mode="c")
    finally:
        path.unlink(missing_ok=True)
    return torch.from_numpy(mapped)
