"""Sections 8 and 9 as template-ready context: methods and reproducibility, limitations."""

from __future__ import annotations

from reports._classes import ClassWords
from reports._format import count, metric_long, plain
from reports._summary import no_groups

_SETTINGS = {
    "threshold": "decision threshold (score \u2265 threshold: {positive})",
    "max_order": "largest intersection (attributes at a time)",
    "min_count": "smallest denominator for a shown value",
    "n_boot": "bootstrap resamples", "level": "confidence level", "seed": "bootstrap seed",
    "reference": "reference groups set by the user", "tolerance": "tolerance band (ratio)",
}


def _runtime(seconds: float | None) -> str:
    if seconds is None:
        return "not recorded"
    minutes, rest = divmod(seconds, 60)
    return f"{seconds:.1f} s" + (f" ({int(minutes)} min {rest:.0f} s)" if minutes else "")


def _decision(threshold: float, w: ClassWords) -> str:
    if w.faces:
        return f"An image counts as a face when its score is at least {threshold:g}."
    return (f"An image is classified as {w.positive} when its score is at least {threshold:g}, "
            f"and as {w.negative} otherwise.")


def _denominators(w: ClassWords) -> str:
    if w.faces:
        return ("images for accuracy and selection rate, faces for TPR and FNR, non-faces for "
                "FPR, detections for precision and FDR, rejections for FOR")
    return (f"images for accuracy, error rate and selection rate, {w.positives} for TPR and "
            f"FNR, {w.negatives} for FPR, images {w.called_positive} for precision and FDR, "
            f"images {w.missed} for FOR")


def _groups(config: dict, grouped: bool) -> str:
    if not grouped:
        return ("None: the dataset has no attribute columns and no slices were discovered, so "
                "every number is over all audited images (\"overall\").")
    return (f"Every attribute alone and intersections of up to {config['max_order']} "
            "attributes; \"overall\" is every audited image.")


def _rules(config: dict, w: ClassWords, grouped: bool = True) -> list[tuple[str, str]]:
    low, high = config["tolerance"]
    level = f"{100 * config['level']:g}%"
    if config["n_boot"] > 0:
        bootstrap = (f"Stratified bootstrap: {count(config['n_boot'])} resamples of the audited "
                     "images, each drawn within every group so that each group keeps its size, "
                     f"seeded with {config['seed']}; each interval spans the central {level} of "
                     "the resampled values (percentile interval).")
        if config.get("group_intervals") == "jeffreys":
            bootstrap = (f"Each group's rate: a {level} Jeffreys interval from its counts (the "
                         "central part of a Beta(successes + ½, failures + ½) distribution, "
                         "reaching 0 or 1 when there are no successes or no failures, so a "
                         "group without errors still gets an honest range). Gaps, ratios and "
                         "verdicts: " + bootstrap[0].lower() + bootstrap[1:])
    else:
        bootstrap = ("No bootstrap was run (0 resamples), so the values carry no confidence "
                     "intervals.")
    return [
        ("decision", _decision(config["threshold"], w)),
        ("groups", _groups(config, grouped)),
        ("confidence intervals", bootstrap),
        ("withheld values", f"A metric is shown only when its denominator ({_denominators(w)}) "
                            f"is at least {config['min_count']}; otherwise the "
                            "table says why, and the group is left out of the disparities."),
        ("tolerance", f"A group passes a metric when its value divided by its slice's reference "
                      f"group's value lies between {low:g} and {high:g}. The reference group is "
                      "the one set by the user for that slice, else the group with the most "
                      f"{'images' if config.get('compare') == 'all' else w.positives} in the "
                      "training data."
                      + ("" if grouped else " Not applied in this audit: there were no groups "
                                            "to compare.")),
        *([("verdict metric", _verdict_metric(config["verdict_metric"], w))]
          if config.get("verdict_metric") else []),
        ("model comparison", "Two models judged on the same test images are compared with a "
                             "paired bootstrap: each resample draws images once and scores both "
                             "models on them, giving a CI of the change of each gap and of "
                             "each group's value. A gap is called narrower or wider only when "
                             "that CI excludes 0; otherwise there is no clear change."),
        ("sanity checks", "Before any verdict, the audit checks that each model calls fewer "
                          "than 99% of the images one class, does better than always giving "
                          "the commoner answer, and has its threshold inside its scores' range "
                          "(and inside [0, 1] for probabilities); and that some attribute has "
                          "known values and some slice has two groups with a value. If a check "
                          "fails, no group passes or fails and `debias audit` exits 4."),
        ("bias measure", "The DB-VAE paper's Var[A]: the sample variance (ddof 1) of per-group "
                         "accuracy in percent, beside its mean E[A]; lower Var[A] means accuracy "
                         "is more even across groups."),
    ]


def _verdict_metric(metric: str, w: ClassWords) -> str:
    text = (f"The headline, the evidence count and the model comparison are about the "
            f"{metric_long(metric, w)}.")
    if metric == "fnr" and w.faces:
        text += (" A face detector harms people through the faces it misses, and a rate near 1 "
                 "hides a large relative gap that the error rate shows: recall 0.95 against "
                 "0.99 is a ratio of 0.96, inside the band, while the miss rates 0.05 and 0.01 "
                 "differ five-fold.")
    elif metric == "error_rate" and not w.faces:
        text += (f" It is the audit's default for a {w.positive} / {w.negative} classifier: "
                 "either class can be answered wrongly, and when both classes are people (as "
                 "for a gender classifier) either mistake falls on the person pictured. The "
                 f"error rate counts both kinds together ({w.positives} {w.missed} and "
                 f"{w.negatives} {w.called_positive}); the miss rate and the false positive rate "
                 "count each kind alone.")
    return text + " The tables hold every metric's verdicts."


def methods_context(result: dict, w: ClassWords) -> dict:
    """Settings, versions, provenance and the rules behind every number, in words."""
    config = result["config"]
    settings = [(_SETTINGS.get(k, k).replace("{positive}", w.positive), k, plain(v))
                for k, v in config.items() if k != "training"]
    data = result["dataset"]
    provenance = [("created", result["created"]), ("runtime", _runtime(result.get("runtime_s"))),
                  ("dataset folder", data["root"]),
                  ("dataset fingerprint", data.get("fingerprint") or "not recorded")]
    provenance += [(f"model source: {name}", m["source"]) for name, m in result["models"].items()
                   if m.get("source")]
    return {
        "settings": settings,
        "training": [(k, plain(v)) for k, v in config.get("training", {}).items()],
        "training_note": None if config.get("training") else
        "No training settings are recorded: no model was trained in this audit.",
        "tool": [(k, plain(v)) for k, v in result["tool"].items()],
        "provenance": provenance, "rules": _rules(config, w, not no_groups(result)),
        "schema_version": result["schema_version"],
    }


def limitations_context(result: dict, w: ClassWords) -> dict:
    """The result's own limitations, then the ones every audit of this kind has."""
    config = result["config"]
    real = "faces" if w.faces else "images"
    level = f"{100 * config['level']:g}%"
    fixed = [
        ("Synthetic or real data", "The findings hold for this dataset only. If it is "
         "synthetic (e.g. made by debias synth), its groups are drawn colours and shapes: a gap "
         f"there shows what the audit can detect, not how a model behaves on real {real}. On real "
         "data they transfer only to images taken and labelled like these."),
        ("What the intervals cover", f"The {level} intervals cover the sampling of the audited "
         "images only. They do not cover the randomness of training (initialisation, batch "
         "order, resampling draws): a model trained again with another seed can land outside "
         "them."),
        ("Small groups are withheld", f"A value whose denominator is below "
         f"{config['min_count']} is not shown, and such groups are left out of the disparities "
         "and verdicts. A withheld group may be the one that fares worst: collect more data for "
         "it before drawing conclusions."),
        ("Attributes are annotations, not identities", "Attribute values (such as skin tone or "
         "gender) are labels attached to the images by people or tools. They can be wrong, they "
         "bin continuous traits into a few values, and they say nothing about how the people "
         "pictured identify."),
    ]
    return {"own": result.get("limitations", []), "fixed": fixed,
            "own_note": None if result.get("limitations") else
            "The audit recorded no limitations of its own; the general ones below still apply."}
