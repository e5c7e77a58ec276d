"""Sanity gates: conditions under which an audit's numbers support no fairness conclusion.

Each gate is a dict ``{"code": ..., **parameters}`` (words in :mod:`debias.verdicts`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Attribute values that name no group.
UNKNOWN = {"unknown", "", "nan", "none"}
# A model calling at least this share of the images one class has not learned the task.
ONE_CLASS_SHARE = 0.99


def model_gates(name: str, y_true, scores, threshold: float, *, probabilities: bool
                ) -> list[dict]:
    """Gates on one model's predictions.

    Parameters
    ----------
    name : the model's display name
    y_true : int (N,), 0/1; scores : float (N,)
    threshold : score at or above which a prediction is positive
    probabilities : the scores are probabilities (then a threshold outside [0, 1] is a gate)

    Returns
    -------
    list of dict
        ``threshold_outside_unit`` {threshold}; ``threshold_outside_scores`` {model, threshold,
        low, high}; ``one_class`` {model, label, share}: at least 99% of the images get one
        answer; ``majority_class`` {model, label, accuracy, majority}: accuracy no better than
        always answering the commoner label. The last two only when both labels occur.
    """
    y_true = np.asarray(y_true).astype(np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    if not len(scores):
        return []
    gates = []
    low, high = float(scores.min()), float(scores.max())
    if probabilities and not 0 <= threshold <= 1:
        gates.append({"code": "threshold_outside_unit", "threshold": float(threshold)})
    elif threshold > high or threshold <= low:
        gates.append({"code": "threshold_outside_scores", "model": name,
                      "threshold": float(threshold), "low": low, "high": high})
    if len(np.unique(y_true)) < 2:
        return gates  # a faces-only audit: its accuracy is a recall, any model may say "face"
    y_pred = (scores >= threshold).astype(np.int64)
    called_face = float(y_pred.mean())
    majority_label = int(y_true.mean() >= 0.5)
    majority = float(max(y_true.mean(), 1 - y_true.mean()))
    accuracy = float((y_pred == y_true).mean())
    if max(called_face, 1 - called_face) >= ONE_CLASS_SHARE:
        gates.append({"code": "one_class", "model": name, "label": int(called_face >= 0.5),
                      "share": max(called_face, 1 - called_face)})
    elif accuracy <= majority:
        gates.append({"code": "majority_class", "model": name, "label": majority_label,
                      "accuracy": accuracy, "majority": majority})
    return gates


def group_gates(faces: pd.DataFrame, gaps: dict[str, np.ndarray], metric: str) -> list[dict]:
    """Gates on the groups themselves.

    Parameters
    ----------
    faces : DataFrame, the attribute columns of the audited faces (label 1)
    gaps : model name -> float (S,), the max−min gap of ``metric`` in each slice (NaN where
        fewer than two groups have a value)
    metric : the verdict metric

    Returns
    -------
    list of dict
        ``no_attributes``; ``attributes_unknown`` {attributes}: every audited face's value of
        every attribute is unknown; ``all_withheld`` {metric}: no slice has two groups with a
        value, for some model. At most one of them.
    """
    if not len(faces.columns):
        return [{"code": "no_attributes"}]
    values = faces.astype(str).apply(lambda c: c.str.strip().str.lower())
    if len(faces) and values.isin(UNKNOWN).all().all():
        return [{"code": "attributes_unknown", "attributes": [str(c) for c in faces.columns]}]
    if any(not np.isfinite(np.asarray(g, dtype=np.float64)).any() for g in gaps.values()):
        return [{"code": "all_withheld", "metric": metric}]
    return []
