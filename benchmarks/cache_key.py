"""Cost of the decode cache's key: size + mtime + content digest vs the old stat-only key,
printed as JSON.

    python benchmarks/cache_key.py [--n 10000] [--repeats 5]

Writes N random 64x64 PNGs (faces/ and nonfaces/) to a temporary folder. "cold" times the key
after the files' pages were dropped from the page cache (``posix_fadvise(DONTNEED)``, Linux;
inodes stay cached, so this is cold-ish, not a cold boot); "warm" is the median of the repeats
with the files in the page cache. A cached ``load_dataset`` of the same folder is timed with
each key too, for scale.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time


def stat_only_key(files: list[str], image_size: int) -> str:
    """The key before the content digest (size and mtime only), for comparison."""
    digest = hashlib.sha256(f"v1:{image_size}\n".encode())
    for file in files:
        try:
            st = os.stat(file)
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = "-1"
        digest.update(os.fsencode(file) + b"\0" + stamp.encode() + b"\n")
    return digest.hexdigest()


def write_pngs(root: str, n: int) -> list[str]:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    files = []
    for i in range(n):
        folder = os.path.join(root, "faces" if i % 2 else "nonfaces")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{i:05d}.png")
        Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(path)
        files.append(path)
    os.sync()  # dirty pages cannot be dropped
    return sorted(files)


def drop_page_cache(files: list[str]) -> bool:
    """Ask the kernel to forget the files' pages; False where it cannot be asked."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for file in files:
        fd = os.open(file, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return True


def seconds(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def timings(key, files: list[str], repeats: int) -> dict:
    cold = seconds(key, files, 64) if drop_page_cache(files) else None
    warm = [seconds(key, files, 64) for _ in range(repeats)]
    n = len(files)
    result = {"warm_s": round(statistics.median(warm), 4), "warm_min_s": round(min(warm), 4),
              "warm_us_per_image": round(statistics.median(warm) / n * 1e6, 1)}
    if cold is not None:
        result.update(cold_s=round(cold, 4), cold_us_per_image=round(cold / n * 1e6, 1))
    return result


def one_thread_key(files: list[str], image_size: int) -> str:
    """The content key without its thread pool (all files in one chunk)."""
    import debias.data._cache as cache_module

    saved, cache_module._CHUNK = cache_module._CHUNK, len(files) + 1
    try:
        return cache_module.cache_key(files, image_size)
    finally:
        cache_module._CHUNK = saved


def cached_load_s(root: str, cache: str, key=stat_only_key) -> float:
    """Median of 3 cached loads of ``root`` (after one that decodes), with ``key``."""
    import debias.data._load as load_module

    saved, load_module.cache_key = load_module.cache_key, key
    try:
        load_module.load_dataset(root, cache_dir=cache, progress=False)
        runs = [seconds(lambda: load_module.load_dataset(root, cache_dir=cache, progress=False))
                for _ in range(3)]
    finally:
        load_module.cache_key = saved
    return round(statistics.median(runs), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="images")
    parser.add_argument("--repeats", type=int, default=5, help="warm runs (median reported)")
    args = parser.parse_args()

    from debias.data._cache import cache_key

    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "data")
        start = time.perf_counter()
        files = write_pngs(root, args.n)
        generate_s = time.perf_counter() - start
        old = timings(stat_only_key, files, args.repeats)
        new = timings(cache_key, files, args.repeats)
        one_thread = timings(one_thread_key, files, args.repeats)
        cached_load = {"stat_only_key": cached_load_s(root, os.path.join(tmp, "old")),
                       "content_key": cached_load_s(root, os.path.join(tmp, "new"), cache_key)}
        print(json.dumps({
            "benchmark": "cache_key",
            "n_images": len(files),
            "mean_file_bytes": round(sum(os.path.getsize(f) for f in files) / len(files)),
            "cores": len(os.sched_getaffinity(0)),
            "generate_s": round(generate_s, 2),
            "stat_only_key": old,
            "content_key": new,
            "content_key_one_thread": one_thread,
            "added_warm_us_per_image": round(new["warm_us_per_image"] - old["warm_us_per_image"],
                                             1),
            "cached_load_s": cached_load,
        }, indent=2))


if __name__ == "__main__":
    sys.exit(main())
