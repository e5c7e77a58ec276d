"""Which DB-VAE options move the recall gap? Measured on validation sets, never on the test
split that benchmarks/dbvae_vs_baseline.py reports.

Each validation set is a synthetic benchmark generated with its own seed (default 100, 101:
different images from the reported seeds 0-4); its balanced "test" split serves as validation.
For every configuration: the light-dark recall gap, accuracy, the mean resampling weight of
dark vs light faces and the effective sample size, mean ± std over the validation seeds.

    python benchmarks/debiasing_levers.py [--seeds 100 101] [--epochs 10] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np

from debiasing import evaluate, log, summarise

# name -> fit() options; "baseline" is the reference every lever is compared with.
CONFIGS = {
    "baseline": {"model": "baseline"},
    "dbvae default (max, latent 100)": {},
    "latent 16": {"latent_dim": 16},
    "bins 5": {"bins": 5},
    "product, temperature 0.05": {"combine": "product", "temperature": 0.05},
    "20 epochs": {"epochs": 20},
    "baseline, faces balanced by skin_tone (oracle: uses labels)": {
        "model": "baseline", "balance_by": ["skin_tone"]},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[100, 101])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    args = parser.parse_args()

    import torch

    from debias.data import load_dataset
    from debias.synth import make_synthetic_benchmark
    from debias.training import fit

    torch.set_num_threads(args.threads)
    results: dict[str, list[dict]] = {name: [] for name in args.configs}
    start = time.perf_counter()
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            root = make_synthetic_benchmark(os.path.join(tmp, "s"), seed=seed, progress=False)
            data = load_dataset(root, cache_dir=os.path.join(tmp, "cache"), progress=False)
        train, validation = data.split()
        for name in args.configs:
            options = {"model": "dbvae", "epochs": args.epochs, **CONFIGS[name]}
            model = fit(train, seed=seed, device="cpu", attributes=["skin_tone"],
                        progress=False, **options)
            run = {"seed": seed, **evaluate(model, validation, ["skin_tone", "gender"],
                                            ("skin_tone", "dark"))}
            if options["model"] == "dbvae":
                later = model.resampling_[1:] or model.resampling_
                run["weight_dark"] = float(np.mean([r["group_weight"]["dark"] for r in later]))
                run["weight_light"] = float(np.mean([r["group_weight"]["light"] for r in later]))
                run["ess_fraction"] = float(np.mean([r["ess_fraction"] for r in later]))
            results[name].append(run)
            log(f"seed {seed} {name}: gap {run['gap_majority_minority']:.3f}, "
                f"accuracy {run['accuracy']:.3f}")
    print(json.dumps({"config": vars(args), "validation_seeds": args.seeds,
                      "configs": {name: {"options": CONFIGS[name], "summary": summarise(runs)}
                                  for name, runs in results.items()},
                      "wall_s": round(time.perf_counter() - start, 1)}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
