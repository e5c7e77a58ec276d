"""The audit's conclusions in words: baseline vs DB-VAE, headline, evidence, limitations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from debias.metrics import HIGHER_IS_BETTER


def _gap_rows(disparities: pd.DataFrame, metric: str) -> pd.DataFrame:
    rows = disparities[(disparities["metric"] == metric)
                       & (disparities["measure"] == "max-min difference")]
    return rows.set_index("slice")


def _none(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def compare_models(metrics: dict, *, metric: str = "tpr", other: str = "dbvae",
                   label: str = "DB-VAE") -> dict | None:
    """Per slice, the max−min gap of ``metric`` for the baseline and model ``other`` with their
    CIs (rows: ``baseline_gap``, ``<other>_gap`` and their ``_low`` / ``_high``).

    The verdict uses the two bootstrap intervals: "narrower" or "wider" only when they do
    not overlap (a conservative reading), else "no clear change".
    """
    if "baseline" not in metrics or other not in metrics:
        return None
    base, model = (_gap_rows(metrics[k].disparities, metric) for k in ("baseline", other))
    rows = []
    for name in base.index.intersection(model.index):
        b, d = base.loc[name], model.loc[name]
        if math.isnan(b["value"]) or math.isnan(d["value"]):
            continue
        if d["high"] < b["low"]:
            verdict = f"{label} narrower (CIs apart)"
        elif d["low"] > b["high"]:
            verdict = f"{label} wider (CIs apart)"
        else:
            verdict = "no clear change (CIs overlap)"
        rows.append({"slice": name, "baseline_gap": float(b["value"]),
                     "baseline_low": _none(float(b["low"])), "baseline_high": _none(float(b["high"])),
                     f"{other}_gap": float(d["value"]), f"{other}_low": _none(float(d["low"])),
                     f"{other}_high": _none(float(d["high"])),
                     "change": float(d["value"] - b["value"]), "verdict": verdict})
    return {"metric": metric, "rows": rows}


def _ci(low, high) -> str:
    return "" if low is None or high is None or math.isnan(low) or math.isnan(high) \
        else f" (95% CI {low:.3f} to {high:.3f})"


# How a metric reads in a sentence.
WORDS = {"fnr": "miss rate (FNR)", "tpr": "recall (TPR)", "fpr": "false positive rate (FPR)",
         "error_rate": "error rate", "accuracy": "accuracy", "precision": "precision",
         "selection_rate": "selection rate", "fdr": "false discovery rate (FDR)"}


def _largest_ratio(m, metric: str) -> dict | None:
    """The verdict row whose ratio to its slice's reference is the worst for ``metric``
    (highest for an error rate, lowest for a rate where higher is better); None when no
    group has a ratio that shows it doing worse than its reference."""
    v = m.verdicts
    rows = v[(v["metric"] == metric) & (v["verdict"] != "reference group")
             & ~v["verdict"].str.startswith("not compared")]
    rows = rows[np.isfinite(rows["ratio"].to_numpy(dtype=float))]
    if metric not in HIGHER_IS_BETTER:
        return None
    # Only a group that does worse than its reference: "missed 0.8× as often" is no finding.
    rows = rows[rows["ratio"] < 1] if HIGHER_IS_BETTER[metric] else rows[rows["ratio"] > 1]
    if rows.empty:
        return None
    pick = rows["ratio"].idxmin() if HIGHER_IS_BETTER[metric] else rows["ratio"].idxmax()
    return rows.loc[pick].to_dict()


def ratio_sentence(name: str, row: dict, metric: str, level: float) -> str:
    """``baseline: faces of dark & male are missed 15.7× as often as faces of light & female
    (95% CI 9.1–31.0; skin_tone & gender).``"""
    ci = "" if row["low"] is None or math.isnan(row["low"]) else \
        f"{100 * level:g}% CI {row['low']:.1f}\u2013{row['high']:.1f}; "
    where = f" ({ci}{row['slice']})"
    if metric == "fnr":
        return (f"{name}: faces of {row['group']} are missed {row['ratio']:.1f}\u00d7 as often as "
                f"faces of {row['reference']}{where}.")
    return (f"{name}: the {WORDS.get(metric, metric)} of {row['group']} is "
            f"{row['ratio']:.2f}\u00d7 that of {row['reference']}{where}.")


def summarise(metrics: dict, comparison: dict | None, *, audited: int, faces: int,
              metric: str = "fnr", level: float = 0.95, augmented: dict | None = None) -> dict:
    """Headline sentences, an evidence level, and whether DB-VAE helped (None: unclear).

    ``metric`` is the verdict metric: the headline gives each model's worst ratio of it to a
    reference group (for the miss rate: "faces of X are missed 5.1× as often as faces of Y"),
    then its widest gap; the evidence counts verdicts on it."""
    words = WORDS.get(metric, metric)
    headline = [f"{audited:,} test images ({faces:,} faces) judged with "
                f"{len(metrics)} model{'s' if len(metrics) > 1 else ''}: {', '.join(metrics)}."]
    clear = unjudged = 0
    for name, m in metrics.items():
        gaps = _gap_rows(m.disparities, metric).dropna(subset=["value"])
        if gaps.empty:
            headline.append(f"{name}: every group's {words} was withheld (insufficient data).")
            continue
        worst = _largest_ratio(m, metric)
        if worst is not None:
            headline.append(ratio_sentence(name, worst, metric, level))
        widest = gaps["value"].idxmax()
        row = gaps.loc[widest]
        headline.append(f"{name}: the widest {words} gap is across {widest}: "
                        f"{row['value']:.3f}{_ci(row['low'], row['high'])}, {row['detail']}.")
        verdicts = m.verdicts[m.verdicts["metric"] == metric]["verdict"]
        clear += int(verdicts.str.startswith("outside tolerance: clear").sum())
        unjudged += int(verdicts.str.startswith("no ratio").sum())
    if clear:
        evidence = (f"{clear} group comparisons show clear evidence of a {words} disparity "
                    "beyond the tolerance band")
    elif unjudged:
        # A reference with no errors makes every ratio to it undefined: that is not a pass.
        evidence = (f"{unjudged} group comparisons have no {words} ratio (the reference "
                    f"group's {words} is 0 or withheld), so the tolerance band cannot be "
                    "judged for them; read the gaps instead")
    else:
        evidence = f"no group's {words} is clearly outside the tolerance band"
    helped = None
    if comparison and comparison["rows"]:
        verdicts = [r["verdict"] for r in comparison["rows"]]
        narrower = sum(v.startswith("DB-VAE narrower") for v in verdicts)
        wider = sum(v.startswith("DB-VAE wider") for v in verdicts)
        helped = True if narrower and not wider else False if wider and not narrower else None
        change = ", ".join(f"{r['slice']} {r['baseline_gap']:.3f} -> {r['dbvae_gap']:.3f}"
                           for r in comparison["rows"])
        headline.append(f"DB-VAE vs baseline {words} gap: {change}; " + (
            "DB-VAE narrowed the gaps." if helped else "DB-VAE widened the gaps." if helped is False
            else "no clear change beyond the uncertainty."))
    if augmented and augmented["rows"]:
        change = ", ".join(f"{r['slice']} {r['baseline_gap']:.3f} -> {r['augmented_gap']:.3f} "
                           f"({r['verdict']})" for r in augmented["rows"])
        headline.append(f"Augmented baseline vs baseline {words} gap: {change}.")
    return {"headline": headline, "evidence": evidence, "dbvae_helped": helped}


def limitations(metrics: dict, *, n_boot: int, trained: bool) -> list[str]:
    """What a reader should keep in mind, computed from this audit."""
    notes = []
    for name, m in metrics.items():
        withheld = m.per_group[m.per_group["tpr_status"] != "ok"]
        # Groups made only of "unknown" values are the non-faces: they have no recall to give.
        faceless = withheld["group"].str.split(" & ").map(lambda v: set(v) == {"unknown"})
        withheld = withheld[~faceless]
        if len(withheld):
            groups = ", ".join(f"{r.slice}={r.group}" for r in withheld.itertuples())
            notes.append(f"Recall withheld for {len(withheld)} group(s) with too few faces: "
                         f"{groups}.")
        break  # the same groups for every model
    if n_boot:
        notes.append(f"CIs come from {n_boot} bootstrap resamples of the test images; they do not "
                     "include the randomness of training (another seed gives another model).")
    else:
        notes.append("No bootstrap was run: numbers carry no uncertainty estimate.")
    if trained:
        notes.append("Models were trained once, with one seed; see the benchmarks for the "
                     "spread over seeds.")
    return notes
