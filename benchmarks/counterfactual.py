"""Counterfactual probes and augmentation on the synthetic benchmark, over several seeds.

For each seed: generate the benchmark (default sizes: 2,000 training faces, 5% dark) into a
temporary folder; train the baseline and the DB-VAE (10 epochs each, as ``debias audit``);
augment the training split with synthetic dark faces (CycleGAN light -> dark, and a
class-conditional GAN; cap 4 synthetic per real face, generators 5 epochs) and train a
baseline on each augmented split (same steps per epoch as the plain baseline); then probe
every model with CycleGAN edits of 200 test faces per direction, judged by an attribute
classifier and an independent face classifier. Prints JSON: per seed and as mean / std over
seeds, the flip rates per direction and model, edit success, "still a face", colour of the
edits, per-group recall of each model on the real test split, and the wall time of each step.

    python benchmarks/counterfactual.py --seeds 0 1 2

Slow on a CPU (the CycleGAN dominates: ~6 min per seed on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def recall_by_group(model, test) -> dict:
    """Recall per skin_tone x gender group, and specificity, on the real test split."""
    from debias.groups import groups_of

    pred = model.predict(test.images)
    labels = test.labels.numpy()
    groups = groups_of(test.meta, ["skin_tone", "gender"]).to_numpy()
    faces = labels == 1
    out = {g: float(pred[faces & (groups == g)].mean()) for g in sorted(set(groups[faces]))}
    light = np.mean([v for g, v in out.items() if g.startswith("light")])
    dark = np.mean([v for g, v in out.items() if g.startswith("dark")])
    return {"recall": out, "light_minus_dark": float(light - dark),
            "max_minus_min": float(max(out.values()) - min(out.values())),
            "specificity": float((pred[~faces] == 0).mean())}


def one_seed(seed: int, args) -> dict:
    from debias.augment import augment, train_cyclegan
    from debias.counterfactual import run_probe, train_face_checker
    from debias.data import load_dataset
    from debias.synth import make_synthetic_benchmark
    from debias.training import fit

    seconds, models, augmentation = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        root = make_synthetic_benchmark(Path(tmp) / "data", seed=seed, progress=False)
        train, test = load_dataset(root, cache=False).split(seed=seed)
        real_steps = max(1, int(train.labels.sum()) // (args.batch_size // 2))
        for kind in ("baseline", "dbvae"):
            start = time.perf_counter()
            models[kind] = fit(train, model=kind, epochs=args.epochs, batch_size=args.batch_size,
                               seed=seed, progress=False)
            seconds[f"train_{kind}"] = time.perf_counter() - start
            log(f"seed {seed}: {kind} {seconds[f'train_{kind}']:.0f} s")
        for method in ("cyclegan", "gan"):
            start = time.perf_counter()
            augmented, summary = augment(train, attribute="skin_tone", method=method,
                                         cap=args.cap, epochs=args.generator_epochs, seed=seed,
                                         models_dir=Path(tmp) / "models", progress=False)
            seconds[f"{method}_generator_and_synthesis"] = time.perf_counter() - start
            seconds[f"{method}_generator_training"] = summary["generators"][0]["train_seconds"]
            start = time.perf_counter()
            models[f"augmented_{method}"] = fit(augmented, model="baseline", epochs=args.epochs,
                                                batch_size=args.batch_size,
                                                steps_per_epoch=real_steps, seed=seed,
                                                progress=False)
            seconds[f"train_augmented_{method}"] = time.perf_counter() - start
            augmentation[method] = {"added": summary["added"], "real_faces": summary["real_faces"]}
            log(f"seed {seed}: {method} augmentation {seconds[f'{method}_generator_and_synthesis']:.0f}"
                f" s + training {seconds[f'train_augmented_{method}']:.0f} s")
        start = time.perf_counter()
        checker = train_face_checker(train, seed=seed)
        seconds["face_checker"] = time.perf_counter() - start
        cyclegan = train_cyclegan(train, "skin_tone", "light", "dark",
                                  epochs=args.generator_epochs, seed=seed, progress=False,
                                  checkpoint=Path(tmp) / "models" /
                                  "cyclegan_skin_tone_light_dark.pt")  # the finished one
        start = time.perf_counter()
        probe = run_probe(train, test, models, cyclegan, attribute="skin_tone", source="light",
                          target="dark", seed=seed, max_images=args.probe_images,
                          face_checker=checker).summary
        seconds["probe_all_directions"] = time.perf_counter() - start
    directions = {}
    for d in probe["directions"]:
        directions[f"{d['edit']} {d['from']}->{d['to']}"] = {
            "n": next(iter(d["models"].values()))["n"],
            "flip_rate": {m: s["flip_rate"] for m, s in d["models"].items()},
            "pos_to_neg_rate": {m: s["pos_to_neg_rate"] for m, s in d["models"].items()},
            "mean_score_change": {m: s["mean_change"] for m, s in d["models"].items()},
            "edit_success": d["edit_success"], "source_called_target": d["source_called_target"],
            "attribute_score_change": d["attribute_score_change"],
            "still_a_face": d["target_preserved"], "originals_still_a_face": d["originals_preserved"],
            "brightness": [d["colour_original"]["brightness"], d["colour_edited"]["brightness"]]}
    return {"seed": seed, "models": {name: recall_by_group(m, test) for name, m in models.items()},
            "checkers": probe["checkers"], "real_face_rate": probe["real_face_rate"],
            "directions": directions, "augmentation": augmentation,
            "seconds": {k: round(v, 1) for k, v in seconds.items()}}


def spread(values: list) -> dict | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"mean": round(float(np.mean(values)), 4),
            "std": round(float(np.std(values, ddof=1)), 4) if len(values) > 1 else None}


def aggregate(runs: list[dict]) -> dict:
    """Mean / std over seeds of every number that appears in each run at the same place."""
    def walk(items: list):
        first = items[0]
        if isinstance(first, dict):
            return {k: walk([it[k] for it in items]) for k in first if all(k in it for it in items)}
        if isinstance(first, list):
            return [walk([it[i] for it in items]) for i in range(len(first))]
        if isinstance(first, (int, float)) or first is None:
            return spread(items)
        return first
    return walk([{k: v for k, v in r.items() if k != "seed"} for r in runs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--generator-epochs", type=int, default=5)
    parser.add_argument("--cap", type=float, default=4.0)
    parser.add_argument("--probe-images", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    runs = [one_seed(seed, args) for seed in args.seeds]
    print(json.dumps({"benchmark": "counterfactual", "settings": vars(args),
                      "torch_threads": torch.get_num_threads(),
                      "mean_std_over_seeds": aggregate(runs), "per_seed": runs,
                      "wall_seconds": round(time.perf_counter() - start, 1)}, indent=1))


if __name__ == "__main__":
    main()
