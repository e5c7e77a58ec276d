"""Sections 2-5 as template-ready context: dataset composition, per-group performance,
disparities and verdicts, threshold sweeps."""

from __future__ import annotations

from reports import _charts
from reports._classes import ClassWords
from reports._figures import Figures
from reports._images import images_row
from reports._format import (
    cell, count, interval, metric_label, metrics_of, model_label, num, percent, verdict_class,
    verdict_short,
)
from reports._summary import NO_GROUPS, no_groups, slices_of

PIVOT = ("max-min difference", "min/max ratio")


def _label_rows(counts: dict[str, dict], faces_total: int) -> list[dict]:
    return [{"value": key, "faces": count(c["positive"]), "nonfaces": count(c["negative"]),
             "total": count(c["positive"] + c["negative"]),
             "share": percent(c["positive"] / faces_total) if faces_total else "\u2014"}
            for key, c in counts.items()]


def _image_size(size) -> str:
    if isinstance(size, int):
        return f"{size} \u00d7 {size} px"
    if isinstance(size, list) and size:
        return " \u00d7 ".join(str(s) for s in size) + " px"
    return "not recorded"


def _intersection_note(per_attribute: dict, intersections: dict) -> str | None:
    if intersections:
        return None
    if not per_attribute:
        return "The dataset has no attribute columns, so there are no intersections."
    if len(per_attribute) == 1:
        return "Only one attribute is annotated, so there are no intersections."
    return "The result records no intersection counts."


def dataset_context(result: dict, figures: Figures, w: ClassWords, *, max_rows: int) -> dict:
    """Section 2: counts per label, split, attribute value and intersection; sizes; skips."""
    data = result["dataset"]
    s = data["summary"]
    labels = s["labels"]
    faces = labels["positive"]
    overview = [("dataset folder", data["root"]), ("layout", data["format"]),
                ("images in the dataset", count(s.get("n_images", data["images"]))),
                ("images audited (scored)", count(data["audited"])),
                (f"{w.positives} / {w.negatives}",
                 f"{count(faces)} / {count(labels['negative'])}"),
                ("image size used by the models", _image_size(s.get("image_size"))),
                ("attributes", ", ".join(data["attributes"]) or "none")]
    if "split" in data:
        overview.append(("train / test images",
                         f"{count(data['split']['train'])} / {count(data['split']['test'])}"))
    overview += [row for row in (images_row(result),) if row]
    per_attribute = s.get("per_attribute", {})
    intersections = s.get("intersections", {})
    skipped = s["skipped"]
    sizes = s.get("original_sizes")
    return {
        "overview": overview,
        "splits": _label_rows(s["splits"], faces) if s.get("splits") else [],
        "split_note": None if s.get("splits") or "split" in data else
        "The result records no train/test split: the images were audited as listed, without "
        "training here.",
        "attributes": [{"name": a, "rows": _label_rows(c, faces)}
                       for a, c in per_attribute.items()],
        "attribute_note": None if per_attribute else
        "The dataset has no attribute columns, so there are no per-group counts.",
        "intersections": [{"name": k, "rows": _label_rows(c, faces)}
                          for k, c in intersections.items()],
        "intersection_note": _intersection_note(per_attribute, intersections),
        "chart": figures.add(_charts.composition_bars(per_attribute, w), height=340)
        if per_attribute else None,
        "sizes": None if not sizes else {
            "rows": [(axis, count(sizes[axis]["min"]), num(sizes[axis]["median"], 1),
                      count(sizes[axis]["max"])) for axis in ("width", "height")],
            "common": [(c["size"], count(c["count"])) for c in sizes["most_common"]]},
        "sizes_note": None if sizes else "The original image sizes were not recorded.",
        "skipped": skipped[:max_rows], "skipped_total": len(skipped),
        "skipped_more": max(len(skipped) - max_rows, 0),
        "warnings": s.get("warnings", []),
    }


def _model_rows(model: dict, slice_name: str) -> list[dict]:
    return [r for r in model["per_group"] if r["slice"] == slice_name]


def performance_context(result: dict, figures: Figures, metric: str) -> dict:
    """Section 3: a table per model, and a grouped bar chart per slice (models side by side)."""
    models = list(result["models"].items())
    metrics = list(dict.fromkeys(m for _, model in models for m in metrics_of(model["per_group"])))
    tables = []
    for name, model in models:
        slices = list(dict.fromkeys(r["slice"] for r in model["per_group"]))
        tables.append({
            "label": model_label(name, model), "key": name, "source": model.get("source"),
            "slices": [{"name": s, "rows": [
                {"group": r["group"], "count": count(r["count"]),
                 "positives": count(r["positives"]), "negatives": count(r["negatives"]),
                 "cells": [cell(r, m) for m in metrics]} for r in _model_rows(model, s)]}
                for s in slices],
            "note": None if model["per_group"] else "This model has no per-group rows."})
    slices = list(dict.fromkeys(s for _, model in models for s in slices_of(model)))
    default = metric if metric in metrics else (metrics[0] if metrics else metric)
    charts = []
    for s in slices if metrics else []:
        rows = [(model_label(n, m), _model_rows(m, s)) for n, m in models]
        groups = {r["group"] for _, slice_rows in rows for r in slice_rows}
        # Many groups need the full width: bars per group x models would be slivers.
        charts.append({"chart": figures.add(_charts.performance_bars(s, rows, metrics, default),
                                            height=400),
                       "wide": len(groups) * len(models) > 8})
    return {"metrics": [(m, metric_label(m)) for m in metrics], "tables": tables,
            "charts": charts, "default_label": metric_label(default),
            "chart_note": None if charts else NO_GROUPS if no_groups(result) else
            "There are no attribute slices to compare (the dataset has no attribute columns), "
            "so only the overall row is shown."}


def _disparity_tables(model: dict) -> dict:
    """Max-min difference and min/max ratio side by side per (slice, metric); every other
    measure (parity differences, E[A], Var[A]) as one row per (slice, measure)."""
    gaps, others = {}, []
    for d in model["disparities"]:
        value = {"text": num(d["value"]), "ci": interval(d["low"], d["high"])}
        if d["measure"] in PIVOT:
            row = gaps.setdefault((d["slice"], d["metric"]), {
                "slice": d["slice"], "metric": metric_label(d["metric"]), "detail": ""})
            row[d["measure"]] = value
            row["detail"] = row["detail"] or (d["detail"] or "")
        else:
            metrics = ", ".join(metric_label(m) for m in d["metric"].split(","))
            others.append({"slice": d["slice"], "measure": d["measure"], "metrics": metrics,
                           "value": value, "detail": d["detail"] or ""})
    return {"gaps": list(gaps.values()), "others": others}


def _verdict_table(model: dict, metrics: list[str]) -> list[dict]:
    rows = {}
    for v in model["verdicts"]:
        row = rows.setdefault((v["slice"], v["group"]), {
            "slice": v["slice"], "group": v["group"], "reference": v["reference"], "cells": {}})
        row["cells"][v["metric"]] = {
            "ratio": num(v["ratio"]), "ci": interval(v["low"], v["high"]),
            "kind": verdict_class(v["code"]), "short": verdict_short(v["code"]),
            "full": v["verdict"]}
    slices: dict[str, list[dict]] = {}
    for row in rows.values():
        row["cells"] = [row["cells"].get(m) for m in metrics]
        slices.setdefault(row["slice"], []).append(row)
    return [{"name": name, "rows": group_rows} for name, group_rows in slices.items()]


def disparities_context(result: dict, metric: str, w: ClassWords) -> dict:
    """Section 4: the tolerance rule in words, gaps with CIs, and a verdict per group."""
    config = result["config"]
    low, high = config["tolerance"]
    level = f"{100 * config['level']:g}%"
    rule = (f"For every metric, each group's value is divided by the value of its slice's "
            f"reference group. The group is within tolerance when that ratio lies between "
            f"{low:g} and {high:g} (both included). ")
    if config["n_boot"] > 0:
        rule += (f"Evidence comes from the {level} bootstrap CI of the ratio: a ratio outside "
                 "the band whose CI also lies entirely outside it is clear evidence of a "
                 "disparity; if the CI reaches into the band the evidence is weak; a ratio "
                 "inside the band whose CI reaches outside it is inconclusive.")
    else:
        rule += ("No bootstrap was run, so the ratios carry no CI and the verdicts say nothing "
                 "about how sure they are.")
    references = {}
    for model in result["models"].values():
        for v in model["verdicts"]:
            references.setdefault(v["slice"], v["reference"])
    configured, ties = config["reference"], config.get("reference_ties", {})
    models = []
    for name, model in result["models"].items():
        metrics = list(dict.fromkeys(v["metric"] for v in model["verdicts"]))
        ordered = [metric] + [m for m in metrics if m != metric] if metric in metrics else metrics
        models.append({"label": model_label(name, model), "rule": model["rule"],
                       **_disparity_tables(model),
                       "verdict_metrics": [metric_label(m) for m in ordered],
                       "verdicts": _verdict_table(model, ordered),
                       "note": None if model["verdicts"] else
                       "No verdicts: the dataset has no attribute slices to compare."})
    if no_groups(result):
        # Nothing was compared: no rule to apply, no table to show, no badge to misread.
        return {"rule": None, "models": [], "references": [],
                "note": NO_GROUPS + " There are no disparities and no verdicts."}
    return {"rule": rule, "models": models, "note": None,
            "references": [(s, g, _reference_reason(g, configured.get(s), ties.get(s), w,
                                                    config.get("compare", "with_positives")))
                           for s, g in references.items()]}


def _reference_reason(group: str, configured: str | None, tied: list[str] | None,
                      w: ClassWords, compare: str = "with_positives") -> str:
    if configured == group:
        return "set in the configuration"
    # The audit counts positives, or every image when its attributes describe both classes
    # (it then compares every group: config.compare == "all").
    counted = "images" if compare == "all" else w.positives
    if tied:
        others = ", ".join(t for t in tied if t != group)
        return (f"tied for the most {counted} in training with {others}; the tie goes to "
                f"the group with the most audited {counted}, then to the first name in "
                "sorted order")
    return f"the group with the most {counted} in training"


def sweep_context(result: dict, figures: Figures, w: ClassWords) -> dict:
    """Section 5: per slice, TPR and FPR against the threshold, all models in one chart."""
    models = [(model_label(n, m), m["threshold_sweep"]) for n, m in result["models"].items()]
    slices = list(dict.fromkeys(r["slice"] for _, rows in models for r in rows))
    threshold = result["config"]["threshold"]
    charts = [figures.add(_charts.sweep_lines(
        s, [(label, [r for r in rows if r["slice"] == s]) for label, rows in models], threshold,
        w), height=440, top=80) for s in slices]
    missing = [label for label, rows in models if not rows]
    return {"charts": charts, "threshold": f"{threshold:g}",
            "note": None if charts else "No model in this result has a threshold sweep, so "
                                        "there are no curves to show.",
            "missing": missing,
            "groups_note": "No groups to compare: the curves are those of all audited images."
            if charts and no_groups(result) else None}
