"""Two audits side by side: per shared slice each one's max−min gap of a metric and the change
B − A with its CI, per shared group each one's value and the change; what could not be
compared, with the reason."""

from __future__ import annotations

from datetime import datetime, timezone
from importlib.metadata import version

import numpy as np
import pandas as pd

from debias.audit import change_code, none_if_nan
from debias.compare._engines import PairedEngine, UnpairedEngine
from debias.compare._pairing import detect_pairing
from debias.compare._sides import AuditSide
from debias.compare._words import change_text, headline
from debias.errors import DataError
from debias.metrics import METRICS
from debias.metrics import compared_groups

LEVEL = 0.95


def compare_audits(a: AuditSide, b: AuditSide, *, metric: str | None = None,
                   n_boot: int = 1000, seed: int = 0, level: float = LEVEL) -> dict:
    """Compare audit B with audit A on one metric.

    Paired (one bootstrap of the images, both models scored on each resample) when both
    audits wrote per-image scores of the same test images; otherwise unpaired (independent
    bootstraps of each audit's counts). See :mod:`debias.compare._pairing`.

    Parameters
    ----------
    a, b : AuditSide
    metric : str, optional
        One of :data:`debias.metrics.METRICS`; default: the audits' verdict metric.
    n_boot : int
        Bootstrap resamples (0: no CIs).
    seed : int
    level : float
        Confidence level of the CIs.

    Returns
    -------
    dict
        What compare.json holds (plain JSON values, None for a missing number).

    Raises
    ------
    DataError
        The audits' tasks or class names differ, or their verdict metrics differ and no
        ``metric`` is given.
    """
    _check_same_task(a, b)
    metric = _metric(a, b, metric)
    missing = "; ".join(side.note for side in (a, b) if side.note) or None
    pairing = detect_pairing(a.scores, b.scores, **({"missing": missing} if missing else {}))
    if pairing.paired:
        max_order = min(int(s.result["config"]["max_order"]) for s in (a, b))
        engine = PairedEngine(pairing, max_order=max_order, n_boot=n_boot, seed=seed)
    else:
        engine = UnpairedEngine(a, b, metric, n_boot=n_boot, seed=seed)
    compared = _compare_slices(engine, a.per_group, b.per_group, metric, level,
                               compare=a.result["config"].get("compare", "with_positives"))
    attributes = [set(s.result["dataset"]["attributes"]) for s in (a, b)]
    result = {
        "kind": "debias comparison", "version": 1,
        "tool": {"name": "debias", "version": version("debias")},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "metric": metric, "level": level, "n_boot": n_boot, "seed": seed,
        "pairing": engine.pairing_word, "pairing_reason": pairing.reason,
        "images": {"a": a.images, "b": b.images, "shared": pairing.shared},
        "audits": {"a": _describe(a), "b": _describe(b)},
        "classes": a.result.get("classes"),
        "shared_attributes": [x for x in a.result["dataset"]["attributes"] if x in attributes[1]],
        "overall": compared["overall"], "gaps": compared["gaps"], "groups": compared["groups"],
        "not_compared": {"slices": compared["skipped"], "groups": compared["skipped_groups"],
                         "attributes": {"a": sorted(attributes[0] - attributes[1]),
                                        "b": sorted(attributes[1] - attributes[0])}},
        "notes": _notes(a, b, pairing, n_boot),
    }
    result["headline"] = headline(result)
    return result


def _compare_slices(engine, table_a: pd.DataFrame, table_b: pd.DataFrame, metric: str,
                    level: float, *, compare: str) -> dict:
    """Every slice of both per-group tables through ``engine``: ``overall`` (its row),
    ``gaps`` and ``groups`` (rows), ``skipped`` slices and ``skipped_groups`` with reasons."""
    names_a, names_b = (list(dict.fromkeys(t["slice"])) for t in (table_a, table_b))
    gaps, groups, skipped_groups = [], [], []
    skipped = [{"slice": n, "reason": "only in A"} for n in names_a if n not in names_b] + \
        [{"slice": n, "reason": "only in B"} for n in names_b if n not in names_a]
    overall = None
    for name in [n for n in names_a if n in names_b]:
        reason = engine.slice_reason(name)
        if reason:
            skipped.append({"slice": name, "reason": reason})
            continue
        chosen, left_out = _groups(table_a, table_b, name, metric, compare)
        left_out.update(engine.missing(name, chosen))
        chosen = [g for g in chosen if g not in left_out]
        left_out.update(_size_mismatches(name, chosen, engine.sizes(name, chosen), table_a,
                                         table_b))
        chosen = [g for g in chosen if g not in left_out]
        skipped_groups += [{"slice": name, "group": g, "reason": why}
                           for g, why in left_out.items()]
        gap, per_group = engine.compare(name, chosen, metric, level)
        rows = _group_rows(name, chosen, per_group, table_a, table_b, metric)
        if name == "overall":
            overall = rows[0] if rows else None
            continue
        groups += rows
        code = change_code(gap["change"], gap["change_low"], gap["change_high"])
        if code == "not_compared":
            skipped.append({"slice": name, "reason": f"{len(chosen)} group(s) compared in "
                                                      "both audits: no gap"})
            continue
        gaps.append({"slice": name, "groups": len(chosen),
                     **{k: none_if_nan(v) for k, v in gap.items()}, "code": code,
                     "verdict": change_text(code, engine.pairing_word,
                                            has_ci=not np.isnan(gap["change_low"]))})
    return {"overall": overall, "gaps": gaps, "groups": groups, "skipped": skipped,
            "skipped_groups": skipped_groups}


def _check_same_task(a: AuditSide, b: AuditSide) -> None:
    if a.classes != b.classes:
        def said(c):
            return f"{c[1]} vs {c[2]} ({c[0].replace('_', ' ')})"
        raise DataError(f"the audits are of different tasks: A classifies {said(a.classes)}, B "
                        f"{said(b.classes)}; a metric means different things in each, so they "
                        "cannot be compared")


def _metric(a: AuditSide, b: AuditSide, metric: str | None) -> str:
    if metric is not None:
        if metric not in METRICS:
            raise DataError(f"`metric` {metric!r}: choose from {', '.join(METRICS)}")
        return metric
    if a.verdict_metric != b.verdict_metric:
        raise DataError(f"the audits judge different metrics (A {a.verdict_metric}, B "
                        f"{b.verdict_metric}); pass `metric` to choose one")
    return a.verdict_metric


def _groups(table_a: pd.DataFrame, table_b: pd.DataFrame, name: str, metric: str,
            compare: str) -> tuple[list[str], dict[str, str]]:
    """The groups of slice ``name`` compared in both audits, and the others -> why not."""
    rows_a = table_a[table_a["slice"] == name].set_index("group")
    rows_b = table_b[table_b["slice"] == name].set_index("group")
    chosen = compared_groups(table_a, table_b, name, metric, compare)
    status = f"{metric}_status"
    left_out = {}
    for group in dict.fromkeys([*rows_a.index, *rows_b.index]):
        if group in chosen:
            continue
        if group not in rows_b.index or group not in rows_a.index:
            left_out[group] = f"only in {'A' if group in rows_a.index else 'B'}"
        elif rows_a.at[group, status] == rows_b.at[group, status] != "ok":
            left_out[group] = f"{metric} {rows_a.at[group, status]} (in both)"
        elif rows_a.at[group, status] != "ok":
            left_out[group] = f"A: {metric} {rows_a.at[group, status]}"
        elif rows_b.at[group, status] != "ok":
            left_out[group] = f"B: {metric} {rows_b.at[group, status]}"
        else:
            left_out[group] = "no positive images (the audit does not compare it)"
    return chosen, left_out


def _size_mismatches(name: str, groups: list[str], sizes, table_a: pd.DataFrame,
                     table_b: pd.DataFrame) -> dict[str, str]:
    """Groups whose image count in the counts compared differs from the audit's own (a scores
    file that does not describe the audit's groups): group -> why, never compared."""
    out = {}
    for which, table, n in zip("AB", (table_a, table_b), sizes):
        own = table[table["slice"] == name].set_index("group")["count"]
        for group, counted in zip(groups, n):
            if group not in out and int(counted) != int(own[group]):
                out[group] = (f"{which}: {int(counted):,} images in its scores file but "
                              f"{int(own[group]):,} in its result.json")
    return out


def _group_rows(name: str, groups: list[str], per_group: dict, table_a: pd.DataFrame,
                table_b: pd.DataFrame, metric: str) -> list[dict]:
    """One row per compared group: each audit's value with the CI it reported, and the
    change with the comparison's CI."""
    rows = []
    for i, group in enumerate(groups):
        row = {"slice": name, "group": str(group)}
        for key, table in (("a", table_a), ("b", table_b)):
            own = table[(table["slice"] == name) & (table["group"] == group)].iloc[0]
            row[key] = none_if_nan(float(per_group[key][i]))
            row[f"{key}_low"] = none_if_nan(_float(own.get(f"{metric}_low")))
            row[f"{key}_high"] = none_if_nan(_float(own.get(f"{metric}_high")))
            row[f"{key}_count"] = int(own["count"])
        for key in ("change", "change_low", "change_high"):
            row[key] = none_if_nan(float(per_group[key][i]))
        rows.append(row)
    return rows


def _float(value) -> float | None:
    return None if value is None else float(value)


def _describe(side: AuditSide) -> dict:
    r = side.result
    scores = f"tables/{side.model}_scores.csv" if side.scores is not None else None
    return {"result": str(side.path), "folder": side.folder, "model": side.model,
            "label": side.label, "dataset": r["dataset"]["root"], "created": r["created"],
            "images": side.images, "threshold": r["config"]["threshold"],
            "verdict_metric": side.verdict_metric, "tool_version": r["tool"]["version"],
            "scores": scores, "scores_note": side.note}


def _notes(a: AuditSide, b: AuditSide, pairing, n_boot: int) -> list[str]:
    notes = []
    ta, tb = a.result["config"]["threshold"], b.result["config"]["threshold"]
    if ta != tb:
        notes.append(f"The audits used different thresholds (A {ta:g}, B {tb:g}); each model "
                     "is judged at its own audit's threshold.")
    roots = a.result["dataset"]["root"], b.result["dataset"]["root"]
    if roots[0] != roots[1]:
        notes.append(f"The audits read different dataset folders (A {roots[0]}, B {roots[1]})"
                     + ("; they are paired because both list the same paths and labels, which "
                        "assumes that a path names the same image in both." if pairing.paired
                        else "."))
    for column, why in pairing.dropped.items():
        notes.append(f"Attribute {column!r} is left out of the paired comparison: {why}.")
    if not n_boot:
        notes.append("No bootstrap resamples (n_boot 0): no change has a CI, so none is called "
                     "narrower or wider.")
    return notes
