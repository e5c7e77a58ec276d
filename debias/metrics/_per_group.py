"""Per-group performance from fairlearn's MetricFrame, with "insufficient data" flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame, false_negative_rate, false_positive_rate, selection_rate, true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score

from debias.groups import group_labels, slice_name, slices

# Rates and the error rates beside them: a face detector harms people through its misses
# (FNR), and a rate near 1 (TPR 0.99 vs 0.95) hides a large relative gap that the error rate
# shows (0.01 vs 0.05: 5x).
METRICS = ("accuracy", "tpr", "fpr", "precision", "selection_rate", "fnr", "error_rate", "fdr",
           "for")
# What each metric's denominator counts: a group needs min_count of those for a number.
DENOMINATOR = {"accuracy": "count", "selection_rate": "count", "tpr": "positives",
               "fpr": "negatives", "precision": "predicted_positives", "fnr": "positives",
               "error_rate": "count", "fdr": "predicted_positives", "for": "predicted_negatives"}


def _count(y_true, y_pred, sample_weight):
    return int(np.sum(sample_weight))


def _positives(y_true, y_pred, sample_weight):
    return int(np.sum(np.asarray(sample_weight)[np.asarray(y_true) == 1]))


def _negatives(y_true, y_pred, sample_weight):
    return int(np.sum(np.asarray(sample_weight)[np.asarray(y_true) == 0]))


def _predicted_positives(y_true, y_pred, sample_weight):
    return int(np.sum(np.asarray(sample_weight)[np.asarray(y_pred) == 1]))


def _predicted_negatives(y_true, y_pred, sample_weight):
    return int(np.sum(np.asarray(sample_weight)[np.asarray(y_pred) == 0]))


def _precision(y_true, y_pred, sample_weight):
    return precision_score(y_true, y_pred, sample_weight=sample_weight, zero_division=np.nan)


def _error_rate(y_true, y_pred, sample_weight):
    return 1.0 - accuracy_score(y_true, y_pred, sample_weight=sample_weight)


def _fdr(y_true, y_pred, sample_weight):
    return 1.0 - _precision(y_true, y_pred, sample_weight)


def _for(y_true, y_pred, sample_weight):
    """False omission rate: the share of predicted negatives that are positives (FN / (FN + TN))."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    w = np.asarray(sample_weight, dtype=np.float64)
    rejected = w[y_pred == 0].sum()
    return float(w[(y_pred == 0) & (y_true == 1)].sum() / rejected) if rejected else np.nan


FAIRLEARN_METRICS = {
    "count": _count, "positives": _positives, "negatives": _negatives,
    "predicted_positives": _predicted_positives, "predicted_negatives": _predicted_negatives,
    "accuracy": accuracy_score,
    "tpr": true_positive_rate, "fpr": false_positive_rate, "precision": _precision,
    "selection_rate": selection_rate, "fnr": false_negative_rate, "error_rate": _error_rate,
    "fdr": _fdr, "for": _for,
}


def compress(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """The distinct (group, y_true, y_pred) rows with their multiplicity ``weight``.

    Every metric here depends only on those counts, so scoring the distinct rows with the
    multiplicities as sample weights gives exactly the numbers of the full arrays, while
    fairlearn's per-row overhead applies to at most 4 rows per group.
    """
    frame = pd.DataFrame({"group": labels, "y_true": y_true, "y_pred": y_pred})
    return frame.value_counts(sort=False).rename("weight").reset_index()


def status(denominator: int, min_count: int, what: str) -> str:
    """"ok", or why a value is withheld ("no positives", "insufficient data: 12 positives < 30")."""
    if denominator == 0:
        return f"undefined: no {what}"
    if denominator < min_count:
        return f"insufficient data: {denominator} {what} < {min_count}"
    return "ok"


def per_group_table(y_true: np.ndarray, y_pred: np.ndarray, attrs: pd.DataFrame, *,
                    max_order: int = 2, min_count: int = 30) -> pd.DataFrame:
    """Per-group metrics for every slice (attribute or intersection) of ``attrs``, computed
    by fairlearn's ``MetricFrame`` (on distinct rows weighted by multiplicity: see
    :func:`compress`).

    Parameters
    ----------
    y_true, y_pred : int arrays (N,), 0/1
    attrs : DataFrame (N rows), one string column per attribute
    max_order : int
        Largest number of attributes intersected.
    min_count : int
        A metric is withheld (value NaN, ``<metric>_status`` says why) when its denominator —
        samples, positives (TPR, FNR), negatives (FPR), predicted positives (precision, FDR), predicted negatives (FOR) — is below
        this; a zero denominator is always withheld.

    Returns
    -------
    DataFrame
        One row per (slice, group), plus an "overall" row: ``slice, group, count, positives,
        negatives, predicted_positives, predicted_negatives``, each metric of :data:`METRICS`, and its status.
    """
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    attrs = attrs.reset_index(drop=True)
    overall = pd.Series("all", index=attrs.index)
    frames = []
    for columns, labels in [(("overall",), overall)] + [
            (c, group_labels(attrs, c)) for c in slices(list(attrs.columns), max_order=max_order)]:
        rows = compress(y_true, y_pred, labels.to_numpy())
        weights = rows["weight"].to_numpy()
        frame = MetricFrame(metrics=FAIRLEARN_METRICS, y_true=rows["y_true"].to_numpy(),
                            y_pred=rows["y_pred"].to_numpy(),
                            sensitive_features=rows["group"].rename("group"),
                            sample_params={m: {"sample_weight": weights} for m in FAIRLEARN_METRICS},
                            ).by_group.reset_index()
        frame.insert(0, "slice", slice_name(columns))
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    for column in ("count", "positives", "negatives", "predicted_positives", "predicted_negatives"):
        table[column] = table[column].astype(int)
    for metric in METRICS:
        what = DENOMINATOR[metric].replace("count", "samples").replace("_", " ")
        table[f"{metric}_status"] = [status(int(n), min_count, what)
                                     for n in table[DENOMINATOR[metric]]]
        table.loc[table[f"{metric}_status"] != "ok", metric] = np.nan
    return table
