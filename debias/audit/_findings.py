"""The audit's conclusions as codes: headline findings, the verdict, the evidence, limitations.

Findings are dicts ``{"code": ..., **parameters}``; their words come from
:mod:`debias.verdicts`, rendered once here into ``headline`` and ``evidence``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from debias.audit._compare import none_if_nan, outcome
from debias.metrics import HIGHER_IS_BETTER
from debias.verdicts import FAIL_ON, evidence_text, finding_text

GAP = "max-min difference"
# A ratio tie, at the headline's precision.
_RATIO_DECIMALS = {"fnr": 1}


def gap_rows(disparities: pd.DataFrame, metric: str) -> pd.DataFrame:
    rows = disparities[(disparities["metric"] == metric) & (disparities["measure"] == GAP)]
    return rows.set_index("slice")


def _flipped(row: dict) -> dict:
    """The same comparison seen from the reference: it is the one doing worse."""
    low, high = row["low"], row["high"]
    return {**row, "group": row["reference"], "reference": row["group"],
            "ratio": 1 / row["ratio"], "low": None if high is None or not high else 1 / high,
            "high": None if low is None or not low else 1 / low}


def worst_ratio(m, metric: str) -> dict | None:
    """The largest disparity of ``metric`` between a group and its slice's reference, told from
    the side of the group doing worse: when the reference is the worse one (a ratio below 1 for
    an error rate), the sentence names the reference ("faces of the reference are missed 3×
    as often as faces of X"), so a badly chosen reference cannot hide a gap. Groups tied at the
    headline's precision are listed together. None when no group differs from its reference.
    """
    if metric not in HIGHER_IS_BETTER:
        return None
    v = m.verdicts
    rows = v[(v["metric"] == metric) & ~v["code"].isin(["reference", "not_compared"])]
    ratio = rows["ratio"].to_numpy(dtype=float)
    rows = rows[np.isfinite(ratio) & (ratio > 0) & (ratio != 1)]
    if rows.empty:
        return None
    records = []
    for r in rows.to_dict("records"):
        r = {**r, "low": none_if_nan(r["low"]), "high": none_if_nan(r["high"])}
        group_worse = r["ratio"] < 1 if HIGHER_IS_BETTER[metric] else r["ratio"] > 1
        records.append(r if group_worse else _flipped(r))
    # Told from the worse side, an error rate's ratio is above 1 and a rate's below 1.
    size = (lambda r: r["ratio"]) if not HIGHER_IS_BETTER[metric] else (lambda r: 1 / r["ratio"])
    decimals = _RATIO_DECIMALS.get(metric, 2)
    top = max(records, key=size)
    tied = [r for r in records if round(r["ratio"], decimals) == round(top["ratio"], decimals)
            and r["slice"] == top["slice"] and r["reference"] == top["reference"]]
    return {"groups": [str(r["group"]) for r in tied], "reference": str(top["reference"]),
            "slice": str(top["slice"]), "ratio": float(top["ratio"]), "low": top["low"],
            "high": top["high"], "verdict": top["code"]}


def verdict_counts(metrics: dict, metric: str) -> dict[str, dict[str, int]]:
    """Model -> count of each tolerance verdict code on ``metric``."""
    out = {}
    for name, m in metrics.items():
        codes = m.verdicts.loc[m.verdicts["metric"] == metric, "code"]
        out[name] = {str(k): int(v) for k, v in codes.value_counts().items()}
    return out


def _grouped(metrics: dict) -> bool:
    """Whether the audit has any slice of groups (attributes or discovered slices)."""
    return any((m.per_group["slice"] != "overall").any() for m in metrics.values())


def audit_verdict(metrics: dict, metric: str, gates: list[dict]) -> dict:
    """The audit's verdict code and the counts behind it.

    ``cannot_conclude`` when a sanity gate failed; ``no_groups`` when there are no groups to
    compare (no attribute and no discovered slice: overall performance only); else
    ``disparity_clear`` (some group outside
    the band with its whole CI), ``disparity_weak`` (outside, CI reaching in, or no CI),
    ``not_judged`` (no ratio: the reference's value is 0 or withheld) or
    ``no_clear_disparity``."""
    counts = verdict_counts(metrics, metric)
    total = {k: sum(c.get(k, 0) for c in counts.values())
             for k in ("outside_clear", "outside_weak", "outside_no_ci", "no_ratio")}
    clear, weak = total["outside_clear"], total["outside_weak"] + total["outside_no_ci"]
    code = ("cannot_conclude" if gates else "no_groups" if not _grouped(metrics) else
            "disparity_clear" if clear else
            "disparity_weak" if weak else "not_judged" if total["no_ratio"] else
            "no_clear_disparity")
    return {"code": code, "metric": metric, "clear": clear, "weak": weak,
            "unjudged": total["no_ratio"], "by_model": counts}


def fails(verdict: dict, level: str) -> bool:
    """Whether ``--fail-on level`` fails this audit (a disparity at that evidence level)."""
    return any(n for c in verdict["by_model"].values() for code, n in c.items()
               if code in FAIL_ON[level])


def findings(metrics: dict, comparisons: dict, gates: list[dict], *, audited: int, faces: int,
             metric: str, level: float, labels: dict[str, str]) -> list[dict]:
    """The headline's findings, in order: why no conclusion can be drawn (if so); what was
    audited; per model its worst ratio and widest gap; each paired comparison."""
    out = [{"code": "cannot_conclude", "gates": gates}] if gates else []
    out.append({"code": "audited", "images": audited, "faces": faces, "models": list(metrics)})
    if not _grouped(metrics):
        if not gates:
            out.append({"code": "no_groups"})
        return out + [_overall(name, m, level) for name, m in metrics.items()]
    for name, m in metrics.items():
        gaps = gap_rows(m.disparities, metric).dropna(subset=["value"])
        if gaps.empty:
            out.append({"code": "all_withheld", "model": name, "metric": metric})
            continue
        worst = worst_ratio(m, metric)
        if worst is not None and not gates:
            out.append({"code": "worst_ratio", "model": name, "metric": metric, "level": level,
                        **worst})
        widest = gaps["value"].idxmax()
        row = gaps.loc[widest]
        out.append({"code": "widest_gap", "model": name, "metric": metric, "slice": widest,
                    "value": float(row["value"]), "low": none_if_nan(row["low"]),
                    "high": none_if_nan(row["high"]), "level": level,
                    "worst_groups": list(row["worst_groups"])})
    for other, comparison in comparisons.items():
        said = outcome(comparison)
        if said is not None:
            out.append({"code": "comparison", "other": other, "label": labels.get(other, other),
                        "metric": metric, "outcome": said,
                        "rows": [{"slice": r["slice"], "a": r["baseline_gap"],
                                  "b": r[f"{other}_gap"], "code": r["code"]}
                                 for r in comparison["rows"]]})
    return out


def _overall(name: str, m, level: float) -> dict:
    """A model's overall accuracy, miss rate and false positive rate, with their CIs."""
    row = m.per_group[m.per_group["slice"] == "overall"].iloc[0]
    values = {metric: {"value": none_if_nan(row.get(metric)), "low": none_if_nan(row.get(
        f"{metric}_low")), "high": none_if_nan(row.get(f"{metric}_high"))}
        for metric in ("accuracy", "fnr", "fpr")}
    return {"code": "overall", "model": name, "level": level, "values": values}


def summarise(metrics: dict, comparisons: dict, gates: list[dict], *, audited: int,
              faces: int, metric: str = "fnr", level: float = 0.95,
              labels: dict[str, str] | None = None, classes: dict | None = None) -> dict:
    """``result.summary``: the verdict (code and counts), the findings and gates as codes, and
    the headline and evidence rendered from them; ``dbvae_helped`` from the paired comparison
    (None: no comparison, no clear change, or a conclusion cannot be drawn)."""
    verdict = audit_verdict(metrics, metric, gates)
    found = findings(metrics, comparisons, gates, audited=audited, faces=faces, metric=metric,
                     level=level, labels=labels or {"dbvae": "DB-VAE", "augmented": "augmented"})
    said = outcome(comparisons.get("dbvae"))
    helped = None if gates else {"narrower": True, "wider": False}.get(said)
    return {"verdict": verdict, "gates": gates, "findings": found,
            "headline": [finding_text(f, classes) for f in found],
            "evidence": evidence_text(verdict),
            "dbvae_helped": helped}


def limitations(metrics: dict, *, n_boot: int, trained: bool, positives: str = "faces"
                ) -> list[str]:
    """What a reader should keep in mind, computed from this audit."""
    notes = []
    for m in metrics.values():
        # Groups without faces (the non-faces) have no recall to give: not a limitation.
        withheld = m.per_group[(m.per_group["tpr_status"] != "ok")
                               & (m.per_group["positives"] > 0)]
        if len(withheld):
            groups = ", ".join(f"{r['slice']}={r['group']}" for r in withheld.to_dict("records"))
            notes.append(f"Recall withheld for {len(withheld)} group(s) with too few {positives}: "
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
