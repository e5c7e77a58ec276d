"""Per-group TPR and FPR over a grid of thresholds (the report's curves)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from debias.groups import group_labels, slice_name, slices


def _rate_at(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Share of ``scores`` at or above each threshold (NaN when there are no scores)."""
    if len(scores) == 0:
        return np.full(len(thresholds), np.nan)
    ordered = np.sort(scores)
    return (len(ordered) - np.searchsorted(ordered, thresholds, side="left")) / len(ordered)


def threshold_sweep(y_true: np.ndarray, scores: np.ndarray, attrs: pd.DataFrame, *,
                    max_order: int = 2, thresholds: np.ndarray | None = None) -> pd.DataFrame:
    """TPR and FPR of every group at every threshold (prediction = score >= threshold).

    Returns
    -------
    DataFrame
        ``slice, group, threshold, tpr, fpr``; NaN TPR (FPR) for a group without positives
        (negatives).
    """
    thresholds = np.linspace(0, 1, 101) if thresholds is None else np.asarray(thresholds)
    y_true, scores = np.asarray(y_true).astype(bool), np.asarray(scores, dtype=np.float64)
    attrs = attrs.reset_index(drop=True)
    parts = [("overall", pd.Series("all", index=attrs.index))]
    parts += [(slice_name(c), group_labels(attrs, c))
              for c in slices(list(attrs.columns), max_order=max_order)]
    rows = []
    for name, labels in parts:
        labels = labels.to_numpy()
        for group in sorted(set(labels)):
            member = labels == group
            rows.append(pd.DataFrame({
                "slice": name, "group": group, "threshold": thresholds,
                "tpr": _rate_at(scores[member & y_true], thresholds),
                "fpr": _rate_at(scores[member & ~y_true], thresholds)}))
    return pd.concat(rows, ignore_index=True)
