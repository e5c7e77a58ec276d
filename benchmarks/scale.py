"""DB-VAE training throughput: 1 and 2 CPU threads, 2 processes under torchrun, and a GPU with
and without mixed precision when one is present.

Every configuration trains ``fit(model="dbvae")`` (what ``debias train`` runs) on the same
synthetic benchmark for the same number of epochs of the same global batch; images/s counts
the images of every step (faces and non-faces) over the training wall time, which includes
the per-epoch latent pass that resampling needs. Each configuration runs in a fresh process so
thread settings take effect. Prints JSON.

    python benchmarks/scale.py                  # default: 4,000 training images, 3 epochs
    python benchmarks/scale.py --epochs 5 --n-train 8000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def worker(args) -> None:
    """One configuration (run inside its own process, or under torchrun)."""
    import torch

    from debias.data import load_dataset
    from debias.training import fit
    from generative import init_from_env, is_main_process, rank_and_world, shutdown

    torch.set_num_threads(args.threads)
    init_from_env(args.device)
    try:
        train, _ = load_dataset(args.data, cache_dir=args.cache, progress=False).split(seed=0)
        start = time.perf_counter()
        model = fit(train, model="dbvae", epochs=args.epochs, batch_size=args.batch_size,
                    seed=0, device=args.device, amp=not args.no_amp, progress=False)
        seconds = time.perf_counter() - start
        if is_main_process():
            steps = len(model.history_)
            print(json.dumps({"steps": steps, "seconds": round(seconds, 2),
                              "images_per_s": round(steps * args.batch_size / seconds, 1),
                              "processes": rank_and_world()[1], "threads": args.threads,
                              "device": args.device, "amp": not args.no_amp,
                              "last_loss": round(model.history_[-1]["loss"], 4)}))
    finally:
        shutdown()


def run_config(args, data: Path, cache: Path, *, threads: int, processes: int = 1,
               device: str = "cpu", amp: bool = True) -> dict:
    command = [sys.executable, __file__, "--worker", "--data", str(data), "--cache", str(cache),
               "--threads", str(threads), "--device", device, "--epochs", str(args.epochs),
               "--batch-size", str(args.batch_size)] + ([] if amp else ["--no-amp"])
    if processes > 1:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                   "--nproc_per_node", str(processes), *command[1:]]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"configuration failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = round(time.perf_counter() - start, 1)
    print(f"{processes} process(es) x {threads} thread(s) on {device} (amp {amp}): "
          f"{result['images_per_s']} images/s", file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--device", default="cpu", help=argparse.SUPPRESS)
    parser.add_argument("--no-amp", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-train", type=int, default=4000)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    import torch

    from debias.synth import make_synthetic_benchmark

    with tempfile.TemporaryDirectory() as tmp:
        data = make_synthetic_benchmark(Path(tmp) / "data", n_train=args.n_train, n_test=200,
                                        seed=0, progress=False)
        cache = Path(tmp) / "cache"
        cpu = {"1 process x 1 thread": run_config(args, data, cache, threads=1),
               "1 process x 2 threads": run_config(args, data, cache, threads=2),
               "2 processes x 1 thread (torchrun, gloo)": run_config(args, data, cache, threads=1,
                                                                      processes=2)}
        gpu = None
        if torch.cuda.is_available():
            gpu = {"amp": run_config(args, data, cache, threads=2, device="cuda"),
                   "fp32": run_config(args, data, cache, threads=2, device="cuda", amp=False)}
    base = cpu["1 process x 1 thread"]["images_per_s"]
    out = {"benchmark": "scale", "cpu_cores": len(os.sched_getaffinity(0)),
           "settings": {"epochs": args.epochs, "batch_size": args.batch_size,
                        "n_train": args.n_train, "model": "dbvae"},
           "cpu": cpu,
           "speedup_vs_1_thread": {k: round(v["images_per_s"] / base, 2) for k, v in cpu.items()},
           "gpu": gpu or "no CUDA device on this machine"}
    if gpu:
        best_cpu = max(v["images_per_s"] for v in cpu.values())
        out["gpu_name"] = torch.cuda.get_device_name()
        out["gpu_vs_best_cpu"] = {k: round(v["images_per_s"] / best_cpu, 1) for k, v in gpu.items()}
        out["amp_vs_fp32"] = round(gpu["amp"]["images_per_s"] / gpu["fp32"]["images_per_s"], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
