"""Sections 6 and 7 as template-ready context: latent-density analysis (with image
galleries, or their counts where the audit left the images out) and training curves."""

from __future__ import annotations

from reports import _charts, _charts_latent
from reports._classes import ClassWords
from reports._figures import Figures
from reports._format import count, model_label, num, percent
from reports._images import GENERATED, image, show_paths, withheld
from reports._summary import NO_GROUPS, no_groups


def _misclassified(result: dict) -> list[dict]:
    paths = show_paths(result)
    out = []
    for name, model in result["models"].items():
        groups = [{"group": g["group"], "images": [image(i, paths=paths) for i in g["images"]],
                   "withheld": withheld(g, "images", result, MISCLASSIFIED)}
                  for g in model.get("misclassified", [])]
        if groups:
            out.append({"label": model_label(name, model), "groups": groups})
    return out


def _traversal(t: dict, result: dict) -> dict:
    return {"attribute": t["attribute"], "group": t["group"], "dim": t["dim"],
            "effect": num(t["effect"], 2), "kind": GENERATED,
            "images": ["data:image/png;base64," + p for p in t["images"]],
            "withheld": withheld(t, "images", result, ("decoded image", "decoded images"))}


MISCLASSIFIED = ("misclassified image", "misclassified images")


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _draws(result: dict, w: ClassWords) -> str:
    """What DB-VAE's resampling draws more often: rare positives ("rare faces"), or the rare
    images of each class when its VAE modelled both (``--vae-on all``)."""
    if result["config"].get("training", {}).get("vae_on") == "all":
        return "the rare images of each class"
    return f"rare {w.positives}"


def _absent_reason(result: dict, w: ClassWords) -> str:
    if "dbvae" in result["models"]:
        return ("The result holds a DB-VAE but no latent analysis (it was not run or not "
                f"saved), so there is nothing to show about rare {w.positives}.")
    return ("No DB-VAE was trained in this audit, so there is no latent analysis: rarity is "
            "measured in a DB-VAE's latent space, which an audited classifier does not have.")


# How the report names each rarity estimator of ``latent.rarity_auc_by_estimator``; a name
# not listed here is shown as written.
ESTIMATOR_LABELS = {"histogram_max": "histogram, max", "histogram_product": "histogram, product",
                    "knn": "k nearest neighbours", "gmm": "Gaussian mixture"}


def auc_by_estimator(rows: list[dict] | None) -> dict | None:
    """``latent.rarity_auc_by_estimator`` as one table: a row per attribute group, a column per
    estimator (in the order the result lists them), the highest AUC of each row marked.
    None when the result holds no such rows (results written before it existed)."""
    if not rows:
        return None
    estimators = list(dict.fromkeys(r["estimator"] for r in rows))
    groups: dict[tuple[str, str], dict] = {}
    for r in rows:
        cell = groups.setdefault((r["attribute"], r["group"]),
                                 {"attribute": r["attribute"], "group": r["group"],
                                  "n": count(r["n"]), "values": {}})
        cell["values"][r["estimator"]] = r["auc"]
    table = []
    for cell in groups.values():
        values = [cell["values"].get(e) for e in estimators]
        known = [v for v in values if v is not None]
        best = max(known) if known else None
        table.append({"attribute": cell["attribute"], "group": cell["group"], "n": cell["n"],
                      "aucs": [{"text": num(v), "best": v is not None and v == best
                                and len(known) > 1} for v in values]})
    return {"estimators": [ESTIMATOR_LABELS.get(e, e) for e in estimators], "rows": table}


def latent_context(result: dict, figures: Figures, w: ClassWords) -> dict:
    """Section 6: rarity by group, rarity x errors, rarity AUC, galleries, traversals, PCA."""
    misclassified = _misclassified(result)
    miss_note = None if misclassified else (
        "The result holds no galleries of misclassified images for any model.")
    latent = result.get("latent")
    if latent is None:
        return {"present": False, "note": _absent_reason(result, w),
                "misclassified": misclassified,
                "misclassified_note": miss_note}
    models = result["models"]
    owner = model_label(latent["model"], models[latent["model"]]) \
        if latent["model"] in models else latent["model"]
    attributes = list(dict.fromkeys(r["attribute"] for r in latent["by_group"]))
    by_attribute = [a for a in dict.fromkeys(r["attribute"] for r in latent["decile_errors"])
                    if a != "all"]
    overall = [r for r in latent["decile_errors"] if r["attribute"] == "all"]
    # Figures are numbered in the order the page shows them.
    rarity_chart = figures.add(_charts_latent.rarity_bars(latent["by_group"], w), height=380) \
        if latent["by_group"] else None
    decile_charts = [figures.add(_charts_latent.decile_lines(
        a, [r for r in latent["decile_errors"] if r["attribute"] == a], overall, w),
        height=360)
        for a in by_attribute]
    points = latent["pca"]["points"]
    paths = show_paths(result)
    pca_attributes = list(dict.fromkeys(a for p in points for a in p["groups"])) or attributes
    return {
        "present": True, "owner": owner, "combine": latent["combine"],
        "draws": _draws(result, w),
        "faces": count(latent["faces"]),
        "density": "product of the per-dimension histogram densities (as in the paper)"
        if latent["combine"] == "product" else "largest per-dimension resampling weight "
                                               "(as in the MIT lab)",
        "rarity_chart": rarity_chart,
        "by_group": [{"attribute": r["attribute"], "group": r["group"], "count": count(r["count"]),
                      "mean": num(r["mean_rarity"]), "median": num(r["median_rarity"]),
                      "share": percent(r["share_in_rarest_decile"])} for r in latent["by_group"]],
        "decile_charts": decile_charts,
        "decile_note": None if decile_charts or overall else
        f"No predictions were scored for these {w.positives}, so errors by rarity are not "
        "available.",
        "overall_chart": figures.add(_charts_latent.decile_lines(
            f"all {w.positives}", [], overall, w), height=340)
        if overall and not decile_charts else None,
        "auc": [{"attribute": r["attribute"], "group": r["group"],
                 "auc": num(r["auc"]) if r["auc"] is not None else
                 f"undefined (the group is empty or holds every {w.positive_one})"}
                for r in latent["rarity_auc"]],
        "auc_by_estimator": auc_by_estimator(latent.get("rarity_auc_by_estimator")),
        "dims": [{"attribute": r["attribute"], "group": r["group"], "dim": r["dim"],
                  "effect": num(r["effect"], 2), "rank": r["rank"]} for r in latent["dims"]],
        "rarest": [image(i, paths=paths) for i in latent["rarest"]],
        "rarest_withheld": withheld(latent, "rarest", result,
                                    (f"rarest {w.positive_one}", f"rarest {w.positives}")),
        "most_typical": [image(i, paths=paths) for i in latent["most_typical"]],
        "most_typical_withheld": withheld(latent, "most_typical", result,
                                          (f"most typical {w.positive_one}",
                                           f"most typical {w.positives}")),
        "traversals": [_traversal(t, result) for t in latent["traversals"]],
        "pca_chart": figures.add(_charts_latent.pca_scatter(
            points, pca_attributes, latent["pca"]["explained"], w), height=520)
        if points else None,
        "pca_explained": [percent(v) for v in latent["pca"]["explained"]],
        "pca_point": f"{_article(w.positive_one)} {w.positive_one}'s",
        "pca_menu": len(pca_attributes) > 1,
        "pca_missed": w.missed,
        "by_group_note": NO_GROUPS if no_groups(result) else
        "The result holds no rarity per group.",
        "auc_note": NO_GROUPS if no_groups(result) else
        "The result holds no rarity ROC AUC per group.",
        "misclassified": misclassified, "misclassified_note": miss_note,
    }


def training_context(result: dict, figures: Figures, w: ClassWords) -> dict:
    """Section 7: loss per epoch per trained model, and DB-VAE's resampling weights."""
    # The logged weights and ESS are the positives' (with --vae-on all, too).
    sampled = w.positives
    models = []
    for name, model in result["models"].items():
        training = model.get("training")
        label = model_label(name, model)
        if training is None:
            continue
        resampling = training.get("resampling") or []
        models.append({
            "label": label,
            "loss_chart": figures.add(_charts.loss_lines(label, training["epochs"]), height=340)
            if training["epochs"] else None,
            "loss_note": None if training["epochs"] else "No epoch was logged.",
            "resampling_chart": figures.add(_charts.resampling_lines(label, resampling),
                                            height=380, top=80) if resampling else None,
            "resampling_note": None if resampling else
            "No sampling weights were logged for this model (it did not use DB-VAE's adaptive "
            "resampling), so there are none to show.",
            "by_group": any(r.get("group_weight") for r in resampling),
            "final": _final(training, resampling, sampled)})
    untrained = [model_label(n, m) for n, m in result["models"].items() if "training" not in m]
    note = None
    if not models:
        note = ("No model was trained in this audit (the predictions of an existing model were "
                "audited), so there are no training curves.")
    return {"models": models, "note": note, "untrained": untrained if models else [],
            "sampled": sampled}


def _final(training: dict, resampling: list[dict], sampled: str) -> list[tuple[str, str]]:
    """The last epoch's numbers, for the text beside the charts."""
    out = []
    if training["epochs"]:
        last = training["epochs"][-1]
        out.append(("epochs", count(len(training["epochs"]))))
        out += [(f"final {k} loss" if k != "loss" else "final loss", num(last[k], 4))
                for k in ("loss", "classification", "reconstruction", "latent")
                if last.get(k) is not None]
    if resampling:
        last = resampling[-1]
        share = percent(last["ess_fraction"])
        out.append(("final ESS", f"{num(last['ess'], 1)} ({share} of {sampled})"))
        out.append(("final largest weight \u00d7 N", num(last["max_over_uniform"], 2)))
    return out
