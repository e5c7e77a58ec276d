"""Fitting the baseline classifier or the DB-VAE on an ImageDataset."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from debias._choices import ModelKind, VaeOn
from debias.data import ImageDataset
from debias.models import DBVAE, BaselineClassifier, BaselineConfig, DBVAEConfig
from debias.groups import groups_of
from debias.resampling import BalancedBatches
from debias.training._settings import TrainingSettings
from debias.training._state import restore_fit_state
from generative import TrainerConfig, load_checkpoint, seeded, train


def build_model(kind: ModelKind, *, image_size: int = 64, width: int = 1, latent_dim: int = 100,
                kl_weight: float = 0.0005, vae_on: VaeOn = "positive"
                ) -> BaselineClassifier | DBVAE:
    """A fresh, untrained model of ``kind`` (the baseline ignores ``latent_dim``,
    ``kl_weight`` and ``vae_on``)."""
    if kind == "baseline":
        return BaselineClassifier(BaselineConfig(image_size=image_size, width=width))
    if kind == "dbvae":
        return DBVAE(DBVAEConfig(image_size=image_size, width=width, latent_dim=latent_dim,
                                 kl_weight=kl_weight, vae_on=vae_on))
    raise ValueError(f"model must be 'baseline' or 'dbvae', got {kind!r}")


def fit(train_set: ImageDataset, settings: TrainingSettings | None = None, *,
        model: ModelKind = "dbvae", steps_per_epoch: int | None = None,
        max_steps: int | None = None, attributes: list[str] | None = None,
        balance_by: list[str] | None = None, checkpoint: str | None = None,
        checkpoint_extra: dict | None = None, resume: bool = False,
        sample_weights: torch.Tensor | None = None, resample_by_features: bool = False,
        **overrides) -> BaselineClassifier | DBVAE:
    """Train a face classifier on ``train_set`` and return it (in eval mode, on the CPU).

    Both models see the same batches: half faces, half non-faces. The baseline draws faces
    uniformly; DB-VAE redraws them each epoch by latent rarity (see ``debias.resampling``).
    With ``settings.vae_on="all"`` DB-VAE's VAE models both classes and each class is
    redrawn by rarity within itself; the baseline ignores the setting.

    Parameters
    ----------
    train_set : ImageDataset
        Images with labels 1 (face) and 0 (non-face).
    settings : TrainingSettings, optional
        Hyperparameters (defaults: ``TrainingSettings()``).
    model : {"baseline", "dbvae"}
    steps_per_epoch : int, optional
        Default: as many batches as it takes to draw every face once.
    max_steps : int, optional
        Stop after this many steps in total (a fixed budget across models).
    attributes : list of str, optional
        Columns whose groups the resampling summary reports (default: the dataset's).
    balance_by : list of str, optional
        Baseline only: draw faces so every group of these attribute columns is equally likely
        (uses the labels DB-VAE does without; a reference point for what reweighting can do).
    checkpoint : path, optional
        Written every epoch and at the end (format of ``generative`` checkpoints).
    checkpoint_extra : dict, optional
        Stored in the checkpoint beside the history and resampling log.
    sample_weights : float tensor (N,), optional
        Baseline only: a fixed non-negative sampling weight per image of ``train_set``; each
        class is drawn by its weights within its half of every batch (see
        :class:`debias.resampling.BalancedBatches`; Just Train Twice's second stage).
    resample_by_features : bool
        Baseline only: redraw the faces (with ``settings.vae_on="all"`` each class) at every
        epoch by the rarity of the baseline's own penultimate features, as DB-VAE does with
        its latent means (estimator ``settings.rarity``; the ``feature_rarity`` method).
    resume : bool
        Continue from ``checkpoint`` when it exists (its epochs are not trained again; its
        resampling log is kept). A finished checkpoint is returned as it is.
    **overrides
        Fields of :class:`TrainingSettings` to change, e.g. ``epochs=3``.

    Returns
    -------
    BaselineClassifier or DBVAE
        With the fitted state a loaded checkpoint has too (:mod:`debias.training._state`):
        ``history_`` (one dict of losses per step), ``resampling_`` (one summary per epoch:
        effective sample size, mean weight per group), ``attributes_``, ``train_seconds_``,
        ``split_`` (from ``checkpoint_extra["split"]``).
    """
    unknown = sorted(set(overrides) - TrainingSettings.names())
    if unknown:
        raise TypeError(f"fit() got unexpected keyword argument(s): {', '.join(unknown)}")
    settings = replace(settings or TrainingSettings(), **overrides)
    if balance_by and model != "baseline":
        raise ValueError("balance_by is for the baseline; DB-VAE resamples by latent rarity")
    if sample_weights is not None and (model != "baseline" or balance_by):
        raise ValueError("sample_weights are for the baseline without balance_by")
    if resample_by_features and (model != "baseline" or balance_by or sample_weights is not None):
        raise ValueError("resample_by_features is for the baseline without balance_by or "
                         "sample_weights")
    attributes = train_set.attributes if attributes is None else attributes
    select, val_rows = None, None
    if settings.select_on_val:
        train_set, val, kept = hold_out(train_set, settings.val_fraction, seed=settings.seed)
        if sample_weights is not None:
            sample_weights = torch.as_tensor(sample_weights)[torch.from_numpy(kept)]
        select, val_rows = worst_class_recall(val), len(val)
    with seeded(settings.seed):
        net = build_model(model, image_size=train_set.image_size, width=settings.width,
                          latent_dim=settings.latent_dim, kl_weight=settings.kl_weight,
                          vae_on=settings.vae_on)
        batches = BalancedBatches(
            train_set.images, train_set.labels, groups=groups_of(train_set.meta, attributes),
            batch_size=settings.batch_size, steps_per_epoch=steps_per_epoch,
            adaptive=model == "dbvae" or resample_by_features, bins=settings.bins, alpha=settings.alpha,
            combine=settings.combine, temperature=settings.temperature,
            vae_on=settings.vae_on,
            balance_groups=groups_of(train_set.meta, balance_by) if balance_by else None,
            sample_weights=sample_weights, rarity=settings.rarity)
        if resume and checkpoint and Path(checkpoint).exists():
            batches.log_.extend(load_checkpoint(checkpoint)["extra"].get("resampling", []))
        # The log list is shared, so each checkpoint stores the epochs summarised so far.
        extra = {**(checkpoint_extra or {}), "kind": model, "settings": settings.key(),
                 "attributes": list(attributes), "resampling": batches.log_,
                 "classes": list(train_set.classes)}
        config = TrainerConfig(epochs=settings.epochs, lr=settings.lr, device=settings.device,
                               amp=settings.amp, seed=settings.seed, checkpoint=checkpoint,
                               max_steps=max_steps, progress=settings.progress,
                               checkpoint_extra=extra, resume=resume,
                               weight_decay=settings.weight_decay, select=select,
                               patience=settings.patience)
        result = train(net, batches, config)
    net = result.model.cpu().eval()
    selection = {} if select is None else {
        "selected_epoch": result.selected_epoch, "val_images": val_rows,
        "selection_scores": {str(k): v for k, v in result.scores.items()}}
    restore_fit_state(net, {**extra, **selection, "history": result.history,
                            "train_seconds": result.seconds})
    return net


def class_split(labels, *, held_out: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (sorted int64) of a first part and a held-out part, stratified by class only:
    each class sends round(n_c · ``held_out``) of its members, at least 1 and at most n_c − 1,
    to the held-out part, chosen by a seeded permutation."""
    if not 0.0 < held_out < 1.0:
        raise ValueError(f"held_out must be between 0 and 1, got {held_out}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    first, held = [], []
    for cls in (1, 0):
        members = rng.permutation(np.flatnonzero(labels == cls))
        if len(members) < 2:
            raise ValueError(f"class {cls} has {len(members)} image(s): too few to hold any out")
        k = min(max(int(np.floor(len(members) * held_out + 0.5)), 1), len(members) - 1)
        held.append(members[:k])
        first.append(members[k:])
    return np.sort(np.concatenate(first)), np.sort(np.concatenate(held))


def hold_out(train_set: ImageDataset, fraction: float, *, seed: int
             ) -> tuple[ImageDataset, ImageDataset, np.ndarray]:
    """The training rows kept and a validation part of ``fraction`` of each class
    (:func:`class_split`), and the kept rows' indices (int (M,)) into ``train_set``."""
    try:
        kept, held = class_split(train_set.labels.numpy(), held_out=fraction, seed=seed)
    except ValueError as err:
        raise ValueError(f"val_fraction {fraction:g}: {err}") from None
    return train_set.subset(kept), train_set.subset(held), kept


def worst_class_recall(val: ImageDataset):
    """``select(model, epoch)``: the lower of the two classes' recalls on ``val`` at threshold
    0.5 (no group labels needed: a model that gives up one class scores low)."""
    labels = val.labels.numpy()

    def score(model, epoch: int) -> float:
        predicted = model.predict_proba(val.images) >= 0.5
        return float(min(predicted[labels == 1].mean(), (~predicted[labels == 0]).mean()))

    return score
