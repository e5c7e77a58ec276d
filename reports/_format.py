"""How numbers, intervals, withheld values and labels read in the report."""

from __future__ import annotations

import math
from typing import Any

from reports._classes import ClassWords

DIGITS = 3
_SHORT = {"accuracy": "Accuracy", "tpr": "TPR", "fpr": "FPR", "precision": "Precision",
          "selection_rate": "Selection rate", "fnr": "FNR (miss rate)", "error_rate": "Error rate",
          "fdr": "FDR", "for": "FOR"}
_LONG = {"accuracy": "accuracy", "tpr": "true positive rate (TPR: share of faces found)",
         "fpr": "false positive rate (FPR: share of non-faces taken for faces)",
         "precision": "precision (share of detections that are faces)",
         "selection_rate": "selection rate (share predicted positive)",
         "fnr": "false negative rate (FNR, miss rate: share of faces missed)",
         "error_rate": "error rate (share of images misclassified)",
         "fdr": "false discovery rate (FDR: share of detections that are not faces)",
         "for": "false omission rate (FOR: share of rejected images that are faces)"}
# Any other binary task: the same metrics in its class words ({P}: "female images", ...).
_LONG_TASK = {"tpr": "true positive rate (TPR: share of {P} {found})",
              "fpr": "false positive rate (FPR: share of {N} {called})",
              "precision": "precision (share of images {called} that are {P})",
              "selection_rate": "selection rate (share of images {called})",
              "fnr": "false negative rate (FNR, miss rate: share of {P} {missed})",
              "fdr": "false discovery rate (FDR: share of images {called} that are {N})",
              "for": "false omission rate (FOR: share of images {missed} that are {P})"}


def metric_label(metric: str) -> str:
    """Short display name: ``tpr`` -> ``TPR``; unknown metrics keep their name."""
    return _SHORT.get(metric, metric.replace("_", " "))


def metric_long(metric: str, w: ClassWords | None = None) -> str:
    """What a metric measures, in the words of the task's classes (None: face detection)."""
    if w is not None and not w.faces and metric in _LONG_TASK:
        return _LONG_TASK[metric].format(P=w.positives, N=w.negatives, found=w.found,
                                         missed=w.missed, called=w.called_positive)
    return _LONG.get(metric, metric.replace("_", " "))


def num(value: float | int | None, digits: int = DIGITS) -> str:
    """``0.853``: fixed decimals (for integers too, e.g. a JSON ``0`` bound); None as a dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "\u2014"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:.{digits}f}"


def count(value: int | float | None) -> str:
    """``1,234``: a count with thousands separators."""
    if value is None:
        return "\u2014"
    return f"{value:,.0f}" if isinstance(value, float) else f"{value:,}"


def percent(value: float | None, digits: int = 1) -> str:
    """``0.25`` -> ``25.0%``."""
    return "\u2014" if value is None else f"{100 * value:.{digits}f}%"


def interval(low: float | None, high: float | None, digits: int = DIGITS) -> str:
    """``[0.812, 0.901]``, or empty when there is no CI."""
    if low is None or high is None:
        return ""
    return f"[{num(low, digits)}, {num(high, digits)}]"


def with_ci(value: float | None, low: float | None, high: float | None) -> str:
    """``0.853 [0.812, 0.901]``, or just the value when there is no CI."""
    ci = interval(low, high)
    return f"{num(value)} {ci}" if ci else num(value)


def metrics_of(rows: list[dict]) -> list[str]:
    """Metric names of per-group rows: every key that has a ``<key>_status`` partner, in order."""
    if not rows:
        return []
    return [k for k in rows[0] if f"{k}_status" in rows[0] and not k.endswith("_status")]


def cell(row: dict, metric: str) -> dict:
    """A table cell of one metric: value and CI, or the status text when withheld."""
    status = row.get(f"{metric}_status", "ok")
    value = row.get(metric)
    if status != "ok" or value is None:
        return {"withheld": True, "text": status if status != "ok" else "undefined", "ci": ""}
    return {"withheld": False, "text": num(value),
            "ci": interval(row.get(f"{metric}_low"), row.get(f"{metric}_high"))}


def model_label(name: str, model: dict) -> str:
    """A model's display name: its ``label`` or its key."""
    return model.get("label") or name


def plain(value: Any) -> str:
    """Any JSON value as short text (settings tables)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items()) or "none"
    return str(value)


def short(value: str, limit: int = 24) -> str:
    """``value`` cut to ``limit`` characters with an ellipsis (axis labels stay readable)."""
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


def ptext(value: Any) -> str:
    """Text for a plotly label: plotly reads a few HTML tags and entities in labels, so user
    strings are entity-escaped to show literally (plotly decodes numeric entities)."""
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def htext(value: Any) -> str:
    """:func:`ptext` for text inside a plotly hover template: ``%`` too becomes an entity, so
    a user string cannot open a ``%{...}`` reference."""
    return ptext(value).replace("%", "&#37;")


# CSS class and badge words of each tolerance verdict code (see RESULT_SCHEMA.md).
_VERDICTS = {"reference": ("ref", "reference"), "within": ("ok", "within"),
             "within_inconclusive": ("weak", "within, CI reaches out"),
             "within_no_ci": ("ok", "within, no CI"),
             "outside_clear": ("bad", "outside, clear evidence"),
             "outside_weak": ("weak", "outside, weak evidence"),
             "outside_no_ci": ("weak", "outside, no CI"), "no_ratio": ("na", "no ratio"),
             "not_compared": ("na", "not compared"), "undefined": ("na", "not defined"),
             "insufficient_data": ("na", "insufficient data"),
             "not_judged": ("na", "not judged")}


def verdict_class(code: str) -> str:
    """CSS class of a tolerance verdict code: ref, ok, weak, bad or na."""
    return _VERDICTS.get(code, ("na", ""))[0]


def verdict_short(code: str) -> str:
    """A few words for a verdict badge; the verdict's full words go in its tooltip."""
    return _VERDICTS.get(code, ("na", code.replace("_", " ")))[1]
