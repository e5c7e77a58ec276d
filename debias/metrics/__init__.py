"""Per-subgroup metrics with bootstrap CIs, disparities, tolerance verdicts, threshold sweeps."""

from debias.metrics._audit import AuditConfig, AuditMetrics, audit_predictions
from debias.metrics._bootstrap import confusion_strata, rates, resample_counts
from debias.metrics._disparity import HIGHER_IS_BETTER, accuracy_mean_variance, parity_differences
from debias.metrics._paired import PairedComparison, paired_comparison
from debias.metrics._per_group import METRICS, per_group_table
from debias.metrics._sanity import group_gates, model_gates
from debias.metrics._sweep import threshold_sweep

__all__ = ["HIGHER_IS_BETTER", "METRICS", "AuditConfig", "AuditMetrics", "accuracy_mean_variance",
           "audit_predictions", "confusion_strata", "group_gates", "model_gates", "parity_differences", "per_group_table",
           "rates", "resample_counts", "threshold_sweep",
           "PairedComparison", "paired_comparison"]
