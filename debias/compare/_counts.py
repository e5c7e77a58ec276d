"""Confusion counts of one audit's groups and their bootstrap, for an unpaired comparison.

Two audits that did not score the same images are compared from two independent bootstraps:
each audit's counts are resampled on their own (stratified, as the audit does), and the change
B − A of a gap or a group's value is taken between the i-th resample of B and the i-th of A.
As the resamples are independent, those differences are draws of the change's sampling
distribution, whose spread is about the root sum of squares of the two audits' own; no noise
cancels, as it does in a paired bootstrap of the same images
(:mod:`debias.metrics._paired`).

The counts come from the audit's per-image scores when it wrote them (every stratum of every
attribute together, as in the audit), else from its result.json rows, whose counts and rates
give each group's confusion counts (each slice then resampled by its own groups).
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from debias.groups import slice_name, slices
from debias.metrics import (
    confusion_strata, group_counts, interval, max_min_gap, rates, resample_counts,
)

# How each rate gives TP from a group's counts (n, positives P, negatives N, predicted
# positives PP, predicted negatives PN) and its value v.
_TRUE_POSITIVES = {
    "tpr": lambda v, c: v * c["positives"],
    "fnr": lambda v, c: c["positives"] - v * c["positives"],
    "precision": lambda v, c: v * c["predicted_positives"],
    "fdr": lambda v, c: c["predicted_positives"] - v * c["predicted_positives"],
    "fpr": lambda v, c: c["predicted_positives"] - v * c["negatives"],
    "for": lambda v, c: c["positives"] - v * (c["count"] - c["predicted_positives"]),
    "accuracy": lambda v, c: (v * c["count"] + c["predicted_positives"] - c["negatives"]) / 2,
    "error_rate": lambda v, c: ((1 - v) * c["count"] + c["predicted_positives"]
                                - c["negatives"]) / 2,
}


def row_confusion(row: dict, metric: str) -> np.ndarray | None:
    """A group's confusion counts TN, FP, FN, TP from its result.json row: int (4,), or None
    when the row's counts and shown rates cannot give them.

    The counts give P, N and PP; one shown rate gives TP (``metric``'s own first, so that
    ``metric`` comes out exactly). The selection rate needs only PP: without any other rate,
    TP is set to the smallest value the counts allow, which changes no selection rate.
    """
    c = {k: row.get(k) for k in ("count", "positives", "negatives", "predicted_positives")}
    if any(v is None for v in c.values()):
        return None
    order = [metric] + [m for m in _TRUE_POSITIVES if m != metric]
    shown = [m for m in order if m in _TRUE_POSITIVES and row.get(m) is not None]
    if shown:
        tp = int(round(_TRUE_POSITIVES[shown[0]](float(row[shown[0]]), c)))
    elif metric == "selection_rate":
        tp = max(0, c["predicted_positives"] - c["negatives"])
    else:
        return None
    fp, fn = c["predicted_positives"] - tp, c["positives"] - tp
    tn = c["negatives"] - fp
    cells = np.array([tn, fp, fn, tp], dtype=np.int64)
    return cells if (cells >= 0).all() and cells.sum() == c["count"] else None


def slice_columns(attributes: list[str], max_order: int) -> dict[str, tuple[str, ...]]:
    """Slice name -> its attribute columns, "overall" -> () first."""
    named = slices(attributes, max_order=max_order) if attributes else []
    return {"overall": (), **{slice_name(c): c for c in named}}


def side_seeds(seed: int) -> tuple[int, int]:
    """Two independent seeds from one: A's resamples and B's must not be the same draws."""
    a, b = np.random.SeedSequence(seed).generate_state(2)
    return int(a), int(b)


class ImageCounts:
    """An audit's counts from its per-image scores: the finest strata, resampled once.

    Parameters
    ----------
    y_true, y_pred : int arrays (N,), 0/1
    attrs : DataFrame (N rows), the attribute columns
    max_order : int, the audit's intersections
    n_boot, seed : resamples (0: no CIs) and their seed
    """

    def __init__(self, y_true, y_pred, attrs: pd.DataFrame, *, max_order: int, n_boot: int,
                 seed: int) -> None:
        self.strata, self.exact = confusion_strata(y_true, y_pred, attrs.astype(str))
        self.boot = resample_counts(self.exact, n_boot=n_boot, seed=seed) if n_boot else None
        self.columns = slice_columns(list(attrs.columns), max_order)

    def missing(self, name: str, groups: list[str]) -> dict[str, str]:
        """Groups whose counts it cannot give -> why (none: every group of a known slice)."""
        if name not in self.columns:
            return {g: "its slice is not in the scores file" for g in groups}
        return {}

    def sizes(self, name: str, groups: list[str]) -> np.ndarray:
        """Images per group: int (G,)."""
        return group_counts(self.exact, self.strata, self.columns[name], groups).sum(axis=-1)

    def counts(self, name: str, groups: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """Exact counts int (G, 4) and resamples int (n_boot, G, 4) (None: no CIs)."""
        columns = self.columns[name]
        exact = group_counts(self.exact, self.strata, columns, groups)
        return exact, None if self.boot is None else group_counts(self.boot, self.strata,
                                                                  columns, groups)


class RowCounts:
    """An audit's counts from its result.json rows: each slice's groups resampled as strata.

    Parameters
    ----------
    per_group : DataFrame, the model's result.json ``per_group`` rows
    metric : str, the compared metric
    n_boot, seed : resamples (0: no CIs) and their seed (each slice draws from its own stream)
    """

    def __init__(self, per_group: pd.DataFrame, metric: str, *, n_boot: int, seed: int) -> None:
        self.rows = {(r["slice"], r["group"]): r for r in per_group.to_dict(orient="records")}
        self.metric, self.n_boot, self.seed = metric, n_boot, seed

    def _cells(self, name: str, group: str) -> np.ndarray | None:
        row = self.rows.get((name, group))
        return None if row is None else row_confusion(_no_nan(row), self.metric)

    def missing(self, name: str, groups: list[str]) -> dict[str, str]:
        return {g: "its confusion counts cannot be recovered from result.json" for g in groups
                if self._cells(name, g) is None}

    def sizes(self, name: str, groups: list[str]) -> np.ndarray:
        return np.array([int(self.rows[(name, g)]["count"]) for g in groups], dtype=np.int64)

    def counts(self, name: str, groups: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        exact = np.stack([self._cells(name, g) for g in groups]) if groups else \
            np.zeros((0, 4), dtype=np.int64)
        if not self.n_boot:
            return exact, None
        stream = np.random.SeedSequence([self.seed, zlib.crc32(name.encode("utf-8", "replace"))])
        return exact, resample_counts(exact, n_boot=self.n_boot,
                                      seed=int(stream.generate_state(1)[0]))


def _no_nan(row: dict) -> dict:
    """A row with pandas' NaN (from JSON null) as None."""
    return {k: None if isinstance(v, float) and np.isnan(v) else v for k, v in row.items()}


def unpaired_counts(exact_a: np.ndarray, boot_a: np.ndarray | None, exact_b: np.ndarray,
                    boot_b: np.ndarray | None, metric: str, level: float
                    ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Both audits' gaps, the change, and per-group changes, from independent resamples.

    The same outputs as :func:`debias.metrics._paired.compare_counts`, from each audit's own
    counts instead of joint ones.

    Parameters
    ----------
    exact_a, exact_b : int (G, 4)
        Confusion counts (TN, FP, FN, TP) of the compared groups in A and in B.
    boot_a, boot_b : int (n_boot, G, 4) or None
        Independent resamples of each (None: no CIs).
    metric, level :
        As :func:`debias.metrics.compare_counts`, whose ``gap`` and ``per_group`` dicts
        this returns too.
    """
    a, b = rates(exact_a)[metric], rates(exact_b)[metric]
    a_gap, b_gap = float(max_min_gap(a)), float(max_min_gap(b))
    gap = {"a_gap": a_gap, "b_gap": b_gap, "change": b_gap - a_gap}
    gap.update({f"{key}_{end}": np.nan for key in ("a", "b", "change") for end in ("low", "high")})
    per_group = {"a": a, "b": b, "change": b - a, "change_low": np.full(len(a), np.nan),
                 "change_high": np.full(len(a), np.nan)}
    if boot_a is None or boot_b is None:
        return gap, per_group
    samples_a, samples_b = rates(boot_a)[metric], rates(boot_b)[metric]  # (n_boot, G)
    gaps_a, gaps_b = max_min_gap(samples_a), max_min_gap(samples_b)
    for key, samples in (("a", gaps_a), ("b", gaps_b), ("change", gaps_b - gaps_a)):
        low, high = interval(samples, level)
        gap[f"{key}_low"], gap[f"{key}_high"] = float(low), float(high)
    if len(a):
        per_group["change_low"], per_group["change_high"] = interval(samples_b - samples_a,
                                                                     level)
    return gap, per_group
