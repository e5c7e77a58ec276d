"""Fitting the baseline classifier or the DB-VAE on an ImageDataset."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

import torch

from debias.data import ImageDataset
from debias.models import DBVAE, BaselineClassifier, BaselineConfig, DBVAEConfig
from debias.resampling import BalancedBatches, groups_of
from debias.resampling._histogram import Combine
from generative import TrainerConfig, load_checkpoint, train

ModelKind = Literal["baseline", "dbvae"]


def build_model(kind: ModelKind, *, image_size: int = 64, width: int = 1, latent_dim: int = 100,
                kl_weight: float = 0.0005) -> BaselineClassifier | DBVAE:
    """A fresh, untrained model of ``kind``."""
    if kind == "baseline":
        return BaselineClassifier(BaselineConfig(image_size=image_size, width=width))
    if kind == "dbvae":
        return DBVAE(DBVAEConfig(image_size=image_size, width=width, latent_dim=latent_dim,
                                 kl_weight=kl_weight))
    raise ValueError(f"model must be 'baseline' or 'dbvae', got {kind!r}")


def fit(train_set: ImageDataset, *, model: ModelKind = "dbvae", epochs: int = 10,
        batch_size: int = 64, lr: float = 1e-3, latent_dim: int = 100, kl_weight: float = 0.0005,
        width: int = 1, alpha: float = 0.001, bins: int = 10, combine: Combine = "max",
        temperature: float = 1.0, steps_per_epoch: int | None = None,
        max_steps: int | None = None, attributes: list[str] | None = None,
        balance_by: list[str] | None = None, seed: int = 0,
        device: Literal["auto", "cpu", "cuda"] = "auto", amp: bool = True,
        checkpoint: str | None = None,
        checkpoint_extra: dict | None = None, resume: bool = False,
        progress: bool | None = None) -> BaselineClassifier | DBVAE:
    """Train a face classifier on ``train_set`` and return it (in eval mode, on the CPU).

    Both models see the same batches: half faces, half non-faces. The baseline draws faces
    uniformly; DB-VAE redraws them each epoch by latent rarity (see ``debias.resampling``).

    Parameters
    ----------
    train_set : ImageDataset
        Images with labels 1 (face) and 0 (non-face).
    model : {"baseline", "dbvae"}
    epochs, batch_size, lr :
        Training length, images per batch (half faces), Adam learning rate.
    latent_dim, kl_weight :
        DB-VAE only.
    alpha, bins, combine, temperature :
        DB-VAE resampling (see :func:`debias.resampling.resampling_weights`).
    steps_per_epoch : int, optional
        Default: as many batches as it takes to draw every face once.
    max_steps : int, optional
        Stop after this many steps in total (a fixed budget across models).
    attributes : list of str, optional
        Columns whose groups the resampling summary reports (default: the dataset's).
    balance_by : list of str, optional
        Baseline only: draw faces so every group of these attribute columns is equally likely
        (uses the labels DB-VAE does without; a reference point for what reweighting can do).
    seed : int
        Seeds the initial weights and every draw.
    device : {"auto", "cpu", "cuda"}
    amp : bool
        Mixed precision on CUDA (bf16 where supported, else fp16 with a grad scaler).
    checkpoint : path, optional
        Written every epoch and at the end (format of ``generative`` checkpoints).
    checkpoint_extra : dict, optional
        Stored in the checkpoint beside the history and resampling log.
    resume : bool
        Continue from ``checkpoint`` when it exists (its epochs are not trained again; its
        resampling log is kept). A finished checkpoint is returned as it is.
    progress : bool, optional
        Progress bar (default: when stderr is a terminal).

    Returns
    -------
    BaselineClassifier or DBVAE
        With ``history_`` (one dict of losses per step), ``resampling_`` (one summary per
        epoch: effective sample size, mean weight per group), ``attributes_``,
        ``train_seconds_``.
    """
    if balance_by and model != "baseline":
        raise ValueError("balance_by is for the baseline; DB-VAE resamples by latent rarity")
    torch.manual_seed(seed)
    net = build_model(model, image_size=train_set.image_size, width=width,
                      latent_dim=latent_dim, kl_weight=kl_weight)
    attributes = train_set.attributes if attributes is None else attributes
    batches = BalancedBatches(
        train_set.images, train_set.labels, groups=groups_of(train_set.meta, attributes),
        batch_size=batch_size, steps_per_epoch=steps_per_epoch, adaptive=model == "dbvae",
        bins=bins, alpha=alpha, combine=combine, temperature=temperature,
        balance_groups=groups_of(train_set.meta, balance_by) if balance_by else None)
    if resume and checkpoint and Path(checkpoint).exists():
        batches.log_.extend(load_checkpoint(checkpoint)["extra"].get("resampling", []))
    # The log list is shared, so each checkpoint stores the epochs summarised so far.
    extra = {**(checkpoint_extra or {}), "attributes": list(attributes),
             "resampling": batches.log_}
    config = TrainerConfig(epochs=epochs, lr=lr, device=device, amp=amp, seed=seed,
                           checkpoint=checkpoint,
                           max_steps=max_steps, progress=progress, checkpoint_extra=extra,
                           resume=resume)
    start = time.perf_counter()
    result = train(net, batches, config)
    net = result.model.cpu().eval()
    net.history_ = result.history
    net.resampling_ = batches.log_
    net.attributes_ = list(attributes)
    net.train_seconds_ = time.perf_counter() - start
    return net
