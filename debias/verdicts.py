"""Verdict codes, and the one place their sentences are written.

Every conclusion an audit draws is stored as a code with its parameters (in ``result.json``,
the tables and the terminal's counts); the words a reader sees are rendered from the code here,
and no module reads words back. Rewording a sentence changes no count.
"""

from __future__ import annotations

import math

from reports import ClassWords, class_words

# A group's ratio to its slice's reference, judged against the tolerance band.
TOLERANCE = {
    "reference": "reference group",
    "within": "within tolerance",
    "within_inconclusive": "within tolerance, but the CI reaches outside the band: inconclusive",
    "within_no_ci": "within tolerance (no CI)",
    "outside_clear": "outside tolerance: clear evidence of a disparity",
    "outside_weak": "outside tolerance, but the CI reaches into the band: weak evidence",
    "outside_no_ci": "outside tolerance (no CI)",
    "no_ratio": "no ratio (value withheld or reference is 0)",
    "not_compared": "not compared: no positives in this group",
    "undefined": "undefined",          # the metric has no denominator (the status says which)
    "insufficient_data": "insufficient data",
    "not_judged": "not judged: this audit cannot support a fairness conclusion",
}
# Verdict codes that find a disparity, by the evidence ``--fail-on`` asks for.
FAIL_ON = {"clear": ("outside_clear",),
           "weak": ("outside_clear", "outside_weak", "outside_no_ci")}

# How a metric reads in a sentence, and for a non-specialist.
WORDS = {"fnr": "miss rate (FNR)", "tpr": "recall (TPR)", "fpr": "false positive rate (FPR)",
         "error_rate": "error rate", "accuracy": "accuracy", "precision": "precision",
         "selection_rate": "selection rate", "fdr": "false discovery rate (FDR)",
         "for": "false omission rate (FOR)"}
_PLAIN = {"fnr": "the miss rate: the share of {P} the model does not find",
          "tpr": "recall: the share of {P} the model finds",
          "fpr": "the false positive rate: the share of {N} {called}",
          "error_rate": "the error rate: the share of images answered wrongly",
          "accuracy": "accuracy: the share of images answered correctly",
          "precision": "precision: the share of detections that are {P}",
          "selection_rate": "the selection rate: the share of images {called}",
          "fdr": "the false discovery rate: the share of detections that are not {P}",
          "for": "the false omission rate: the share of rejected images that were {P}"}
_PLAIN_TASK = {"fnr": "the miss rate: the share of {P} {missed}",
               "tpr": "recall: the share of {P} {found}",
               "precision": "precision: the share of images {called} that are {P}",
               "fdr": "the false discovery rate: the share of images {called} that are not "
                      "{P}",
               "for": "the false omission rate: the share of images {missed_short} that were "
                      "{P}"}


def plain_meaning(metric: str, w: ClassWords | None = None) -> str:
    """What ``metric`` measures, for a non-specialist, in the task's words."""
    w = w or class_words()
    table = _PLAIN if w.faces else {**_PLAIN, **_PLAIN_TASK}
    text = table.get(metric)
    if text is None:
        return words(metric)
    return text.format(P=w.positives, N=w.negatives, called=w.called_positive,
                       missed=w.missed, found=w.found, missed_short=w.missed)


PLAIN = {metric: plain_meaning(metric) for metric in _PLAIN}  # face detection's


def tolerance_text(code: str, status: str | None = None) -> str:
    """The words of a per-group verdict; ``undefined`` shows the metric's status (e.g.
    "undefined: no negatives")."""
    if code == "undefined" and status:
        return status
    return TOLERANCE[code]


def words(metric: str) -> str:
    return WORDS.get(metric, metric.replace("_", " "))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _names(groups: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]


# Why an audit cannot support a conclusion (the sanity gates), one clause each.
def _gate(g: dict, w: ClassWords) -> str:
    code, model = g["code"], g.get("model")
    if code == "no_attributes":
        return "the dataset has no attribute columns, so there are no groups to compare"
    if code == "attributes_unknown":
        return (f"the {_names(g['attributes'])} of every audited "
                f"{'face' if w.faces else w.positive + ' image'} is unknown, so there are "
                "no groups to compare")
    if code == "all_withheld":
        return (f"every group's {words(g['metric'])} is withheld (too few images), so no two "
                "groups can be compared")
    if code == "threshold_outside_unit":
        return (f"the threshold {g['threshold']:g} lies outside [0, 1], where the scores "
                "(probabilities) lie")
    if code == "threshold_outside_scores":
        return (f"the threshold {g['threshold']:g} lies outside {model}'s scores "
                f"({g['low']:.3g} to {g['high']:.3g}), so every image gets the same answer")
    if code == "one_class":
        return (f"{model} calls {100 * g['share']:.1f}% of the images "
                f"{w.of_label(g['label']) if w.faces else w.of_label(g['label'], plural=False)}")
    if code == "majority_class":
        return (f"{model}'s accuracy ({g['accuracy']:.3f}) is no better than always answering "
                f"\u201c{w.of_label(g['label'], plural=False)}\u201d ({g['majority']:.3f})")
    raise ValueError(f"unknown gate code {code!r}")


def cannot_conclude(gates: list[dict], classes: dict | None = None) -> str:
    """One sentence: this audit supports no fairness conclusion, and why."""
    w = class_words(classes)
    return ("This audit cannot support a fairness conclusion: "
            + "; ".join(_gate(g, w) for g in gates) + ".")


def _ratio(f: dict, w: ClassWords) -> str:
    ci = "" if _missing(f.get("low")) or _missing(f.get("high")) else \
        f"{100 * f['level']:g}% CI {f['low']:.1f}\u2013{f['high']:.1f}; "
    where = f" ({ci}{f['slice']})"
    groups = _names(f["groups"])
    verb = "is" if len(f["groups"]) == 1 else "are"
    if f["metric"] == "fnr":
        return (f"{f['model']}: {w.positives} of {groups} are {w.missed} {f['ratio']:.1f}\u00d7 "
                f"as often as {w.positives} of {f['reference']}{where}.")
    return (f"{f['model']}: the {words(f['metric'])} of {groups} {verb} {f['ratio']:.2f}\u00d7 "
            f"that of {f['reference']}{where}.")


def _gap(f: dict) -> str:
    ci = "" if _missing(f.get("low")) or _missing(f.get("high")) else \
        f" ({100 * f['level']:g}% CI {f['low']:.3f} to {f['high']:.3f})"
    worst = f"; worst: {_names(f['worst_groups'])}" if f.get("worst_groups") else ""
    return (f"{f['model']}: the widest {words(f['metric'])} gap is across {f['slice']}: "
            f"{f['value']:.3f}{ci}{worst}.")


def _changed(label: str, rows: list[dict], one: str, many: str) -> str:
    """How many gaps the paired CIs show narrower / wider, never more than they show:
    "DB-VAE narrowed 1 of 3 gaps (no clear change in the other 2)"."""
    n = len(rows)
    narrower = sum(r["code"] == "narrower" for r in rows)
    wider = sum(r["code"] == "wider" for r in rows)
    if not narrower and not wider:
        return f"no clear change in any {one} beyond the uncertainty"
    parts = []
    if narrower:
        parts.append(f"{label} narrowed {narrower} of {n} {many if n > 1 else one}")
    if wider:
        parts.append(f"widened {wider} of {n}" if parts else
                     f"{label} widened {wider} of {n} {many if n > 1 else one}")
    rest = n - narrower - wider
    return ", ".join(parts) + (f" (no clear change in the other {rest})" if rest else "")


def _comparison(f: dict) -> str:
    change = ", ".join(f"{r['slice']} {r['a']:.3f} -> {r['b']:.3f}" for r in f["rows"])
    said = _changed(f["label"], f["rows"], "gap", "gaps") + "."
    return (f"{f['label']} vs baseline {words(f['metric'])} gap (paired bootstrap): {change}; "
            + said)


NO_GROUPS = ("No subgroup analysis was possible: the dataset has no attribute columns and no "
             "slices were discovered, so this audit reports overall performance only.")


def _overall(f: dict, w: ClassWords) -> str:
    def value(metric):
        v = f["values"][metric]
        if _missing(v["value"]):
            return f"{words(metric)} withheld"
        ci = "" if _missing(v["low"]) or _missing(v["high"]) else \
            f" ({100 * f['level']:g}% CI {v['low']:.3f} to {v['high']:.3f})"
        return f"{words(metric)} {v['value']:.3f}{ci}"
    return (f"{f['model']}, over all test images: " + "; ".join(
        value(m) for m in ("accuracy", "fnr", "fpr")) + ".")


def finding_text(f: dict, classes: dict | None = None) -> str:
    """The headline sentence of one finding, in the words of ``classes`` (result["classes"];
    None: face detection)."""
    code = f["code"]
    w = class_words(classes)
    if code == "audited":
        n = len(f["models"])
        return (f"{f['images']:,} test images ({f['faces']:,} {w.positives}) judged with {n} "
                f"model{'s' if n > 1 else ''}: {', '.join(f['models'])}.")
    if code == "cannot_conclude":
        return cannot_conclude(f["gates"], classes)
    if code == "worst_ratio":
        return _ratio(f, w)
    if code == "widest_gap":
        return _gap(f)
    if code == "all_withheld":
        return f"{f['model']}: every group's {words(f['metric'])} was withheld (insufficient data)."
    if code == "no_groups":
        return NO_GROUPS
    if code == "overall":
        return _overall(f, w)
    if code == "comparison":
        return _comparison(f)
    raise ValueError(f"unknown finding code {code!r}")


def comparison_text(code: str, label: str) -> str:
    """A paired comparison's verdict on one gap."""
    return {"narrower": f"{label} narrower (paired CI of the change below 0)",
            "wider": f"{label} wider (paired CI of the change above 0)",
            "no_clear_change": "no clear change (paired CI of the change includes 0)",
            "not_compared": "not compared (fewer than two groups with a value)"}[code]


def evidence_text(e: dict) -> str:
    """The evidence line, from the audit's verdict code and counts."""
    w = words(e["metric"])
    code = e["code"]
    if code == "cannot_conclude":
        return ("No evidence either way: the sanity checks failed, so no group passes or fails "
                "(see the headline).")
    if code == "disparity_clear":
        article = "an" if w[:1].lower() in "aeiou" else "a"
        return (f"{e['clear']} group comparison{'s show' if e['clear'] != 1 else ' shows'} clear "
                f"evidence of {article} {w} disparity beyond the tolerance band")
    if code == "disparity_weak":
        return (f"{e['weak']} group comparison{'s are' if e['weak'] != 1 else ' is'} outside the "
                f"tolerance band on {w}, with weak evidence (the CI reaches into the band)")
    if code == "no_groups":
        return ("No evidence about groups: there were no groups to compare (no attribute "
                "columns, no discovered slices).")
    if code == "not_judged":
        return (f"{e['unjudged']} group comparisons have no {w} ratio (the reference group's {w} "
                "is 0 or withheld), so the tolerance band cannot be judged for them; read the "
                "gaps instead")
    return f"no group's {w} is clearly outside the tolerance band"


# The plain-language summary: what we found, how sure we are, what to do next.
MODELS = {"baseline": "the baseline model", "dbvae": "the DB-VAE",
          "augmented": "the augmented baseline", "external": "the external model",
          "jtt": "the JTT model", "afr": "the AFR model", "dfr": "the DFR model",
          "feature_rarity": "the feature-rarity model",
          "balanced": "the group-balanced model"}


def readable(name: str) -> str:
    """A column or slice name for a reader: ``skin_tone & gender`` -> ``skin tone & gender``."""
    return name.replace("_", " ")


def _model(name: str) -> str:
    return MODELS.get(name, f"model {name}")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _found(item: dict, w: ClassWords) -> str:
    code = item.get("code")
    if code == "cannot_conclude":
        return ("We cannot say whether the model treats groups fairly: "
                + "; ".join(_gate(g, w) for g in item["gates"]) + ".")
    if code == "no_groups":
        return ("We could not compare groups: the dataset has no attribute columns (such as "
                "skin tone or gender) and no slices were discovered, so only the model's overall "
                "performance was measured.")
    metric = item.get("metric")
    if code == "metric":
        name, _, meaning = plain_meaning(metric, w).partition(": ")
        among = w.positives if metric in ("fnr", "tpr") or w.faces else "images"
        return f"We compare {name} between groups of {among}" + (f" ({meaning})." if meaning
                                                                 else ".")
    if code == "no_gap":
        low, high = item["band"]
        return (f"{_cap(_model(item['model']))}: no group's {words(metric)} differs "
                f"from its reference group's by more than the tolerance ({low:g}\u2013{high:g} "
                "times).")
    if code == "range" and item["value"] == 0:
        return (f"{_cap(_model(item['model']))}: the {words(metric)} is the same in every group "
                f"of {readable(item['slice'])}.")
    if code == "range":
        worst = f" (worst: {readable(_names(item['worst_groups']))})" \
            if item["worst_groups"] else ""
        return (f"{_cap(_model(item['model']))}: the {words(metric)} differs between groups of "
                f"{readable(item['slice'])} by {item['value']:.3f}{worst}; no ratio can be "
                "given, because a reference group's rate is 0.")
    if code == "gap":
        groups = readable(_names(item["groups"]))
        if metric == "fnr" and w.faces:
            return (f"{_cap(_model(item['model']))} misses faces of {groups} {item['ratio']:.1f} "
                    f"times as often as faces of {readable(item['reference'])}.")
        if metric == "fnr":
            return (f"{_cap(_model(item['model']))}: {w.positives} of {groups} are {w.missed} "
                    f"{item['ratio']:.1f} times as often as {w.positives} of "
                    f"{readable(item['reference'])}.")
        return (f"{_cap(_model(item['model']))}: the {words(metric)} of {groups} is "
                f"{item['ratio']:.2f} times that of {readable(item['reference'])}.")
    if code == "dbvae_outcome":
        changed = _changed("The DB-VAE", item["rows"], "gap between groups",
                           "gaps between groups")
        if changed.startswith("no clear change"):
            changed = ("The DB-VAE did not clearly change the gaps between groups: the "
                       "difference from the baseline is within the uncertainty")
        return changed + ", judged on the same test images as the baseline."
    raise ValueError(f"unknown finding code {code!r}")


def _sure(item: dict, w: ClassWords) -> str:
    code = item["code"]
    if code == "nothing_to_weigh":
        return "There is nothing to weigh: the numbers above are not a fairness measurement."
    if code == "overall_only":
        return ("The overall numbers say nothing about any group: a model can do well overall "
                "and still fail one group of people.")
    if code == "evidence":
        low, high = item["band"]
        who = _model(item["model"])
        if _missing(item.get("low")):
            ci = "the ratio's interval"
        elif _missing(item.get("high")):  # the reference's rate can be 0 in a resample
            ci = f"the ratio's 95% interval ({item['low']:.1f} and above, no upper bound)"
        else:
            ci = f"the ratio's 95% interval ({item['low']:.1f}\u2013{item['high']:.1f})"
        return {"outside_clear": f"Sure, for {who}: {ci} lies wholly outside the tolerance "
                                 f"({low:g}\u2013{high:g}), so the luck of which images were "
                                 "tested does not explain it.",
                "outside_weak": f"Not sure, for {who}: {ci} reaches into the tolerance "
                                f"({low:g}\u2013{high:g}); it may be chance.",
                "within_inconclusive": f"Not sure, for {who}: the ratio is inside the "
                                       f"tolerance but {ci} reaches outside it.",
                "outside_no_ci": f"Unknown, for {who}: no interval was computed (no "
                                 "bootstrap)."}.get(
            item["evidence"], f"For {who}: {TOLERANCE[item['evidence']]}.")
    if code == "withheld":
        return (f"Some groups had fewer than {item['min_count']} {w.positives} and were not "
                "measured: "
                f"{', '.join(item['groups'])}.")
    if code == "sampling_only":
        return ("The intervals cover which images happened to be tested, not the randomness of "
                "training: a model trained again can land elsewhere.")
    if code == "no_intervals":
        return "No intervals were computed, so these numbers carry no measure of certainty."
    raise ValueError(f"unknown code {code!r}")


def _fix(gate: str, w: ClassWords, min_count: int | None) -> str:
    """What to do about a failed gate."""
    task = "faces from non-faces" if w.faces else f"{w.positives} from {w.negatives}"
    return {
        "one_class": f"Check the model first: it has not learned to tell {task} (train it "
                     "longer, or check its labels and threshold).",
        "majority_class": "Check the model first: it does no better than always giving the "
                          "same answer (train it longer, or check its labels).",
        "threshold_outside_unit": "Choose a threshold between 0 and 1 (0.5 is the usual one "
                                  "for probabilities).",
        "threshold_outside_scores": "Choose a threshold inside the range of the model's scores.",
        "no_attributes": "Add attribute columns (for example skin tone and gender) to the "
                         "dataset, or let the audit discover slices (--discover-slices).",
        "attributes_unknown": "Annotate the attributes (for example skin tone and gender) of "
                              "the test images: without them there are no groups to compare.",
    }.get(gate, f"Audit more images per group (at least {min_count} {w.positives} in each).")


def _next(item: dict, w: ClassWords) -> str:
    code = item["code"]
    # Positives, or every image when the attributes describe both classes.
    P = "images" if item.get("counted") == "images" else w.positives
    if code == "fix_gate":
        return _fix(item["gate"], w, item.get("min_count"))
    if code == "more_test_faces":
        n = item["faces"]
        return (f"Test on more {P} of {readable(item['group'])}: it has {n:,} test {P}; about "
                f"{4 * n:,} (four times as many) would halve the width of its interval.")
    if code == "more_training_faces":
        groups, training = item["groups"], item.get("training")
        counts = "" if not training else " (the training split has " + ", ".join(
            f"{training[g]:,} {P if training[g] != 1 else P[:-1]} of {readable(g)}"
            for g in [*groups, item["reference"]]) + ")"
        return (f"Collect more training {P} of {readable(_names(groups))}{counts}, retrain, "
                "and audit again.")
    if code == "fill_withheld":
        return (f"Add test {P} of the unmeasured groups (at least {item['min_count']} each): "
                f"{', '.join(item['groups'])}.")
    if code == "use_dbvae":
        return ("Prefer the DB-VAE for these groups: on the same test images it narrowed at "
                "least one gap between groups and widened none.")
    if code == "dbvae_not_shown":
        return ("Do not count on the DB-VAE to remove this gap: it was not clearly narrower here. "
                "Compare methods over several seeds before choosing one.")
    if code == "try_debiasing":
        extra = (", and --augment adds synthetic faces of the rarer groups" if w.faces else "")
        return ("Try a debiasing method and compare it on the same test images: debias audit "
                f"trains a DB-VAE beside the baseline{extra}.")
    if code == "keep_auditing":
        return "Audit again after any retraining or change of data, and keep this report to compare."
    raise ValueError(f"unknown code {code!r}")


def plain_text(items: dict[str, list[dict]], classes: dict | None = None
               ) -> dict[str, list[str]]:
    """The plain-language summary's words: ``found``, ``sure`` and ``next`` lists, in the words
    of ``classes`` (result["classes"]; None: face detection)."""
    w = class_words(classes)
    return {"found": [_found(i, w) for i in items["found"]],
            "sure": [_sure(i, w) for i in items["sure"]],
            "next": [_next(i, w) for i in items["next"]]}
