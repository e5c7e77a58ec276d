"""Schema-valid audit results for the report tests, built the way the pipeline builds them."""

from __future__ import annotations

import base64
import copy
import io
import random
from itertools import product

from PIL import Image

from tests.reports._fixture_models import METRICS, model_tables

DEFAULT_ATTRIBUTES = {"skin_tone": ["dark", "light"], "gender": ["female", "male"]}
HOSTILE = ["<script>alert(1)</script>", "\"quotes'", "</textarea>",
           "</script><script>window.__pwned=1</script>",
           "<img src=x onerror=window.__pwned=1>", "line\u2028sep\u2029end"]
PLAIN = {"found": ["The baseline model misses faces of dark skin 3.0 times as often."],
         "sure": ["Sure: the interval lies wholly outside the tolerance."],
         "next": ["Collect more training faces of dark skin."]}


def _verdict(code: str, clear: int) -> dict:
    return {"code": code, "metric": "tpr", "clear": clear, "weak": 0, "unjudged": 0}


def png(color: tuple[int, int, int], size: int = 16) -> str:
    """Base64 PNG (no ``data:`` prefix) of one solid colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _latent(attributes, rng, colors):
    first = list(attributes)[0]
    by_group, deciles, auc, dims, traversals = [], [], [], [], []
    for a, values in attributes.items():
        for j, v in enumerate(values):
            rare = a == first and j == 0
            by_group.append({"attribute": a, "group": v, "count": rng.randint(60, 400),
                             "mean_rarity": 0.7 if rare else 0.45,
                             "median_rarity": 0.72 if rare else 0.44,
                             "share_in_rarest_decile": 0.25 if rare else 0.07})
            auc.append({"attribute": a, "group": v, "auc": 0.78 if rare else 0.52})
            for d in range(1, 11):
                count = rng.randint(5, 40)
                errors = rng.randint(0, count // 2)
                deciles.append({"attribute": a, "group": v, "decile": d, "count": count,
                                "errors": errors, "error_rate": round(errors / count, 6)})
            for rank in (1, 2, 3):
                dims.append({"attribute": a, "group": v, "dim": (7 * j + rank) % 100,
                             "effect": round((1.5 if rare else 0.4) / rank, 4), "rank": rank})
            traversals.append({"attribute": a, "group": v, "dim": (7 * j + 1) % 100,
                               "effect": round(1.5 if rare else 0.4, 4), "images": colors[:7]})
    deciles += [{"attribute": "all", "group": "all", "decile": d, "count": 50, "errors": d,
                 "error_rate": round(d / 50, 6)} for d in range(1, 11)]
    points = []
    for i in range(200):
        groups = {a: values[rng.randrange(len(values))] for a, values in attributes.items()}
        shift = 2.0 if groups[first] == attributes[first][0] else 0.0
        points.append({"x": round(rng.gauss(shift, 1), 4), "y": round(rng.gauss(0, 1), 4),
                       "rarity": round(rng.random(), 4), "error": rng.random() < 0.2,
                       "groups": groups})
    gallery = [{"path": f"faces/{i:03d}.png", "png": colors[i % len(colors)],
                "caption": f"rarity {1 - i / 100:.3f}"} for i in range(8)]
    return {"model": "dbvae", "combine": "product", "faces": 400, "by_group": by_group,
            "decile_errors": deciles, "rarity_auc": auc, "dims": dims,
            "pca": {"explained": [0.31, 0.12], "points": points}, "rarest": gallery,
            "most_typical": list(reversed(gallery)), "traversals": traversals}


def _dataset(attributes, rng, path_prefix):
    names = list(attributes)
    cells = {combo: (rng.randint(250, 600), rng.randint(120, 300))
             for combo in product(*attributes.values())}

    def counts(columns):
        out = {}
        for combo, (pos, neg) in cells.items():
            key = " | ".join(combo[i] for i in columns)
            c = out.setdefault(key, {"positive": 0, "negative": 0})
            c["positive"] += pos
            c["negative"] += neg
        return dict(sorted(out.items()))

    per_attribute = {a: counts([i]) for i, a in enumerate(names)}
    intersections = {f"{a} x {b}": counts([i, j]) for i, a in enumerate(names)
                     for j, b in enumerate(names) if j > i}
    positive = sum(p for p, _ in cells.values())
    negative = sum(n for _, n in cells.values())
    total = positive + negative
    train = round(total * 0.7)
    return {"root": f"/data/{path_prefix}faces", "format": "csv", "images": total, "audited": 0,
            "attributes": names, "fingerprint": "9f2c6e01d4b7a8c3",
            "split": {"train": train, "test": total - train},
            "summary": {"root": f"/data/{path_prefix}faces", "format": "csv", "n_images": total,
                        "image_size": 64, "labels": {"positive": positive, "negative": negative},
                        "attributes": names,
                        "splits": {"test": {"positive": positive - round(positive * 0.7),
                                            "negative": negative - round(negative * 0.7)},
                                   "train": {"positive": round(positive * 0.7),
                                             "negative": round(negative * 0.7)}},
                        "per_attribute": per_attribute, "intersections": intersections,
                        "original_sizes": {"width": {"min": 48, "median": 178.0, "max": 1024},
                                           "height": {"min": 48, "median": 218.0, "max": 1024},
                                           "most_common": [{"size": "178x218", "count": 1500},
                                                           {"size": "64x64", "count": 400}]},
                        "skipped": [{"path": f"{path_prefix}broken.jpg",
                                     "reason": "cannot identify image file"},
                                    {"path": f"{path_prefix}empty.png", "reason": "empty file"}],
                        "warnings": [f"3 rows of labels.csv have no {names[0]}: "
                                     "set to \"unknown\""]}}


def build_result(*, attributes: dict[str, list[str]] | None = None, path_prefix: str = "",
                 seed: int = 0, metrics: tuple[str, ...] = METRICS,
                 comparison_metric: str = "tpr") -> dict:
    """A full result: baseline and dbvae, training, latent, comparison and summary."""
    attributes = attributes or DEFAULT_ATTRIBUTES
    rng = random.Random(seed)
    colors = [png(c) for c in [(200, 150, 120), (90, 60, 40), (230, 200, 170), (140, 100, 70),
                               (60, 40, 30), (250, 220, 200), (120, 90, 60), (180, 130, 100)]]
    tolerance = [0.8, 1.25]
    first = list(attributes)[0]
    reference = {first: attributes[first][-1]}
    common = {"min_count": 30, "tolerance": tolerance, "reference": reference, "trained": True,
              "colors": colors, "metrics": metrics}
    models = {
        "baseline": model_tables(attributes, rng, skill=0.92, bias=0.25, latent=False, **common),
        "dbvae": model_tables(attributes, rng, skill=0.93, bias=0.08, latent=True, **common)}
    models["baseline"]["label"] = "Baseline classifier"
    models["dbvae"]["label"] = "DB-VAE"
    models["dbvae"]["source"] = f"out/{path_prefix}models/dbvae.pt"
    rows = []
    for slice_name in dict.fromkeys(r["slice"] for r in models["baseline"]["per_group"]):
        if slice_name == "overall":
            continue
        gap = {m: next(d for d in models[m]["disparities"] if d["slice"] == slice_name and
                       d["metric"] == comparison_metric and d["measure"] == "max-min difference")
               for m in ("baseline", "dbvae")}
        change = round(gap["dbvae"]["value"] - gap["baseline"]["value"], 6)
        rows.append({"slice": slice_name, "baseline_gap": gap["baseline"]["value"],
                     "baseline_low": gap["baseline"]["low"],
                     "baseline_high": gap["baseline"]["high"],
                     "dbvae_gap": gap["dbvae"]["value"], "dbvae_low": gap["dbvae"]["low"],
                     "dbvae_high": gap["dbvae"]["high"], "change": change,
                     "change_low": round(change - 0.03, 6), "change_high": round(change + 0.03, 6),
                     "code": "narrower" if change < -0.03 else "no_clear_change",
                     "verdict": "gap smaller with DB-VAE" if change < 0 else "no improvement"})
    dataset = _dataset(attributes, rng, path_prefix)
    dataset["audited"] = models["baseline"]["per_group"][0]["count"]
    return {
        "schema_version": 2,
        "tool": {"name": "debias", "version": "0.1.0", "python": "3.11.7", "torch": "2.14.1",
                 "fairlearn": "0.13.0"},
        "created": "2026-11-24T23:10:00+00:00",
        "runtime_s": 123.4,
        "dataset": dataset,
        "config": {"threshold": 0.5, "max_order": 2, "min_count": 30, "n_boot": 1000,
                   "level": 0.95, "seed": 0, "reference": reference,
                   "tolerance": tolerance,
                   "training": {"epochs": 5, "batch_size": 64, "latent_dim": 100, "lr": 0.0005}},
        "models": models,
        "comparison": {"metric": comparison_metric, "rows": rows},
        "latent": _latent(attributes, rng, colors),
        "summary": {"verdict": _verdict("disparity_clear", 3),
                    "gates": [], "findings": [{"code": "audited"}, {"code": "worst_ratio"}],
                    "headline": [f"Baseline TPR for {first}={attributes[first][0]} is lower than "
                                 f"for {attributes[first][-1]}.",
                                 "DB-VAE narrows the TPR gap."],
                    "evidence": "clear evidence of a disparity for the baseline",
                    "dbvae_helped": True, "plain": dict(PLAIN)},
        "limitations": ["The test split is small for intersectional groups."],
    }


def make_result(**overrides) -> dict:
    """The full result with top-level keys replaced; an override of None removes the key."""
    result = build_result()
    for key, value in overrides.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = copy.deepcopy(value)
    return result


MINIMAL_HEADLINE = ["1,234 test images (800 faces) judged with 1 model: external.",
                    "external: the widest recall (TPR) gap is across skin_tone & gender."]


def make_minimal_result() -> dict:
    """One external model's predictions audited: no training, latent or comparison; the
    audit's summary, as the pipeline always writes one."""
    full = build_result(seed=1)
    model = full["models"]["baseline"]
    external = {"source": "/data/predictions.csv", "rule": model["rule"],
                "per_group": model["per_group"], "disparities": model["disparities"],
                "verdicts": model["verdicts"], "threshold_sweep": model["threshold_sweep"]}
    dataset = full["dataset"]
    del dataset["split"], dataset["fingerprint"]
    for key in ("splits", "original_sizes", "intersections", "warnings"):
        del dataset["summary"][key]
    dataset["summary"]["skipped"] = []
    config = {k: v for k, v in full["config"].items() if k != "training"}
    return {"schema_version": 2, "tool": {"name": "debias", "version": "0.1.0"},
            "created": full["created"], "dataset": dataset, "config": config,
            "models": {"external": external},
            "summary": {"verdict": _verdict("no_clear_disparity", 0),
                        "gates": [], "findings": [{"code": "audited"}, {"code": "widest_gap"}],
                        "headline": list(MINIMAL_HEADLINE),
                        "evidence": "no group's recall is clearly outside the tolerance band",
                        "dbvae_helped": None, "plain": dict(PLAIN)}}


def make_hostile_result() -> dict:
    """The full result whose attribute names and values, group names and paths are hostile."""
    attributes = {HOSTILE[0]: [HOSTILE[3], HOSTILE[4]], HOSTILE[1]: [HOSTILE[2], HOSTILE[5]]}
    result = build_result(attributes=attributes, path_prefix=HOSTILE[3] + HOSTILE[4] + "/")
    result["models"]["dbvae"]["label"] = HOSTILE[4]
    result["limitations"].append(HOSTILE[3])
    result["summary"]["headline"].append(HOSTILE[0] + HOSTILE[5])
    return result


def _no_attributes() -> dict:
    result = make_minimal_result()
    model = result["models"]["external"]
    model["per_group"] = [r for r in model["per_group"] if r["slice"] == "overall"]
    model["threshold_sweep"] = [r for r in model["threshold_sweep"] if r["slice"] == "overall"]
    model["disparities"], model["verdicts"] = [], []
    result["dataset"]["attributes"] = []
    result["dataset"]["summary"].update(attributes=[], per_attribute={})
    return result


def _no_bootstrap() -> dict:
    """n_boot = 0: per-group rows have no ``_low``/``_high`` keys, every other CI is null."""
    result = make_result()
    result["config"]["n_boot"] = 0
    for model in result["models"].values():
        for row in model["per_group"]:
            for key in [k for k in row if k.endswith(("_low", "_high"))]:
                del row[key]
        for row in model["disparities"] + model["verdicts"]:
            row["low"] = row["high"] = None
            if row.get("code", "").startswith("outside"):
                row["code"], row["verdict"] = "outside_no_ci", "outside tolerance (no CI)"
    for row in result["comparison"]["rows"]:
        for key in ("baseline_low", "baseline_high", "dbvae_low", "dbvae_high", "change_low",
                    "change_high"):
            row[key] = None
        row["code"] = "no_clear_change"
    return result


def _empty_latent() -> dict:
    """A DB-VAE whose latent section holds no rows, and no limitations."""
    result = make_result(limitations=None)
    latent = result["latent"]
    for key in ("by_group", "decile_errors", "rarity_auc", "dims", "rarest", "most_typical",
                "traversals"):
        latent[key] = []
    latent["pca"]["points"] = []
    result["models"]["dbvae"]["training"]["resampling"] = []
    del result["models"]["baseline"]["training"]
    for model in result["models"].values():
        del model["misclassified"]
    return result


def _three_models() -> dict:
    result = make_result()
    vendor = copy.deepcopy(result["models"]["baseline"])
    vendor.update(label="Vendor API", source="/data/vendor_scores.csv")
    del vendor["training"]
    result["models"]["vendor"] = vendor
    result["models"]["dbvae"]["threshold_sweep"] = []
    result["dataset"]["summary"]["skipped"] = [
        {"path": f"bad/{i:04d}.jpg", "reason": "truncated file"} for i in range(450)]
    return result


BINARY_CLASSES = {"positive": "female", "negative": "male", "task": "binary"}
# The summary a gender classifier's audit writes (debias.verdicts, in the task's words).
BINARY_SUMMARY = {
    "headline": ["1,234 test images (640 female images) judged with 2 models: baseline, dbvae.",
                 "Baseline classifier: the error rate of skin_tone=dark is 1.9 times that of "
                 "light.", "DB-VAE narrows the error rate gap."],
    "evidence": "2 group comparisons show clear evidence of a error rate disparity beyond the "
                "tolerance band",
    "plain": {"found": ["We compare the error rate between groups of images (the share of "
                        "images answered wrongly).",
                        "The baseline model: the error rate of dark skin is 1.9 times that of "
                        "light skin."],
              "sure": ["Sure: the interval lies wholly outside the tolerance."],
              "next": ["Collect more training images of people with dark skin, of both "
                       "classes."]}}


def user_paths(value, old: str, new: str):
    """``value`` with ``old`` replaced by ``new`` in every path, root and source string."""
    if isinstance(value, dict):
        return {k: (v.replace(old, new) if k in ("path", "root", "source") and
                    isinstance(v, str) else user_paths(v, old, new)) for k, v in value.items()}
    if isinstance(value, list):
        return [user_paths(v, old, new) for v in value]
    return value


def _binary_task() -> dict:
    """A gender classifier (female = 1, male = 0) judged by skin tone and a second
    attribute: verdict metric error_rate, DB-VAE's VAE on both classes, no counterfactual or
    augmentation (the audit runs them for face detection only). No path holds "face", so
    every "face" the page says is the report's own word."""
    result = build_result(attributes={"skin_tone": ["dark", "light"], "age": ["young", "old"]},
                          metrics=METRICS + ("fnr", "error_rate"),
                          comparison_metric="error_rate")
    result = user_paths(result, "faces", "people")
    result["classes"] = dict(BINARY_CLASSES)
    result["config"]["verdict_metric"] = "error_rate"
    result["config"]["compare"] = "all"  # race describes both classes
    result["config"]["training"]["vae_on"] = "all"
    summary = result["summary"]
    summary["verdict"]["metric"] = "error_rate"
    summary.update(copy.deepcopy(BINARY_SUMMARY))
    result["dataset"]["summary"]["warnings"] = ["3 rows of labels.csv have no skin_tone: set "
                                                "to \"unknown\""]
    return result


NO_GROUPS_SUMMARY = {
    "verdict": {"code": "no_groups", "metric": "tpr", "clear": 0, "weak": 0, "unjudged": 0},
    "gates": [], "findings": [{"code": "audited"}, {"code": "no_groups"}, {"code": "overall"}],
    "headline": ["1,234 test images (800 faces) judged with 2 models: baseline, dbvae.",
                 "No subgroup analysis was possible: the dataset has no attribute columns and "
                 "no slices were discovered, so this audit reports overall performance only."],
    "evidence": "No evidence about groups: there were no groups to compare (no attribute "
                "columns, no discovered slices).",
    "dbvae_helped": None,
    "plain": {"found": ["We could not compare groups: the dataset has no attribute columns "
                        "(such as skin tone or gender) and no slices were discovered, so only "
                        "the model's overall performance was measured."],
              "sure": ["The overall numbers say nothing about any group: a model can do well "
                       "overall and still fail one group of people."],
              "next": ["Add attribute columns (for example skin tone and gender) to the "
                       "dataset, or let the audit discover slices (--discover-slices)."]}}


def _no_groups() -> dict:
    """No attribute columns, so the audit measured overall performance only (verdict code
    no_groups): baseline and DB-VAE trained, per_group holds only the overall row, no
    disparities, verdicts or comparison rows; the latent section has rarity but no groups."""
    result = make_result()
    for model in result["models"].values():
        model["per_group"] = [r for r in model["per_group"] if r["slice"] == "overall"]
        model["threshold_sweep"] = [r for r in model["threshold_sweep"]
                                    if r["slice"] == "overall"]
        model["disparities"], model["verdicts"] = [], []
        del model["misclassified"]
        for row in model["training"].get("resampling", []):
            del row["group_weight"]
    data = result["dataset"]
    data["attributes"] = []
    data["summary"].update(attributes=[], per_attribute={}, intersections={}, warnings=[])
    result["config"]["reference"] = {}
    result["comparison"]["rows"] = []
    latent = result["latent"]
    for key in ("by_group", "rarity_auc", "dims", "traversals"):
        latent[key] = []
    latent["decile_errors"] = [r for r in latent["decile_errors"] if r["attribute"] == "all"]
    for point in latent["pca"]["points"]:
        point["groups"] = {}
    result["summary"] = copy.deepcopy(NO_GROUPS_SUMMARY)
    return result


VARIANTS = {"no_attributes": _no_attributes, "no_bootstrap": _no_bootstrap,
            "empty_latent": _empty_latent, "three_models": _three_models,
            "binary_task": _binary_task, "no_groups": _no_groups}


def make_variant(name: str) -> dict:
    """Edge cases the renderer must handle: one of :data:`VARIANTS`."""
    return VARIANTS[name]()


def _flips(rng, n: int, shift: float) -> dict:
    """One model's flip summary on ``n`` pairs whose score moves by about ``shift``."""
    pos_to_neg = round(n * max(0.0, -shift) * rng.uniform(0.4, 0.6))
    neg_to_pos = round(n * max(0.0, shift) * rng.uniform(0.4, 0.6)) + rng.randint(0, 3)
    edges = [round(-1 + 0.1 * i, 1) for i in range(21)]
    weights = [2.718 ** (-((e + 0.05 - shift) ** 2) / 0.02) for e in edges[:-1]]
    counts = [int(n * w / sum(weights)) for w in weights]
    counts[max(range(20), key=lambda i: weights[i])] += n - sum(counts)  # the mode
    return {"n": n, "flips": pos_to_neg + neg_to_pos, "pos_to_neg": pos_to_neg,
            "neg_to_pos": neg_to_pos, "flip_rate": round((pos_to_neg + neg_to_pos) / n, 6),
            "pos_to_neg_rate": round(pos_to_neg / n, 6),
            "neg_to_pos_rate": round(neg_to_pos / n, 6), "mean_change": round(shift, 6),
            "change_p05": round(shift - 0.21, 6), "median_change": round(shift + 0.004, 6),
            "change_p95": round(shift + 0.19, 6),
            "change_histogram": {"edges": edges, "counts": counts}}


def _colour(r: float, g: float, b: float) -> dict:
    return {"mean_rgb": [r, g, b], "brightness": round((r + g + b) / 3, 4)}


def make_counterfactual_result(*, attribute: str = "skin_tone", source: str = "dark",
                               target: str = "light", caption: str = "") -> dict:
    """The full result plus a model trained with CycleGAN augmentation, the counterfactual
    probe (three directions: a good CycleGAN edit, a failed one, a damaging latent edit) and
    the augmentation. ``caption`` is appended to every pair's caption."""
    result = build_result()
    rng = random.Random(5)
    attributes = DEFAULT_ATTRIBUTES
    colors = [png(c) for c in [(90, 60, 40), (200, 160, 130), (120, 85, 60), (225, 190, 165)]]
    augmented = model_tables(attributes, rng, skill=0.925, bias=0.12, latent=False, min_count=30,
                             tolerance=[0.8, 1.25], reference={"skin_tone": "light"},
                             trained=True, colors=colors)
    augmented.update(label="Baseline + CycleGAN augmentation", source="out/models/augmented.pt")
    result["models"]["augmented"] = augmented
    names = ["baseline", "dbvae", "augmented"]
    spec = [("cyclegan", source, target, 400, 0.9, 0.05, 0.95, (0.08, -0.02, 0.03)),
            ("cyclegan", target, source, 380, 0.3, 0.1, 0.92, (-0.12, -0.04, -0.05)),
            ("dbvae latent direction", source, target, 400, 0.71, 0.06, 0.74, (0.05, 0.01, 0.02))]
    directions = []
    for edit, a, b, n, success, called, kept, shifts in spec:
        pairs = [{"original": colors[k % 2 if a == source else 1 - k % 2],
                  "edited": colors[2 + (k % 2)], "caption": f"test/{a}_{k:03d}.png{caption}",
                  "scores": {m: [round(0.6 + 0.04 * k, 4), round(0.6 + 0.04 * k + s, 4)]
                             for m, s in zip(names, shifts)}} for k in range(4)]
        directions.append({
            "edit": edit, "from": a, "to": b, "n": n,
            "models": {m: _flips(rng, n, s) for m, s in zip(names, shifts)},
            "edit_success": success, "source_called_target": called,
            "attribute_score_change": round(success - called - 0.1, 4),
            "target_preserved": kept, "originals_preserved": 0.97,
            "colour_original": _colour(0.42, 0.31, 0.25) if a == source else
            _colour(0.78, 0.64, 0.55),
            "colour_edited": _colour(0.74, 0.61, 0.52) if b == target else
            _colour(0.47, 0.34, 0.27),
            "pairs": pairs})
    result["counterfactual"] = {
        "attribute": attribute, "source": source, "target": target, "threshold": 0.5,
        "generator": {"kind": "cyclegan", "epochs": 5, "train_seconds": 187.25,
                      "checkpoint": "out/counterfactual/cyclegan.pt"},
        "checkers": {
            "attribute": {"description": f"the standard CNN trained on real training faces to "
                                         f"tell {source} from {target}",
                          "test_accuracy": 0.934, "test_images": 612},
            "face": {"description": "a second face classifier trained on its own seed, not "
                                    "audited", "test_accuracy": 0.957, "test_images": 1200}},
        "directions": directions,
        "caveats": [f"CycleGAN {source} \u2192 {target} edits are 0.288 brighter than their "
                    "originals, more than the real difference between the groups (0.250).",
                    f"Only 30% of the CycleGAN {target} \u2192 {source} edits are called "
                    f"{source} by the attribute checker."]}
    rows = []
    for slice_name in dict.fromkeys(r["slice"] for r in result["models"]["baseline"]["per_group"]):
        if slice_name == "overall":
            continue
        gap = {m: next(d for d in result["models"][m]["disparities"] if d["slice"] == slice_name
                       and d["metric"] == "tpr" and d["measure"] == "max-min difference")
               for m in ("baseline", "augmented")}
        change = round(gap["augmented"]["value"] - gap["baseline"]["value"], 6)
        rows.append({"slice": slice_name, "baseline_gap": gap["baseline"]["value"],
                     "baseline_low": gap["baseline"]["low"],
                     "baseline_high": gap["baseline"]["high"],
                     "augmented_gap": gap["augmented"]["value"],
                     "augmented_low": gap["augmented"]["low"],
                     "augmented_high": gap["augmented"]["high"], "change": change,
                     "change_low": round(change - 0.03, 6), "change_high": round(change + 0.03, 6),
                     "code": "no_clear_change",
                     "verdict": "narrower with augmentation, but the CIs overlap" if change < 0
                     else "not narrower with augmentation"})
    result["augmentation"] = {
        "method": "cyclegan", "attribute": attribute, "model": "augmented", "cap": 1.0,
        "real_faces": {target: 2400, source: 820}, "added": {target: 0, source: 820},
        "generator": {"kind": "cyclegan", "epochs": 5, "train_seconds": None, "checkpoint": None},
        "synthetic_checks": [{"value": source, "n": 200, "called_value": 0.81,
                              "called_face": 0.93, "colour_synthetic": _colour(0.5, 0.38, 0.3),
                              "colour_real": _colour(0.42, 0.31, 0.25)}],
        "samples": [{"path": f"synthetic/{source}_{k}.png", "png": colors[k % 2],
                     "caption": f"synthetic {source} face {k + 1}{caption}"} for k in range(6)],
        "comparison": {"metric": "tpr", "rows": rows}}
    return result
