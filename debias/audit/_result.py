"""The audit result as plain JSON-ready data, and writing it (result.json + tables/*.csv)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from debias._atomic import write_atomic, write_csv
from debias.groups import DISCOVERED
from debias.metrics import AuditMetrics

SCHEMA_VERSION = 2


def records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts with NaN as None (JSON null), numpy scalars as Python ones."""
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else
                        v.item() if hasattr(v, "item") else v) for k, v in row.items()})
    return out


def metrics_section(metrics: AuditMetrics) -> dict:
    """One model's audit tables, and the rule its verdicts follow."""
    return {"rule": metrics.rule(), "per_group": records(metrics.per_group),
            "disparities": records(metrics.disparities), "verdicts": records(metrics.verdicts),
            "threshold_sweep": records(metrics.sweep)}


def base_result(*, dataset: dict, config: dict) -> dict:
    """The parts every result has, whatever was audited."""
    return {"schema_version": SCHEMA_VERSION, "tool": {"name": "debias", "version": version("debias")},
            "dataset": dataset, "config": config, "models": {}}


def write_result(result: dict, tables: dict[str, pd.DataFrame], out: Path) -> Path:
    """Write ``out/result.json`` and ``out/tables/<name>.csv``, each atomically (and every
    text cell neutralised against formula injection, see :func:`debias._atomic.write_csv`);
    ``out`` is the audit's staging folder, moved in whole once every stage succeeded."""
    for name, frame in tables.items():
        write_csv(frame, out / "tables" / f"{name}.csv")
    text = json.dumps(result, indent=1, ensure_ascii=False, allow_nan=False)
    return write_atomic(out / "result.json", lambda tmp: Path(tmp).write_text(text, "utf-8"))


def scores_table(paths, labels: np.ndarray, scores: np.ndarray, attributes: pd.DataFrame, *,
                 threshold: float, split: str = "test") -> pd.DataFrame:
    """One model's score of every image the audit judged: ``tables/<model>_scores.csv``.

    Columns ``path, split, label, score, prediction``, then the attribute columns in the
    order of ``attributes`` (the discovered slices last, when there are some). ``split`` is
    ``test``: the rows the audit judged (with external predictions, every row that has one).
    ``label`` and ``prediction`` are 1 (positive class) or 0; ``prediction`` is
    ``score >= threshold``;
    ``score`` is float64, which the CSV writer prints at full precision (repr), so the file
    read back as ``--predictions`` gives the very same scores.

    Parameters
    ----------
    paths : str (N,)
    labels : int (N,)
    scores : float (N,)
    attributes : DataFrame (N, A)
    """
    scores = np.asarray(scores, dtype=np.float64)
    frame = pd.DataFrame({"path": np.asarray(paths, dtype=object).astype(str), "split": split,
                          "label": np.asarray(labels).astype(np.int64),
                          "score": scores,
                          "prediction": (scores >= threshold).astype(np.int64)})
    columns = [c for c in attributes.columns if c != DISCOVERED] + \
        [c for c in attributes.columns if c == DISCOVERED]
    for column in columns:
        frame[column] = attributes[column].astype(str).to_numpy()
    return frame


def metrics_tables(prefix: str, metrics: AuditMetrics) -> dict[str, pd.DataFrame]:
    return {f"{prefix}per_group": metrics.per_group, f"{prefix}disparities": metrics.disparities,
            f"{prefix}verdicts": metrics.verdicts, f"{prefix}threshold_sweep": metrics.sweep}


def config_dict(config) -> dict:
    data = asdict(config)
    data["tolerance"] = list(data["tolerance"])
    return data
