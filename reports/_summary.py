"""Section 1: what was audited and what it found, in plain language.

The conclusions (headline, evidence, whether DB-VAE helped, the baseline vs DB-VAE verdicts)
are the audit's: ``result.summary`` and ``result.comparison`` are shown as written, never worked
out here.
"""

from __future__ import annotations

from reports._classes import ClassWords
from reports._format import (
    cell, count, interval, metric_label, metrics_of, model_label, num, verdict_class,
)

GAP = "max-min difference"
# Where a per-group table would be, when the audit had no groups (verdict code no_groups).
NO_GROUPS = ("No groups to compare: the dataset has no attribute columns and no slices were "
             "discovered, so the audit measured overall performance only.")


def no_groups(result: dict) -> bool:
    """Whether the audit had no groups to compare (its verdict code says so)."""
    return result["summary"]["verdict"]["code"] == "no_groups"


def primary_metric(result: dict) -> str:
    """The metric the headline is about: the audit's verdict metric, else the comparison's,
    else TPR, else the first one."""
    chosen = result["config"].get("verdict_metric")
    if chosen:
        return chosen
    if "comparison" in result:
        return result["comparison"]["metric"]
    metrics = [m for model in result["models"].values() for m in metrics_of(model["per_group"])]
    return "tpr" if "tpr" in metrics or not metrics else metrics[0]


def slices_of(model: dict) -> list[str]:
    """Slice names of a model's per-group table, in order, without "overall"."""
    return [s for s in dict.fromkeys(r["slice"] for r in model["per_group"]) if s != "overall"]


def gap_row(model: dict, slice_name: str, metric: str) -> dict | None:
    """The max-min difference row of ``metric`` in ``slice_name`` (None when absent)."""
    return next((d for d in model["disparities"] if d["slice"] == slice_name
                 and d["metric"] == metric and d["measure"] == GAP), None)


def evidence_counts(model: dict, metric: str) -> dict[str, int]:
    """How many of a model's verdicts on ``metric`` fall in each verdict class (by code)."""
    counts = {"bad": 0, "weak": 0, "ok": 0, "na": 0, "ref": 0}
    for row in model["verdicts"]:
        if row["metric"] == metric:
            counts[verdict_class(row["code"])] += 1
    return counts


def _evidence(result: dict, metric: str) -> list[str]:
    lines = []
    for name, model in result["models"].items():
        c = evidence_counts(model, metric)
        lines.append(f"{model_label(name, model)}: {c['bad']} group(s) outside the tolerance "
                     f"band with clear evidence, {c['weak']} with weak or inconclusive evidence, "
                     f"{c['ok']} within it, {c['na']} without a verdict (value withheld, or "
                     f"no ratio to a reference of 0) ({metric_label(metric)}; reference groups "
                     "not counted).")
    return lines


def _change(value: float | None) -> str:
    if value is None:
        return "\u2014"
    return ("+" if value > 0 else "\u2212" if value < 0 else "\u00b1") + num(abs(value))


def comparison_rows(comparison: dict) -> list[dict]:
    """The audit's baseline vs DB-VAE rows, formatted for the table (verdicts as written)."""
    return [{"slice": r["slice"], "baseline": num(r["baseline_gap"]),
             "baseline_ci": interval(r["baseline_low"], r["baseline_high"]),
             "dbvae": num(r["dbvae_gap"]), "dbvae_ci": interval(r["dbvae_low"], r["dbvae_high"]),
             "change": _change(r["change"]),
             "change_ci": _signed_interval(r.get("change_low"), r.get("change_high")),
             "kind": {"narrower": "ok", "wider": "bad"}.get(r.get("code"), "na"),
             "verdict": r["verdict"]}
            for r in comparison["rows"]]


def _signed_interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"[{_change(low)}, {_change(high)}]"


def _dbvae(result: dict) -> dict:
    comparison = result.get("comparison")
    if comparison is not None and no_groups(result) and not comparison["rows"]:
        return {"answer": None, "rows": [], "note": "No groups to compare, so there are no "
                "gaps for DB-VAE to narrow; the overall table above compares the models."}
    if comparison is None:
        note = ("No DB-VAE was trained in this audit, so there is no before/after comparison of "
                "the gaps." if "dbvae" not in result["models"] else
                "A DB-VAE was audited without a baseline classifier, so there is no before/after "
                "comparison of the gaps.")
        return {"answer": None, "rows": [], "note": note}
    answer = {True: "Yes", False: "No", None: "Inconclusive"}[result["summary"]["dbvae_helped"]]
    if result["summary"]["verdict"]["code"] == "cannot_conclude":
        answer = "Inconclusive"
    return {"answer": answer, "rows": comparison_rows(comparison), "note": None}


def _decision(threshold: float, w: ClassWords) -> str:
    if w.faces:
        return f"A score of at least {threshold:g} counts as a face."
    return (f"A score of at least {threshold:g} classifies an image as {w.positive}, a lower "
            f"one as {w.negative}.")


def summary_context(result: dict, w: ClassWords) -> dict:
    """Everything section 1 shows."""
    metric = primary_metric(result)
    data, config = result["dataset"], result["config"]
    labels = [model_label(n, m) for n, m in result["models"].items()]
    attributes = data["attributes"]
    audited = (f"{count(data['audited'])} of {count(data['images'])} images from {data['root']} "
               f"({data['format']} layout) were scored by {len(labels)} model(s): "
               f"{', '.join(labels)}. {_decision(config['threshold'], w)} Groups are defined by "
               + (", ".join(attributes) if attributes else "no attribute (overall metrics only)")
               + (f" and their intersections up to {config['max_order']} at a time"
                  if len(attributes) > 1 and config["max_order"] > 1 else "") + ".")
    summary = result["summary"]
    grouped = not no_groups(result)
    gaps = []
    for name, model in result["models"].items():
        for slice_name in slices_of(model):
            row = gap_row(model, slice_name, metric)
            worst = row.get("worst_groups") if row else None
            gaps.append({"model": model_label(name, model), "slice": slice_name,
                         "gap": num(row["value"]) if row else "\u2014",
                         "ci": interval(row["low"], row["high"]) if row else "",
                         "worst": (", ".join(worst) + (" (tied)" if len(worst) > 1 else ""))
                         if worst else "\u2014"})
    metrics = list(dict.fromkeys(m for model in result["models"].values()
                                 for m in metrics_of(model["per_group"])))
    overall = []
    for name, model in result["models"].items():
        row = next((r for r in model["per_group"] if r["slice"] == "overall"), None)
        if row is not None:
            overall.append({"model": model_label(name, model), "count": count(row["count"]),
                            "cells": [cell(row, m) for m in metrics]})
    return {
        "metric": metric, "metric_label": metric_label(metric), "audited": audited,
        "overall": overall, "metrics": [metric_label(m) for m in metrics],
        "headline": summary["headline"], "evidence": summary["evidence"],
        "verdict": summary["verdict"]["code"], "plain": summary["plain"],
        "evidence_counts": _evidence(result, metric) if grouped else [],
        "gaps": gaps, "dbvae": _dbvae(result), "no_groups": None if grouped else NO_GROUPS,
        "level": f"{100 * config['level']:g}%",
    }
