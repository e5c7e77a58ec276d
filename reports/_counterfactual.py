"""Section 7 as template-ready context: the counterfactual probe (flip rates when only one
attribute of a face is edited, and how good the edits were) and augmentation with synthetic
faces."""

from __future__ import annotations

from reports import _charts_counterfactual
from reports._classes import ClassWords
from reports._figures import MODEL_COLORS, Figures
from reports._format import count, interval, metric_label, model_label, num
from reports._images import DATASET, EDIT, GENERATED, image, show_paths, withheld

EDITS = {"cyclegan": "CycleGAN", "dbvae latent direction": "DB-VAE latent direction"}
GENERATORS = {"cyclegan": "CycleGAN", "gan": "GAN"}
# Below these the edit failed or damaged the face, and flips no longer measure the attribute.
MIN_EDIT_SUCCESS, MIN_STILL_FACE = 0.5, 0.8


def signed(value: float | None, digits: int = 3) -> str:
    """``+0.123`` / ``−0.123`` / ``±0.000``; None as a dash."""
    if value is None:
        return "\u2014"
    sign = "+" if value > 0 else "\u2212" if value < 0 else "\u00b1"
    return sign + num(abs(value), digits)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "training time not recorded"
    if seconds < 60:
        return f"trained in {seconds:.1f} s"
    minutes, rest = divmod(seconds, 60)
    return f"trained in {int(minutes)} min {rest:.0f} s"


def _generator(gen: dict) -> str:
    epochs = f"{count(gen['epochs'])} epoch" + ("" if gen["epochs"] == 1 else "s")
    return f"{GENERATORS[gen['kind']]}, {epochs}, {_duration(gen['train_seconds'])}"


def _swatch(colour: dict) -> dict:
    """Mean colour as text and as a CSS colour (from validated numbers in [0, 1] only)."""
    r, g, b = colour["mean_rgb"]
    return {"rgb": ", ".join(num(v) for v in (r, g, b)),
            "css": "rgb({}, {}, {})".format(*(round(255 * v) for v in (r, g, b))),
            "brightness": num(colour["brightness"])}


def _models(result: dict, directions: list[dict]) -> list[tuple[str, str, str]]:
    """(name, label, colour) of every model a direction scored: the result's display order
    and colours first, then names the result does not hold, in the order first met."""
    known = list(result["models"])
    seen = dict.fromkeys(n for d in directions for n in d["models"])
    names = [n for n in known if n in seen] + [n for n in seen if n not in result["models"]]
    out = []
    for name in names:
        i = known.index(name) if name in result["models"] else len(known) + names.index(name)
        label = model_label(name, result["models"][name]) if name in result["models"] else name
        out.append((name, label, MODEL_COLORS[i % len(MODEL_COLORS)]))
    return out


def _flag(d: dict) -> str | None:
    """Why a direction's edits are not to be trusted, as a sentence (None when they pass)."""
    reasons = []
    if d["edit_success"] is not None and d["edit_success"] < MIN_EDIT_SUCCESS:
        reasons.append(f"the attribute checker calls only {num(d['edit_success'])} of the edits "
                       f"{d['to']} (a working edit reaches {MIN_EDIT_SUCCESS:g})")
    if d["target_preserved"] is not None and d["target_preserved"] < MIN_STILL_FACE:
        reasons.append(f"the face checker calls only {num(d['target_preserved'])} of the edits "
                       f"a face (an undamaged edit reaches {MIN_STILL_FACE:g})")
    if not reasons:
        return None
    text = " and ".join(reasons)
    return text[0].upper() + text[1:] + "."


def _direction(d: dict, models: list[tuple[str, str, str]], result: dict) -> dict:
    paths = show_paths(result)
    label = f"{EDITS[d['edit']]}: {d['from']} \u2192 {d['to']}"
    rows = []
    for name, model, _ in models:
        f = d["models"].get(name)
        if f is None:
            continue
        ci = "" if f["change_p05"] is None or f["change_p95"] is None else \
            f"[{signed(f['change_p05'])}, {signed(f['change_p95'])}]"
        rows.append({"model": model, "flip_rate": num(f["flip_rate"]),
                     "flips": f"{count(f['flips'])} of {count(f['n'])}",
                     "pos_to_neg": num(f["pos_to_neg_rate"]),
                     "pos_to_neg_n": count(f["pos_to_neg"]),
                     "neg_to_pos": num(f["neg_to_pos_rate"]),
                     "neg_to_pos_n": count(f["neg_to_pos"]),
                     "change": signed(f["mean_change"]), "change_ci": ci})
    pairs = []
    for p in d["pairs"]:
        scores = [f"{model}: {num(p['scores'][name][0])} \u2192 {num(p['scores'][name][1])} "
                  f"({signed(p['scores'][name][1] - p['scores'][name][0])})"
                  for name, model, _ in models if name in p["scores"]]
        scores += [f"{name}: {num(a)} \u2192 {num(b)} ({signed(b - a)})"
                   for name, (a, b) in sorted(p["scores"].items())
                   if name not in {n for n, _, _ in models}]
        alt = p.get("alt") or {}
        pairs.append({"original": "data:image/png;base64," + p["original"],
                      "edited": "data:image/png;base64," + p["edited"],
                      "alt_original": alt.get("original") or "original",
                      "alt_edited": alt.get("edited") or f"counterfactual ({d['to']})",
                      "kind_original": DATASET if d["edit"] == "cyclegan" else EDIT,
                      "caption": p["caption"], "path": p.get("path") if paths else None,
                      "scores": scores})
    original, edited = d["colour_original"], d["colour_edited"]
    return {
        "label": label, "edit": EDITS[d["edit"]], "from": d["from"], "to": d["to"],
        "n": count(d["n"]), "rows": rows, "flag": _flag(d),
        "edit_success": num(d["edit_success"]),
        "source_called_target": num(d["source_called_target"]),
        "attribute_score_change": signed(d["attribute_score_change"]),
        "target_preserved": num(d["target_preserved"]),
        "originals_preserved": num(d["originals_preserved"]),
        "colour_original": _swatch(original), "colour_edited": _swatch(edited),
        "brightness_change": signed(edited["brightness"] - original["brightness"]),
        "pairs": pairs,
        "withheld": withheld(d, "pairs", result, ("image of original\u2013edit pairs",
                                                  "images of original\u2013edit pairs")),
    }


def _checker(checker: dict) -> str:
    if checker["test_accuracy"] is None:
        return (f"(its accuracy on real test images was not measured, "
                f"{count(checker['test_images'])} held out)")
    return (f"with accuracy {num(checker['test_accuracy'])} on "
            f"{count(checker['test_images'])} real test images")


def _probe(result: dict, figures: Figures) -> dict:
    cf = result["counterfactual"]
    directions = cf["directions"]
    models = _models(result, directions)
    shown = [_direction(d, models, result) for d in directions]
    kinds = list(dict.fromkeys(d["edit"] for d in directions)) or ["cyclegan"]
    attribute, source, target = cf["attribute"], cf["source"], cf["target"]
    gen = cf["generator"]
    how = []
    if "cyclegan" in kinds:
        how.append(f"a CycleGAN trained on the real training faces of the two values for "
                   f"{count(gen['epochs'])} epoch{'' if gen['epochs'] == 1 else 's'} "
                   f"({_duration(gen['train_seconds'])})")
    if "dbvae latent direction" in kinds:
        how.append("moving each face's DB-VAE latent code along the direction that separates "
                   "the two values, then decoding it")
    checkers = cf["checkers"]
    lead = (f"Would a model decide differently if only a person's {attribute} were different? "
            f"Real test faces with {attribute} = {source} were edited to look {target}, and "
            f"faces with {target} to look {source}, by " + " and by ".join(how) + ". Every "
            f"audited model scored each original and its edit; a flip is a decision that "
            f"changed (a score of at least {cf['threshold']:g} counts as a face). A model that "
            f"ignores {attribute} flips almost nothing.")
    checks = (f"The edits themselves are checked, since a flip means something only when the "
              f"edit changed {attribute} and kept a face. An attribute classifier trained on "
              f"real training images tells {source} from {target} "
              f"{_checker(checkers['attribute'])}. An independent face classifier, not one of "
              f"the audited models, tells faces from non-faces {_checker(checkers['face'])}.")
    bars = [{"label": d["label"], "models": directions[i]["models"]}
            for i, d in enumerate(shown) if d["rows"]]
    return {
        "lead": lead, "checks": checks,
        "settings": [("edited attribute", f"{attribute}: {source} \u2194 {target}"),
                     ("generator", _generator(gen)),
                     ("generator checkpoint", gen["checkpoint"] or "not saved"),
                     ("attribute checker", checkers["attribute"]["description"]),
                     ("face checker", checkers["face"]["description"])],
        "directions": shown, "flagged": [d for d in shown if d["flag"]],
        "directions_note": None if directions else
        "The probe recorded no edit direction, so there are no flip rates to show.",
        "flip_chart": figures.add(_charts_counterfactual.flip_bars(bars, models),
                                  height=160 + 34 * sum(len(b["models"]) for b in bars))
        if bars else None,
        "change_chart": figures.add(_charts_counterfactual.change_lines(bars, models),
                                    height=380)
        if any(_charts_counterfactual.has_histogram(f) for b in bars
               for f in b["models"].values()) else None,
        "caveats": cf["caveats"],
    }


def _augmentation(result: dict) -> dict:
    aug = result["augmentation"]
    models = result["models"]
    name, attribute = aug["model"], aug["attribute"]
    label = model_label(name, models[name]) if name in models else name
    gen = aug["generator"]
    made = {"cyclegan": f"a CycleGAN that translates real training faces of one {attribute} "
                        "value into another",
            "gan": f"a GAN that generates new faces of a chosen {attribute} value"}[aug["method"]]
    lead = (f"The training faces were topped up with synthetic faces, per value of "
            f"{attribute}, made by {made} ({_generator(gen)}). The model \u201c{label}\u201d was "
            "trained on the real and synthetic faces together and then audited like the other "
            "models, on the same real test images.")
    values = sorted(set(aug["real_faces"]) | set(aug["added"]))
    counts = []
    for value in values:
        real, added = aug["real_faces"].get(value, 0), aug["added"].get(value, 0)
        counts.append({"value": value, "real": count(real), "added": count(added),
                       "total": count(real + added),
                       "ratio": num(added / real, 2) if real else "\u2014"})
    checks = [{"value": c["value"], "n": count(c["n"]), "called_value": num(c["called_value"]),
               "called_face": num(c["called_face"]),
               "synthetic": _swatch(c["colour_synthetic"]), "real": _swatch(c["colour_real"])}
              for c in aug["synthetic_checks"]]
    comparison = aug.get("comparison")
    kind = GENERATED if aug["method"] == "gan" else EDIT  # CycleGAN: edits of real faces
    rows = [] if comparison is None else [
        {"slice": r["slice"], "baseline": num(r["baseline_gap"]),
         "baseline_ci": interval(r["baseline_low"], r["baseline_high"]),
         "augmented": num(r["augmented_gap"]),
         "augmented_ci": interval(r["augmented_low"], r["augmented_high"]),
         "change": signed(r["change"]), "verdict": r["verdict"]} for r in comparison["rows"]]
    baseline = model_label("baseline", models["baseline"]) if "baseline" in models else "baseline"
    return {
        "lead": lead, "label": label, "baseline": baseline, "attribute": attribute,
        "method": GENERATORS[aug["method"]], "cap": f"{aug['cap']:g}",
        "model_note": None if name in models else
        f"The result holds no tables for the model \u201c{name}\u201d, so its per-group results "
        "are not shown in the other sections.",
        "checkpoint": gen["checkpoint"],
        "counts": counts, "checks": checks,
        "samples": [image(i, paths=show_paths(result), kind=kind) for i in aug["samples"]],
        "samples_withheld": withheld(aug, "samples", result,
                                     ("synthetic sample", "synthetic samples")),
        "comparison": comparison is not None, "rows": rows,
        "metric": metric_label(comparison["metric"]) if comparison else None,
    }


def counterfactual_context(result: dict, figures: Figures, w: ClassWords | None = None
                           ) -> dict:
    """Section 7: the counterfactual probe and augmentation; None for a part that was not
    run (the template says how to run it, for face detection; for another task, ``other_task``
    says why there is neither)."""
    probe = _probe(result, figures) if "counterfactual" in result else None
    augmentation = _augmentation(result) if "augmentation" in result else None
    other_task = None
    if w is not None and not w.faces and probe is None and augmentation is None:
        other_task = ("Counterfactual probes and augmentation with synthetic images are not "
                      f"available for a {w.positive} / {w.negative} classifier, so this audit "
                      "ran neither.")
    return {"probe": probe, "augmentation": augmentation, "other_task": other_task}
