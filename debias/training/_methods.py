"""Training methods beyond one plain fit: two label-free ones that find what a first model gets
wrong (JTT, AFR), a label-free one that redraws the baseline's rare images as DB-VAE does, by
the rarity of its own features (feature_rarity), a label-using reference that retrains the last
layer on group-balanced data (DFR), and one dispatcher for them and for ``fit``'s baseline,
DB-VAE and group-balanced baseline.

Label-free here means: the method reads the class labels and nothing else. JTT, AFR and
feature_rarity train on
:func:`label_only` copies of the data (no attribute columns at all), so they cannot read a
group label by accident; only ``dfr`` and ``balanced`` are ever given ``group_columns``.

Each method returns a :class:`BaselineClassifier` in eval mode on the CPU, with ``fit``'s fitted
state (``history_``, ``resampling_``, ``split_``, ...) and ``method_``: the method's name and
hyperparameters and what it found (also stored in the checkpoint's extra under ``"method"``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from debias._choices import GROUP_LABEL_METHODS, METHODS, Method
from debias.data import ImageDataset
from debias.groups import groups_of
from debias.models import BaselineClassifier
from debias.training._fit import class_split, fit
from debias.training._settings import TrainingSettings
from generative import is_main_process, load_checkpoint, save_checkpoint

# Which methods read group labels (attribute columns) to train: the label-using references.
USES_GROUP_LABELS: dict[str, bool] = {m: m in GROUP_LABEL_METHODS for m in METHODS}


def uses_group_labels(method: Method) -> bool:
    """True for the methods that read group labels to train (``dfr``, ``balanced``)."""
    if method not in USES_GROUP_LABELS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    return USES_GROUP_LABELS[method]


def label_only(data: ImageDataset) -> ImageDataset:
    """The same images and labels with no attribute columns: all a label-free method sees."""
    meta = data.meta.drop(columns=[c for c in data.attributes if c in data.meta.columns])
    return replace(data, meta=meta, attributes=[])


# --------------------------------------------------------------------------- pure pieces


def error_set(probabilities, labels, *, threshold: float = 0.5) -> np.ndarray:
    """bool (N,): the images a model misclassifies (predicted 1 where p >= ``threshold``)."""
    predicted = np.asarray(probabilities) >= threshold
    return predicted != (np.asarray(labels) == 1)


def jtt_weights(errors, *, upweight: float) -> torch.Tensor:
    """float64 (N,): ``upweight`` (JTT's λ_up) on the error set, 1 elsewhere (unnormalised;
    the batches normalise within each class)."""
    if upweight <= 0:
        raise ValueError(f"upweight must be positive, got {upweight}")
    return torch.where(torch.as_tensor(np.asarray(errors), dtype=torch.bool),
                       float(upweight), 1.0).double()


def afr_weights(probabilities, labels, *, gamma: float) -> torch.Tensor:
    """AFR's per-example weights, float64 (M,): w_i ∝ exp(−γ · p_i(true class)), normalised
    within each class to sum to 1/2 (both classes weigh equally; the total is 1).

    ``probabilities`` (M,) are the first model's face probabilities p; the probability of the
    true class is p for a face (label 1) and 1 − p for a non-face. An example it gets right
    with certainty weighs e^−γ of one it gets wrong with certainty.
    """
    p = torch.as_tensor(np.asarray(probabilities), dtype=torch.float64)
    y = torch.as_tensor(np.asarray(labels)) == 1
    w = torch.exp(-gamma * torch.where(y, p, 1.0 - p))
    for cls in (y, ~y):
        if cls.any():
            w[cls] = w[cls] / (2.0 * w[cls].sum())
    return w / w.sum()  # a no-op unless one class is absent


def group_balanced_rows(cells, *, rng: np.random.Generator) -> np.ndarray:
    """Positions (sorted) of a subsample holding the same number of rows, the smallest cell's
    size, from every cell (a cell: one class × one group), drawn without replacement."""
    codes, _ = pd.factorize(pd.Series(cells), sort=True)
    size = np.bincount(codes).min()
    return np.sort(np.concatenate([rng.choice(np.flatnonzero(codes == c), size, replace=False)
                                   for c in range(codes.max() + 1)]))


def refit_last_layer(features: torch.Tensor, labels, weights: torch.Tensor, *,
                     start: tuple[torch.Tensor, torch.Tensor],
                     anchor: tuple[torch.Tensor, torch.Tensor] | None, l2: float,
                     steps: int = 500) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """Weighted logistic regression on frozen features, full batch, L-BFGS in float64.

    Minimises Σ_i w_i · BCE(f_i · Wᵀ + b, y_i) + l2 · ‖W − W_anchor‖² (bias not penalised;
    ``anchor=None``: toward 0) from ``start``. Deterministic on the CPU.

    Parameters
    ----------
    features : float tensor (M, D)
    labels : (M,), 1 or 0
    weights : float tensor (M,), non-negative, summing to 1
    start, anchor : (W (1, D), b (1,))
    l2 : float, >= 0
    steps : int
        L-BFGS iterations at most.

    Returns
    -------
    W (1, D), b (1,) float32, and ``{"loss_start", "loss_end"}``.
    """
    x = features.double()
    y = torch.as_tensor(np.asarray(labels), dtype=torch.float64)
    w = weights.double()
    weight = start[0].detach().double().clone().requires_grad_(True)
    bias = start[1].detach().double().clone().requires_grad_(True)
    target = torch.zeros_like(weight) if anchor is None else anchor[0].detach().double()

    def objective() -> torch.Tensor:
        logits = (x @ weight.T).flatten() + bias
        bce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
        return (w * bce).sum() + l2 * ((weight - target) ** 2).sum()

    optimizer = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=steps, history_size=20,
                                  tolerance_grad=1e-10, tolerance_change=1e-14,
                                  line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = objective()
        loss.backward()
        return loss

    with torch.no_grad():
        before = float(objective())
    optimizer.step(closure)
    with torch.no_grad():
        after = float(objective())
    return weight.detach().float(), bias.detach().float(), {
        "loss_start": round(before, 6), "loss_end": round(after, 6)}


@torch.no_grad()
def penultimate(model: BaselineClassifier, images: torch.Tensor, *, device: str = "auto",
                batch_size: int = 256) -> torch.Tensor:
    """The frozen input of the last layer, float32 (M, 512) on the CPU
    (:meth:`BaselineClassifier.penultimate_features`, computed on ``device``)."""
    target = torch.device("cuda" if device != "cpu" and torch.cuda.is_available() else "cpu")
    model.to(target).eval()
    try:
        return model.penultimate_features(images, batch_size=batch_size)
    finally:
        model.cpu()


def _last(model: BaselineClassifier) -> torch.nn.Linear:
    return model.encoder.head[-1]


# --------------------------------------------------------------------------- the methods


def jtt(train_set: ImageDataset, settings: TrainingSettings | None = None, *,
        jtt_epochs: int = 2, upweight: float = 20.0, steps_per_epoch: int | None = None,
        max_steps: int | None = None, checkpoint: str | None = None,
        checkpoint_extra: dict | None = None) -> BaselineClassifier:
    """Just Train Twice (Liu et al. 2021): a short baseline finds the error set, a fresh one
    is trained with it drawn ``upweight`` times as often. Label-free.

    Parameters
    ----------
    train_set : ImageDataset
        Only its images and class labels are read.
    settings : TrainingSettings
        Those of the second (full) training; the first runs the same for ``jtt_epochs``.
    jtt_epochs : int
        Length of the first training (default 2: a fifth of the default 10 epochs, the
        paper's ratio on Waterbirds; a model that has learnt the common cases, not yet the
        rare ones). Too short a first model can still call every image one class: its error
        set is then a whole class, which the within-class draw makes uniform (no effect).
    upweight : float
        λ_up, the error set's sampling weight relative to the rest of its class (default 20,
        the low end of the paper's grid for image tasks): an error set holding 1/(λ+1) ≈ 5%
        of a class then gets half of that class's draws.
    steps_per_epoch, max_steps, checkpoint, checkpoint_extra :
        As :func:`fit` (``max_steps`` caps each stage; only the second is checkpointed).

    Returns
    -------
    BaselineClassifier
        The second model. ``error_set_`` bool (N,) marks the first model's errors (at 0.5);
        ``method_`` has the hyperparameters and the error set's size per class.
    """
    settings = settings or TrainingSettings()
    data = label_only(train_set)
    first = fit(data, replace(settings, epochs=jtt_epochs), model="baseline",
                steps_per_epoch=steps_per_epoch, max_steps=max_steps)
    errors = error_set(_scores(first, data.images, settings), data.labels.numpy())
    labels = data.labels.numpy()
    record = {"name": "jtt", "jtt_epochs": int(jtt_epochs), "upweight": float(upweight),
              "threshold": 0.5, "errors": int(errors.sum()),
              "errors_positive": int(errors[labels == 1].sum()),
              "errors_negative": int(errors[labels == 0].sum()),
              "first_stage": {"steps": len(first.history_),
                              "seconds": first.train_seconds_}}
    model = fit(data, settings, model="baseline", steps_per_epoch=steps_per_epoch,
                max_steps=max_steps, checkpoint=checkpoint,
                checkpoint_extra={**(checkpoint_extra or {}), "method": record},
                sample_weights=jtt_weights(errors, upweight=upweight))
    model.method_, model.error_set_ = record, errors
    return model


def afr(train_set: ImageDataset, settings: TrainingSettings | None = None, *,
        held_out: float = 0.2, gamma: float = 4.0, l2: float = 0.01,
        last_layer_steps: int = 500, steps_per_epoch: int | None = None,
        max_steps: int | None = None, checkpoint: str | None = None,
        checkpoint_extra: dict | None = None) -> BaselineClassifier:
    """Automatic Feature Reweighting (Qiu et al. 2023). Label-free.

    A baseline is trained on the first part of a class-stratified split (seeded with
    ``settings.seed``); then only its last layer is refitted on the held-out part's frozen
    penultimate features, each example weighted by :func:`afr_weights` (the examples the
    first model is least sure of weigh most), with an L2 pull toward the original last layer.

    Parameters
    ----------
    held_out : float
        Share of each class held out for the reweighting (default 0.2: the paper's 80/20).
    gamma : float
        γ of the weights (default 4: a sure success weighs e^−4 ≈ 1/55 of a sure error,
        about the range of JTT's λ_up). The paper tunes γ and ``l2`` on worst-group
        validation accuracy, which needs group labels; label-free, they are fixed.
    l2 : float
        Strength of ‖W − W_first‖² against the mean weighted loss (default 0.01: small; it
        keeps the refit near the first model where the reweighted loss is flat).
    last_layer_steps : int
        L-BFGS iterations of the refit.
    steps_per_epoch, max_steps, checkpoint, checkpoint_extra :
        As :func:`fit`, for the first stage (the checkpoint is rewritten with the new layer).

    Returns
    -------
    BaselineClassifier
        ``held_out_rows_`` (positions in ``train_set``), ``sample_weights_`` (their weights)
        and ``method_``.
    """
    settings = settings or TrainingSettings()
    model, first_rows, held_rows, features = _first_stage(
        train_set, settings, held_out=held_out, steps_per_epoch=steps_per_epoch,
        max_steps=max_steps, checkpoint=checkpoint, checkpoint_extra=checkpoint_extra)
    labels = train_set.labels.numpy()[held_rows]
    layer = _last(model)
    with torch.no_grad():
        p = torch.sigmoid(features @ layer.weight.T + layer.bias).flatten().numpy()
    weights = afr_weights(p, labels, gamma=gamma)
    original = (layer.weight.detach().clone(), layer.bias.detach().clone())
    new_w, new_b, info = refit_last_layer(features, labels, weights, start=original,
                                          anchor=original, l2=l2, steps=last_layer_steps)
    record = {"name": "afr", "held_out": float(held_out), "gamma": float(gamma),
              "l2": float(l2), "rows_first": len(first_rows), "rows_held_out": len(held_rows),
              "weights_ess": round(float(1.0 / (weights ** 2).sum()), 1), **info}
    _set_last_layer(model, new_w, new_b, record, checkpoint)
    model.held_out_rows_, model.sample_weights_ = held_rows, weights.numpy()
    return model


def dfr(train_set: ImageDataset, settings: TrainingSettings | None = None, *,
        group_columns: list[str], held_out: float = 0.2, subsets: int = 10,
        l2: float = 0.001, last_layer_steps: int = 500, steps_per_epoch: int | None = None,
        max_steps: int | None = None, checkpoint: str | None = None,
        checkpoint_extra: dict | None = None) -> BaselineClassifier:
    """Deep Feature Reweighting (Kirichenko et al. 2023). Uses group labels: a reference.

    The first stage is AFR's (same split, same seed: the same first model), trained without
    group labels. Then the last layer is refitted, from scratch toward 0, on group-balanced
    subsamples of the held-out part only: every cell (class × group of ``group_columns``)
    subsampled to the smallest cell's size, classes weighted equally, one ridge logistic
    regression per subsample, their weights averaged (the paper's 10 subsamples).

    Parameters
    ----------
    group_columns : list of str
        Attribute columns whose value combinations are the groups.
    held_out, last_layer_steps, steps_per_epoch, max_steps, checkpoint, checkpoint_extra :
        As :func:`afr`.
    subsets : int
        Balanced subsamples averaged.
    l2 : float
        Ridge strength against the mean loss (default 0.001: weak; it keeps the problem
        strictly convex when a small balanced subsample is separable).

    Returns
    -------
    BaselineClassifier
        ``held_out_rows_`` and ``last_layer_rows_`` int (subsets, R): the rows of
        ``train_set`` each refit used, and ``method_``.
    """
    settings = settings or TrainingSettings()
    missing = [c for c in group_columns if c not in train_set.attributes]
    if not group_columns or missing:
        raise ValueError(f"dfr needs attribute columns of the data as group_columns; "
                         f"not attributes: {missing or group_columns}")
    model, first_rows, held_rows, features = _first_stage(
        train_set, settings, held_out=held_out, steps_per_epoch=steps_per_epoch,
        max_steps=max_steps, checkpoint=checkpoint, checkpoint_extra=checkpoint_extra)
    labels = train_set.labels.numpy()[held_rows]
    # The only group labels read: the held-out rows'.
    groups = groups_of(train_set.meta.iloc[held_rows], group_columns).to_numpy()
    cells = np.char.add(labels.astype(str), np.char.add("\x1f", groups.astype(str)))
    layer = _last(model)
    start = (torch.zeros_like(layer.weight), torch.zeros_like(layer.bias))
    rng = np.random.default_rng(settings.seed)
    fits, rows, infos = [], [], []
    for _ in range(subsets):
        chosen = group_balanced_rows(cells, rng=rng)
        y = labels[chosen]
        w = torch.from_numpy(np.where(y == 1, 0.5 / (y == 1).sum(), 0.5 / (y == 0).sum()))
        new_w, new_b, info = refit_last_layer(features[chosen], y, w, start=start, anchor=None,
                                              l2=l2, steps=last_layer_steps)
        fits.append((new_w, new_b))
        rows.append(held_rows[chosen])
        infos.append(info)
    record = {"name": "dfr", "group_columns": list(group_columns), "held_out": float(held_out),
              "subsets": int(subsets), "l2": float(l2), "rows_first": len(first_rows),
              "rows_held_out": len(held_rows), "cells": int(len(set(cells))),
              "cell_size": int(len(rows[0]) // len(set(cells))),
              "loss_end": round(float(np.mean([i["loss_end"] for i in infos])), 6)}
    _set_last_layer(model, torch.stack([f[0] for f in fits]).mean(0),
                    torch.stack([f[1] for f in fits]).mean(0), record, checkpoint)
    model.held_out_rows_, model.last_layer_rows_ = held_rows, np.stack(rows)
    return model


def feature_rarity(train_set: ImageDataset, settings: TrainingSettings | None = None,
                   **fit_options) -> BaselineClassifier:
    """The baseline with DB-VAE's resampling but no VAE: at every epoch its faces (with
    ``settings.vae_on="all"``, each class) are redrawn by the rarity of its own penultimate
    features (512 dimensions), estimated by ``settings.rarity`` (default here ``knn``: the
    per-dimension histograms suit a VAE's few informative latent dimensions, not 512 ReLU
    features). Label-free.

    Parameters
    ----------
    **fit_options
        As :func:`fit` (``steps_per_epoch``, ``max_steps``, ``checkpoint``,
        ``checkpoint_extra``).

    Returns
    -------
    BaselineClassifier
        With ``resampling_`` (the weights' summary per epoch) and ``method_``.
    """
    settings = settings or TrainingSettings()
    settings = replace(settings, rarity=settings.rarity or "knn")
    record = {"name": "feature_rarity", "rarity": settings.rarity}
    extra = {**(fit_options.pop("checkpoint_extra", None) or {}), "method": record}
    model = fit(label_only(train_set), settings, model="baseline", resample_by_features=True,
                checkpoint_extra=extra, **fit_options)
    model.method_ = record
    return model


def train_method(train_set: ImageDataset, settings: TrainingSettings | None = None, *,
                 method: Method, group_columns: list[str] | None = None,
                 **hyper) -> BaselineClassifier:
    """Train a classifier with ``method``.

    ``baseline`` and ``dbvae`` are :func:`fit`'s; ``balanced`` is the baseline drawing faces
    so each group of ``group_columns`` is equally likely (``fit(balance_by=...)``); ``jtt``,
    ``afr``, ``feature_rarity`` and ``dfr`` are :func:`jtt`, :func:`afr`,
    :func:`feature_rarity`, :func:`dfr`. Only the methods of
    :func:`uses_group_labels` take ``group_columns`` (and need them).

    Parameters
    ----------
    **hyper
        Fields of :class:`TrainingSettings` (e.g. ``epochs=3``) change ``settings``; the rest
        go to the method (``steps_per_epoch``, ``max_steps``, ``checkpoint``,
        ``checkpoint_extra``, and its own hyperparameters, e.g. ``upweight`` for JTT).
    """
    needs = uses_group_labels(method)
    if needs and not group_columns:
        raise ValueError(f"method {method!r} uses group labels: pass group_columns")
    if group_columns and not needs:
        raise ValueError(f"method {method!r} is label-free: group_columns are for "
                         f"{' and '.join(GROUP_LABEL_METHODS)}")
    missing = [c for c in group_columns or [] if c not in train_set.attributes]
    if missing:
        raise ValueError(f"group_columns {missing}: not attributes of the data (attributes: "
                         f"{', '.join(train_set.attributes) or 'none'})")
    fields = {k: hyper.pop(k) for k in list(hyper) if k in TrainingSettings.names()}
    settings = replace(settings or TrainingSettings(), **fields)
    if method == "jtt":
        return jtt(train_set, settings, **hyper)
    if method == "afr":
        return afr(train_set, settings, **hyper)
    if method == "dfr":
        return dfr(train_set, settings, group_columns=list(group_columns), **hyper)
    if method == "feature_rarity":
        return feature_rarity(train_set, settings, **hyper)
    record = {"name": method, **({"group_columns": list(group_columns)} if needs else {})}
    extra = {**(hyper.pop("checkpoint_extra", None) or {}), "method": record}
    model = fit(train_set, settings, model="dbvae" if method == "dbvae" else "baseline",
                balance_by=list(group_columns) if needs else None, checkpoint_extra=extra,
                **hyper)
    model.method_ = record
    return model


def _first_stage(train_set: ImageDataset, settings: TrainingSettings, *, held_out: float,
                 **fit_options) -> tuple[BaselineClassifier, np.ndarray, np.ndarray, torch.Tensor]:
    """AFR's and DFR's first stage (one code path: same split and seed, same model): a
    baseline fitted without group labels on the first part of a class split; returns it, the
    first and held-out positions, and the held-out part's penultimate features (H, 512)."""
    data = label_only(train_set)
    first_rows, held_rows = class_split(data.labels.numpy(), held_out=held_out,
                                        seed=settings.seed)
    model = fit(data.subset(first_rows), settings, model="baseline", **fit_options)
    features = penultimate(model, data.images[torch.from_numpy(held_rows)],
                           device=settings.device)
    return model, first_rows, held_rows, features


def _scores(model: BaselineClassifier, images: torch.Tensor,
            settings: TrainingSettings) -> np.ndarray:
    """Face probabilities (N,) of ``images``, on ``settings.device``; the model ends on the CPU."""
    if settings.device != "cpu" and torch.cuda.is_available():
        model.cuda()
    try:
        return model.predict_proba(images)
    finally:
        model.cpu()


def _set_last_layer(model: BaselineClassifier, weight: torch.Tensor, bias: torch.Tensor,
                    record: dict, checkpoint: str | None) -> None:
    """Put the refitted layer in place, set ``method_``, and rewrite the checkpoint with both
    (its optimizer state, which belonged to the old layer, is dropped)."""
    layer = _last(model)
    with torch.no_grad():
        layer.weight.copy_(weight.reshape(layer.weight.shape))
        layer.bias.copy_(bias.reshape(layer.bias.shape))
    model.method_ = record
    if checkpoint and is_main_process():
        payload = load_checkpoint(checkpoint)
        save_checkpoint(checkpoint, model, step=payload["step"], epoch=payload["epoch"],
                        extra={**payload["extra"], "method": record})
