"""A slow, obviously-correct resampling reference: the MIT lab's per-dimension NumPy loop.

Kept as a second code path for tests and for the speed benchmark; use
:func:`debias.resampling.resampling_weights` for real work.
"""

from __future__ import annotations

import numpy as np


def reference_weights(mu: np.ndarray, *, bins: int = 10, alpha: float = 0.001,
                      combine: str = "max") -> np.ndarray:
    """Resampling weights, one latent dimension at a time.

    Parameters
    ----------
    mu : float (N, D)
    bins, alpha, combine :
        As :func:`~debias.resampling.resampling_weights` (temperature 1).

    Returns
    -------
    numpy.ndarray
        float64 (N,), summing to 1. ``combine="product"`` multiplies directly (no log space),
        so it under/overflows with many dimensions; compare it on few.
    """
    mu = np.asarray(mu, dtype=np.float64)
    n, d = mu.shape
    w = np.zeros(n) if combine == "max" else np.ones(n)
    for j in range(d):
        density, edges = np.histogram(mu[:, j], density=True, bins=bins)
        edges[0], edges[-1] = -np.inf, np.inf
        smoothed = density + alpha
        smoothed = smoothed / smoothed.sum()
        p = 1.0 / smoothed[np.digitize(mu[:, j], edges) - 1]
        w = np.maximum(w, p / p.sum()) if combine == "max" else w * p
    return w / w.sum()
