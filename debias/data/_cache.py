"""On-disk cache of decoded images, keyed by the file list, sizes, mtimes and image size."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np

from debias._atomic import write_atomic
from debias.data._decode import DecodedImages
from debias.data._disk import open_images

CACHE_VERSION = 1


def default_cache_dir() -> Path:
    """``$DEBIAS_CACHE_DIR``, else ``$XDG_CACHE_HOME/debias``, else ``~/.cache/debias``."""
    if os.environ.get("DEBIAS_CACHE_DIR"):
        return Path(os.environ["DEBIAS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "debias"


def cache_key(files: list[str], image_size: int) -> str:
    """Hash of the ordered file list with each file's size and mtime, and the image size.

    A file that cannot be stat-ed contributes ``-1`` so that it still changes the key.
    """
    digest = hashlib.sha256(f"v{CACHE_VERSION}:{image_size}\n".encode())
    for file in files:
        try:
            st = os.stat(file)
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = "-1"
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
