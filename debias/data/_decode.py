"""Decoding many image files in parallel across CPU cores."""

from __future__ import annotations

import multiprocessing
import os
import threading
from dataclasses import dataclass

import numpy as np

from debias.data._image import ImageDecodeError, decode_image, max_image_pixels
from debias.data._progress import progress_bar

# Below this many files a process pool costs more than it saves.
_MIN_FILES_FOR_POOL = 64
_CHUNK_BYTES = 16 * 2**20  # largest chunk of decoded images handed back at once


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


def _decode_chunk(task: tuple[int, list[str], int, int]):
    start, files, image_size, max_pixels = task
    out = np.zeros((len(files), 3, image_size, image_size), dtype=np.uint8)
    sizes = np.zeros((len(files), 2), dtype=np.int32)
    good = np.zeros(len(files), dtype=bool)
    failures = []
    for i, file in enumerate(files):
        try:
            out[i], sizes[i] = decode_image(file, image_size, max_pixels=max_pixels)
            good[i] = True
        except ImageDecodeError as err:
            failures.append((start + i, str(err)))
    return start, out, sizes, good, failures


def decode_in_chunks(files: list[str], image_size: int, sink, *, workers: int | None = None,
                     progress: bool | None = None) -> None:
    """Decode ``files`` in chunks across processes, handing each chunk to ``sink`` as it
    arrives (in any order): ``sink(start, images, sizes, good, failures)`` with ``images``
    uint8 (c, 3, S, S) for files ``start .. start + c - 1`` (zeros where ``good`` is False).

    At most ``2 * workers`` chunks (each at most about 16 MB) are decoded ahead of ``sink``,
    so memory stays bounded whatever the number of files. Files over the pixel limit
    (``$DEBIAS_MAX_IMAGE_PIXELS``, read once here) fail from their header, undecoded.
    """
    max_pixels = max_image_pixels()
    n = len(files)
    workers = workers or len(os.sched_getaffinity(0))
    row_bytes = 3 * image_size * image_size
    chunk = max(16, min(256, n // (workers * 8) or 1))
    chunk = max(1, min(chunk, _CHUNK_BYTES // row_bytes))
    tasks = [(s, files[s : s + chunk], image_size, max_pixels) for s in range(0, n, chunk)]
    with progress_bar(n, "decoding images", enabled=progress) as bar:
        def collect(result):
            sink(*result)
            bar.update(len(result[1]))

        if workers > 1 and n >= _MIN_FILES_FOR_POOL:
            # The pool hands out every task at once and queues results without limit; this
            # window makes its feeding thread wait until the sink has taken earlier chunks.
            window = threading.Semaphore(2 * workers)

            def feed():
                for task in tasks:
                    window.acquire()
                    yield task

            # fork: workers only run PIL/NumPy, and start without re-importing torch.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                try:
                    for result in pool.imap_unordered(_decode_chunk, feed()):
                        window.release()
                        collect(result)
                finally:
                    for _ in tasks:  # never leave the feeding thread waiting (on an error)
                        window.release()
        else:
            for task in tasks:
                collect(_decode_chunk(task))


def decode_files(
    files: list[str], image_size: int, *, workers: int | None = None, progress: bool | None = None
) -> DecodedImages:
    """Decode ``files`` into one in-memory array, using every core for large lists.

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

    def keep(start, out, sz, ok, fails):
        stop = start + len(out)
        images[start:stop], sizes[start:stop], good[start:stop] = out, sz, ok
        failures.extend(fails)

    decode_in_chunks(files, image_size, keep, workers=workers, progress=progress)
    ok = np.flatnonzero(good)
    if len(ok) < n:
        images, sizes = images[ok], sizes[ok]
    return DecodedImages(images, ok.astype(np.int64), sizes, sorted(failures))
