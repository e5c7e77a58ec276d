"""The model card section (Mitchell et al. 2019, "Model Cards for Model Reporting"): the
paper's nine fields, filled from the audit where it measured something, and from
``result["card"]`` (what only a person knows, given with ``--card``) for the rest.

Nothing is invented: a field that neither the audit nor the person filled says that it was
not provided and how to provide it. The conclusions shown (headline, evidence, verdicts,
limitations, what to do next) are the audit's, as written; the numbers are the result's,
formatted as in every other section. The person's text is shown as given and is escaped
like every other string.
"""

from __future__ import annotations

from reports._classes import ClassWords
from reports._format import (
    cell, count, interval, metric_label, metric_long, metrics_of, model_label, num, plain,
    verdict_short,
)
from reports._summary import NO_GROUPS, evidence_counts, no_groups, primary_metric

# The fields of ``result["card"]`` (and of a ``--card`` file): what each one holds.
CARD_FIELDS = {
    "owner": "person or organisation that develops the model",
    "version": "model version",
    "date": "model date",
    "license": "licence the model is released under",
    "contact": "where to send questions or comments about the model",
    "intended_use": "primary intended uses",
    "intended_users": "primary intended users",
    "out_of_scope_uses": "uses the model is not meant for",
    "ethical_considerations": "ethical considerations the audit cannot measure",
    "caveats": "caveats and recommendations beyond the audit's",
}
_CNN = "the standard CNN (convolutional encoder, one-logit head)"
# Architecture and method of the models the audit trains, by their key in result.models.
_MODELS = {
    "baseline": (_CNN, "binary cross-entropy, training images drawn uniformly"),
    "dbvae": ("DB-VAE: the same convolutional encoder, also a VAE with a convolutional decoder",
              "DB-VAE (Amini et al. 2019): training {positives} drawn more often the rarer "
              "their latent code"),
    "jtt": (_CNN, "Just Train Twice (Liu et al. 2021): trained again with the images a first "
                  "model got wrong drawn more often"),
    "afr": (_CNN, "Automatic Feature Reweighting (Qiu et al. 2023): last layer refitted on "
                  "held-out images weighted by the first model's errors"),
    "dfr": (_CNN, "Deep Feature Reweighting (Kirichenko et al. 2023): last layer refitted on "
                  "group-balanced held-out images (reads group labels)"),
    "balanced": (_CNN, "training images drawn so that every group is equally likely (reads "
                       "group labels)"),
    "augmented": (_CNN, "the baseline trained with synthetic images added ({augment})"),
    "external": ("not known to the audit", "not known to the audit: only its scores were read"),
}
_UNKNOWN = "not recorded in the result"
_DASH = "\u2014"
_OUTSIDE = ("outside_clear", "outside_weak", "outside_no_ci")


def missing(key: str) -> str:
    """What a person field says when the card does not give it."""
    return f"not provided (pass --card with {key})"


def _row(label: str, value, *, provided: bool = False) -> dict:
    """A labelled value: text, paragraphs (a person's text) or a list of items."""
    if isinstance(value, list):
        return {"label": label, "kind": "items", "value": value, "provided": provided}
    paragraphs = [p.strip() for p in value.split("\n\n") if p.strip()]
    if provided and len(paragraphs) > 1:  # a person's text keeps its paragraphs
        return {"label": label, "kind": "paras", "value": paragraphs, "provided": True}
    return {"label": label, "kind": "text", "value": value, "provided": provided}


def _person(card: dict, key: str, label: str) -> dict:
    if key not in card:
        return {"label": label, "kind": "missing", "value": missing(key), "provided": False}
    return _row(label, card[key], provided=True)


def _field(key: str, title: str, rows: list[dict], *, table: dict | None = None,
           overall: dict | None = None, lists: list[dict] | None = None,
           see: list[tuple[str, str]] | None = None) -> dict:
    return {"key": key, "title": title, "rows": rows, "table": table, "overall": overall,
            "lists": lists or [], "see": see or []}


def _trained_here(result: dict, name: str, model: dict) -> bool:
    """Whether this audit trained ``name``: some model was trained, and this one has a
    training log or no source of its own (a source without a log: scores read from a file)."""
    return "training" in result["config"] and ("training" in model or not model.get("source"))


def _model_details(result: dict, card: dict, w: ClassWords) -> dict:
    config, models = result["config"], result["models"]
    training = config.get("training") or {}
    method = {"positives": w.positives,
              "augment": f"{result['augmentation']['method']} augmentation"
              if "augmentation" in result else "augmentation"}
    rows = []
    for name, model in models.items():
        architecture, how = _MODELS.get(name, (_UNKNOWN, _UNKNOWN))
        if name == "dbvae" and "latent_dim" in training:
            architecture += f" (latent size {training['latent_dim']})"
        epochs = model.get("training", {}).get("epochs")
        rows.append([model_label(name, model), architecture, how.format(**method),
                     count(len(epochs)) if epochs else _DASH,
                     model.get("source") or _UNKNOWN])
    trained = any(_trained_here(result, n, m) for n, m in models.items())
    runtime = result.get("runtime_s")
    return _field("model_details", "Model details", [
        _person(card, "owner", "owner"), _person(card, "version", "version"),
        _person(card, "date", "date"), _person(card, "license", "licence"),
        _person(card, "contact", "contact"),
        _row("audited with", f"{result['tool']['name']} {result['tool']['version']}, "
                             f"{result['created']}"),
        _row("training settings", plain(training) if training else
             "none recorded: no model was trained in this audit"),
        _row("training seed", str(training["seed"]) if "seed" in training else
             _UNKNOWN if trained else "no model was trained in this audit"),
        _row("training time", ("not recorded per model; " if trained else "no training; ")
             + (f"the whole audit took {runtime:.1f} s" if runtime is not None else
                "the audit's run time was not recorded")),
    ], table={"head": ["model", "architecture", "method", "epochs run", "checkpoint or scores"],
              "rows": rows}, see=[("training", "Training"), ("methods", "Methods")])


def _intended_use(result: dict, card: dict, w: ClassWords) -> dict:
    threshold = result["config"]["threshold"]
    return _field("intended_use", "Intended use", [
        _person(card, "intended_use", "intended use"),
        _person(card, "intended_users", "intended users"),
        _person(card, "out_of_scope_uses", "out-of-scope uses"),
        _row("task audited", f"{w.positive} / {w.negative}: a score of at least {threshold:g} "
                             f"counts as {w.positive_one}"),
    ])


def _factors(result: dict) -> dict:
    data, config = result["dataset"], result["config"]
    per_attribute = data["summary"].get("per_attribute", {})
    rows = [_row("attributes audited", ", ".join(data["attributes"]) or
                 "none: the dataset has no attribute columns")]
    rows += [_row(f"groups of {a}", ", ".join(per_attribute.get(a, {})) or _UNKNOWN)
             for a in data["attributes"]]
    if len(data["attributes"]) > 1:
        rows.append(_row("intersections", f"up to {config['max_order']} attributes at a time"
                         if config["max_order"] > 1 else "none (max_order 1)"))
    see = [("dataset", "Dataset")]
    found = result.get("discovered")
    if found:
        names = ", ".join(s["name"] for s in found["slices"])
        rows.append(_row("discovered slices", f"{found['attribute']}: {len(found['slices'])} "
                         f"clusters of the model's features ({names}), found without labels: "
                         "not demographic groups"))
        see = [("discovered", "Discovered slices")]
    if no_groups(result):
        rows.append(_row("groups compared", NO_GROUPS))
    return _field("factors", "Factors", rows, see=see)


def _metrics(result: dict, metric: str, w: ClassWords) -> dict:
    config = result["config"]
    low, high = config["tolerance"]
    level = f"{100 * config['level']:g}%"
    if config["n_boot"] > 0:
        groups = ("Jeffreys intervals from the counts" if config.get("group_intervals") ==
                  "jeffreys" else "percentile bootstrap")
        intervals = (f"{level}: each group's rates by {groups}; gaps, ratios and verdicts by a "
                     f"stratified percentile bootstrap (seed {config['seed']})")
    else:
        intervals = "none: no bootstrap was run"
    reported = dict.fromkeys(m for model in result["models"].values()
                             for m in metrics_of(model["per_group"]))
    return _field("metrics", "Metrics", [
        _row("verdict metric", f"{metric_long(metric, w)} ({metric})"),
        _row("decision threshold", f"{config['threshold']:g}"),
        _row("tolerance band", f"{low:g} to {high:g} (a group's value over its reference "
                               "group's)"),
        _row("confidence intervals", intervals),
        _row("bootstrap resamples", count(config["n_boot"])),
        _row("smallest denominator shown", count(config["min_count"])),
        _row("metrics reported", ", ".join(metric_label(m) for m in reported) or "none"),
    ], see=[("methods", "Methods")])


def _group_slices(result: dict) -> list[str]:
    found = result.get("discovered")
    return list(result["dataset"]["attributes"]) + ([found["attribute"]] if found else [])


def _evaluation_data(result: dict, w: ClassWords) -> dict:
    data = result["dataset"]
    rows = [_row("dataset", f"{data['root']} ({data['format']} layout)")]
    if data.get("fingerprint"):
        rows.append(_row("dataset fingerprint", data["fingerprint"]))
    rows.append(_row("test split", f"{count(data['split']['test'])} images" if "split" in data
                     else "none: the images were audited as listed"))
    rows.append(_row("images audited", count(data["audited"])))
    test = data["summary"].get("splits", {}).get("test")
    if test is not None:
        rows.append(_row(f"test split ({w.positives} / {w.negatives})",
                         f"{count(test['positive'])} / {count(test['negative'])}"))
    first = next(iter(result["models"].values()))["per_group"]
    overall = next((r for r in first if r["slice"] == "overall"), None)
    if overall is not None:
        rows.append(_row(f"{w.positives} / {w.negatives} audited",
                         f"{count(overall['positives'])} / {count(overall['negatives'])}"))
    slices = _group_slices(result)
    table = [[r["slice"], r["group"], count(r["count"]), count(r["positives"]),
              count(r["negatives"])] for r in first if r["slice"] in slices]
    return _field("evaluation_data", "Evaluation data", rows, table={
        "head": ["slice", "group", "images", w.positives, w.negatives], "rows": table}
        if table else None, see=[("dataset", "Dataset")])


def _training_data(result: dict, w: ClassWords) -> dict:
    data, models = result["dataset"], result["models"]
    outside = [(n, m) for n, m in models.items() if not _trained_here(result, n, m)]
    rows = [_row(f"{model_label(n, m)}", "not available: not trained in this audit"
                 + (f" (read from {m['source']})" if m.get("source") else "")
                 + ", so the audit does not know its training data") for n, m in outside]
    if len(outside) == len(models):
        return _field("training_data", "Training data", rows)
    summary = data["summary"]
    if "split" in data:
        rows.append(_row("training split", f"{count(data['split']['train'])} images"))
    else:
        rows.append(_row("training split", _UNKNOWN))
    for name, c in summary.get("splits", {}).items():
        if name == "test":
            continue  # the evaluation data
        rows.append(_row(f"{name} split ({w.positives} / {w.negatives})",
                         f"{count(c['positive'])} / {count(c['negative'])}"))
    for a, groups in summary.get("per_attribute", {}).items():
        rows.append(_row(f"{a}, whole dataset ({w.positives} / {w.negatives})", "; ".join(
            f"{g}: {count(c['positive'])} / {count(c['negative'])}" for g, c in groups.items())))
    if summary.get("per_attribute"):
        rows.append(_row("group counts", "the result records them over the whole dataset "
                                         "(training and test together), not per split"))
    found = result.get("discovered")
    if found:
        rows.append(_row(f"discovered slices in training ({found['attribute']})", "; ".join(
            f"{s['name']}: {_DASH if s['train'] is None else count(s['train'])}"
            for s in found["slices"])))
    return _field("training_data", "Training data", rows, see=[("dataset", "Dataset")])


def _by_model(result: dict) -> tuple[list[str], dict[str, list[str]]]:
    """The headline's lines: those about no one model, and those of each model (findings and
    headline are in the same order)."""
    summary = result["summary"]
    general, per_model = [], {}
    for i, line in enumerate(summary["headline"]):
        finding = summary["findings"][i] if i < len(summary["findings"]) else {}
        name = finding.get("model")
        if name in result["models"]:
            per_model.setdefault(name, []).append(line)
        else:
            general.append(line)
    return general, per_model


def _quantitative(result: dict, metric: str) -> dict:
    level = f"{100 * result['config']['level']:g}%"
    rows = []
    for name, model in result["models"].items():
        overall = next((r for r in model["per_group"] if r["slice"] == "overall"), None)
        c = evidence_counts(model, metric)
        rows.append({"model": model_label(name, model),
                     "count": count(overall["count"]) if overall else _DASH,
                     "cells": [cell(overall, m) if overall else
                               {"withheld": True, "text": "no overall row", "ci": ""}
                               for m in (metric, "accuracy")],
                     "verdicts": [count(c[k]) for k in ("bad", "weak", "ok", "na")]})
    general, per_model = _by_model(result)
    lists = [{"title": "Headline (the audit's findings)", "lines": general}] if general else []
    lists += [{"title": model_label(n, result["models"][n]), "lines": lines}
              for n, lines in per_model.items()]
    return _field("quantitative_analyses", "Quantitative analyses", [
        _row("evidence", result["summary"]["evidence"])],
        overall={"level": level, "metric": metric_label(metric), "rows": rows},
        lists=lists, see=[("summary", "Summary"), ("performance", "Per-group performance"),
                          ("disparities", "Disparities")])


def _measured_ethics(result: dict, metric: str) -> list[str]:
    """Which groups the audit found outside the tolerance band on ``metric``, per model."""
    if result["summary"]["verdict"]["code"] == "cannot_conclude":
        return ["The sanity checks failed, so no group was judged (see Caveats and "
                "recommendations)."]
    if no_groups(result):
        return [NO_GROUPS]
    lines = []
    for name, model in result["models"].items():
        for v in model["verdicts"]:
            if v["metric"] == metric and v["code"] in _OUTSIDE:
                ci = interval(v["low"], v["high"])
                lines.append(f"{model_label(name, model)}: {v['slice']} = {v['group']}: "
                             f"{metric_label(metric)} {num(v['ratio'])}{' ' + ci if ci else ''}"
                             f" \u00d7 that of {v['reference']} ({verdict_short(v['code'])})")
    return lines or [f"No group's {metric_label(metric)} lies outside the tolerance band in "
                     "this audit."]


def _ethics(result: dict, card: dict, metric: str) -> dict:
    return _field("ethical_considerations", "Ethical considerations", [
        _row("measured by the audit", _measured_ethics(result, metric)),
        _person(card, "ethical_considerations", "further considerations")],
        see=[("disparities", "Disparities")])


def _withheld(result: dict, metric: str) -> list[str]:
    groups = dict.fromkeys(f"{v['slice']} = {v['group']}" for model in result["models"].values()
                           for v in model["verdicts"]
                           if v["metric"] == metric and v["code"] == "insufficient_data")
    return list(groups)


def _caveats(result: dict, card: dict, metric: str) -> dict:
    summary = result["summary"]
    failed = [line for i, line in enumerate(summary["headline"])
              if i < len(summary["findings"]) and summary["findings"][i]["code"] ==
              "cannot_conclude"]
    if summary["gates"] and not failed:
        failed = ["Failed: " + ", ".join(g["code"] for g in summary["gates"]) + "."]
    withheld = _withheld(result, metric)
    rows = [_row("sanity checks", failed or "all passed"),
            _row(f"groups withheld ({metric_label(metric)})", withheld if withheld else
                 "none: every group had enough images for a verdict"),
            _row("limitations noted by the audit", result.get("limitations") or "none recorded"),
            _row("what to do next (the audit's)", summary["plain"]["next"] or "nothing noted"),
            _person(card, "caveats", "further caveats")]
    return _field("caveats", "Caveats and recommendations", rows,
                  see=[("limitations", "Limitations")])


def model_card_context(result: dict, w: ClassWords) -> dict:
    """The model card's nine fields, in the paper's order.

    Parameters
    ----------
    result : dict
        A validated result; ``result["card"]`` (optional) holds the person's fields.
    w : ClassWords
        The task's class words.

    Returns
    -------
    dict
        ``fields``: one dict per field (``key``, ``title``, ``rows`` of labelled values,
        an optional ``table``, ``lists`` of items and ``see``: (anchor, section) pointers);
        ``provided``: whether any person field was given.
    """
    card = result.get("card") or {}
    metric = primary_metric(result)
    return {"provided": bool(card), "fields": [
        _model_details(result, card, w), _intended_use(result, card, w), _factors(result),
        _metrics(result, metric, w), _evaluation_data(result, w), _training_data(result, w),
        _quantitative(result, metric), _ethics(result, card, metric),
        _caveats(result, card, metric)]}
