"""Paired bootstrap comparison of two models scored on the same test images.

Whether two models' separate bootstrap CIs of a gap overlap is the wrong test when both are
scored on the same images: most of each CI's width is which images happened to be drawn,
noise the two models share. A paired bootstrap resamples the images once and scores both
models on that same resample, so the shared noise cancels in the change.

It stays as cheap as :func:`~debias.metrics._bootstrap.resample_counts`: each image falls into
one of 8 joint cells (its label and both predictions), a stratum's resample is one
Multinomial(n, joint cell shares) draw, and each model's confusion counts are marginals of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from debias.groups import slice_name, slices
from debias.metrics._audit import AuditConfig, comparable_groups
from debias.metrics._bootstrap import (
    group_counts, interval, rates, resample_counts, strata_counts,
)
from debias.metrics._disparity import spread
from debias.metrics._per_group import METRICS, per_group_table

# Joint confusion cells of two models, indexed by 4 * y_true + 2 * pred_a + pred_b.
JOINT_CELLS = 8
GAP_COLUMNS = ["slice", "a_gap", "a_low", "a_high", "b_gap", "b_low", "b_high", "change",
               "change_low", "change_high", "groups"]
GROUP_COLUMNS = ["slice", "group", "a", "b", "change", "change_low", "change_high"]


@dataclass
class PairedComparison:
    """Model B against model A on one metric, from paired bootstrap resamples.

    gaps : one row per slice: ``slice``, each model's max−min gap over the compared groups
        with its CI (``a_gap, a_low, a_high, b_gap, b_low, b_high``), ``change`` (b_gap −
        a_gap) with its CI (``change_low, change_high``), and ``groups`` (how many groups
        were compared; the gaps are NaN below 2).
    groups : one row per (slice, compared group): ``slice, group, a, b``, ``change`` (b − a)
        with its CI (``change_low, change_high``).

    CIs are NaN when the config asks for no resamples.
    """

    gaps: pd.DataFrame
    groups: pd.DataFrame


def joint_strata(y_true: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray,
                 attrs: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The finest strata (every attribute's value together) and their joint cell counts.

    Parameters
    ----------
    y_true, pred_a, pred_b : int arrays (N,), 0/1
    attrs : DataFrame (N rows), one column per attribute

    Returns
    -------
    strata : DataFrame (S rows), the attribute values of each stratum
    counts : int (S, 8), images per joint cell 4 * y_true + 2 * pred_a + pred_b
    """
    cells = 4 * np.asarray(y_true, dtype=np.int64) + 2 * np.asarray(pred_a, dtype=np.int64) \
        + np.asarray(pred_b, dtype=np.int64)
    return strata_counts(cells, JOINT_CELLS, attrs)


def marginals(joint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each model's confusion counts from joint cell counts: (..., 8) -> (..., 4), (..., 4).

    Model A's cell is 2 * y_true + pred_a (summing out pred_b), model B's 2 * y_true + pred_b
    (summing out pred_a), the cell order of :data:`~debias.metrics._bootstrap.FRACTIONS`.
    """
    lead = joint.shape[:-1]
    by_value = joint.reshape(*lead, 2, 2, 2)  # y_true, pred_a, pred_b
    return by_value.sum(axis=-1).reshape(*lead, 4), by_value.sum(axis=-2).reshape(*lead, 4)


def max_min_gap(values: np.ndarray) -> np.ndarray:
    """The audit's max − min difference over groups: (..., G) -> (...); NaN when G < 2.

    NaN group values (a denominator emptied by a resample) are left out, as in the audit.
    """
    if values.shape[-1] < 2:
        return np.full(values.shape[:-1], np.nan)
    return spread(values, 0)["difference"]


def compare_counts(exact: np.ndarray, boot: np.ndarray | None, metric: str, level: float
                   ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Both models' gaps, the change, and per-group changes, from joint counts of one slice.

    Parameters
    ----------
    exact : int (G, 8)
        Joint cell counts of the compared groups.
    boot : int (n_boot, G, 8) or None
        Paired resamples of the same; None: no CIs.
    metric : str
        A key of :data:`~debias.metrics._bootstrap.FRACTIONS`.
    level : float
        Confidence level of the percentile intervals.

    Returns
    -------
    gap : dict
        ``a_gap, a_low, a_high, b_gap, b_low, b_high, change, change_low, change_high``
        (floats).
    per_group : dict
        ``a, b, change, change_low, change_high``, float arrays (G,).
    """
    a, b = (rates(counts)[metric] for counts in marginals(exact))
    a_gap, b_gap = float(max_min_gap(a)), float(max_min_gap(b))
    gap = {"a_gap": a_gap, "b_gap": b_gap, "change": b_gap - a_gap}
    per_group = {"a": a, "b": b, "change": b - a, "change_low": np.full(len(a), np.nan),
                 "change_high": np.full(len(a), np.nan)}
    gap.update({f"{key}_{end}": np.nan for key in ("a", "b", "change") for end in ("low", "high")})
    if boot is None:
        return gap, per_group
    boot_a, boot_b = (rates(counts)[metric] for counts in marginals(boot))  # (n_boot, G)
    boot_a_gap, boot_b_gap = max_min_gap(boot_a), max_min_gap(boot_b)
    for key, samples in (("a", boot_a_gap), ("b", boot_b_gap),
                         ("change", boot_b_gap - boot_a_gap)):
        low, high = interval(samples, level)
        gap[f"{key}_low"], gap[f"{key}_high"] = float(low), float(high)
    if len(a):  # a quantile over no groups has no shape to unpack
        per_group["change_low"], per_group["change_high"] = interval(boot_b - boot_a, level)
    return gap, per_group


def compared_groups(table_a: pd.DataFrame, table_b: pd.DataFrame, name: str, metric: str,
                    compare: str = "with_positives") -> list[str]:
    """The groups of slice ``name`` the audit would compare on ``metric`` for both models.

    A group is in when its metric is shown ("ok") in both models' :func:`per_group_table`
    and it is comparable (see :func:`debias.metrics._audit.comparable_groups`).
    """
    rows_a = table_a[table_a["slice"] == name].reset_index(drop=True)
    rows_b = table_b[table_b["slice"] == name].set_index("group")
    status = f"{metric}_status"
    keep = ((rows_a[status] == "ok").to_numpy()
            & (rows_b[status].reindex(rows_a["group"]) == "ok").to_numpy()
            & comparable_groups(rows_a, compare))
    return rows_a.loc[keep, "group"].tolist()


def _predictions(y_true, scores_a, scores_b, attrs: pd.DataFrame, threshold: float):
    y_true = np.asarray(y_true).astype(np.int64)
    scores_a = np.asarray(scores_a, dtype=np.float64)
    scores_b = np.asarray(scores_b, dtype=np.float64)
    if not (len(y_true) == len(scores_a) == len(scores_b) == len(attrs)):
        raise ValueError(f"{len(y_true)} labels, {len(scores_a)} and {len(scores_b)} scores, "
                         f"{len(attrs)} rows")
    return (y_true, (scores_a >= threshold).astype(np.int64),
            (scores_b >= threshold).astype(np.int64), attrs.reset_index(drop=True).astype(str))


def paired_comparison(y_true, scores_a, scores_b, attrs: pd.DataFrame, config: AuditConfig,
                      *, metric: str, per_group: tuple[pd.DataFrame, pd.DataFrame] | None = None
                      ) -> PairedComparison:
    """Compare model B with model A on ``metric``, both scored on the same images.

    For every slice (attribute or intersection, not "overall"), each model's max − min gap of
    ``metric`` over the groups the audit compares, and the change b − a of the gap and of
    every group's value, with percentile CIs from paired resamples: the images of each
    stratum are resampled once (stratified, as in the audit) and both models are scored on
    the same resample.

    Parameters
    ----------
    y_true : int array (N,), 0/1
    scores_a, scores_b : float arrays (N,)
        Each model's scores on the same images; at or above ``config.threshold`` is positive.
    attrs : DataFrame (N rows), one column per attribute (values become strings)
    config : AuditConfig
        ``threshold, max_order, min_count, n_boot, level, seed`` are used.
    metric : str
        One of :data:`METRICS`.
    per_group : (DataFrame, DataFrame), optional
        Each model's per-group table of these predictions under the same config (what
        ``audit_predictions(...).per_group`` holds), so a caller that audited both models
        does not have them computed again; by default they are computed here.

    Returns
    -------
    PairedComparison
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    y_true, pred_a, pred_b, attrs = _predictions(y_true, scores_a, scores_b, attrs,
                                                 config.threshold)
    table_a, table_b = per_group or (
        per_group_table(y_true, pred, attrs, max_order=config.max_order,
                        min_count=config.min_count) for pred in (pred_a, pred_b))
    strata, joint = joint_strata(y_true, pred_a, pred_b, attrs)
    boot = resample_counts(joint, n_boot=config.n_boot, seed=config.seed) \
        if config.n_boot > 0 else None

    gap_rows, group_parts = [], []
    for columns in slices(list(attrs.columns), max_order=config.max_order):
        name = slice_name(columns)
        groups = compared_groups(table_a, table_b, name, metric, config.compare)
        exact = group_counts(joint, strata, columns, groups)
        sampled = None if boot is None else group_counts(boot, strata, columns, groups)
        gap, per_group = compare_counts(exact, sampled, metric, config.level)
        gap_rows.append({"slice": name, **gap, "groups": len(groups)})
        part = {"slice": name, "group": np.asarray(groups, dtype=str), **per_group}
        group_parts.append(pd.DataFrame(part, columns=GROUP_COLUMNS))
    # Empty parts would blur the columns' dtypes (a pandas deprecation warning).
    compared = [part for part in group_parts if len(part)] or group_parts
    groups_frame = pd.concat(compared, ignore_index=True) if compared \
        else pd.DataFrame(columns=GROUP_COLUMNS)
    return PairedComparison(pd.DataFrame(gap_rows, columns=GAP_COLUMNS), groups_frame)
