"""Flip rates: how often a decision changes when only one attribute of the input is edited."""

from __future__ import annotations

import numpy as np


def flip_summary(original: np.ndarray, counterfactual: np.ndarray, *, threshold: float = 0.5
                 ) -> dict:
    """Decision flips between paired scores (TFMA's flip counts and rates).

    Parameters
    ----------
    original, counterfactual : float (N,)
        Scores of each image and of its counterfactual.
    threshold : float
        Decision: score >= threshold.

    Returns
    -------
    dict
        ``n``; ``flip_rate`` = decisions that changed / N; ``pos_to_neg_rate`` and
        ``neg_to_pos_rate`` (each / N, so they sum to the flip rate); the counts; and the
        mean, median and 5th / 95th percentiles of the score change (counterfactual −
        original); ``change_histogram``: counts of the change in 20 bins of width 0.1
        over [−1, 1] (``edges`` 21, ``counts`` 20). All rates are None for N = 0.
    """
    a, b = np.asarray(original, dtype=np.float64), np.asarray(counterfactual, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"need two (N,) score arrays of one shape, got {a.shape} and {b.shape}")
    n = len(a)
    da, db = a >= threshold, b >= threshold
    pos_to_neg, neg_to_pos = int((da & ~db).sum()), int((~da & db).sum())
    change = b - a
    rate = (lambda k: k / n) if n else (lambda k: None)
    quantiles = np.quantile(change, [0.05, 0.5, 0.95]).tolist() if n else [None] * 3
    edges = np.linspace(-1.0, 1.0, 21)
    counts = np.histogram(np.clip(change, -1.0, 1.0), bins=edges)[0] if n else np.zeros(20, int)
    return {"n": n, "flips": pos_to_neg + neg_to_pos, "pos_to_neg": pos_to_neg,
            "neg_to_pos": neg_to_pos, "flip_rate": rate(pos_to_neg + neg_to_pos),
            "pos_to_neg_rate": rate(pos_to_neg), "neg_to_pos_rate": rate(neg_to_pos),
            "mean_change": float(change.mean()) if n else None,
            "change_p05": quantiles[0], "median_change": quantiles[1], "change_p95": quantiles[2],
            "change_histogram": {"edges": [round(float(e), 2) for e in edges],
                                 "counts": [int(c) for c in counts]}}
