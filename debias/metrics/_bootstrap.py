"""Stratified bootstrap of confusion counts: every per-group metric and disparity gets a CI."""

from __future__ import annotations

import numpy as np
import pandas as pd

from debias.groups import group_labels

# Confusion cells, indexed by 2 * y_true + y_pred.
TN, FP, FN, TP = 0, 1, 2, 3
# Numerator and denominator confusion cells of each per-group rate.
FRACTIONS = {"accuracy": ((TP, TN), (TN, FP, FN, TP)), "tpr": ((TP,), (FN, TP)),
             "fpr": ((FP,), (TN, FP)), "precision": ((TP,), (FP, TP)),
             "selection_rate": ((FP, TP), (TN, FP, FN, TP)), "fnr": ((FN,), (FN, TP)),
             "error_rate": ((FP, FN), (TN, FP, FN, TP)), "fdr": ((FP,), (FP, TP)),
             "for": ((FN,), (TN, FN))}


def strata_counts(cells: np.ndarray, n_cells: int, attrs: pd.DataFrame
                  ) -> tuple[pd.DataFrame, np.ndarray]:
    """The finest strata (every attribute's value together) and how many images of each fall
    in each of ``n_cells`` cells.

    Parameters
    ----------
    cells : int (N,), each image's cell in 0 .. n_cells - 1
    attrs : DataFrame (N rows), one column per attribute

    Returns
    -------
    strata : DataFrame (S rows), the attribute values of each stratum
    counts : int (S, n_cells)
    """
    attrs = attrs.reset_index(drop=True).astype(str)
    codes, uniques = pd.factorize(group_labels(attrs, tuple(attrs.columns)) if len(attrs.columns)
                                  else pd.Series("all", index=attrs.index))
    counts = np.bincount(codes * n_cells + np.asarray(cells, dtype=np.int64),
                         minlength=len(uniques) * n_cells).reshape(-1, n_cells)
    strata = attrs.groupby(codes, sort=True).first().reset_index(drop=True)
    return strata, counts


def confusion_strata(y_true: np.ndarray, y_pred: np.ndarray, attrs: pd.DataFrame
                     ) -> tuple[pd.DataFrame, np.ndarray]:
    """The finest strata and their confusion counts: counts int (S, 4), TN, FP, FN, TP."""
    cells = 2 * np.asarray(y_true, dtype=np.int64) + np.asarray(y_pred, dtype=np.int64)
    return strata_counts(cells, 4, attrs)


def resample_counts(counts: np.ndarray, *, n_boot: int = 1000, seed: int = 0) -> np.ndarray:
    """Bootstrap the confusion counts of each stratum: (S, 4) -> (n_boot, S, 4).

    Drawing a stratum's n samples with replacement and tallying their confusion cells is the
    same in distribution as one Multinomial(n, cell shares) draw, so the whole stratified
    bootstrap is one vectorised call whatever the number of predictions.
    """
    n = counts.sum(axis=1)
    shares = counts / np.maximum(n, 1)[:, None]
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, shares, size=(n_boot, len(counts)))


def group_counts(strata_counts: np.ndarray, strata: pd.DataFrame, columns: tuple[str, ...],
                 groups: list[str]) -> np.ndarray:
    """Sum strata counts into the groups of one slice: (..., S, 4) -> (..., G, 4)."""
    labels = group_labels(strata, columns).to_numpy() if columns else np.full(len(strata), "all")
    membership = (labels[:, None] == np.asarray(groups)[None, :]).astype(np.int64)  # (S, G)
    return np.einsum("...sc,sg->...gc", strata_counts, membership)


def rates(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Metrics from confusion counts (..., G, 4); NaN where a denominator is zero.

    Each metric is the share of its numerator cells among its denominator cells
    (:data:`FRACTIONS`), the same table the Jeffreys intervals use."""
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for metric, (num, den) in FRACTIONS.items():
            out[metric] = (counts[..., list(num)].sum(axis=-1).astype(np.float64)
                           / counts[..., list(den)].sum(axis=-1))
    return out


def interval(samples: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over the first axis, ignoring resamples where the value is NaN."""
    tail = (1 - level) / 2
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(samples, [tail, 1 - tail], axis=0)
    return low, high


def jeffreys_intervals(counts: np.ndarray, level: float = 0.95) -> dict[str, tuple[np.ndarray,
                                                                                 np.ndarray]]:
    """Jeffreys intervals of every per-group rate from confusion counts (G, 4).

    A rate of x successes out of n gets the central ``level`` interval of the Beta(x + ½,
    n − x + ½) posterior, with the lower end set to 0 when x = 0 and the upper end to 1 when
    x = n (Brown, Cai & DasGupta 2001). Unlike a percentile bootstrap, which collapses to
    [1, 1] for a group with no misses, it stays honest at 0 and n, and its coverage is close
    to nominal for small n. NaN where n = 0.

    Returns
    -------
    dict
        metric -> (low, high), float arrays (G,)
    """
    from scipy.stats import beta

    tail = (1 - level) / 2
    out = {}
    for metric, (num, den) in FRACTIONS.items():
        x = counts[:, list(num)].sum(axis=1).astype(np.float64)
        n = counts[:, list(den)].sum(axis=1).astype(np.float64)
        with np.errstate(invalid="ignore"):
            low = np.where(x == 0, 0.0, beta.ppf(tail, x + 0.5, n - x + 0.5))
            high = np.where(x == n, 1.0, beta.ppf(1 - tail, x + 0.5, n - x + 0.5))
        empty = n == 0
        out[metric] = (np.where(empty, np.nan, low), np.where(empty, np.nan, high))
    return out
