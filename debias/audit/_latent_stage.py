"""The latent section of an audit result, from a trained DB-VAE."""

from __future__ import annotations

import numpy as np

from debias.audit._images import describe, gallery, group_values, png_base64
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
    face_scores = np.asarray(scores, dtype=np.float64)[test.labels.numpy() == 1]
    words = words_of(test)

    def pick(index):
        captions, alts = [], []
        for i in index:
            caption, alt = describe(group_values(inputs.meta.iloc[i], attributes), 1,
                                    face_scores[i], words=words, threshold=threshold)
            captions.append(f"rarity {result.faces['rarity'].iloc[i]:.3f} \u00b7 {caption}")
            alts.append(f"{alt}, rarity {result.faces['rarity'].iloc[i]:.2f}")
        return gallery(images[index], [paths[i] for i in index], captions, alts)

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
    negatives called positive (named in the dataset's class words). Each image's caption and
    alt text give its group values, label, prediction and score (never its path)."""
    w = words_of(test)
    missed_name = "missed faces" if w.faces else f"{w.positives} {w.missed}"
    labels = test.labels.numpy()
    meta = test.meta.reset_index(drop=True)
    out = []

    def pick(index):
        described = [describe(group_values(meta.iloc[i], attributes), int(labels[i]),
                              float(model_scores[i]), words=w, threshold=threshold)
                     for i in index]
        return gallery(test.images[index], meta["path"].iloc[index].astype(str).tolist(),
                       [c for c, _ in described], [a for _, a in described])

    missed = (labels == 1) & (model_scores < threshold)
    for attribute in attributes:
        for value in sorted(meta.loc[labels == 1, attribute].astype(str).unique()):
            index = np.flatnonzero(missed & (meta[attribute].astype(str) == value).to_numpy())
            index = index[np.argsort(model_scores[index], kind="stable")][:k]
            if len(index):
                out.append({"group": f"{attribute}={value} ({missed_name})",
                            "images": pick(index)})
    false_alarm = np.flatnonzero((labels == 0) & (model_scores >= threshold))
    false_alarm = false_alarm[np.argsort(-model_scores[false_alarm], kind="stable")][:k]
    if len(false_alarm):
        out.append({"group": "non-faces called faces" if w.faces else
                    f"{w.negatives} {w.called_positive}", "images": pick(false_alarm)})
    return out
