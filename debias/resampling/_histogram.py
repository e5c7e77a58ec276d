"""Per-dimension histogram estimate of how rare a latent code is (DB-VAE §3.2)."""

from __future__ import annotations

import numpy as np
import torch

from debias._choices import Combine

_BLOCK = 8192


def as_float_array(mu) -> np.ndarray:
    """(N, D) float32 or float64 NumPy array (binning happens in the input's precision)."""
    if isinstance(mu, torch.Tensor):
        mu = mu.detach().cpu()
        mu = mu.float().numpy() if mu.dtype not in (torch.float32, torch.float64) else mu.numpy()
    mu = np.asarray(mu)
    return mu if mu.dtype in (np.float32, np.float64) else mu.astype(np.float32)


class LatentHistogram:
    """Histograms of each latent dimension, fitted on one set of μ and read on any.

    Per dimension j: ``bins`` equal bins over the fitted range (density as
    ``numpy.histogram(density=True)``), smoothed to density + α and normalised over bins (as
    the MIT lab), so a code's weight in dimension j is 1 / smoothed density of its bin. The
    dimensions are combined by ``"max"`` (each dimension's weights normalised over the fitted
    set, then the largest: the lab's choice) or ``"product"`` (Π_j 1 / smoothed density: the
    paper's formula, as a sum of logs so it neither under- nor overflows).

    All dimensions are processed at once, in blocks of rows (memory traffic, not arithmetic,
    is the cost); there is no loop over dimensions. Codes outside the fitted range count in
    the first or last bin.

    Attributes
    ----------
    counts_ : float (D, bins)
        Fitted codes per bin.
    table_ : float (D * bins,)
        Per-bin weight (max) or −log smoothed density (product).
    """

    def __init__(self, *, bins: int = 10, alpha: float = 0.001, combine: Combine = "max") -> None:
        if combine not in ("max", "product"):
            raise ValueError(f"combine must be 'max' or 'product', got {combine!r}")
        if bins < 1 or alpha < 0:
            raise ValueError(f"need bins >= 1 and alpha >= 0; got {bins}, {alpha}")
        self.bins, self.alpha, self.combine = bins, alpha, combine

    def _bin(self, mu: np.ndarray) -> list[np.ndarray]:
        """Flattened (D, bins) table positions of every code, in row blocks (int16 when
        D * bins fits)."""
        blocks = []
        for start in range(0, len(mu), _BLOCK):
            # As numpy.histogram: (x - first edge) * (bins / width), truncated; max -> last bin.
            block = ((mu[start:start + _BLOCK] - self.lo_) * self.scale_).astype(self.index_type_)
            np.clip(block, 0, self.bins - 1, out=block)
            block += self.offsets_
            blocks.append(block)
        return blocks

    def fit(self, mu) -> LatentHistogram:
        """Fit on μ (N, D) of the reference set; keeps its bin positions for :meth:`log_weights`."""
        mu = as_float_array(mu)
        if mu.ndim != 2 or len(mu) == 0:
            raise ValueError(f"mu must be a non-empty (N, D) array, got shape {tuple(mu.shape)}")
        n, d = mu.shape
        bins = self.bins
        lo, hi = mu.min(axis=0), mu.max(axis=0)
        flat_dim = hi <= lo  # numpy widens a constant dimension (a, a) to (a - 0.5, a + 0.5)
        self.lo_ = np.where(flat_dim, lo - 0.5, lo).astype(mu.dtype)
        span = np.where(flat_dim, 1.0, hi - self.lo_).astype(mu.dtype)
        self.scale_ = (bins / span).astype(mu.dtype)
        self.index_type_ = np.int16 if d * bins <= np.iinfo(np.int16).max else np.int64
        self.offsets_ = (np.arange(d) * bins).astype(self.index_type_)
        self._fitted_blocks = self._bin(mu)
        counts = np.zeros(d * bins, dtype=np.int64)
        for block in self._fitted_blocks:
            counts += np.bincount(block.ravel(), minlength=d * bins)
        self.counts_ = counts.reshape(d, bins).astype(np.float64)
        density = self.counts_ / (n * span.astype(np.float64)[:, None] / bins)  # integrates to 1
        smoothed = density + self.alpha
        smoothed = smoothed / smoothed.sum(axis=1, keepdims=True)
        # With alpha = 0 an empty bin has density 0: as rare as the rarest occupied bin.
        occupied = smoothed > 0
        floor = smoothed[occupied].min() if occupied.any() else 1.0
        smoothed = np.where(occupied, smoothed, floor)
        if self.combine == "max":
            inverse = 1.0 / smoothed
            self.table_ = (inverse / (self.counts_ * inverse).sum(axis=1, keepdims=True)).ravel()
        else:
            self.table_ = -np.log(smoothed).ravel()
        return self

    def log_weights(self, mu=None) -> np.ndarray:
        """Log rarity weight (unnormalised) of each code: float64 (N,). ``mu=None``: the
        fitted codes (no second binning pass)."""
        blocks = self._fitted_blocks if mu is None else self._bin(as_float_array(mu))
        if self.combine == "max":
            return np.log(np.concatenate([self.table_[b].max(axis=1) for b in blocks]))
        return np.concatenate([self.table_[b].sum(axis=1) for b in blocks])
