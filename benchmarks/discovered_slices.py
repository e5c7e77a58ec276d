"""Do label-free slices find the faces a detector misses? Printed as JSON.

On the synthetic benchmark (`debias synth`: training faces 5% dark-skinned, test faces
balanced), train a baseline and a DB-VAE briefly, take features of every training and test
image (DB-VAE latent means, the baseline's penultimate activations, and 8x8 pixels with no
model), fit slices on the training images (K by BIC unless --k), assign the test images, and
report per slice: size, faces, the miss rate among faces (label 1, score < 0.5) and the share
of dark-skinned faces. The slice attributes are never shown to the slicing; they only score it.
For the worst slice (highest miss rate among slices with at least 30 faces): purity (share of
its faces that are dark), recall (share of all dark test faces in it), and the base rate of
dark among test faces (the purity of a slice drawn at random); the same for the slice with the
most misses.

Each feature kind is scored with the model it came from; pixels with both models. Slices are
fitted on all training images and assigned to all test images (``--population all``), or on
faces only (``faces``: what an audit of attributes that only faces carry would compare with).

    python benchmarks/discovered_slices.py [--seed 0] [--epochs 10] [--image-size 32] [--k K]
        [--population all|faces]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np

MIN_FACES = 30  # a slice needs this many test faces to be the "worst" one


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def by_tone(scores: np.ndarray, labels: np.ndarray, tone: np.ndarray) -> dict:
    faces = labels == 1
    return {t: round(float((scores[faces & (tone == t)] < 0.5).mean()), 4)
            for t in sorted(set(tone[faces]))}


def slice_table(slices: np.ndarray, names: list[str], scores: np.ndarray, labels: np.ndarray,
                tone: np.ndarray) -> list[dict]:
    """One row per slice of the test images (slice index order: largest training slice first)."""
    rows = []
    for s in range(int(slices.max()) + 1 if len(slices) else 0):
        inside = slices == s
        faces = inside & (labels == 1)
        misses = faces & (scores < 0.5)
        n_faces = int(faces.sum())
        rows.append({"slice": names[s], "size": int(inside.sum()), "faces": n_faces,
                     "misses": int(misses.sum()),
                     "miss_rate": round(misses.sum() / n_faces, 4) if n_faces else None,
                     "dark_share_of_faces": round(float((tone[faces] == "dark").mean()), 4)
                     if n_faces else None})
    return rows


def scored(row: dict, slices: np.ndarray, index: int, labels: np.ndarray,
           tone: np.ndarray) -> dict:
    from debias.slices import slice_purity

    faces = labels == 1
    purity = slice_purity(slices[faces], tone[faces], index, "dark")
    return {"slice": row["slice"], "miss_rate": row["miss_rate"], "faces": row["faces"],
            "misses": row["misses"], "purity_dark": round(purity["purity"], 4),
            "recall_dark": round(purity["recall"], 4),
            "base_rate_dark": round(purity["base_rate"], 4)}


def evaluate(features_train, features_test, kind, scores, test, args) -> dict:
    from debias.slices import discover_slices

    t0 = time.perf_counter()
    model = discover_slices(features_train, k=args.k, seed=args.seed, features_kind=kind)
    slices = model.assign(features_test)
    seconds = time.perf_counter() - t0
    labels = test.labels.numpy()
    tone = test.meta["skin_tone"].fillna("").astype(str).to_numpy()
    names = [f"slice {i + 1}" for i in range(model.k_)]
    table = slice_table(slices, names, scores, labels, tone)
    eligible = [r for r in table if r["faces"] >= MIN_FACES]
    out = {"features": kind, "dims": int(features_train.shape[1]),
           "dims_kept": int(model.keep_.sum()), "pca_dims": model.d_, "k": model.k_,
           "covariance": model.covariance_type_,
           "bic": {str(k): round(v, 1) for k, v in model.bic_.items()},
           "slice_seconds": round(seconds, 2), "slices": table, "worst": None,
           "most_misses": None}
    if eligible:
        worst = max(eligible, key=lambda r: r["miss_rate"])
        out["worst"] = scored(worst, slices, names.index(worst["slice"]), labels, tone)
        most = max(table, key=lambda r: r["misses"])
        out["most_misses"] = scored(most, slices, names.index(most["slice"]), labels, tone)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--k", type=int, default=None, help="number of slices (default: BIC)")
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--population", choices=["all", "faces"], default="all",
                        help="images the slices are fitted on and assigned to")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch

    from debias.data import load_dataset
    from debias.slices import slice_features
    from debias.synth import make_synthetic_benchmark
    from debias.training import fit

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        log("generating the synthetic benchmark")
        root = make_synthetic_benchmark(os.path.join(tmp, "s"), n_train=args.n_train,
                                        n_test=args.n_test, seed=args.seed,
                                        image_size=args.image_size, progress=False)
        data = load_dataset(root, image_size=args.image_size,
                            cache_dir=os.path.join(tmp, "cache"), progress=False)
    train, test = data.split()
    if args.population == "faces":
        faces_only = (train.labels == 1).numpy(), (test.labels == 1).numpy()
    else:
        faces_only = np.ones(len(train), bool), np.ones(len(test), bool)
    labels, tone = test.labels.numpy(), test.meta["skin_tone"].astype(str).to_numpy()
    result = {"config": vars(args), "train_images": len(train), "test_images": len(test),
              "test_faces": int((labels == 1).sum()), "models": {}, "runs": []}
    models = {}
    for kind in ("baseline", "dbvae"):
        log(f"training {kind}, {args.epochs} epochs")
        t0 = time.perf_counter()
        models[kind] = fit(train, model=kind, epochs=args.epochs, seed=args.seed, device="cpu",
                           progress=False)
        scores = models[kind].predict_proba(test.images)
        result["models"][kind] = {"train_seconds": round(time.perf_counter() - t0, 1),
                                  "miss_rate_by_skin_tone": by_tone(scores, labels, tone),
                                  "false_positive_rate": round(float(
                                      (scores[labels == 0] >= 0.5).mean()), 4)}
        models[kind] = (models[kind], scores)
    sliced = test.subset(faces_only[1])

    plan = [(models["dbvae"][0], "dbvae"), (models["baseline"][0], "baseline"),
            (None, "baseline"), (None, "dbvae")]
    for model, scored_by in plan:
        f_train, kind = slice_features(model, train.images[faces_only[0]])
        f_test, _ = slice_features(model, sliced.images)
        log(f"slices of {kind}, scored by the {scored_by}")
        run = evaluate(f_train, f_test, kind, models[scored_by][1][faces_only[1]], sliced,
                       args)
        result["runs"].append({"scored_by": scored_by, **run})
    result["wall_seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
