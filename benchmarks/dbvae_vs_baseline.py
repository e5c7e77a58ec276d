"""Baseline vs DB-VAE with the same step budget, over seeds, printed as JSON.

Sections (each can be skipped):
- ``synthetic``: the built-in benchmark (`debias synth`), one generated set and one training
  seed per seed; per-group recall (skin_tone x gender), specificity, accuracy, the max-min and
  light-dark recall gaps, the mean resampling weight of dark vs light training faces, how
  well the DB-VAE latent separates skin tone (cross-validated AUC of a logistic probe on μ),
  and wall time; mean ± std (ddof 1) over seeds.
- ``real_dev``: the same on ../shared/data/real-dev (UTKFace faces, race x gender), when the
  folder exists; its decode cache goes to a temporary folder, nothing is copied.
- ``resampling_speed``: weights for 200,000 x 100 latent means, vectorised vs the per-dimension
  NumPy loop.

    python benchmarks/dbvae_vs_baseline.py [--seeds 0 1 2 3 4] [--epochs 10] [--threads 2]
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


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def evaluate(model, test, attributes: list[str], minority: tuple[str, str] | None) -> dict:
    """Recall per group of ``attributes``, specificity, accuracy, gaps."""
    from debias.groups import groups_of

    pred = model.predict(test.images)
    labels = test.labels.numpy()
    faces = labels == 1
    groups = groups_of(test.meta, attributes).to_numpy()
    recall = {g: float(pred[faces & (groups == g)].mean()) for g in sorted(set(groups[faces]))}
    out = {f"recall[{g}]": r for g, r in recall.items()}
    out.update(specificity=float((pred[~faces] == 0).mean()), accuracy=float((pred == labels).mean()),
               gap_max_min=max(recall.values()) - min(recall.values()))
    if minority is not None:  # (attribute, value): majority minus minority recall
        attribute, value = minority
        col = test.meta[attribute].to_numpy()
        out["gap_majority_minority"] = float(pred[faces & (col != value)].mean()
                                             - pred[faces & (col == value)].mean())
    return out


def latent_probe_auc(model, train, attribute: str, positive_value: str) -> float:
    """5-fold CV AUC of a logistic regression predicting ``attribute`` from μ of train faces."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.preprocessing import StandardScaler
    from sklearn.pipeline import make_pipeline

    faces = (train.labels == 1).numpy()
    mu = model.latent_means(train.images[faces]).numpy()
    target = (train.meta[attribute].to_numpy()[faces] == positive_value).astype(int)
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    return float(cross_val_score(probe, mu, target, cv=5, scoring="roc_auc").mean())


def summarise(runs: list[dict]) -> dict:
    keys = [k for k, v in runs[0].items() if isinstance(v, (int, float)) and k != "seed"]
    out = {}
    for key in keys:
        values = np.array([r[key] for r in runs], dtype=float)
        out[key] = {"mean": round(float(values.mean()), 4),
                    "std": round(float(values.std(ddof=1)), 4) if len(values) > 1 else None}
    return out


def compare(train, test, *, seed: int, args, attributes, minority, weight_attribute, probe) -> dict:
    """Train both models on the same data with the same budget; return their figures."""
    from debias.training import fit

    result = {"seed": seed}
    for kind in ("baseline", "dbvae"):
        start = time.perf_counter()
        model = fit(train, model=kind, epochs=args.epochs, batch_size=args.batch_size,
                    latent_dim=args.latent_dim, temperature=args.temperature, alpha=args.alpha,
                    combine=args.combine, seed=seed, device=args.device,
                    attributes=[weight_attribute], progress=False)
        metrics = evaluate(model, test, attributes, minority)
        metrics["train_s"] = time.perf_counter() - start
        metrics["steps"] = len(model.history_)
        if kind == "dbvae":
            weights = [r["group_weight"] for r in model.resampling_[1:]] or \
                [model.resampling_[0]["group_weight"]]
            for group in weights[0]:
                metrics[f"weight[{group}]"] = float(np.mean([w[group] for w in weights]))
            metrics["ess_fraction"] = float(np.mean([r["ess_fraction"]
                                                     for r in model.resampling_[1:]] or [1.0]))
            metrics["latent_probe_auc"] = latent_probe_auc(model, train, *probe)
        result.update({f"{kind}.{k}": v for k, v in metrics.items()})
        log(f"  {kind}: " + ", ".join(f"{k} {v:.3f}" for k, v in metrics.items()
                                      if k.startswith(("gap", "acc", "weight", "latent"))))
    return result


def synthetic(args) -> dict:
    from debias.data import load_dataset
    from debias.synth import make_synthetic_benchmark

    runs = []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            root = make_synthetic_benchmark(os.path.join(tmp, "s"), n_train=args.n_train,
                                            n_test=args.n_test, seed=seed, progress=False,
                                            minority_share=args.minority_share)
            data = load_dataset(root, cache_dir=os.path.join(tmp, "cache"), progress=False)
        train, test = data.split()
        log(f"synthetic seed {seed}")
        runs.append(compare(train, test, seed=seed, args=args, attributes=["skin_tone", "gender"],
                            minority=("skin_tone", "dark"), weight_attribute="skin_tone",
                            probe=("skin_tone", "dark")))
    return {"runs": runs, "summary": summarise(runs)}


def real_dev(args) -> dict:
    if not (REAL_DEV / "labels.csv").is_file():
        log(f"real-dev: {REAL_DEV} not found, skipped")
        return {"skipped": f"{REAL_DEV} not found"}
    from debias.data import load_dataset

    with tempfile.TemporaryDirectory() as tmp:
        data = load_dataset(REAL_DEV, attributes=["race", "gender"],
                            cache_dir=os.path.join(tmp, "cache"), progress=False)
    train, test = data.split()
    runs = []
    for seed in args.real_seeds:
        log(f"real-dev seed {seed}")
        runs.append(compare(train, test, seed=seed, args=args, attributes=["race", "gender"],
                            minority=None, weight_attribute="race", probe=("race", "White")))
    for run in runs:  # White minus mean of the other races, per model
        for kind in ("baseline", "dbvae"):
            white = np.mean([run[f"{kind}.recall[White & {g}]"] for g in ("female", "male")])
            other = np.mean([v for k, v in run.items()
                             if k.startswith(f"{kind}.recall[") and "White" not in k])
            run[f"{kind}.gap_white_other"] = float(white - other)
    return {"runs": runs, "summary": summarise(runs)}


def resampling_speed(args) -> dict:
    import torch

    from debias.resampling import resampling_weights
    from debias.resampling._reference import reference_weights

    mu = torch.randn(200_000, 100, generator=torch.Generator().manual_seed(0))
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fast = resampling_weights(mu)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    slow = reference_weights(mu.numpy())
    slow_s = time.perf_counter() - start
    return {"n": 200_000, "dims": 100, "vectorised_s": round(min(times), 3),
            "numpy_loop_s": round(slow_s, 3), "speedup": round(slow_s / min(times), 1),
            "max_abs_difference": float(np.abs(fast.numpy() - slow).max())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--real-seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10, help="same for both models")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--alpha", type=float, default=0.001)
    parser.add_argument("--combine", default="max", choices=["max", "product"])
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--minority-share", type=float, default=0.05)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (fixed)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--only", nargs="+", default=["synthetic", "real_dev",
                                                       "resampling_speed"])
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    report = {"config": {k: v for k, v in vars(args).items() if k != "only"},
              "torch": torch.__version__}
    sections = {"synthetic": synthetic, "real_dev": real_dev,
                "resampling_speed": resampling_speed}
    for name in args.only:
        start = time.perf_counter()
        report[name] = sections[name](args)
        report[name + "_wall_s"] = round(time.perf_counter() - start, 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
