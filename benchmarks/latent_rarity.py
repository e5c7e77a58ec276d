"""Does a DB-VAE's latent density find the minority, with no labels? Which rarity estimator
finds it best, and what does each cost?

On the synthetic benchmark (seeds 0, 1, 2 by default): train a DB-VAE as in
benchmarks/dbvae_vs_baseline.py, take μ of the test split's faces, fit each rarity estimator on the
training faces' μ (debias.resampling.rarity_scores: the per-dimension histograms combined by
max or product, knn, gmm) and report, per estimator, the ROC AUC of rarity for dark skin (the
minority in training), and how often resampling by it would draw the dark training faces
(mean of weight × N, 1 = uniform) with its effective sample size. Two knn variants show what
the preprocessing choices do: unwhitened (``whiten=False``) and on every active dimension
(``max_dims=100``) instead of 32 principal components. For the two histogram combinations
(product = the paper's density, max = the lab's resampling weight) also the share of dark faces
in the rarest decile and the error rate per rarity decile, as before.

The same estimators also run in a second space (unless ``--skip-penultimate``): the
penultimate features (512 ReLU units) of a baseline trained with the same seed and epochs,
where the ``feature_rarity`` training method measures rarity (``estimators_penultimate``).

Then the cost of each estimator on 200,000 random correlated codes of 100 dimensions (fit on
all of them and score all of them, then the weights: what one epoch of resampling costs); knn
searches among, and gmm is fitted on, 5,000 of them drawn at random (their default cap).

    python benchmarks/latent_rarity.py [--seeds 0 1 2] [--epochs 10] [--threads 2]
                                       [--cost-codes 200000] [--skip-cost]
                                       [--skip-penultimate]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np

VARIANTS = {"knn_unwhitened": ("knn", {"whiten": False}),
            "knn_all_dims": ("knn", {"max_dims": 100})}


def _estimators():
    from debias.resampling import RARITY_ESTIMATORS

    return {**{e: (e, {}) for e in RARITY_ESTIMATORS}, **VARIANTS}


def _dark_auc_and_weights(mu, reference, dark_test, dark_train) -> dict:
    """Per estimator (and variant): rarity ROC AUC of the dark test faces (fitted on the
    training faces), and the resampling weights of the training faces (fitted on them)."""
    from sklearn.metrics import roc_auc_score

    from debias.resampling import (effective_sample_size, rarity_scores, rarity_weights,
                                   resampling_weights)

    out = {}
    for name, (estimator, options) in _estimators().items():
        scores = rarity_scores(mu, estimator=estimator, reference=reference, **options)
        if options:
            weights = rarity_weights(rarity_scores(reference, estimator=estimator, **options),
                                     estimator=estimator)
        else:
            weights = resampling_weights(reference, estimator=estimator)
        w = weights.numpy() * len(weights)
        out[name] = {"auc_dark": round(float(roc_auc_score(dark_test, scores)), 4),
                     "train_dark_weight": round(float(w[dark_train].mean()), 3),
                     "train_ess_fraction": round(effective_sample_size(weights) / len(w), 4),
                     "train_max_over_uniform": round(float(w.max()), 2)}
    return out


def _cost(n: int, dims: int = 100, seed: int = 0) -> dict:
    """Seconds to fit and score n codes (and to turn the scores into weights), per estimator."""
    from debias.resampling import RARITY_ESTIMATORS, rarity_scores, rarity_weights

    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(dims, dims)) / np.sqrt(dims)
    codes = (rng.normal(size=(n, dims)) @ mixing).astype(np.float32)
    codes[: n // 20] += 1.0  # a 5% group off the centre, as rare faces would be
    out = {}
    for estimator in RARITY_ESTIMATORS:
        start = time.perf_counter()
        scores = rarity_scores(codes, estimator=estimator)
        scored = time.perf_counter()
        rarity_weights(scores, estimator=estimator)
        out[estimator] = {"fit_score_s": round(scored - start, 2),
                          "weights_s": round(time.perf_counter() - scored, 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cost-codes", type=int, default=200_000)
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--skip-penultimate", action="store_true")
    args = parser.parse_args()

    import torch

    from debias.data import load_dataset
    from debias.latent import analyse_latent
    from debias.synth import make_synthetic_benchmark
    from debias.training import fit

    torch.set_num_threads(args.threads)
    load = {"start": [round(v, 2) for v in os.getloadavg()]}
    started = time.perf_counter()
    runs = []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            root = make_synthetic_benchmark(os.path.join(tmp, "s"), seed=seed, progress=False)
            data = load_dataset(root, cache_dir=os.path.join(tmp, "cache"), progress=False)
        train, test = data.split()
        model = fit(train, model="dbvae", epochs=args.epochs, seed=seed, device="cpu",
                    progress=False)
        faces = (test.labels == 1).numpy()
        train_faces = (train.labels == 1).numpy()
        mu = model.latent_means(test.images[faces]).numpy()
        reference = model.latent_means(train.images[train_faces]).numpy()
        errors = model.predict(test.images[faces]) == 0
        attrs = test.meta.loc[faces, ["skin_tone", "gender"]]
        dark_test = (attrs["skin_tone"].astype(str) == "dark").to_numpy()
        dark_train = (train.meta.loc[train_faces, "skin_tone"].astype(str) == "dark").to_numpy()
        run = {"seed": seed, "test_faces": int(faces.sum()), "train_faces": len(reference),
               "train_dark_share": round(float(dark_train.mean()), 4),
               "error_rate": float(errors.mean()),
               "estimators": _dark_auc_and_weights(mu, reference, dark_test, dark_train)}
        if not args.skip_penultimate:
            baseline = fit(train, model="baseline", epochs=args.epochs, seed=seed,
                           device="cpu", progress=False)
            run["estimators_penultimate"] = _dark_auc_and_weights(
                baseline.penultimate_features(test.images[faces]).numpy(),
                baseline.penultimate_features(train.images[train_faces]).numpy(),
                dark_test, dark_train)
        for combine in ("product", "max"):
            result = analyse_latent(mu, attrs, reference_mu=reference, errors=errors,
                                    combine=combine, estimators=())
            auc = result.rarity_auc.set_index(["attribute", "group"])["auc"]
            share = result.by_group.set_index(["attribute", "group"])["share_in_rarest_decile"]
            overall = result.decile_errors[result.decile_errors.attribute == "all"]
            run[combine] = {
                "auc_dark": round(float(auc[("skin_tone", "dark")]), 4),
                "dark_share_in_rarest_decile": round(float(share[("skin_tone", "dark")]), 4),
                "error_rate_by_decile": [round(v, 4) for v in overall["error_rate"]],
                "pca_explained": [round(v, 3) for v in result.pca_explained]}
        print(json.dumps(run), flush=True)
        runs.append(run)

    def mean_std(values) -> dict:
        values = np.asarray(values, dtype=float)
        return {"mean": round(float(values.mean()), 4),
                "std": round(float(values.std(ddof=1)), 4) if len(values) > 1 else None}

    summary = {"estimators": {
        name: {key: mean_std([r["estimators"][name][key] for r in runs])
               for key in ("auc_dark", "train_dark_weight", "train_ess_fraction")}
        for name in _estimators()}}
    if not args.skip_penultimate:
        summary["estimators_penultimate"] = {
            name: {key: mean_std([r["estimators_penultimate"][name][key] for r in runs])
                   for key in ("auc_dark", "train_dark_weight", "train_ess_fraction")}
            for name in _estimators()}
    for combine in ("product", "max"):
        rarest = np.array([r[combine]["error_rate_by_decile"][-1] for r in runs])
        summary[combine] = {"rarest_decile_error_rate_mean": round(float(rarest.mean()), 4)}
    summary["overall_error_rate_mean"] = round(float(np.mean([r["error_rate"] for r in runs])), 4)
    summary["training_and_analysis_s"] = round(time.perf_counter() - started, 1)
    cost = None if args.skip_cost else {"codes": args.cost_codes, "dims": 100,
                                        "estimators": _cost(args.cost_codes)}
    load["end"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps({"config": vars(args), "load_average_1_5_15min": load, "runs": runs,
                      "summary": summary, "cost": cost}, indent=2))


if __name__ == "__main__":
    main()
