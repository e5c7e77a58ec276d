"""Everything an audit says about one set of predictions: per-group metrics with CIs,
disparities with CIs, tolerance verdicts, and threshold sweeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from debias.metrics._bootstrap import (
    confusion_strata, group_counts, interval, jeffreys_intervals, rates, resample_counts,
)
from debias.metrics._disparity import (
    accuracy_mean_variance, parity_differences, spread, worst_groups,
)
from debias.groups import group_labels, slice_name, slices
from debias.metrics._per_group import METRICS, compress, per_group_table
from debias.metrics._sweep import threshold_sweep
from debias.verdicts import tolerance_text


DISPARITY_COLUMNS = ["slice", "metric", "measure", "value", "low", "high", "detail",
                     "worst_groups"]
VERDICT_COLUMNS = ["slice", "group", "metric", "reference", "ratio", "low", "high", "code",
                   "verdict"]


@dataclass
class AuditConfig:
    """How predictions are judged.

    Attributes
    ----------
    threshold : float
        Score at or above which a prediction is positive.
    max_order : int
        Intersections of up to this many attributes.
    min_count : int
        Smallest denominator for which a metric is shown (see ``per_group_table``).
    n_boot : int
        Bootstrap resamples (0: no CIs).
    level : float
        Confidence level of the intervals.
    seed : int
        Seeds the bootstrap.
    reference : dict
        Slice name -> reference group; default per slice: its largest group.
    tolerance : (float, float)
        A group passes a metric when low <= group / reference <= high.
    verdict_metric : str
        The metric the audit's conclusions are about (default "fnr": the miss rate, the error
        a face detector harms people by; one of :data:`METRICS`).
    compare : {"with_positives", "all"}
        The groups disparities and verdicts compare: those holding positives, when at least
        two do (face detection: the non-faces' ``unknown`` group is no group of people), or
        every group (tasks whose two classes are both people: a ``male`` group has no
        positives of a gender classifier and is compared all the same).
    """

    threshold: float = 0.5
    max_order: int = 2
    min_count: int = 30
    n_boot: int = 1000
    level: float = 0.95
    seed: int = 0
    reference: dict[str, str] = field(default_factory=dict)
    tolerance: tuple[float, float] = (0.8, 1.25)
    verdict_metric: str = "fnr"
    compare: Literal["with_positives", "all"] = "with_positives"


@dataclass
class AuditMetrics:
    """Tables of an audit (all plain DataFrames, written as CSV and JSON).

    per_group : slice, group, counts, each metric with ``_low``/``_high`` CI and ``_status``
    disparities : slice, metric, measure, value, low, high, detail, worst_groups (list: the
        groups tied for worst, at the report's 3 decimals)
    verdicts : slice, group, metric, reference, ratio (to the reference) with CI, code (see
        :data:`debias.verdicts.TOLERANCE`) and verdict (its words)
    sweep : slice, group, threshold, tpr, fpr
    """

    config: AuditConfig
    per_group: pd.DataFrame
    disparities: pd.DataFrame
    verdicts: pd.DataFrame
    sweep: pd.DataFrame

    def rule(self) -> str:
        low, high = self.config.tolerance
        return (f"a group passes a metric when {low:g} <= group value / reference value <= "
                f"{high:g}; evidence uses the {100 * self.config.level:g}% bootstrap CI")


def _verdict(ratio: float, low: float, high: float, band: tuple[float, float]) -> str:
    """The code (:data:`debias.verdicts.TOLERANCE`) of a ratio to the reference and its CI."""
    if np.isnan(ratio):
        return "no_ratio"
    inside = band[0] <= ratio <= band[1]
    if np.isnan(low):
        return "within_no_ci" if inside else "outside_no_ci"
    ci_inside = band[0] <= low and high <= band[1]
    ci_outside = high < band[0] or low > band[1]
    if inside:
        return "within" if ci_inside else "within_inconclusive"
    return "outside_clear" if ci_outside else "outside_weak"


def default_reference(rows: pd.DataFrame, comparable: np.ndarray) -> str:
    """A slice's reference when none is set: the comparable group with the most images; a tie
    goes to the group with the most faces, then to the first name in sorted order."""
    candidates = rows[comparable].sort_values(["count", "positives", "group"],
                                              ascending=[False, False, True])
    return str(candidates["group"].iloc[0])


def audit_predictions(y_true, scores, attrs: pd.DataFrame, config: AuditConfig | None = None
                      ) -> AuditMetrics:
    """Audit binary predictions by subgroup.

    Parameters
    ----------
    y_true : int array (N,), 0/1
    scores : float array (N,), higher = more likely positive
    attrs : DataFrame (N rows), one column per attribute (values become strings)
    config : AuditConfig

    Returns
    -------
    AuditMetrics
    """
    config = config or AuditConfig()
    if config.verdict_metric not in METRICS:
        raise ValueError(f"verdict_metric must be one of {', '.join(METRICS)}, got "
                         f"{config.verdict_metric!r}")
    y_true = np.asarray(y_true).astype(np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    if not (len(y_true) == len(scores) == len(attrs)):
        raise ValueError(f"{len(y_true)} labels, {len(scores)} scores, {len(attrs)} rows")
    attrs = attrs.reset_index(drop=True).astype(str)
    y_pred = (scores >= config.threshold).astype(np.int64)
    table = per_group_table(y_true, y_pred, attrs, max_order=config.max_order,
                            min_count=config.min_count)
    strata, counts = confusion_strata(y_true, y_pred, attrs)
    boot = resample_counts(counts, n_boot=config.n_boot, seed=config.seed) \
        if config.n_boot > 0 else None

    disparities, verdicts, ci_parts = [], [], []
    for columns in [()] + slices(list(attrs.columns), max_order=config.max_order):
        name = slice_name(columns) if columns else "overall"
        rows = table[table["slice"] == name].reset_index(drop=True)
        groups = rows["group"].tolist()
        point = {m: rows[m].to_numpy(dtype=np.float64) for m in METRICS}
        withheld = {m: rows[f"{m}_status"].to_numpy() != "ok" for m in METRICS}
        samples = None
        if boot is not None:
            samples = rates(group_counts(boot, strata, columns, groups))
            for m in METRICS:
                samples[m][:, withheld[m]] = np.nan
            # Per-group rates: Jeffreys intervals (exact counts, honest at 0 and n); the
            # bootstrap samples serve the disparities and verdicts below.
            bounds = jeffreys_intervals(group_counts(counts, strata, columns, groups),
                                        config.level)
            ci = {f"{m}_{end}": np.where(withheld[m], np.nan, v) for m in METRICS
                  for end, v in zip(("low", "high"), bounds[m])}
            ci_parts.append(pd.DataFrame({"slice": name, "group": groups, **ci}))
        if not columns:
            continue
        comparable = comparable_groups(rows, config.compare)
        point = {m: np.where(comparable, v, np.nan) for m, v in point.items()}
        if samples is not None:
            samples = {m: np.where(comparable, v, np.nan) for m, v in samples.items()}
        ref_name = config.reference.get(name) or default_reference(rows, comparable)
        if ref_name not in groups:
            raise ValueError(f"reference group {ref_name!r} is not a group of {name!r} "
                             f"(groups: {', '.join(groups)})")
        ref = groups.index(ref_name)
        disparities += _slice_disparities(name, groups, ref, point, samples, config,
                                          y_true, y_pred, attrs, columns)
        statuses = {m: rows[f"{m}_status"].tolist() for m in METRICS}
        verdicts += _slice_verdicts(name, groups, ref, point, samples, config, comparable,
                                    statuses)
    per_group = table
    if ci_parts:
        per_group = table.merge(pd.concat(ci_parts, ignore_index=True), on=["slice", "group"])
    ordered = ["slice", "group", "count", "positives", "negatives", "predicted_positives",
               "predicted_negatives"]
    for m in METRICS:
        ordered += [m] + ([f"{m}_low", f"{m}_high"] if ci_parts else []) + [f"{m}_status"]
    # Fixed columns, so a dataset without attributes gives empty tables, not shapeless ones.
    return AuditMetrics(config, per_group[ordered],
                        pd.DataFrame(disparities, columns=DISPARITY_COLUMNS),
                        pd.DataFrame(verdicts, columns=VERDICT_COLUMNS),
                        threshold_sweep(y_true, scores, attrs, max_order=config.max_order))


def comparable_groups(rows: pd.DataFrame, compare: str = "with_positives") -> np.ndarray:
    """Groups that disparities compare: every group with ``compare="all"``; else those with
    positives, when at least two have some.

    A face detector's attributes describe faces; the non-faces form a group of their own
    ("unknown") that has no recall and whose accuracy is a specificity, so comparing it with
    face groups, or making it the reference because it is the largest, would mislead.
    """
    if compare == "all":
        return np.ones(len(rows), dtype=bool)
    has_positives = rows["positives"].to_numpy() > 0
    return has_positives if has_positives.sum() >= 2 else np.ones(len(rows), dtype=bool)


def _ci(samples, level):
    if samples is None:
        return np.nan, np.nan
    low, high = interval(np.asarray(samples), level)
    return float(low), float(high)


def _slice_disparities(name, groups, ref, point, samples, config, y_true, y_pred, attrs, columns):
    rows = []

    def add(metric, measure, value, boot_values, detail="", worst=()):
        low, high = _ci(boot_values, config.level)
        rows.append({"slice": name, "metric": metric, "measure": measure,
                     "value": float(value), "low": low, "high": high, "detail": detail,
                     "worst_groups": list(worst)})

    for m in METRICS:
        s_point = spread(point[m], ref)
        s_boot = spread(samples[m], ref) if samples is not None else None
        worst = [str(groups[i]) for i in worst_groups(point[m], m)]
        worst_text = (f"worst group{'s (tied)' if len(worst) > 1 else ''}: "
                      f"{', '.join(worst)}") if worst else ""
        add(m, "max-min difference", s_point["difference"],
            None if s_boot is None else s_boot["difference"], worst_text, worst)
        add(m, "min/max ratio", s_point["ratio"], None if s_boot is None else s_boot["ratio"],
            worst_text, worst)
    # fairlearn on the groups whose TPR and FPR are both defined (it would count a missing
    # rate as 0); when no two groups have negatives (a face detector's attribute groups), the
    # equalized odds difference reduces to the TPR range (equal opportunity).
    labels = group_labels(attrs, columns).to_numpy()
    tpr_ok, fpr_ok = ~np.isnan(point["tpr"]), ~np.isnan(point["fpr"])
    both = [g for i, g in enumerate(groups) if tpr_ok[i] and fpr_ok[i]]
    dp_boot = eo_boot = None
    if samples is not None:
        dp_boot, eo_boot = parity_differences(samples["tpr"], samples["fpr"],
                                              samples["selection_rate"])
    if len(both) >= 2:
        keep = np.isin(labels, both)
        distinct = compress(y_true[keep], y_pred[keep], labels[keep])
        args = (distinct["y_true"].to_numpy(), distinct["y_pred"].to_numpy())
        weighted = {"sensitive_features": distinct["group"].to_numpy(),
                    "sample_weight": distinct["weight"].to_numpy()}
        dp = demographic_parity_difference(*args, **weighted)
        eo = equalized_odds_difference(*args, **weighted)
        if samples is not None:
            mask = np.isin(groups, both)
            dp_boot, eo_boot = parity_differences(*(np.where(mask, samples[k], np.nan) for k in
                                                    ("tpr", "fpr", "selection_rate")))
        detail = f"fairlearn, over the {len(both)} groups with defined TPR and FPR"
    else:
        dp, eo = (float(v) for v in parity_differences(point["tpr"], point["fpr"],
                                                       point["selection_rate"]))
        detail = ("no two groups have images of both classes: equalized odds = TPR range "
                  "(equal opportunity)") if tpr_ok.sum() >= 2 else "fewer than two groups to compare"
    add("selection_rate", "demographic parity difference", dp, dp_boot, detail)
    add("tpr,fpr", "equalized odds difference", eo, eo_boot, detail)
    mean, var = accuracy_mean_variance(point["accuracy"])
    boot_mean = boot_var = None
    if samples is not None:
        boot_mean, boot_var = accuracy_mean_variance(samples["accuracy"])
    add("accuracy", "E[A] (mean group accuracy, %)", mean, boot_mean)
    add("accuracy", "Var[A] (variance of group accuracy, %^2, ddof 1)", var, boot_var)
    return rows


def _slice_verdicts(name, groups, ref, point, samples, config, comparable, statuses):
    rows = []
    for m in METRICS:
        ratio = spread(point[m], ref)["to_reference_ratio"]
        boot = spread(samples[m], ref)["to_reference_ratio"] if samples is not None else None
        for i, group in enumerate(groups):
            low, high = _ci(None if boot is None else boot[:, i], config.level)
            code = "reference" if i == ref else _verdict(ratio[i], low, high, config.tolerance)
            status = statuses[m][i]  # e.g. "undefined: no negatives" for a face group's FPR
            if not comparable[i]:
                code = "not_compared"
            elif np.isnan(point[m][i]):
                code = "undefined" if status.startswith("undefined") else "insufficient_data"
            rows.append({"slice": name, "group": group, "metric": m, "reference": groups[ref],
                         "ratio": float(ratio[i]), "low": low, "high": high, "code": code,
                         "verdict": tolerance_text(code, status)})
    return rows


