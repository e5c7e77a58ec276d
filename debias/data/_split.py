"""Seeded stratified splitting, vectorised over strata."""

from __future__ import annotations

import numpy as np
import pandas as pd


def stratified_split(strata: np.ndarray, *, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split positions 0..N-1 so that each stratum keeps the ``test_size`` proportion.

    Each stratum sends ``round(n_k * test_size)`` members to the test side, but never all of
    them: a stratum of one stays in training.

    Parameters
    ----------
    strata : array of shape (N,)
        A hashable key per item (e.g. ``"label=1|skin_tone=dark"``).
    test_size : float
        Share of each stratum that goes to the test side, in (0, 1).
    seed : int
        Seed of the shuffle within each stratum.

    Returns
    -------
    train, test : ndarray of int64
        Sorted positions; together a partition of 0..N-1.
    """
    codes = pd.factorize(pd.Series(strata))[0]
    n = len(codes)
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(n)
    order = shuffled[np.argsort(codes[shuffled], kind="stable")]
    counts = np.bincount(codes, minlength=codes.max() + 1 if n else 0)
    n_test = np.minimum(np.floor(counts * test_size + 0.5).astype(np.int64), np.maximum(counts - 1, 0))
    starts = np.cumsum(counts) - counts
    rank = np.arange(n) - starts[codes[order]]
    is_test = rank < n_test[codes[order]]
    return np.sort(order[~is_test]), np.sort(order[is_test])
