"""Adaptive resampling weights from the latent means of the training faces (DB-VAE §3.2),
or of each class of images in turn."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import torch

from debias._choices import Combine
from debias.resampling._rarity import Rarity, rarity_scores, rarity_weights


def resampling_weights(mu: torch.Tensor | np.ndarray, *, estimator: Rarity | None = None,
                       bins: int = 10, alpha: float = 0.001, combine: Combine = "max",
                       temperature: float = 1.0, clip: float | Literal["auto"] | None = "auto",
                       k: int = 10, seed: int = 0) -> torch.Tensor:
    """Probability of drawing each face, higher where its latent code is rare.

    The rarity of every face is estimated from all of ``mu`` by ``estimator`` (see
    :func:`~debias.resampling.rarity_scores`) and turned into probabilities by
    :func:`~debias.resampling.rarity_weights`. With no ``estimator``, the histogram combined by
    ``combine`` — today's DB-VAE weights, number for number: per-dimension 10-bin densities,
    1 / (density + α), combined by max or product, then w ← w^temperature (τ < 1 tempers the
    weights toward uniform), normalised to sum to 1, no cap.

    Parameters
    ----------
    mu : float (N, D)
        Latent means of the N training faces.
    estimator : {"histogram_max", "histogram_product", "knn", "gmm"}, optional
        Default: ``"histogram_" + combine``. When given, ``combine`` is not read.
    bins : int
        Histogram bins per dimension.
    alpha : float
        Smoothing added to each bin's density; larger -> closer to uniform.
    combine : {"max", "product"}
        The histograms' combination across dimensions when ``estimator`` is None.
    temperature : float in (0, 1]
        Exponent on the weights.
    clip : float >= 1, "auto" or None
        No probability above clip / N; "auto": 10 for knn and gmm, none for the histograms
        (see :func:`~debias.resampling.rarity_weights`).
    k : int
        Neighbours of the knn estimator.
    seed : int
        Subsample of knn and gmm when N > 5,000 (and the mixture's start).

    Returns
    -------
    torch.Tensor
        float64 (N,), non-negative, summing to 1.
    """
    if estimator is None:
        if combine not in ("max", "product"):
            raise ValueError(f"combine must be 'max' or 'product', got {combine!r}")
        estimator = f"histogram_{combine}"
    if not 0 < temperature <= 1:
        raise ValueError(f"temperature must be in (0, 1], got {temperature}")
    if len(mu) == 1:  # one face: drawn every time, whatever the estimator
        return torch.ones(1, dtype=torch.float64)
    scores = rarity_scores(mu, estimator=estimator, bins=bins, alpha=alpha, k=k, seed=seed)
    return rarity_weights(scores, estimator=estimator, clip=clip, temperature=temperature)


def within_class_weights(mu: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray,
                         **options) -> torch.Tensor:
    """Resampling weights computed within each class: class c's weights come from the rarity
    estimator fitted on class c's codes alone (:func:`resampling_weights` on its rows) and sum
    to 1 over it.

    So an image is weighted by how rare it is among the images of its own class, and the
    share of each class in a batch is left to the sampler (``vae_on="all"``).

    Parameters
    ----------
    mu : float (N, D)
        Latent means of the N training images.
    labels : int (N,)
        Class of each image.
    **options
        Keyword options of :func:`resampling_weights` (``estimator``, ``bins``, ``alpha``,
        ``combine``, ``temperature``, ``clip``, ``k``, ``seed``); a cap applies per class
        (clip / N_c).

    Returns
    -------
    torch.Tensor
        float64 (N,), non-negative; the weights of each class sum to 1.
    """
    labels = torch.as_tensor(np.asarray(labels))
    if labels.ndim != 1 or len(labels) != len(mu):
        raise ValueError(f"labels must be (N,) with N = {len(mu)} rows of mu, got shape "
                         f"{tuple(labels.shape)}")
    weights = torch.zeros(len(labels), dtype=torch.float64)
    for value in torch.unique(labels):
        rows = torch.nonzero(labels == value).flatten()
        weights[rows] = resampling_weights(mu[rows.numpy()], **options)
    return weights


def effective_sample_size(weights: torch.Tensor | np.ndarray) -> float:
    """Kish's effective sample size (Σw)² / Σw²: N for uniform weights, 1 for one sample."""
    w = torch.as_tensor(weights, dtype=torch.float64)
    return float(w.sum() ** 2 / (w ** 2).sum())


def weight_summary(weights: torch.Tensor, groups: pd.Series | None = None) -> dict:
    """What a user should see of one epoch's weights.

    Returns
    -------
    dict
        ``ess`` and ``ess_fraction`` (ESS / N), ``max_over_uniform`` (largest weight × N),
        and, when ``groups`` (one label per face) is given, ``group_weight``: the mean of
        weight × N per group (1.0 = drawn as often as under uniform sampling).
    """
    w = torch.as_tensor(weights, dtype=torch.float64)
    n = len(w)
    ess = effective_sample_size(w)
    out = {"ess": round(ess, 1), "ess_fraction": round(ess / n, 4),
           "max_over_uniform": round(float(w.max() * n), 2)}
    if groups is not None:
        relative = pd.Series((w * n).numpy(), index=pd.Index(groups.to_numpy(), name="group"))
        out["group_weight"] = {str(k): round(float(v), 4)
                               for k, v in relative.groupby(level=0, sort=True).mean().items()}
    return out
