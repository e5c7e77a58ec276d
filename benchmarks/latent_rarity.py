"""Does a DB-VAE's latent density find the minority, with no labels? Do errors sit there?

On the synthetic benchmark (seeds 0, 1, 2 by default): train a DB-VAE as in
benchmarks/debiasing.py, take μ of the test split's faces, fit the histograms on the training
faces' μ, and report for both combinations (product = the paper's density, max = the lab's
resampling weight): the ROC AUC of rarity for dark skin (the minority in training), the share
of dark faces in the rarest decile, and the error rate per rarity decile.

    python benchmarks/latent_rarity.py [--seeds 0 1 2] [--epochs 10] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch

    from debias.data import load_dataset
    from debias.latent import analyse_latent
    from debias.synth import make_synthetic_benchmark
    from debias.training import fit

    torch.set_num_threads(args.threads)
    runs = []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            root = make_synthetic_benchmark(os.path.join(tmp, "s"), seed=seed, progress=False)
            data = load_dataset(root, cache_dir=os.path.join(tmp, "cache"), progress=False)
        train, test = data.split()
        model = fit(train, model="dbvae", epochs=args.epochs, seed=seed, device="cpu",
                    progress=False)
        faces = (test.labels == 1).numpy()
        mu = model.latent_means(test.images[faces]).numpy()
        reference = model.latent_means(train.images[(train.labels == 1).numpy()]).numpy()
        errors = model.predict(test.images[faces]) == 0
        attrs = test.meta.loc[faces, ["skin_tone", "gender"]]
        run = {"seed": seed, "test_faces": int(faces.sum()), "error_rate": float(errors.mean())}
        for combine in ("product", "max"):
            result = analyse_latent(mu, attrs, reference_mu=reference, errors=errors,
                                    combine=combine)
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
    summary = {}
    for combine in ("product", "max"):
        auc = np.array([r[combine]["auc_dark"] for r in runs])
        rarest = np.array([r[combine]["error_rate_by_decile"][-1] for r in runs])
        summary[combine] = {"auc_dark_mean": round(float(auc.mean()), 4),
                            "auc_dark_std": round(float(auc.std(ddof=1)), 4) if len(runs) > 1 else None,
                            "rarest_decile_error_rate_mean": round(float(rarest.mean()), 4)}
    summary["overall_error_rate_mean"] = round(float(np.mean([r["error_rate"] for r in runs])), 4)
    print(json.dumps({"config": vars(args), "runs": runs, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
