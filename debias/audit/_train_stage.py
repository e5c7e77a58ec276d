"""The audit's training stage: baseline and DB-VAE (and the augmented baseline), resumable
from out/models/."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pandas as pd

from debias.data import ImageDataset
from debias.training import (
    AugmentSettings, TrainingSettings, train_classifier, uses_group_labels,
)


def fingerprint(data: ImageDataset) -> str:
    """A digest of what the data is: paths, labels, attributes, image size (not pixels)."""
    columns = ["path", "label", *data.attributes]
    text = data.meta[columns].astype(str).to_csv(index=False) + f"|{data.image_size}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def train_models(train: ImageDataset, *, settings: TrainingSettings, split: dict,
                 models_dir: Path, methods: list[str], log,
                 group_columns: list[str] | None = None,
                 method_options: dict | None = None) -> dict:
    """Fit (or resume, or reuse) one classifier per method (the baseline first).

    Checkpoints live in ``models_dir/<name>.pt``; one left by an interrupted run with the
    same settings and data is resumed, one from other settings is refused. Only ``balanced``
    and ``dfr`` are given ``group_columns``.
    """
    models = {}
    for i, kind in enumerate(methods, start=1):
        options = (method_options or {}).get(kind, {})
        groups = group_columns if uses_group_labels(kind) else None
        key = {**settings.key(), "data": fingerprint(train),
               **({"method_options": options} if options else {}),
               **({"groups": groups} if groups else {})}
        log(f"  training {kind} ({i}/{len(methods)}), {settings.epochs} epochs"
            + (f", reading the group labels of {', '.join(groups)}" if groups else ""))
        models[kind] = train_classifier(train, kind=kind, settings=settings,
                                        checkpoint=models_dir / f"{kind}.pt", split=split,
                                        balance_by=groups, method_options=options,
                                        resume=True, resume_key=key, log=log).model
    return models


def train_augmented(train: ImageDataset, *, settings: TrainingSettings,
                    augment: AugmentSettings, split: dict, models_dir: Path, log):
    """Make the synthetic faces, then fit the baseline on the augmented split.

    The augmented baseline takes as many steps per epoch as the plain baseline (enough to
    draw every real face once), so the two differ in what they see, not in how long they
    train.

    Returns
    -------
    (model, summary) : the fitted classifier and :func:`debias.augment.augment`'s summary.
    """
    from debias.augment import most_imbalanced

    augment = replace(augment, attribute=augment.attribute or most_imbalanced(train))
    key = {**settings.key(), "data": fingerprint(train), "augment": augment.method,
           "augment_by": augment.attribute, "augment_cap": augment.cap,
           "generator_epochs": augment.generator_epochs}
    log(f"  augmenting {augment.attribute} with {augment.method}, then training the "
        f"augmented baseline, {settings.epochs} epochs")
    trained = train_classifier(train, kind="baseline", settings=settings,
                               checkpoint=models_dir / "augmented.pt", split=split,
                               augment=augment, generators_dir=models_dir, resume=True,
                               resume_key=key, log=log)
    return trained.model, trained.augmentation


def training_section(model) -> dict | None:
    """Per-epoch mean losses and the resampling log, for the report (None: the model's
    checkpoint holds no training history)."""
    history = pd.DataFrame(model.history_)
    if history.empty:
        return None
    columns = [c for c in ("loss", "classification", "reconstruction", "latent") if c in history]
    epochs = history.groupby("epoch")[columns].mean().reset_index()
    rows = []
    for row in epochs.to_dict(orient="records"):
        rows.append({"epoch": int(row["epoch"]), **{c: float(row[c]) for c in columns},
                     **{c: None for c in ("reconstruction", "latent") if c not in columns}})
    resampling = [json.loads(json.dumps(r)) for r in model.resampling_]
    return {"epochs": rows, "resampling": resampling}
