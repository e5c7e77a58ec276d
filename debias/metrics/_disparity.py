"""Disparity scalars of one slice, vectorised over bootstrap resamples."""

from __future__ import annotations

import warnings

import numpy as np

# Which way is worse, per metric (selection rate has no better or worse direction).
HIGHER_IS_BETTER = {"accuracy": True, "tpr": True, "precision": True, "fpr": False,
                    "fnr": False, "error_rate": False, "fdr": False, "for": False}


def _nanreduce(fn, values: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, on purpose
        return fn(values, axis=-1)


def spread(values: np.ndarray, reference: int) -> dict[str, np.ndarray]:
    """Max − min, min / max, and difference / ratio of each group to ``reference``.

    Parameters
    ----------
    values : float (..., G)
        One metric per group; NaN where a group's value is withheld.
    reference : int
        Index of the reference group.

    Returns
    -------
    dict of arrays
        ``difference`` and ``ratio`` (...), ``to_reference_difference`` and
        ``to_reference_ratio`` (..., G). A ratio with a zero maximum or reference is NaN.
    """
    high, low = _nanreduce(np.nanmax, values), _nanreduce(np.nanmin, values)
    ref = values[..., reference:reference + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(high > 0, low / high, np.nan)
        to_ref_ratio = np.where(ref > 0, values / ref, np.nan)
    return {"difference": high - low, "ratio": ratio,
            "to_reference_difference": values - ref, "to_reference_ratio": to_ref_ratio}


def accuracy_mean_variance(accuracy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The DB-VAE paper's E[A] and Var[A]: mean and sample variance (ddof 1) of per-group
    accuracy, in percent (so Var[A] is in percentage points squared, as in its Table 1).

    accuracy : float (..., G) in [0, 1]; NaN groups are left out.
    """
    percent = 100.0 * accuracy
    mean = _nanreduce(np.nanmean, percent)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        var = np.nanvar(percent, axis=-1, ddof=1)
    return mean, var


def parity_differences(tpr: np.ndarray, fpr: np.ndarray, selection: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Demographic parity difference (range of selection rate) and equalized odds
    difference (the larger of the TPR and FPR ranges), fairlearn's ``between_groups``
    definitions, over the groups where the rates are defined. Shapes (..., G) -> (...)."""
    def value_range(v):
        return _nanreduce(np.nanmax, v) - _nanreduce(np.nanmin, v)

    return value_range(selection), np.fmax(value_range(tpr), value_range(fpr))


def worst_groups(values: np.ndarray, metric: str, decimals: int = 3) -> list[int]:
    """Indices of the groups worst for ``metric``: every group whose value equals the worst at
    ``decimals`` places (a tie is listed, not broken). Empty when the metric has no direction
    or no group has a value."""
    if metric not in HIGHER_IS_BETTER or np.all(np.isnan(values)):
        return []
    rounded = np.round(values, decimals)
    worst = np.nanmin(rounded) if HIGHER_IS_BETTER[metric] else np.nanmax(rounded)
    return [int(i) for i in np.flatnonzero(rounded == worst)]
