"""The plain-language summary: what we found, how sure we are, what to do next, as codes.

Each item is ``{"code": ..., **parameters}``; :func:`debias.verdicts.plain_text` words them.
"""

from __future__ import annotations

from debias.audit._findings import worst_ratio
from debias.groups import group_labels, slices
from debias.groups import slice_name as name_of

# Evidence codes for which more data would settle the question.
_UNSURE = ("outside_weak", "outside_no_ci", "within_inconclusive")


def _training_faces(train, slice_name: str, groups: list[str], positives_only: bool = True
                    ) -> dict[str, int] | None:
    """Training faces (every training image when not ``positives_only``) of each group of a
    slice (None without a training split)."""
    if train is None:
        return None
    faces = train.meta[train.meta["label"] == 1] if positives_only else train.meta
    attributes = [c for c in train.attributes if c in faces.columns]
    columns = {name_of(c): c for c in slices(attributes, max_order=len(attributes) or 1)
               }.get(slice_name)
    if columns is None:
        return None
    counts = group_labels(faces, columns).value_counts()
    return {g: int(counts.get(g, 0)) for g in groups}


def _test_faces(m, slice_name: str, group: str, positives_only: bool = True) -> int:
    row = m.per_group[(m.per_group["slice"] == slice_name) & (m.per_group["group"] == group)]
    return int(row["positives" if positives_only else "count"].iloc[0]) if len(row) else 0


def advice(metrics: dict, summary: dict, *, train, metric: str, tolerance, min_count: int,
           n_boot: int, positives: str = "faces", positives_only: bool = True
           ) -> dict[str, list[dict]]:
    """``{"found": [...], "sure": [...], "next": [...]}`` items for the report's first box.

    Parameters
    ----------
    metrics : model name -> AuditMetrics; summary : the audit's summary (verdict, gates)
    train : the training split, or None (external predictions)
    """
    found, sure, todo = [], [], []
    gates = summary["gates"]
    if gates:
        found.append({"code": "cannot_conclude", "gates": gates})
        sure.append({"code": "nothing_to_weigh"})
        todo += [{"code": "fix_gate", "gate": g["code"], "min_count": min_count} for g in gates]
        return {"found": found, "sure": sure, "next": todo}
    if summary["verdict"]["code"] == "no_groups":
        found.append({"code": "no_groups"})
        sure.append({"code": "overall_only"})
        todo.append({"code": "fix_gate", "gate": "no_attributes", "min_count": min_count})
        return {"found": found, "sure": sure, "next": todo}
    found.append({"code": "metric", "metric": metric})
    for name, m in metrics.items():
        worst = worst_ratio(m, metric)
        evidence = worst["verdict"] if worst else None
        codes = set(m.verdicts.loc[m.verdicts["metric"] == metric, "code"])
        if worst is None and codes & {"outside_clear", "outside_weak", "outside_no_ci",
                                      "no_ratio"}:
            # No ratio to tell (a reference without errors): the gap itself, not a pass.
            gap = next(f for f in summary["findings"]
                       if f["code"] == "widest_gap" and f["model"] == name)
            found.append({"code": "range", "model": name, "metric": metric,
                          "slice": gap["slice"], "value": gap["value"],
                          "worst_groups": gap["worst_groups"]})
        elif worst is None or evidence in ("within", "within_no_ci"):
            found.append({"code": "no_gap", "model": name, "metric": metric,
                          "band": list(tolerance)})
        else:
            found.append({"code": "gap", "model": name, "metric": metric, **worst})
            sure.append({"code": "evidence", "model": name, "evidence": evidence,
                         "low": worst["low"], "high": worst["high"], "band": list(tolerance)})
            if evidence in _UNSURE:
                group = worst["groups"][0]
                sure_n = _test_faces(m, worst["slice"], group, positives_only)
                todo.append({"code": "more_test_faces", "group": group, "faces": sure_n,
                             "counted": "positives" if positives_only else "images"})
            if evidence == "outside_clear":
                todo.append({"code": "more_training_faces", "groups": worst["groups"],
                             "reference": worst["reference"],
                             "counted": "positives" if positives_only else "images",
                             "training": _training_faces(train, worst["slice"],
                                                         worst["groups"] + [worst["reference"]],
                                                         positives_only)})
    withheld = _withheld_faces(metrics, positives)
    if withheld:
        sure.append({"code": "withheld", "groups": withheld, "min_count": min_count})
        todo.append({"code": "fill_withheld", "groups": withheld, "min_count": min_count})
    sure.append({"code": "sampling_only" if n_boot else "no_intervals"})
    comparison = next((f for f in summary["findings"] if f["code"] == "comparison"
                       and f["other"] == "dbvae"), None)
    if comparison:
        found.append({"code": "dbvae_outcome", "outcome": comparison["outcome"],
                      "metric": metric, "rows": comparison["rows"]})
        todo.append({"code": "use_dbvae" if comparison["outcome"] == "narrower"
                     else "dbvae_not_shown", "outcome": comparison["outcome"]})
    elif any(i["code"] == "more_training_faces" for i in todo):
        todo.append({"code": "try_debiasing"})
    if not todo:
        todo.append({"code": "keep_auditing"})
    unique = [item for i, item in enumerate(todo) if item not in todo[:i]]
    return {"found": found, "sure": sure, "next": unique}


def _withheld_faces(metrics: dict, positives: str = "faces") -> list[str]:
    """Face groups (single attributes) too small for a recall: the same for every model."""
    m = next(iter(metrics.values()))
    rows = m.per_group[(m.per_group["tpr_status"] != "ok") & (m.per_group["positives"] > 0)
                       & ~m.per_group["slice"].str.contains(" & ", regex=False)
                       & (m.per_group["slice"] != "overall")]
    return [f"{r['group']} ({int(r['positives'])} {positives})" for r in rows.to_dict("records")]
