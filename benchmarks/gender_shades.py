"""A Gender Shades-style check on real faces, printed as JSON: a gender classifier trained on
the White-majority training split of ../shared/data/real-dev, audited by race x gender on its
balanced test split, baseline vs DB-VAE (``--vae-on all``), over seeds.

Each seed runs exactly what a user runs:

    debias audit ../shared/data/real-dev --target gender --positive female \\
        --attributes race,gender --vae-on all --seed S

and reads the result back: per race x gender cell each model's error rate (with its Jeffreys
95% CI for seed 0), the widest race x gender gap of each model, and the paired bootstrap CI of
the DB-VAE's change of that gap. Mean ± std (ddof 1) over seeds. Skips (prints a note, exits
0) when the folder is absent; the decode cache goes to a temporary folder and nothing is copied.

    python benchmarks/gender_shades.py [--seeds 0 1 2] [--epochs 10] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REAL_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-dev"
SLICE = "race & gender"


def _audit(seed: int, epochs: int, out: Path, cache: Path) -> dict:
    from debias.audit import AuditRun, run_audit
    from debias.metrics import AuditConfig
    from debias.training import TrainingSettings

    run = AuditRun(dataset=str(REAL_DEV), out=out,
                   dataset_kwargs={"target": "gender", "positive": "female",
                                   "attributes": ["race", "gender"], "cache_dir": cache},
                   training=TrainingSettings(epochs=epochs, vae_on="all", seed=seed,
                                             progress=False),
                   metrics=AuditConfig(seed=seed), explicit_verdict_metric=False)
    result, _ = run_audit(run, log=lambda m: None)
    return result


def _cells(result: dict, model: str) -> dict:
    return {r["group"]: r for r in result["models"][model]["per_group"] if r["slice"] == SLICE}


def _spread(values) -> dict:
    values = np.asarray(values, dtype=float)
    return {"mean": round(float(values.mean()), 4),
            "std": round(float(values.std(ddof=1)), 4) if len(values) > 1 else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not (REAL_DEV / "labels.csv").is_file():
        print(json.dumps({"skipped": f"{REAL_DEV} not found"}))
        return 0
    import torch

    torch.set_num_threads(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    runs = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            t0 = time.perf_counter()
            result = _audit(seed, args.epochs, Path(tmp) / f"audit{seed}", Path(tmp) / "cache")
            print(f"seed {seed}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
            runs.append(result)
    first = runs[0]
    cells = {}
    for model in ("baseline", "dbvae"):
        per_seed = [_cells(r, model) for r in runs]
        cells[model] = {group: {"error_rate": _spread([c[group]["error_rate"] for c in per_seed]),
                                "seed0_ci": [round(first_row["error_rate_low"], 3),
                                             round(first_row["error_rate_high"], 3)],
                                "n_test": first_row["count"]}
                        for group, first_row in _cells(first, model).items()}
    changes = [next(row for row in r["comparison"]["rows"] if row["slice"] == SLICE)
               for r in runs]
    out = {
        "command": "debias audit real-dev --target gender --positive female "
                   "--attributes race,gender --vae-on all --seed S",
        "seeds": args.seeds, "epochs": args.epochs, "threads": args.threads,
        "train_faces": first["dataset"]["split"]["train"],
        "test_faces": first["dataset"]["split"]["test"],
        "verdict_metric": first["config"]["verdict_metric"],
        "reference": first["config"]["default_reference"].get(SLICE),
        "error_rate_by_race_and_gender": cells,
        "widest_gap": {"baseline": _spread([c["baseline_gap"] for c in changes]),
                       "dbvae": _spread([c["dbvae_gap"] for c in changes])},
        "paired_change_per_seed": [{"seed": s, "change": round(c["change"], 4),
                                    "ci": [round(c["change_low"], 4), round(c["change_high"], 4)],
                                    "code": c["code"]} for s, c in zip(args.seeds, changes)],
        "accuracy": {m: _spread([next(r2 for r2 in r["models"][m]["per_group"]
                                      if r2["slice"] == "overall")["accuracy"] for r in runs])
                     for m in ("baseline", "dbvae")},
        "wall_seconds": round(time.perf_counter() - start, 1),
    }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
