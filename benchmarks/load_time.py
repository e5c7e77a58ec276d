"""Load time of the synthetic benchmark, cold (decode) vs cached, printed as JSON.

    python benchmarks/load_time.py [--n 10000] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="total images (train + test)")
    parser.add_argument("--workers", type=int, default=None, help="decode processes")
    args = parser.parse_args()

    from debias.data import load_dataset
    from debias.synth import make_synthetic_benchmark

    with tempfile.TemporaryDirectory() as tmp:
        n_test = args.n // 5
        start = time.perf_counter()
        root = make_synthetic_benchmark(os.path.join(tmp, "synth"), n_train=args.n - n_test,
                                        n_test=n_test, seed=0, progress=False)
        generate_s = time.perf_counter() - start
        cache = os.path.join(tmp, "cache")
        timings = {}
        for run in ("cold", "cached"):
            start = time.perf_counter()
            data = load_dataset(root, cache_dir=cache, workers=args.workers, progress=False)
            timings[run] = time.perf_counter() - start
        print(json.dumps({
            "benchmark": "load_time",
            "n_images": len(data),
            "image_size": data.image_size,
            "cores": len(os.sched_getaffinity(0)),
            "generate_s": round(generate_s, 3),
            "cold_load_s": round(timings["cold"], 3),
            "cached_load_s": round(timings["cached"], 3),
            "cold_images_per_s": round(len(data) / timings["cold"]),
            "speedup": round(timings["cold"] / timings["cached"], 1),
        }, indent=2))


if __name__ == "__main__":
    sys.exit(main())
