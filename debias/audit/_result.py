"""The audit result as plain JSON-ready data, and writing it (result.json + tables/*.csv)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from debias._atomic import write_atomic, write_csv
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
    """Write ``out/result.json`` and ``out/tables/<name>.csv``, each atomically."""
    for name, frame in tables.items():
        write_csv(frame, out / "tables" / f"{name}.csv")
    text = json.dumps(result, indent=1, ensure_ascii=False, allow_nan=False)
    return write_atomic(out / "result.json", lambda tmp: Path(tmp).write_text(text, "utf-8"))


def metrics_tables(prefix: str, metrics: AuditMetrics) -> dict[str, pd.DataFrame]:
    return {f"{prefix}per_group": metrics.per_group, f"{prefix}disparities": metrics.disparities,
            f"{prefix}verdicts": metrics.verdicts, f"{prefix}threshold_sweep": metrics.sweep}


def config_dict(config) -> dict:
    data = asdict(config)
    data["tolerance"] = list(data["tolerance"])
    return data
