"""Baseline vs another model scored on the same test images: a paired bootstrap of each gap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from debias.metrics import AuditConfig, paired_comparison
from debias.verdicts import comparison_text


def none_if_nan(value) -> float | None:
    """A number as a float for JSON, None where it is missing or NaN."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) \
        else float(value)


def change_code(change: float, low: float, high: float) -> str:
    """``narrower`` / ``wider`` when the paired CI of the gap's change excludes 0, else
    ``no_clear_change`` (``not_compared`` without a gap)."""
    if math.isnan(change):
        return "not_compared"
    if not (math.isnan(low) or math.isnan(high)):
        if high < 0:
            return "narrower"
        if low > 0:
            return "wider"
    return "no_clear_change"


def compare_models(y_true: np.ndarray, scores: dict[str, np.ndarray], attrs: pd.DataFrame,
                   config: AuditConfig, *, other: str = "dbvae", label: str = "DB-VAE",
                   metrics: dict | None = None) -> dict | None:
    """Per slice, the baseline's and model ``other``'s max−min gap of the verdict metric, and
    the change, from one paired bootstrap: both models are judged on the same resampled images,
    so the CI of the change holds what the models share (unlike comparing two CIs).

    Parameters
    ----------
    y_true : int (N,); scores : model name -> float (N,); attrs : DataFrame (N rows)
    metrics : model name -> AuditMetrics of these scores under ``config``, optional: their
        per-group tables are reused rather than computed again

    Returns
    -------
    dict or None
        ``{"metric", "method", "rows": [{slice, baseline_gap/_low/_high, <other>_gap/_low/_high,
        change, change_low, change_high, code, verdict}], "groups": [{slice, group, baseline,
        <other>, change, change_low, change_high}]}``; None unless both models were scored.
    """
    if "baseline" not in scores or other not in scores:
        return None
    tables = (metrics["baseline"].per_group, metrics[other].per_group) if metrics else None
    paired = paired_comparison(y_true, scores["baseline"], scores[other], attrs, config,
                               metric=config.verdict_metric, per_group=tables)
    rows = []
    for r in paired.gaps.to_dict(orient="records"):
        code = change_code(r["change"], r["change_low"], r["change_high"])
        if code == "not_compared":
            continue
        rows.append({"slice": r["slice"], "baseline_gap": float(r["a_gap"]),
                     "baseline_low": none_if_nan(r["a_low"]), "baseline_high": none_if_nan(r["a_high"]),
                     f"{other}_gap": float(r["b_gap"]), f"{other}_low": none_if_nan(r["b_low"]),
                     f"{other}_high": none_if_nan(r["b_high"]), "change": float(r["change"]),
                     "change_low": none_if_nan(r["change_low"]), "change_high": none_if_nan(r["change_high"]),
                     "code": code, "verdict": comparison_text(code, label)})
    groups = [{"slice": g["slice"], "group": str(g["group"]), "baseline": none_if_nan(g["a"]),
               other: none_if_nan(g["b"]), "change": none_if_nan(g["change"]),
               "change_low": none_if_nan(g["change_low"]), "change_high": none_if_nan(g["change_high"])}
              for g in paired.groups.to_dict(orient="records")]
    return {"metric": config.verdict_metric, "method": "paired bootstrap", "rows": rows,
            "groups": groups}


def outcome(comparison: dict | None) -> str | None:
    """``narrower`` when some gap narrowed and none widened, ``wider`` the other way round,
    ``mixed`` when both happened, ``no_clear_change`` otherwise (None: no comparison)."""
    if not comparison or not comparison["rows"]:
        return None
    codes = {r["code"] for r in comparison["rows"]}
    if "narrower" in codes and "wider" in codes:
        return "mixed"
    return "narrower" if "narrower" in codes else "wider" if "wider" in codes \
        else "no_clear_change"
