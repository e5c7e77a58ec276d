"""Reading an external model's predictions (path, score) and matching them to a dataset."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from debias._atomic import restore_csv_cell
from debias.data import ImageDataset, read_csv
from debias.errors import DataError


def _normalise(path: str, root: Path) -> str:
    """A path as the dataset's meta writes it: relative to the root, forward slashes."""
    if "\0" in path:  # no such file; left as it is, it is reported as not in the dataset
        return path
    p = Path(path)
    if p.is_absolute():
        try:
            p = Path(os.path.realpath(p)).relative_to(os.path.realpath(root))
        except ValueError:
            return str(path)
    return p.as_posix().removeprefix("./")


def read_predictions(csv_path: str | Path, data: ImageDataset, *, threshold: float | None
                     ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows of ``data`` that were scored, their scores, and notes for the user.

    The CSV needs ``path`` and ``score`` (or ``prediction`` 0/1 when there are no scores);
    paths are relative to the dataset folder (or absolute inside it). Other columns are
    ignored, except ``label``: when every cell of it is 0 or 1 it must agree with the
    dataset's label of each path (so an audit's own ``tables/<model>_scores.csv``, columns
    ``path, split, label, score, prediction, <attributes>``, can be audited again, and a file
    of another dataset is caught); a ``label`` column of other values is ignored.

    Returns
    -------
    index : int (M,), rows of ``data``
    scores : float (M,)
    notes : list of str

    Raises
    ------
    DataError
        A missing column, a non-numeric score (with its line number), a path listed twice or
        not in the dataset (with its line number), a 0/1 label that is not the dataset's,
        or scores outside [0, 1] without an explicit threshold.
    """
    frame, _ = read_csv(Path(csv_path), canonical=("path", "score", "prediction", "label"))
    if "path" not in frame.columns:
        raise DataError(f"{csv_path}: no 'path' column (columns: {', '.join(frame.columns)})")
    score_column = "score" if "score" in frame.columns else "prediction"
    if score_column not in frame.columns:
        raise DataError(f"{csv_path}: needs a 'score' column (or 'prediction' with 0/1)")
    if frame.empty:
        raise DataError(f"{csv_path} has no rows (only a header)")
    scores = pd.to_numeric(frame[score_column], errors="coerce")
    bad = np.flatnonzero(scores.isna().to_numpy())
    if len(bad):
        value = frame[score_column].iloc[bad[0]]
        hint = "; write decimals with a point" if "," in value.strip(",") else ""
        raise DataError(f"{csv_path} line {bad[0] + 2}: {score_column} {value!r} is not a "
                        f"number{hint}")
    if threshold is None and not scores.between(0, 1).all():
        raise DataError(f"{csv_path}: scores outside [0, 1] (min {scores.min():g}, max "
                        f"{scores.max():g}); pass `threshold` for this score scale")
    # A predictions file written by debias has formula-like paths quoted ("'=f.png").
    paths = frame["path"].astype(str).map(lambda p: _normalise(restore_csv_cell(p), data.root))
    duplicated = np.flatnonzero(paths.duplicated().to_numpy())
    if len(duplicated):
        raise DataError(f"{csv_path} line {duplicated[0] + 2}: {paths.iloc[duplicated[0]]!r} "
                        "is listed twice")
    position = pd.Series(np.arange(len(data)), index=data.meta["path"].astype(str))
    known = paths.isin(position.index).to_numpy()
    if not known.all():
        first = np.flatnonzero(~known)[0]
        raise DataError(f"{csv_path} line {first + 2}: {paths.iloc[first]!r} is not an image of "
                        f"the dataset ({(~known).sum()} such rows; paths are relative to "
                        f"{data.root})")
    index = position[paths].to_numpy()
    if "label" in frame.columns:
        _check_labels(csv_path, frame["label"], data.labels.numpy()[index], paths)
    notes = []
    unscored = len(data) - len(paths)
    if unscored:
        notes.append(f"{unscored:,} of the dataset's {len(data):,} images have no prediction "
                     "and are left out of the audit")
    return index, scores.to_numpy(dtype=np.float64), notes


def _check_labels(csv_path, column: pd.Series, truth: np.ndarray, paths: pd.Series) -> None:
    """Refuse 0/1 labels that differ from the dataset's (``truth``, int (M,)); a column of
    other values (class names, empty cells) is not read."""
    given = pd.to_numeric(column, errors="coerce").to_numpy()
    if not np.isin(given, (0, 1)).all():
        return
    wrong = np.flatnonzero(given != truth)
    if len(wrong):
        first = wrong[0]
        raise DataError(f"{csv_path} line {first + 2}: label {int(given[first])} but the "
                        f"dataset's label of {paths.iloc[first]!r} is {int(truth[first])} "
                        f"({len(wrong)} such rows): predictions of another dataset? Drop the "
                        "label column to audit them anyway")
