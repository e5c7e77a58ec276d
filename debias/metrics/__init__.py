"""Per-subgroup metrics with bootstrap CIs, disparities, tolerance verdicts, threshold sweeps."""

from debias.metrics._audit import AuditConfig, AuditMetrics, audit_predictions
from debias.metrics._bootstrap import (
    confusion_strata, group_counts, interval, rates, resample_counts,
)
from debias.metrics._disparity import HIGHER_IS_BETTER, accuracy_mean_variance, parity_differences
from debias.metrics._paired import (
    PairedComparison, compare_counts, compared_groups, joint_strata, max_min_gap,
    paired_comparison,
)
from debias.metrics._per_group import METRICS, per_group_table
from debias.metrics._sanity import group_gates, model_gates
from debias.metrics._sweep import threshold_sweep

__all__ = ["HIGHER_IS_BETTER", "METRICS", "AuditConfig", "AuditMetrics", "PairedComparison",
           "accuracy_mean_variance", "audit_predictions", "compare_counts", "compared_groups",
           "confusion_strata", "group_counts", "group_gates", "interval", "joint_strata",
           "max_min_gap", "model_gates", "paired_comparison", "parity_differences",
           "per_group_table", "rates", "resample_counts", "threshold_sweep"]
