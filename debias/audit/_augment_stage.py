"""The augmentation section of an audit result: what was added, how the synthetic faces
compare with real ones, and samples (the augmented baseline is trained in ``_train_stage``)."""

from __future__ import annotations

import numpy as np
import torch

from debias.audit._images import gallery
from debias.augment import synthetic_checks
from debias.counterfactual import train_attribute_classifier
from debias.data import ImageDataset


def augmentation_section(summary: dict, train: ImageDataset, face_checker, *, seed: int,
                         comparison: dict | None, samples: int = 12) -> dict:
    """The result.json ``augmentation`` object: counts, generator, checks, samples."""
    attribute = summary["attribute"]
    majority = max(sorted(summary["real_faces"]), key=summary["real_faces"].get)
    real = train.subset((train.labels.numpy() == 1) & ~train.synthetic)
    values = real.meta[attribute].astype(str).to_numpy()
    checkers = {}
    for value in summary["added"]:
        keep = (values == majority) | (values == value)
        checkers[value] = train_attribute_classifier(real.images[torch.from_numpy(keep)],
                                                     values[keep] == value, seed=seed)
    synthetic = summary["synthetic"]
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.permutation(len(synthetic))[:samples])
    shown = synthetic.subset(pick)
    captions = [f"{attribute}={row[attribute]}" + (f" from {row['source']}" if row["source"] else "")
                for _, row in shown.meta.iterrows()]
    out = {"method": summary["method"], "attribute": attribute, "model": "augmented",
           "cap": summary["cap"], "real_faces": summary["real_faces"], "added": summary["added"],
           "generator": summary["generators"][0], "generators": summary["generators"],
           "synthetic_checks": synthetic_checks(summary, train, attribute_checkers=checkers,
                                                face_checker=face_checker),
           "samples": gallery(shown.images, shown.meta["path"].tolist(), captions)}
    if comparison:
        out["comparison"] = comparison
    return out
