"""The audit's augmented baseline: the baseline trained on the training split plus synthetic
faces of the under-represented values of one attribute."""

from __future__ import annotations

import numpy as np
import torch

from debias.audit._config import AuditRun
from debias.audit._images import gallery
from debias.augment import augment, most_imbalanced, synthetic_checks
from debias.counterfactual import train_attribute_classifier
from debias.data import ImageDataset
from debias.training import fit


def train_augmented(run: AuditRun, train: ImageDataset, *, log):
    """Make the synthetic faces, then fit the baseline on the augmented split.

    The augmented baseline takes as many steps per epoch as the plain baseline (enough to
    draw every real face once), so the two differ in what they see, not in how long they
    train.

    Returns
    -------
    (model, summary) : the fitted classifier and :func:`debias.augment.augment`'s summary.
    """
    from debias.audit._train_stage import audit_settings, check_resumable

    attribute = run.augment_by or most_imbalanced(train)
    models_dir = run.out / "models"
    settings = {**audit_settings(run, train), "augment": run.augment, "augment_by": attribute,
                "augment_cap": run.augment_cap, "generator_epochs": run.generator_epochs}
    check_resumable(models_dir / "augmented.pt", settings, log=log)
    augmented, summary = augment(train, attribute=attribute, method=run.augment,
                                 cap=run.augment_cap, epochs=run.generator_epochs, seed=run.seed,
                                 models_dir=models_dir, device=run.device, progress=run.progress,
                                 log=log)
    added = ", ".join(f"{v} +{n:,}" for v, n in summary["added"].items())
    log(f"  training the augmented baseline ({attribute}: {added}), {run.epochs} epochs")
    real_faces = int((train.labels == 1).sum())
    steps = max(1, real_faces // (run.batch_size // 2))
    model = fit(augmented, model="baseline", epochs=run.epochs, batch_size=run.batch_size,
                steps_per_epoch=steps, seed=run.seed, device=run.device,
                checkpoint=str(models_dir / "augmented.pt"), resume=True, progress=run.progress,
                checkpoint_extra={"audit_settings": settings})
    return model, summary


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
