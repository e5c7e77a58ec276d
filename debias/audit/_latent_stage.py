"""The latent section of an audit result, from a trained DB-VAE."""

from __future__ import annotations

import numpy as np

from debias.audit._images import gallery, png_base64
from debias.audit._result import records
from debias.data import ImageDataset
from debias.audit._words import words_of
from debias.latent import analyse_faces, latent_inputs, traversal

MAX_POINTS = 2000


def latent_section(model, train: ImageDataset, test: ImageDataset, scores: np.ndarray, *,
                   attributes: list[str], threshold: float = 0.5, combine: str = "product",
                   k: int = 12, seed: int = 0) -> dict:
    """Rarity of the test faces (histograms fitted on the training faces), its tables,
    galleries of the rarest and most typical faces, traversals, and a PCA scatter.

    ``scores``: the model's scores of every test image (N,), already computed by the audit."""
    inputs = latent_inputs(model, train, test, scores=scores, threshold=threshold)
    result = analyse_faces(inputs, attributes, combine=combine)
    images, mu = inputs.images, inputs.mu
    paths = inputs.meta["path"].astype(str).tolist()

    def pick(index):
        return gallery(images[index], [paths[i] for i in index],
                       [f"rarity {result.faces['rarity'].iloc[i]:.3f}" for i in index])

    points = result.faces
    if len(points) > MAX_POINTS:
        points = points.sample(MAX_POINTS, random_state=seed).sort_values("index")
    # Records, not itertuples: an attribute may be named like a keyword ("class").
    pca_points = [{"x": float(r["pca_1"]), "y": float(r["pca_2"]), "rarity": float(r["rarity"]),
                   "error": bool(r["error"]), "groups": {a: str(r[a]) for a in attributes}}
                  for r in points.to_dict(orient="records")]
    strips = []
    top = result.dims[result.dims["rank"] == 1] if len(result.dims) else result.dims
    for row in top.itertuples():
        strip = traversal(model, mu, row.dim)
        strips.append({"attribute": row.attribute, "group": row.group, "dim": int(row.dim),
                       "effect": float(row.effect), "images": [png_base64(s) for s in strip]})
    return {"model": "dbvae", "combine": combine, "faces": len(paths),
            "by_group": records(result.by_group), "decile_errors": records(result.decile_errors),
            "rarity_auc": records(result.rarity_auc), "rarity_auc_by_estimator": records(result.rarity_auc_by_estimator), "dims": records(result.dims),
            "pca": {"explained": result.pca_explained, "points": pca_points},
            "rarest": pick(result.rarest(k)), "most_typical": pick(result.most_typical(k)),
            "traversals": strips}


def misclassified(model_scores: np.ndarray, test: ImageDataset, *, threshold: float,
                  attributes: list[str], k: int = 8) -> list[dict]:
    """Per attribute group, up to k missed positives (lowest scores first); then up to k
    negatives called positive (named in the dataset's class words)."""
    w = words_of(test)
    missed_name = "missed faces" if w.faces else f"{w.positives} {w.missed}"
    labels = test.labels.numpy()
    meta = test.meta.reset_index(drop=True)
    out = []
    missed = (labels == 1) & (model_scores < threshold)
    for attribute in attributes:
        for value in sorted(meta.loc[labels == 1, attribute].astype(str).unique()):
            index = np.flatnonzero(missed & (meta[attribute].astype(str) == value).to_numpy())
            index = index[np.argsort(model_scores[index], kind="stable")][:k]
            if len(index):
                out.append({"group": f"{attribute}={value} ({missed_name})",
                            "images": gallery(test.images[index], meta["path"].iloc[index].astype(str).tolist(),
                                              [f"score {model_scores[i]:.3f}" for i in index])})
    false_alarm = np.flatnonzero((labels == 0) & (model_scores >= threshold))
    false_alarm = false_alarm[np.argsort(-model_scores[false_alarm], kind="stable")][:k]
    if len(false_alarm):
        out.append({"group": "non-faces called faces" if w.faces else
                    f"{w.negatives} {w.called_positive}",
                    "images": gallery(test.images[false_alarm],
                                      meta["path"].iloc[false_alarm].astype(str).tolist(),
                                      [f"score {model_scores[i]:.3f}" for i in false_alarm])})
    return out
