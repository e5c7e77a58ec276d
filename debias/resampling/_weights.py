"""Adaptive resampling weights from the latent means of the training faces (DB-VAE §3.2)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import torch

Combine = Literal["max", "product"]
_BLOCK = 8192


def _as_float_array(mu) -> np.ndarray:
    """(N, D) float32 or float64 NumPy array (binning happens in the input's precision)."""
    if isinstance(mu, torch.Tensor):
        mu = mu.detach().cpu()
        mu = mu.float().numpy() if mu.dtype not in (torch.float32, torch.float64) else mu.numpy()
    mu = np.asarray(mu)
    return mu if mu.dtype in (np.float32, np.float64) else mu.astype(np.float32)


def resampling_weights(mu: torch.Tensor | np.ndarray, *, bins: int = 10, alpha: float = 0.001,
                       combine: Combine = "max", temperature: float = 1.0) -> torch.Tensor:
    """Probability of drawing each face, higher where its latent code is rare.

    Per latent dimension j: a histogram of μ_j with ``bins`` equal bins (density, as
    ``numpy.histogram(density=True)``), smoothed to density + α and normalised over bins
    (as the MIT lab does), so a sample's weight in that dimension is 1 / smoothed density of
    its bin. Dimensions are combined by

    - ``"max"``: normalise each dimension's weights over samples, then take the largest
      (the lab's choice);
    - ``"product"``: Π_j 1 / (density_j + α) (the paper's formula), summed in log space so it
      neither under- nor overflows with 100 dimensions.

    Finally w ← w^temperature (τ < 1 tempers the weights toward uniform) and normalised.
    All dimensions are processed at once (in blocks of rows); there is no loop over
    dimensions.

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
    if combine not in ("max", "product"):
        raise ValueError(f"combine must be 'max' or 'product', got {combine!r}")
    if bins < 1 or alpha < 0 or not 0 < temperature <= 1:
        raise ValueError(f"need bins >= 1, alpha >= 0 and 0 < temperature <= 1; got "
                         f"{bins}, {alpha}, {temperature}")
    mu = _as_float_array(mu)
    if mu.ndim != 2 or len(mu) == 0:
        raise ValueError(f"mu must be a non-empty (N, D) array, got shape {tuple(mu.shape)}")
    n, d = mu.shape
    lo, hi = mu.min(axis=0), mu.max(axis=0)
    flat_dim = hi <= lo  # numpy widens a constant dimension (a, a) to (a - 0.5, a + 0.5)
    lo = np.where(flat_dim, lo - 0.5, lo).astype(mu.dtype)
    span = np.where(flat_dim, 1.0, hi - lo).astype(mu.dtype)
    scale = (bins / span).astype(mu.dtype)
    index_type = np.int16 if d * bins <= np.iinfo(np.int16).max else np.int64
    offsets = (np.arange(d) * bins).astype(index_type)
    # Row blocks keep every intermediate in cache: memory traffic, not arithmetic, is the cost.
    indices, counts = [], np.zeros(d * bins, dtype=np.int64)
    for start in range(0, n, _BLOCK):
        # As numpy.histogram: (x - first edge) * (bins / width), truncated; max -> last bin.
        block = ((mu[start:start + _BLOCK] - lo) * scale).astype(index_type)
        np.minimum(block, bins - 1, out=block)
        block += offsets  # position in the flattened (D, bins) table
        counts += np.bincount(block.ravel(), minlength=d * bins)
        indices.append(block)
    counts = counts.reshape(d, bins).astype(np.float64)
    density = counts / (n * span.astype(np.float64)[:, None] / bins)  # integrates to 1
    smoothed = density + alpha
    smoothed = smoothed / smoothed.sum(axis=1, keepdims=True)
    occupied = counts > 0  # with alpha = 0 an empty bin has density 0; no sample reads it
    if combine == "max":
        inverse = np.divide(1.0, smoothed, out=np.zeros_like(smoothed), where=occupied)
        table = (inverse / (counts * inverse).sum(axis=1, keepdims=True)).ravel()  # dim sums to 1
        log_w = np.log(np.concatenate([table[block].max(axis=1) for block in indices]))
    else:
        table = -np.log(smoothed, out=np.zeros_like(smoothed), where=occupied).ravel()
        log_w = np.concatenate([table[block].sum(axis=1) for block in indices])
    log_w = torch.from_numpy(log_w)
    log_w = temperature * log_w
    return torch.softmax(log_w, dim=0)


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
