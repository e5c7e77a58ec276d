"""Decoding many image files in parallel across CPU cores."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass

import numpy as np

from debias.data._image import ImageDecodeError, decode_image
from debias.data._progress import progress_bar

# Below this many files a process pool costs more than it saves.
_MIN_FILES_FOR_POOL = 64


@dataclass
class DecodedImages:
    """What decoding a list of files produced.

    Attributes
    ----------
    images : ndarray of uint8, shape (M, 3, S, S)
        The files that decoded, in input order.
    ok : ndarray of int64, shape (M,)
        Position in the input list of each row of ``images``.
    original_sizes : ndarray of int32, shape (M, 2)
        (width, height) of each decoded file.
    failures : list of (int, str)
        Input position and one-line reason of each file that did not decode.
    """

    images: np.ndarray
    ok: np.ndarray
    original_sizes: np.ndarray
    failures: list[tuple[int, str]]


def _decode_chunk(task: tuple[int, list[str], int]):
    start, files, image_size = task
    out = np.zeros((len(files), 3, image_size, image_size), dtype=np.uint8)
    sizes = np.zeros((len(files), 2), dtype=np.int32)
    good = np.zeros(len(files), dtype=bool)
    failures = []
    for i, file in enumerate(files):
        try:
            out[i], sizes[i] = decode_image(file, image_size)
            good[i] = True
        except ImageDecodeError as err:
            failures.append((start + i, str(err)))
    return start, out, sizes, good, failures


def decode_files(
    files: list[str], image_size: int, *, workers: int | None = None, progress: bool | None = None
) -> DecodedImages:
    """Decode ``files`` into one array, using every core for large lists.

    Parameters
    ----------
    files : list of str
        Image paths.
    image_size : int
        Side of the square output images.
    workers : int, optional
        Number of processes; defaults to the number of usable cores.
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).
    """
    n = len(files)
    images = np.empty((n, 3, image_size, image_size), dtype=np.uint8)
    sizes = np.zeros((n, 2), dtype=np.int32)
    good = np.zeros(n, dtype=bool)
    failures: list[tuple[int, str]] = []
    workers = workers or len(os.sched_getaffinity(0))
    chunk = max(16, min(256, n // (workers * 8) or 1))
    tasks = [(s, files[s : s + chunk], image_size) for s in range(0, n, chunk)]
    with progress_bar(n, "decoding images", enabled=progress) as bar:
        def collect(result):
            start, out, sz, ok, fails = result
            stop = start + len(out)
            images[start:stop], sizes[start:stop], good[start:stop] = out, sz, ok
            failures.extend(fails)
            bar.update(len(out))

        if workers > 1 and n >= _MIN_FILES_FOR_POOL:
            # fork: workers only run PIL/NumPy, and start without re-importing torch.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for result in pool.imap_unordered(_decode_chunk, tasks):
                    collect(result)
        else:
            for task in tasks:
                collect(_decode_chunk(task))
    ok = np.flatnonzero(good)
    if len(ok) < n:
        images, sizes = images[ok], sizes[ok]
    return DecodedImages(images, ok.astype(np.int64), sizes, sorted(failures))
