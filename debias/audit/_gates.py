"""Stage 3b: the sanity gates, before any verdict is drawn (see :mod:`debias.metrics._sanity`)."""

from __future__ import annotations

import numpy as np

from debias.audit._findings import gap_rows
from debias.audit._judged import Judged
from debias.metrics import AuditConfig, group_gates, model_gates
from debias.verdicts import tolerance_text


def audit_gates(judged: Judged, metrics: dict, config: AuditConfig, labels: dict[str, str]
                ) -> list[dict]:
    """Every gate this audit fails (empty: its verdicts may be read).

    The scores of models trained or loaded here are probabilities; external scores count as
    probabilities when they all lie in [0, 1]."""
    y_true = judged.test.labels.numpy()
    gates: list[dict] = []
    for name, scores in judged.scores.items():
        scores = np.asarray(scores, dtype=np.float64)
        probabilities = name in judged.trained or bool(
            len(scores) and scores.min() >= 0 and scores.max() <= 1)
        for gate in model_gates(labels.get(name, name), y_true, scores, config.threshold,
                                probabilities=probabilities):
            if gate not in gates:  # the threshold gate is the same for every model
                gates.append(gate)
    faces = judged.test.meta.loc[judged.test.meta["label"] == 1, judged.data.attributes]
    gaps = {name: gap_rows(m.disparities, config.verdict_metric)["value"].to_numpy()
            for name, m in metrics.items()}
    # No attribute at all is not a failed check: the audit reports overall performance and
    # says that no subgroup analysis was possible (the verdict ``no_groups``).
    return gates + [g for g in group_gates(faces, gaps, config.verdict_metric)
                    if g["code"] != "no_attributes"]


def suppress_verdicts(metrics: dict) -> None:
    """After a failed gate no group passes or fails: every verdict but the reference's becomes
    ``not_judged`` (the ratios and their CIs stay, as measurements)."""
    for m in metrics.values():
        v = m.verdicts
        judged = v["code"] != "reference"
        v.loc[judged, "code"] = "not_judged"
        v.loc[judged, "verdict"] = tolerance_text("not_judged")
