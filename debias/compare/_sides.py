"""The two audits a comparison reads: each one's result.json, the model compared, and that
model's per-image scores (``tables/<model>_scores.csv``) when the audit wrote them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from debias._atomic import restore_csv_cell
from debias.errors import DataError

# The columns of ``<model>_scores.csv`` before the attribute columns.
SCORE_COLUMNS = ("path", "split", "label", "score", "prediction")
_PLAIN_NAME = re.compile(r"^\w+$")


@dataclass
class AuditSide:
    """One audit of a comparison.

    Attributes
    ----------
    path : Path
        Its result.json.
    result : dict
        The validated result.
    model : str
        The model compared (a key of ``result["models"]``).
    scores : DataFrame or None
        The model's per-image scores, one row per test image the audit scored: ``path``,
        ``label``, ``prediction`` (ints 0/1) and the attribute columns (strings); None when
        the audit wrote none (``note`` says why).
    note : str or None
        Why ``scores`` is None.
    """

    path: Path
    result: dict
    model: str
    scores: pd.DataFrame | None
    note: str | None = None

    @property
    def folder(self) -> str:
        """The audit's ``--out`` folder name."""
        return self.path.resolve().parent.name

    @property
    def label(self) -> str:
        """The model's display name."""
        return self.result["models"][self.model].get("label") or self.model

    @property
    def per_group(self) -> pd.DataFrame:
        """The model's per-group rows (slice, group, counts, metrics, their status and CIs)."""
        return pd.DataFrame(self.result["models"][self.model]["per_group"])

    @property
    def images(self) -> int:
        """How many test images the audit scored with the model."""
        rows = self.per_group
        overall = rows[rows["slice"] == "overall"]
        return int(overall["count"].iloc[0]) if len(overall) else int(
            self.result["dataset"]["audited"])

    @property
    def classes(self) -> tuple[str, str, str]:
        """(task, positive, negative); an audit without ``classes`` is face detection."""
        c = self.result.get("classes") or {"task": "face_detection", "positive": "face",
                                           "negative": "non-face"}
        return c.get("task", "face_detection"), c["positive"], c["negative"]

    @property
    def verdict_metric(self) -> str:
        return self.result["config"].get("verdict_metric") \
            or self.result["summary"]["verdict"]["metric"]


def result_path(path: str | Path) -> Path:
    """``path`` itself, or ``path/result.json`` when ``path`` is an audit folder."""
    path = Path(path)
    return path / "result.json" if path.is_dir() else path


def load_side(path: str | Path, model: str | None, *, which: str) -> AuditSide:
    """Read one audit (``which``: "a" or "b", for messages) and its model's scores.

    Raises
    ------
    DataError
        The result.json is missing or invalid (one line naming the problem), or ``model`` is
        not one of its models (the line lists them).
    """
    from reports import ResultSchemaError, load_result

    path = result_path(path)
    try:
        result = load_result(path)
    except ResultSchemaError as err:
        raise DataError(str(err)) from None
    models = list(result["models"])
    model = models[0] if model is None else model
    if model not in result["models"]:
        raise DataError(f"`model_{which}` {model!r} is not a model of {path} (models: "
                        f"{', '.join(models)})")
    side = AuditSide(path, result, model, None)
    side.scores, side.note = _scores(side)
    return side


def _scores(side: AuditSide) -> tuple[pd.DataFrame | None, str | None]:
    if not _PLAIN_NAME.match(side.model):
        return None, f"model name {side.model!r} is not a file name, so it has no scores file"
    csv = side.path.parent / "tables" / f"{side.model}_scores.csv"
    if not csv.is_file():
        return None, f"{side.folder} has no tables/{csv.name}"
    frame = read_scores(csv)
    if len(frame) != side.images:
        return None, (f"tables/{csv.name} of {side.folder} has {len(frame):,} rows but the "
                      f"audit scored {side.images:,} images, so it is not used")
    return frame, None


def read_scores(csv: Path) -> pd.DataFrame:
    """Read a ``<model>_scores.csv`` (``path,split,label,score,prediction,<attributes>``).

    Returns
    -------
    DataFrame
        ``path`` (str), ``label`` and ``prediction`` (int 0/1), then the attribute columns
        (str), the cells' formula quoting undone (see :func:`debias._atomic.restore_csv_cell`).

    Raises
    ------
    DataError
        A missing column, a label or prediction other than 0/1, or a path listed twice.
    """
    from debias.data import read_csv

    frame, _ = read_csv(csv)
    frame = frame.rename(columns=restore_csv_cell).map(restore_csv_cell)
    for column in ("path", "label", "prediction"):
        if column not in frame.columns:
            raise DataError(f"{csv}: no {column!r} column (columns: {', '.join(frame.columns)})")
    out = {"path": frame["path"].astype(str)}
    for column in ("label", "prediction"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = np.flatnonzero(~values.isin([0, 1]).to_numpy())
        if len(bad):
            raise DataError(f"{csv} line {bad[0] + 2}: {column} {frame[column].iloc[bad[0]]!r} "
                            "is not 0 or 1")
        out[column] = values.astype(np.int64)
    duplicated = np.flatnonzero(out["path"].duplicated().to_numpy())
    if len(duplicated):
        raise DataError(f"{csv} line {duplicated[0] + 2}: {out['path'].iloc[duplicated[0]]!r} "
                        "is listed twice")
    attributes = [c for c in frame.columns if c not in SCORE_COLUMNS]
    return pd.DataFrame({**out, **{c: frame[c].astype(str) for c in attributes}})
