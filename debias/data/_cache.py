"""On-disk cache of decoded images, keyed by the file list, each file's size, mtime and a
digest of its content, and the image size."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from debias._atomic import write_atomic
from debias.data._decode import DecodedImages
from debias.data._disk import open_images
from debias.data._image import max_image_pixels

CACHE_VERSION = 1
# A file up to _WHOLE bytes is hashed whole; a larger one by three _BLOCK-byte samples.
_BLOCK = 64 * 1024
_WHOLE = 3 * _BLOCK
# Files are stamped by threads, a chunk each: reads from a cold disk or a network filesystem
# overlap, and hashing releases the GIL. A chunk is large enough to hide the pool's overhead.
_THREADS = 8
_CHUNK = 128


def default_cache_dir() -> Path:
    """``$DEBIAS_CACHE_DIR``, else ``$XDG_CACHE_HOME/debias``, else ``~/.cache/debias``."""
    if os.environ.get("DEBIAS_CACHE_DIR"):
        return Path(os.environ["DEBIAS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "debias"


def content_digest(file: str, size: int) -> str:
    """BLAKE2b digest of ``file``: all of it when ``size`` is at most 192 KiB, else its
    first, middle and last 64 KiB (never more than 192 KiB read per file).

    Raises
    ------
    OSError
        The file cannot be opened or read.
    """
    digest = hashlib.blake2b(digest_size=16)
    with open(file, "rb", buffering=0) as handle:
        if size <= _WHOLE:
            digest.update(handle.read(size))  # not _WHOLE: a 192 KiB buffer per file is slow
        else:
            for offset in (0, (size - _BLOCK) // 2, size - _BLOCK):
                handle.seek(offset)
                digest.update(handle.read(_BLOCK))
    return digest.hexdigest()


def file_stamp(file: str) -> str:
    """``size:mtime_ns:digest`` of one file (see ``content_digest``).

    A file that cannot be stat-ed gives ``-1``, one that cannot be read ``size:mtime_ns:!errno``:
    either still changes the key, and a file that becomes readable changes it again. Only
    regular files are read (opening a FIFO would block).
    """
    try:
        st = os.stat(file)
    except OSError:
        return "-1"
    stamp = f"{st.st_size}:{st.st_mtime_ns}"
    if not stat.S_ISREG(st.st_mode):
        return stamp
    try:
        return f"{stamp}:{content_digest(file, st.st_size)}"
    except OSError as err:
        return f"{stamp}:!{err.errno}"


def _stamps(files: list[str]) -> list[str]:
    return [file_stamp(file) for file in files]


def cache_key(files: list[str], image_size: int) -> str:
    """Hash of the ordered file list with each file's ``file_stamp``, and the image size.

    The content digest catches a file rewritten with the same size and mtime (``cp -p``,
    ``rsync -t``, ``os.utime``). Inode and ctime are left out on purpose: a restored backup,
    or the same dataset copied to each machine of a shared cache, has new ones but the same
    bytes, and should still hit.
    """
    chunks = [files[i:i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    if len(chunks) > 1:
        with ThreadPoolExecutor(min(_THREADS, len(chunks))) as pool:
            stamps = [stamp for part in pool.map(_stamps, chunks) for stamp in part]
    else:
        stamps = _stamps(files)
    # The pixel limit decides which files are skipped, and skipped files are cached too.
    digest = hashlib.sha256(f"v{CACHE_VERSION}:{image_size}:{max_image_pixels()}\n".encode())
    for file, stamp in zip(files, stamps):
        digest.update(os.fsencode(file) + b"\0" + stamp.encode() + b"\n")
    return digest.hexdigest()


def load_cached(cache_dir: Path, key: str, *, budget: int | None = None) -> DecodedImages | None:
    """The cached decode for ``key``, or None when absent or unreadable. Images larger than
    ``budget`` bytes stay on disk as a memmap; smaller ones are read into memory."""
    meta_path, array_path = cache_dir / f"{key}.json", cache_dir / f"{key}.npy"
    try:
        meta = json.loads(meta_path.read_text())
        images = np.load(array_path) if budget is None else open_images(array_path, budget)
    except (OSError, ValueError):
        return None
    if meta.get("version") != CACHE_VERSION or len(images) != len(meta["ok"]):
        return None
    return DecodedImages(
        images=images,
        ok=np.asarray(meta["ok"], dtype=np.int64),
        original_sizes=np.asarray(meta["original_sizes"], dtype=np.int32).reshape(-1, 2),
        failures=[(int(i), str(reason)) for i, reason in meta["failures"]],
    )


def _save_npy(path: str, array: np.ndarray) -> None:
    with open(path, "wb") as handle:  # a handle: np.save would add ".npy" to a bare path
        np.save(handle, array)


def store_cached(cache_dir: Path, key: str, decoded: DecodedImages, *,
                 array_written: bool = False) -> None:
    """Write the decode atomically; the JSON file, written last, marks it complete.

    ``array_written``: the images are already at ``cache_dir/<key>.npy`` (decoded straight
    to disk); only the JSON is written. A cache directory that cannot be written gives a
    warning, never an error.
    """
    meta = {
        "version": CACHE_VERSION,
        "ok": decoded.ok.tolist(),
        "original_sizes": decoded.original_sizes.tolist(),
        "failures": decoded.failures,
    }
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        if not array_written:
            write_atomic(cache_dir / f"{key}.npy", lambda tmp: _save_npy(tmp, decoded.images))
        write_atomic(cache_dir / f"{key}.json", lambda tmp: Path(tmp).write_text(json.dumps(meta)))
    except OSError as err:
        warnings.warn(f"could not write the image cache in {cache_dir}: {err}", stacklevel=2)
