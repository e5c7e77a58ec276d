"""The lines ``debias audit`` prints at the end: per model the worst groups and gaps with their
CIs, the comparison, the probes. Text only: the conclusions come computed in the result.

Group, slice and attribute names are user data: each is shown through :func:`_name` (control
characters escaped, at most 80 characters keeping start and end), and every line returned is
passed through :func:`debias._terminal.terminal_safe` as well, for the user data embedded in
sentences (the headline's group names)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from debias._terminal import shorten, terminal_safe

if TYPE_CHECKING:
    from debias.metrics import AuditMetrics


_NAME_LIMIT = 80


def _name(value) -> str:
    """A group, slice or attribute value as one short, safe piece of a line."""
    return shorten(terminal_safe(str(value)), _NAME_LIMIT)


def _ci(low, high) -> str:
    if low is None or high is None or any(math.isnan(v) for v in (low, high)):
        return ""
    return f" [{low:.3f}, {high:.3f}]"


def summary_lines(metrics: AuditMetrics, *, metric: str = "tpr") -> list[str]:
    """Per slice: the worst group for ``metric`` and the max-min gap, with 95% CIs; then how
    many group comparisons fall outside the tolerance band."""
    lines = []
    per_group, disparities = metrics.per_group, metrics.disparities
    for name in [s for s in per_group["slice"].unique() if s != "overall"]:
        rows = per_group[(per_group["slice"] == name) & per_group[metric].notna()]
        gap = disparities[(disparities["slice"] == name) & (disparities["metric"] == metric)
                          & (disparities["measure"] == "max-min difference")]
        if rows.empty or gap.empty:
            lines.append(f"  {_name(name)}: {metric} withheld for every group (insufficient data)")
            continue
        g = gap.iloc[0]
        worst = rows[rows["group"].isin(g.get("worst_groups") or [])]  # the audit's worst
        text = f"  {_name(name)}: "
        if len(worst) == 1:
            w = worst.iloc[0]
            text += (f"worst {metric} {_name(w['group'])} {w[metric]:.3f}"
                     f"{_ci(w.get(f'{metric}_low'), w.get(f'{metric}_high'))}; ")
        elif len(worst) > 1:
            text += (f"worst {metric} tied at {worst.iloc[0][metric]:.3f}: "
                     f"{', '.join(map(_name, worst['group']))}; ")
        lines.append(text + f"gap {g['value']:.3f}{_ci(g['low'], g['high'])}")
    codes = metrics.verdicts.loc[metrics.verdicts["metric"] == metric, "code"]
    if not (per_group["slice"] != "overall").any():
        return [terminal_safe(line) for line in lines]  # no groups: the headline says so
    if codes.eq("not_judged").any():
        lines.append(f"  {metric}: no verdicts (the audit cannot support a fairness conclusion)")
        return lines
    clear = codes.eq("outside_clear").sum()
    weak = codes.isin(["outside_weak", "outside_no_ci"]).sum()
    unjudged = codes.eq("no_ratio").sum()
    lines.append(f"  {metric} outside the tolerance band: {clear} groups with clear evidence, "
                 f"{weak} with weak evidence" + (f", {unjudged} not judged (no ratio: the "
                                                  f"reference's {metric} is 0 or withheld)"
                                                  if unjudged else "")
                 + f" ({metrics.rule()})")
    return [terminal_safe(line) for line in lines]


def audit_lines(result: dict, metrics: dict) -> list[str]:
    """Everything ``debias audit`` prints to stdout before the output paths."""
    config = result["config"]
    lines = [f"audited {result['dataset']['audited']:,} images with {', '.join(metrics)} "
             f"(threshold {config['threshold']:g}, {config['n_boot']} bootstrap resamples)"]
    metric = config.get("verdict_metric", "tpr")
    for name, m in metrics.items():
        said = summary_lines(m, metric=metric)
        if said:
            lines += [f"{name}:", *said]
    summary = result["summary"]
    codes = ("cannot_conclude", "no_groups", "overall", "worst_ratio", "comparison")
    lines.extend(text for f, text in zip(summary["findings"], summary["headline"])
                 if f["code"] in codes)
    for d in result.get("counterfactual", {}).get("directions", []):
        flips = ", ".join(f"{name} {s['flip_rate']:.3f}" for name, s in d["models"].items())
        lines.append(f"counterfactual {d['edit']} {_name(d['from'])} -> {_name(d['to'])} "
                     f"({d['n']} {'faces' if result.get('classes', {}).get('task', 'face_detection') == 'face_detection' else 'images'}): "
                     f"flip rate {flips}; edit success {d['edit_success']:.2f}, still a face "
                     f"{d['target_preserved']:.2f}")
    return [terminal_safe(line) for line in lines]
