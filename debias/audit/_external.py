"""Auditing a model that is not ours: its predictions on a dataset, no training."""

from __future__ import annotations

from pathlib import Path

from debias.audit._predictions import read_predictions
from debias.audit._result import base_result, config_dict, metrics_section, metrics_tables, write_result
from debias.data import ImageDataset
from debias.metrics import AuditConfig, AuditMetrics, audit_predictions


def audit_external(data: ImageDataset, predictions: str | Path, out: str | Path, *,
                   config: AuditConfig | None = None, explicit_threshold: bool = False
                   ) -> tuple[dict, AuditMetrics, list[str]]:
    """Audit the predictions in ``predictions`` (path, score) against ``data``'s labels and
    attributes; write ``out/result.json`` and ``out/tables/*.csv``.

    Returns
    -------
    result : dict (what result.json holds), metrics, notes for the user
    """
    config = config or AuditConfig()
    index, scores, notes = read_predictions(
        predictions, data, threshold=config.threshold if explicit_threshold else None)
    scored = data.subset(index)
    if not data.attributes:
        notes.append("the dataset has no attribute columns: only overall metrics are computed")
    metrics = audit_predictions(scored.labels.numpy(), scores, scored.meta[data.attributes],
                                config)
    dataset = {"root": str(data.root), "format": data.format, "images": len(data),
               "audited": len(scored), "attributes": list(data.attributes),
               "summary": scored.summary()}
    result = base_result(dataset=dataset, config=config_dict(config))
    result["models"]["external"] = {"source": str(Path(predictions).resolve()),
                                    **metrics_section(metrics)}
    write_result(result, metrics_tables("", metrics), Path(out))
    return result, metrics, notes
