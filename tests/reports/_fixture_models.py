"""Per-model tables of the test results (per_group, disparities, verdicts, sweeps, training,
galleries), built like the pipeline builds them: counts summed from one confusion table per
finest cell, so every slice adds up."""

from __future__ import annotations

import math
import random
from itertools import product

# The words the audit writes beside each verdict code (the report shows them as written).
VERDICT_WORDS = {"reference": "reference group", "insufficient_data": "insufficient data",
                 "within": "within tolerance",
                 "outside_clear": "outside tolerance: clear evidence of a disparity"}

METRICS = ("accuracy", "tpr", "fpr", "precision", "selection_rate")
# Metrics where higher is worse: their worst group is the one with the highest value.
HIGHER_IS_WORSE = ("fpr", "fnr", "error_rate")


def _ci(value, n, z=1.96):
    if value is None:
        return None, None
    half = z * math.sqrt(max(value * (1 - value), 0.01) / max(n, 1))
    return round(max(0.0, value - half), 6), round(min(1.0, value + half), 6)


def _groups(attributes: dict[str, list[str]]) -> list[tuple[str, list[tuple[str, ...]]]]:
    """(slice name, groups as value tuples) for overall, each attribute and each pair."""
    names = list(attributes)
    out = [("overall", [("all",)])]
    out += [(a, [(v,) for v in attributes[a]]) for a in names]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            out.append((f"{a} & {b}", list(product(attributes[a], attributes[b]))))
    return out


def _per_group(attributes, rng, *, skill: float, bias: float, min_count: int,
               metrics=METRICS):
    """Rows of every slice, summed from one confusion table per finest cell (so the counts of
    an attribute's groups add up to its intersections and to "overall")."""
    first = list(attributes)[0]
    cells = {}
    combos = list(product(*attributes.values()))
    sizes = random.Random(7)  # every model is audited on the same test images
    for combo in combos:
        positives = 12 if combo == combos[-1] else sizes.randint(80, 300)
        negatives = sizes.randint(40, 200)
        tpr = min(0.99, max(0.05, skill - (bias if combo[0] == attributes[first][0] else 0)
                            + rng.uniform(-0.03, 0.03)))
        fpr = min(0.5, max(0.01, 0.08 + rng.uniform(-0.03, 0.03)))
        cells[combo] = (positives, negatives, round(tpr * positives), round(fpr * negatives))
    names = list(attributes)
    what = {"accuracy": "samples", "tpr": "positives", "fpr": "negatives",
            "precision": "predicted positives", "selection_rate": "samples",
            "fnr": "positives", "error_rate": "samples"}
    rows = []
    for slice_name, groups in _groups(attributes):
        columns = [] if slice_name == "overall" else [
            names.index(a) for a in slice_name.split(" & ")]
        for values in groups:
            members = [c for combo, c in cells.items()
                       if all(combo[i] == v for i, v in zip(columns, values))]
            positives, negatives, tp, fp = (sum(c[k] for c in members) for k in range(4))
            count = positives + negatives
            row = {"slice": slice_name, "group": " & ".join(values), "count": count,
                   "positives": positives, "negatives": negatives, "predicted_positives": tp + fp}
            denominators = {"accuracy": count, "tpr": positives, "fpr": negatives,
                            "precision": tp + fp, "selection_rate": count, "fnr": positives,
                            "error_rate": count}
            values_ = {"accuracy": (tp + negatives - fp) / count, "tpr": tp / positives,
                       "fpr": fp / negatives, "precision": tp / max(tp + fp, 1),
                       "selection_rate": (tp + fp) / count, "fnr": 1 - tp / positives,
                       "error_rate": (positives - tp + fp) / count}
            for m in metrics:
                n = denominators[m]
                status = ("ok" if n >= min_count else
                          f"insufficient data: {n} {what[m]} < {min_count}")
                value = round(values_[m], 6) if status == "ok" else None
                low, high = _ci(value, n)
                row.update({m: value, f"{m}_low": low, f"{m}_high": high, f"{m}_status": status})
            rows.append(row)
    return rows


def _disparities_and_verdicts(per_group, tolerance, reference, metrics=METRICS):
    disparities, verdicts = [], []
    for slice_name in dict.fromkeys(r["slice"] for r in per_group):
        if slice_name == "overall":
            continue
        rows = [r for r in per_group if r["slice"] == slice_name]
        ref = next((r for r in rows if r["group"] == reference.get(slice_name)),
                   max(rows, key=lambda r: r["count"]))
        for m in metrics:
            defined = [r for r in rows if r[m] is not None]
            hi = max(defined, key=lambda r: r[m])
            lo = min(defined, key=lambda r: r[m])
            diff = round(hi[m] - lo[m], 6)
            ratio = round(lo[m] / hi[m], 6) if hi[m] else None
            worst = hi["group"] if m in HIGHER_IS_WORSE else lo["group"]
            detail = f"worst group: {worst}"
            disparities.append({"slice": slice_name, "metric": m, "measure": "max-min difference",
                                "value": diff, "low": round(max(0, diff - 0.04), 6),
                                "high": round(diff + 0.04, 6), "detail": detail,
                                "worst_groups": [worst]})
            disparities.append({"slice": slice_name, "metric": m, "measure": "min/max ratio",
                                "value": ratio,
                                "low": None if ratio is None else round(ratio - 0.05, 6),
                                "high": None if ratio is None else round(min(1, ratio + 0.05), 6),
                                "detail": detail, "worst_groups": [worst]})
            for r in rows:
                if r is ref:
                    code, value = "reference", 1.0
                elif r[m] is None:
                    code, value = "insufficient_data", None
                else:
                    value = round(r[m] / ref[m], 6) if ref[m] else None
                    inside = value is not None and tolerance[0] <= value <= tolerance[1]
                    code = "within" if inside else "outside_clear"
                verdict = VERDICT_WORDS[code]
                low, high = (None, None) if value is None else (
                    round(value - 0.06, 6), round(value + 0.06, 6))
                verdicts.append({"slice": slice_name, "group": r["group"], "metric": m,
                                 "reference": ref["group"], "ratio": value, "low": low,
                                 "high": high, "code": code, "verdict": verdict})
        accuracies = [100 * r["accuracy"] for r in rows if r["accuracy"] is not None]
        mean = sum(accuracies) / len(accuracies)
        var = sum((a - mean) ** 2 for a in accuracies) / (len(accuracies) - 1)
        n_defined = len([r for r in rows if r["tpr"] is not None and r["fpr"] is not None])
        for metric, measure, value in (
                ("selection_rate", "demographic parity difference", 0.05),
                ("tpr,fpr", "equalized odds difference", 0.2),
                ("accuracy", "E[A] (mean group accuracy, %)", mean),
                ("accuracy", "Var[A] (variance of group accuracy, %^2, ddof 1)", var)):
            disparities.append({"slice": slice_name, "metric": metric, "measure": measure,
                                "value": round(value, 6), "low": round(value * 0.8, 6),
                                "high": round(min(value * 1.2, 100 if "E[A]" in measure
                                                  else value * 1.2), 6),
                                "detail": f"over {n_defined} groups with defined TPR and FPR"
                                if "difference" in measure else ""})
    return disparities, verdicts


def _sweep(per_group, steps: int = 21):
    rows = []
    for r in per_group:
        for i in range(steps):
            t = i / (steps - 1)
            centre = 0.5 + 0.2 * (r["tpr"] or 0.5)
            tpr = None if r["positives"] == 0 else round(1 / (1 + math.exp(12 * (t - centre))), 6)
            fpr = None if r["negatives"] == 0 else round(
                1 / (1 + math.exp(12 * (t - 0.25 - 3 * ((r["fpr"] or 0.08) - 0.08)))), 6)
            rows.append({"slice": r["slice"], "group": r["group"], "threshold": round(t, 4),
                         "tpr": tpr, "fpr": fpr})
    return rows


def model_tables(attributes, rng, *, skill, bias, min_count, tolerance, reference, trained, latent,
                 colors, metrics=METRICS):
    per_group = _per_group(attributes, rng, skill=skill, bias=bias, min_count=min_count,
                           metrics=metrics)
    disparities, verdicts = _disparities_and_verdicts(per_group, tolerance, reference, metrics)
    model = {"rule": f"a group passes a metric when {tolerance[0]:g} <= group value / reference "
                     f"value <= {tolerance[1]:g}; evidence uses the 95% bootstrap CI",
             "per_group": per_group, "disparities": disparities, "verdicts": verdicts,
             "threshold_sweep": _sweep(per_group)}
    if trained:
        epochs = [{"epoch": e, "loss": round(1.2 / e + (0.1 if latent else 0), 4),
                   "classification": round(0.9 / e, 4),
                   "reconstruction": round(0.3 / e + 0.05, 4) if latent else None,
                   "latent": round(40 / e, 4) if latent else None} for e in range(1, 6)]
        model["training"] = {"epochs": epochs}
        if latent:
            names = [" & ".join(v) for v in product(*attributes.values())]
            model["training"]["resampling"] = [
                {"epoch": e, "ess": round(900 - 60 * e, 1),
                 "ess_fraction": round(0.9 - 0.06 * e, 4),
                 "max_over_uniform": round(2 + 0.5 * e, 2),
                 "group_weight": {g: round(1 + (0.15 * e if i == 0 else -0.02 * e), 4)
                                  for i, g in enumerate(names)}} for e in range(1, 6)]
    first = list(attributes)[0]
    model["misclassified"] = [
        {"group": v, "images": [{"path": f"faces/{v}/img_{k}.png", "png": colors[k % len(colors)],
                                 "caption": f"score {0.1 + 0.1 * k:.2f}"} for k in range(3)]}
        for v in attributes[first]]
    return model
