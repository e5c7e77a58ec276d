"""Adaptive resampling weights from the latent means of the training faces (DB-VAE §3.2),
or of each class of images in turn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from debias._choices import Combine
from debias.resampling._histogram import LatentHistogram


def resampling_weights(mu: torch.Tensor | np.ndarray, *, bins: int = 10, alpha: float = 0.001,
                       combine: Combine = "max", temperature: float = 1.0) -> torch.Tensor:
    """Probability of drawing each face, higher where its latent code is rare.

    The weight of a face is its :class:`LatentHistogram` rarity weight fitted on all of ``mu``
    (per-dimension 10-bin densities, 1 / (density + α), combined by max or product), then
    w ← w^temperature (τ < 1 tempers the weights toward uniform), normalised to sum to 1.

    Parameters
    ----------
    mu : float (N, D)
        Latent means of the N training faces.
    bins : int
        Histogram bins per dimension.
    alpha : float
        Smoothing added to each bin's density; larger -> closer to uniform.
    combine : {"max", "product"}
    temperature : float in (0, 1]
        Exponent on the weights.

    Returns
    -------
    torch.Tensor
        float64 (N,), non-negative, summing to 1.
    """
    if not 0 < temperature <= 1:
        raise ValueError(f"temperature must be in (0, 1], got {temperature}")
    log_w = LatentHistogram(bins=bins, alpha=alpha, combine=combine).fit(mu).log_weights()
    return torch.softmax(temperature * torch.from_numpy(log_w), dim=0)


def within_class_weights(mu: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray,
                         **options) -> torch.Tensor:
    """Resampling weights computed within each class: class c's weights come from histograms
    of class c's codes alone (:func:`resampling_weights` on its rows) and sum to 1 over it.

    So an image is weighted by how rare it is among the images of its own class, and the
    share of each class in a batch is left to the sampler (``vae_on="all"``).

    Parameters
    ----------
    mu : float (N, D)
        Latent means of the N training images.
    labels : int (N,)
        Class of each image.
    **options
        ``bins``, ``alpha``, ``combine``, ``temperature`` of :func:`resampling_weights`.

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
