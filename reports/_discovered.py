"""Dataset section, discovered slices: clusters of model features the audit found without
labels, with their sizes, each model's verdict metric per slice, and a gallery per slice — what
a person needs to name a slice. They are said to be clusters, never demographic groups."""

from __future__ import annotations

from reports._classes import ClassWords
from reports._format import cell, count, metric_label, model_label
from reports._images import image, show_paths, withheld

_FEATURES = {"DB-VAE latent means": "the DB-VAE's latent means (\u03bc) of each image",
             "classifier penultimate features": "the classifier's penultimate-layer features",
             "downsampled pixels": "the images' pixels, averaged down to 8\u00d78"}


def discovered_context(result: dict, metric: str, w: ClassWords) -> dict | None:
    """The slices' facts, one row per slice (sizes and each model's ``metric``), and their
    galleries; None when the audit discovered none."""
    d = result.get("discovered")
    if not d:
        return None
    models = result["models"]
    values = {}
    for name, model in models.items():
        for row in model.get("per_group", []):
            if row.get("slice") == d["attribute"]:
                values[(name, row["group"])] = cell(row, metric)
    chosen = ("by the lowest BIC among 2\u20138" if d["chosen"] == "bic" else "given")
    facts = [("what they are", f"clusters of {_FEATURES.get(d['features'], d['features'])}, "
                               "found without any label: not demographic groups"),
             ("sliced", f"{d['population']}; fitted on the {d['fitted_on']}"),
             ("slices", f"{d['k']} ({chosen})"), ("rule", d["rule"])]
    rows = [{"name": s["name"], "train": "\u2014" if s["train"] is None else count(s["train"]),
             "test": count(s["test"]),
             "cells": [values.get((name, s["name"]), {"withheld": True, "text": "no value",
                                                     "ci": ""}) for name in models]}
            for s in d["slices"]]
    return {"facts": facts, "rows": rows, "metric": metric_label(metric),
            "models": [model_label(n, m) for n, m in models.items()],
            "galleries": [{"name": s["name"],
                           "images": [image(i, paths=show_paths(result)) for i in s["images"]],
                           "withheld": withheld(s, "images", result,
                                                (f"image of {s['name']}",
                                                 f"images of {s['name']}"))}
                          for s in d["slices"] if s["images"] or s.get("images_withheld")],
            "note": (f"Each slice's {w.positives if w.faces else 'images'} are shown so that a "
                     "person can say what the slice has in common (lighting, pose, skin tone, "
                     "background, …). Whether a slice lines up with a group of people is for "
                     "a person to judge: the audit knows only that the model's features put "
                     "these images together. The slices' rows in the performance tables and "
                     "verdicts are named \u201c" + d["attribute"] + "\u201d.")}
