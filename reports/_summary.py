"""Section 1: what was audited and what it found, in plain language.

Uses ``result.summary`` and ``result.comparison`` when the pipeline wrote them, and otherwise
works the same statements out of the models' tables.
"""

from __future__ import annotations

from reports._format import (
    cell, count, interval, metric_label, metrics_of, model_label, num, verdict_class, with_ci,
)

GAP = "max-min difference"


def primary_metric(result: dict) -> str:
    """The metric the headline is about: the comparison's, else TPR, else the first one."""
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


# Which way is worse per metric; selection rate has no better or worse direction.
HIGHER_IS_BETTER = {"accuracy": True, "tpr": True, "precision": True, "fpr": False}


def _worst(model: dict, slice_name: str, metric: str) -> dict | None:
    """The row of the group that does worst on ``metric`` in a slice (None: no direction or
    no value)."""
    rows = [r for r in model["per_group"] if r["slice"] == slice_name and r.get(metric) is not None]
    if metric not in HIGHER_IS_BETTER or not rows:
        return None
    pick = min if HIGHER_IS_BETTER[metric] else max
    return pick(rows, key=lambda r: r[metric])


def _headline(result: dict, metric: str) -> list[str]:
    lines = []
    for name, model in result["models"].items():
        gaps = [(s, gap_row(model, s, metric)) for s in slices_of(model)]
        gaps = [(s, g) for s, g in gaps if g and g["value"] is not None]
        if not gaps:
            lines.append(f"{model_label(name, model)}: no {metric_label(metric)} gap could be "
                         "computed (values withheld for lack of data).")
            continue
        slice_name, gap = max(gaps, key=lambda sg: sg[1]["value"])
        text = (f"{model_label(name, model)}: the largest {metric_label(metric)} gap between "
                f"groups is {with_ci(gap['value'], gap['low'], gap['high'])} across "
                f"{slice_name}")
        worst = _worst(model, slice_name, metric)
        if worst is not None:
            value = with_ci(worst[metric], worst.get(f"{metric}_low"), worst.get(f"{metric}_high"))
            text += f"; the worst group, {worst['group']}, has {metric_label(metric)} {value}"
        lines.append(text + ".")
    return lines


def evidence_counts(model: dict, metric: str) -> dict[str, int]:
    """How many of a model's verdicts on ``metric`` fall in each verdict class."""
    counts = {"bad": 0, "weak": 0, "ok": 0, "na": 0, "ref": 0}
    for row in model["verdicts"]:
        if row["metric"] == metric:
            counts[verdict_class(row["verdict"])] += 1
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


def comparison_rows(result: dict, metric: str) -> tuple[list[dict], bool]:
    """Baseline vs DB-VAE gap per slice, formatted; and whether they were computed here."""
    if "comparison" in result:
        rows, computed = result["comparison"]["rows"], False
    else:
        base, dbvae = result["models"]["baseline"], result["models"]["dbvae"]
        rows, computed = [], True
        for slice_name in slices_of(base):
            b, d = gap_row(base, slice_name, metric), gap_row(dbvae, slice_name, metric)
            if b is None or d is None:
                continue
            change = None if None in (b["value"], d["value"]) else d["value"] - b["value"]
            rows.append({"slice": slice_name, "baseline_gap": b["value"],
                         "baseline_low": b["low"], "baseline_high": b["high"],
                         "dbvae_gap": d["value"], "dbvae_low": d["low"], "dbvae_high": d["high"],
                         "change": change, "verdict": _compare(b, d, change)})
    out = [{"slice": r["slice"], "baseline": num(r["baseline_gap"]),
            "baseline_ci": interval(r["baseline_low"], r["baseline_high"]),
            "dbvae": num(r["dbvae_gap"]), "dbvae_ci": interval(r["dbvae_low"], r["dbvae_high"]),
            "change": _change(r["change"]), "verdict": r["verdict"],
            "better": r["change"] is not None and r["change"] < 0} for r in rows]
    return out, computed


def _compare(base: dict, dbvae: dict, change: float | None) -> str:
    if change is None:
        return "not comparable: a gap is withheld"
    if base["low"] is not None and dbvae["high"] is not None and dbvae["high"] < base["low"]:
        return "narrower with DB-VAE (the CIs do not overlap)"
    if base["high"] is not None and dbvae["low"] is not None and dbvae["low"] > base["high"]:
        return "wider with DB-VAE (the CIs do not overlap)"
    word = "narrower" if change < 0 else "wider" if change > 0 else "unchanged"
    return f"{word} with DB-VAE, but the CIs overlap"


def _dbvae(result: dict, metric: str) -> dict:
    models = result["models"]
    if "dbvae" not in models:
        return {"answer": None, "rows": [], "computed": False,
                "note": "No DB-VAE was trained in this audit, so there is no before/after "
                        "comparison of the gaps."}
    if "baseline" not in models and "comparison" not in result:
        return {"answer": None, "rows": [], "computed": False,
                "note": "A DB-VAE was audited without a baseline classifier, so there is no "
                        "before/after comparison of the gaps."}
    rows, computed = comparison_rows(result, metric)
    if "summary" in result:
        helped = result["summary"]["dbvae_helped"]
    else:
        # Yes when every comparable slice narrowed, No when none did, else inconclusive.
        numbered = [r for r in rows if r["change"] != "\u2014"]
        better = sum(r["better"] for r in numbered)
        helped = None if not numbered or 0 < better < len(numbered) else better > 0
    answer = {True: "Yes", False: "No", None: "Inconclusive"}[helped]
    return {"answer": answer, "rows": rows, "computed": computed, "note": None,
            "from_summary": "summary" in result}


def summary_context(result: dict) -> dict:
    """Everything section 1 shows."""
    metric = primary_metric(result)
    data, config = result["dataset"], result["config"]
    labels = [model_label(n, m) for n, m in result["models"].items()]
    attributes = data["attributes"]
    audited = (f"{count(data['audited'])} of {count(data['images'])} images from {data['root']} "
               f"({data['format']} layout) were scored by {len(labels)} model(s): "
               f"{', '.join(labels)}. A score of at least {config['threshold']:g} counts as a "
               "face. Groups are defined by "
               + (", ".join(attributes) if attributes else "no attribute (overall metrics only)")
               + (f" and their intersections up to {config['max_order']} at a time"
                  if len(attributes) > 1 and config["max_order"] > 1 else "") + ".")
    summary = result.get("summary")
    gaps = []
    for name, model in result["models"].items():
        for slice_name in slices_of(model):
            row = gap_row(model, slice_name, metric)
            worst = _worst(model, slice_name, metric)
            gaps.append({"model": model_label(name, model), "slice": slice_name,
                         "gap": num(row["value"]) if row else "\u2014",
                         "ci": interval(row["low"], row["high"]) if row else "",
                         "worst": worst["group"] if worst else "\u2014"})
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
        "headline": summary["headline"] if summary else _headline(result, metric),
        "headline_computed": summary is None,
        "evidence": summary["evidence"] if summary else None,
        "evidence_counts": _evidence(result, metric),
        "gaps": gaps, "dbvae": _dbvae(result, metric),
        "level": f"{100 * config['level']:g}%",
    }
