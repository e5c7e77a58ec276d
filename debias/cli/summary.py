"""The few lines an audit prints at the end: worst groups and gaps, with their CIs."""

from __future__ import annotations

import math

from debias.metrics import AuditMetrics


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
            lines.append(f"  {name}: {metric} withheld for every group (insufficient data)")
            continue
        worst = rows.loc[rows[metric].idxmin()]
        g = gap.iloc[0]
        lines.append(f"  {name}: worst {metric} {worst['group']} {worst[metric]:.3f}"
                     f"{_ci(worst.get(f'{metric}_low'), worst.get(f'{metric}_high'))}; "
                     f"gap {g['value']:.3f}{_ci(g['low'], g['high'])}")
    verdicts = metrics.verdicts[metrics.verdicts["metric"] == metric]
    clear = verdicts["verdict"].str.startswith("outside tolerance: clear").sum()
    weak = verdicts["verdict"].str.startswith("outside tolerance, but").sum()
    lines.append(f"  {metric} outside the tolerance band: {clear} groups with clear evidence, "
                 f"{weak} with weak evidence ({metrics.rule()})")
    return lines
