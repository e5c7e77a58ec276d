"""Loading a dataset larger than the memory budget: peak memory and decode throughput.

Generates the synthetic benchmark (default 50,000 images of 64x64: 586 MiB as uint8), then
loads it in fresh processes: cold (decoding into an empty cache) and cached, with a 256 MiB
budget (the images are decoded straight to disk and memmapped) and with no memory pressure
(in RAM), and cached followed by ``split()`` both ways (under the 256 MiB budget the training
part, 469 MiB, is written to a scratch file). Peak resident memory comes from getrusage (parent;
the decoding processes are reported apart) and from sampling /proc/self/status every 10 ms
for anonymous memory (RssAnon: what cannot be given back without swap) and file-backed
pages (RssFile: memmapped pages, which the kernel drops under pressure). Prints JSON.

    python benchmarks/memory.py                   # 50,000 images (about 2 minutes to make)
    python benchmarks/memory.py --n 10000 --keep /tmp/mem-data
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MB = 2**20


def _status() -> dict[str, int]:
    """RssAnon and RssFile of this process, bytes."""
    out = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) * 1024
    return out


class PeakSampler(threading.Thread):
    """Highest RssAnon and RssFile seen while running."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = {"RssAnon": 0, "RssFile": 0}
        self.running = True

    def run(self) -> None:
        while self.running:
            for key, value in _status().items():
                self.peak[key] = max(self.peak[key], value)
            time.sleep(0.01)


def worker(args) -> None:
    from debias.data import load_dataset

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    sampler = PeakSampler()
    sampler.start()
    start = time.perf_counter()
    data = load_dataset(args.data, memory_budget=args.budget, cache_dir=args.cache,
                        progress=False)
    load_seconds = time.perf_counter() - start
    split_seconds = None
    if args.split:
        start = time.perf_counter()
        train, test = data.split(seed=0)
        split_seconds = time.perf_counter() - start
    sampler.running = False
    sampler.join()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({
        "images": len(data), "uint8_mb": round(data.images.numel() / MB, 1),
        "load_s": round(load_seconds, 2), "images_per_s": round(len(data) / load_seconds),
        "split_s": None if split_seconds is None else round(split_seconds, 2),
        "peak_rss_mb": round(peak / MB, 1), "rss_after_imports_mb": round(base / MB, 1),
        "peak_rss_above_imports_mb": round((peak - base) / MB, 1),
        "peak_rss_anon_mb": round(sampler.peak["RssAnon"] / MB, 1),
        "peak_rss_file_mb": round(sampler.peak["RssFile"] / MB, 1),
        "decode_worker_peak_rss_mb": round(children / MB, 1)}))


def measure(data: Path, cache: Path, budget: str, *, split: bool = False) -> dict:
    command = [sys.executable, __file__, "--worker", "--data", str(data), "--cache", str(cache),
               "--budget", budget] + (["--split"] if split else [])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--split", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--budget", default="256MB")
    parser.add_argument("--n", type=int, default=50_000, help="images to generate")
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder")
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    from debias.data._memory import parse_size
    from debias.synth import make_synthetic_benchmark

    with tempfile.TemporaryDirectory() as tmp:
        data = args.keep or Path(tmp) / "data"
        if not (data / "labels.csv").exists():
            start = time.perf_counter()
            n_test = args.n // 40 * 8  # a fifth, a multiple of 8
            make_synthetic_benchmark(data, n_train=(args.n - n_test) // 2 * 2, n_test=n_test,
                                     seed=0, progress=False)
            print(f"generated {args.n:,} images in {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)
        runs = {}
        for name, budget, cache, split in (
                ("memmap cold", args.budget, "mapped", False),
                ("memmap cached", args.budget, "mapped", False),
                ("memmap cached + split", args.budget, "mapped", True),
                ("in RAM cold", "64GB", "ram", False),
                ("in RAM cached", "64GB", "ram", False),
                ("in RAM cached + split", "64GB", "ram", True)):
            runs[name] = measure(data, Path(tmp) / cache, budget, split=split)
            print(f"{name}: {runs[name]}", file=sys.stderr, flush=True)
    goal_mb = parse_size(args.budget) / MB + 500
    print(json.dumps({
        "benchmark": "memory", "images": args.n, "budget": args.budget,
        "cpu_cores": len(os.sched_getaffinity(0)), "runs": runs,
        "goal": f"peak RSS above the imports of the memmap loads under budget + 500 MB "
                f"({goal_mb:.0f} MB)",
        "goal_met": all(runs[k]["peak_rss_above_imports_mb"] < goal_mb
                        for k in ("memmap cold", "memmap cached")),
        "goal_met_with_split": runs["memmap cached + split"]["peak_rss_above_imports_mb"] < goal_mb,
        "goal_met_absolute": all(runs[k]["peak_rss_mb"] < goal_mb
                                 for k in ("memmap cold", "memmap cached"))},
        indent=2))


if __name__ == "__main__":
    main()
