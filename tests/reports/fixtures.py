"""Schema-valid audit results for the report tests, built the way the pipeline builds them."""

from __future__ import annotations

import base64
import copy
import io
import random
from itertools import product

from PIL import Image

from tests.reports._fixture_models import model_tables

DEFAULT_ATTRIBUTES = {"skin_tone": ["dark", "light"], "gender": ["female", "male"]}
HOSTILE = ["<script>alert(1)</script>", "\"quotes'", "</textarea>",
           "</script><script>window.__pwned=1</script>",
           "<img src=x onerror=window.__pwned=1>", "line\u2028sep\u2029end"]


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
                 seed: int = 0) -> dict:
    """A full result: baseline and dbvae, training, latent, comparison and summary."""
    attributes = attributes or DEFAULT_ATTRIBUTES
    rng = random.Random(seed)
    colors = [png(c) for c in [(200, 150, 120), (90, 60, 40), (230, 200, 170), (140, 100, 70),
                               (60, 40, 30), (250, 220, 200), (120, 90, 60), (180, 130, 100)]]
    tolerance = [0.8, 1.25]
    first = list(attributes)[0]
    reference = {first: attributes[first][-1]}
    common = {"min_count": 30, "tolerance": tolerance, "reference": reference, "trained": True,
              "colors": colors}
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
                       d["metric"] == "tpr" and d["measure"] == "max-min difference")
               for m in ("baseline", "dbvae")}
        change = round(gap["dbvae"]["value"] - gap["baseline"]["value"], 6)
        rows.append({"slice": slice_name, "baseline_gap": gap["baseline"]["value"],
                     "baseline_low": gap["baseline"]["low"],
                     "baseline_high": gap["baseline"]["high"],
                     "dbvae_gap": gap["dbvae"]["value"], "dbvae_low": gap["dbvae"]["low"],
                     "dbvae_high": gap["dbvae"]["high"], "change": change,
                     "verdict": "gap smaller with DB-VAE" if change < 0 else "no improvement"})
    dataset = _dataset(attributes, rng, path_prefix)
    dataset["audited"] = models["baseline"]["per_group"][0]["count"]
    return {
        "schema_version": 1,
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
        "comparison": {"metric": "tpr", "rows": rows},
        "latent": _latent(attributes, rng, colors),
        "summary": {"headline": [f"Baseline TPR for {first}={attributes[first][0]} is lower than "
                                 f"for {attributes[first][-1]}.",
                                 "DB-VAE narrows the TPR gap."],
                    "evidence": "clear evidence of a disparity for the baseline",
                    "dbvae_helped": True},
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


def make_minimal_result() -> dict:
    """One external model's predictions audited: no training, latent, comparison or summary."""
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
    return {"schema_version": 1, "tool": {"name": "debias", "version": "0.1.0"},
            "created": full["created"], "dataset": dataset, "config": config,
            "models": {"external": external}}


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
            if row.get("verdict", "").startswith("outside"):
                row["verdict"] = "outside tolerance (no CI)"
    for row in result["comparison"]["rows"]:
        for key in ("baseline_low", "baseline_high", "dbvae_low", "dbvae_high"):
            row[key] = None
    return result


def _empty_latent() -> dict:
    """A DB-VAE whose latent section holds no rows, no summary or comparison of its own."""
    result = make_result(summary=None, comparison=None, limitations=None)
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


VARIANTS = {"no_attributes": _no_attributes, "no_bootstrap": _no_bootstrap,
            "empty_latent": _empty_latent, "three_models": _three_models}


def make_variant(name: str) -> dict:
    """Edge cases the renderer must handle: one of :data:`VARIANTS`."""
    return VARIANTS[name]()
