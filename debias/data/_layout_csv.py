"""Two of the dataset layouts the README describes: the CSV layout (``labels.csv`` or
``metadata.csv`` at the root) and the folder layout (``faces/`` and ``nonfaces/``, or
``positive/`` and ``negative/``, or ``1/`` and ``0/``)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from debias.data._manifest import (
    RESERVED_COLUMNS,
    Manifest,
    choose_attributes,
    label_classes,
    clean_attributes,
    list_image_files,
    missing_column,
    parse_labels,
    parse_split,
    printable,
    resolve_inside,
    read_csv,
)
from debias.errors import DataError

CSV_NAMES = ("labels.csv", "metadata.csv")
# Matched whatever their case and spaces (``Path``, `` label ``); attributes keep their names.
REQUIRED_COLUMNS = ("path", "label", "split")
# Folder-layout class folders, first match wins (names as people usually spell them).
POSITIVE_DIRS = ("faces", "face", "positive", "positives", "1")
NEGATIVE_DIRS = ("nonfaces", "non_faces", "non-faces", "not_faces", "not-faces", "no_faces",
                 "negative", "negatives", "background", "backgrounds", "0")


def _unmatched_faces(faces: pd.Series, table: pd.DataFrame, allow: bool, noun: str = "faces"
                     ) -> list[str]:
    """A warning naming the positives (``noun``) without a row in attributes.csv; an error
    when they are more than half (unless ``allow``)."""
    missing = faces[~faces.isin(table.index)]
    if missing.empty:
        return []
    examples = ", ".join(printable(p) for p in missing.head(3))
    listed = ", ".join(printable(p) for p in table.index[:3])
    text = (f"{len(missing):,} of {len(faces):,} {noun} have no row in attributes.csv (e.g. "
            f"{examples}; its paths look like {listed}), so their attributes are unknown")
    if len(missing) * 2 > len(faces) and not allow:
        raise DataError(f"{text}; paths are relative to the dataset folder. Fix the paths, or "
                        "pass `allow_unmatched=True` to audit anyway")
    return [text]


def find_csv(root: Path) -> Path | None:
    """``labels.csv`` or ``metadata.csv`` at the root, if there is one."""
    return next((root / n for n in CSV_NAMES if (root / n).is_file()), None)


def find_class_dir(root: Path, names: tuple[str, ...]) -> Path | None:
    return next((root / n for n in names if (root / n).is_dir()), None)


def read_csv_layout(
    root: Path, *, positive: str | None = None, attributes: list[str] | None = None,
    target: str | None = None,
) -> Manifest:
    """Read ``labels.csv``: ``path``, ``label``, optional ``split``, attribute columns.

    With ``target`` another column is the label (``gender`` of a face set: a gender
    classifier's task); rows whose target is empty (the non-faces of a face set) are left out,
    counted in a warning, and the ``label`` column is ignored."""
    csv_path = find_csv(root)
    if csv_path is None:
        raise DataError(f"no labels.csv or metadata.csv in {root}")
    frame, notes = read_csv(csv_path, canonical=REQUIRED_COLUMNS)
    name = csv_path.name
    label = target or "label"
    for column in ("path", label):
        if column not in frame.columns:
            raise missing_column(name, column, list(frame.columns))
    if frame.empty:
        raise DataError(f"{name} has a header but no rows")
    if target is not None:
        kept = frame[target].astype(str).str.strip() != ""
        if not kept.all():
            notes = [*notes, f"{int((~kept).sum()):,} rows of {name} have no {target} and are "
                     f"left out (the task is {target})"]
        if not kept.any():
            raise DataError(f"{name}: no row has a value of `target` {target!r}")
        frame = frame[kept]  # the index stays the CSV row, for the line numbers of errors
    duplicated = frame["path"].duplicated()
    if duplicated.any():
        row = duplicated.idxmax()
        first = (frame["path"] == frame["path"][row]).idxmax()
        raise DataError(f"{name} line {row + 2}: {frame['path'][row]!r} is listed twice "
                        f"(first on line {first + 2})")
    files = [resolve_inside(root, p, f"{name} line {i + 2}")
             for i, p in zip(frame.index, frame["path"])]
    # The target is no attribute unless asked for (race & gender cells of a gender task).
    available = [c for c in frame.columns if c not in RESERVED_COLUMNS
                 and (c != target or target in (attributes or ()))]
    chosen = choose_attributes(available, attributes, name)
    out = pd.DataFrame({
        "path": [printable(p) for p in frame["path"]],
        "file": files,
        "label": parse_labels(frame[label], positive=positive, source=name),
    })
    if "split" in frame.columns:
        out["split"] = parse_split(frame["split"], name).to_numpy()
    for column in chosen:
        out[column] = frame[column].to_numpy()
    return Manifest(clean_attributes(out, chosen), chosen, "csv", warnings=notes,
                    classes=label_classes(frame[label], positive=positive))


def class_folders(root: Path, positive: str | None
                  ) -> tuple[Path | None, Path | None, tuple[str, str]]:
    """The positive and negative class folders and the classes' names.

    With ``positive`` the classes are any two folders: ``positive`` and the one other folder
    beside it (``female/`` + ``male/``), named after them. Without it, the usual names:
    ``faces/`` ... (face detection) or ``positive/``, ``1/`` (classes "positive"/"negative").
    """
    if positive is not None:
        chosen = root / positive
        if not chosen.is_dir():
            raise DataError(f"`positive` {positive!r}: there is no folder {positive}/ in {root}")
        others = [d for d in sorted(root.iterdir())
                  if d.is_dir() and not d.name.startswith(".") and d.name != positive]
        if len(others) != 1:
            found = ", ".join(f"{d.name}/" for d in others) or "none"
            raise DataError(f"with `positive` {positive!r} the other class must be the one other "
                            f"folder beside {positive}/ in {root} (found: {found})")
        return chosen, others[0], (positive, others[0].name)
    pos, neg = find_class_dir(root, POSITIVE_DIRS), find_class_dir(root, NEGATIVE_DIRS)
    face = pos is None or pos.name in ("faces", "face")
    return pos, neg, ("face", "non-face") if face else ("positive", "negative")


def read_folder_layout(root: Path, *, attributes: list[str] | None = None,
                       allow_unmatched: bool = False, positive: str | None = None) -> Manifest:
    """Read ``faces/`` (label 1) and ``nonfaces/`` (label 0), or ``positive``'s folder and the
    one beside it (see :func:`class_folders`), plus optional attributes.csv.

    An attributes.csv that names fewer than half the faces is refused (its paths probably do
    not match the images: every unmatched face would silently become ``unknown``) unless
    ``allow_unmatched``; any unmatched face is counted in a warning with examples."""
    frames, skipped = [], []
    pos_dir, neg_dir, classes = class_folders(root, positive)
    for directory, label in ((pos_dir, 1), (neg_dir, 0)):
        if directory is None:
            continue
        files, skip = list_image_files(directory, root)
        skipped += skip
        frames.append(pd.DataFrame({
            "path": [printable(os.path.relpath(f, root)) for f in files],
            "file": files,
            "label": np.full(len(files), label, dtype=np.int64),
        }))
    if not frames:
        raise DataError(f"no class folder in {root}: name the positives "
                        f"{'/, '.join(POSITIVE_DIRS)}/ and the negatives "
                        f"{'/, '.join(NEGATIVE_DIRS)}/")
    out = pd.concat(frames, ignore_index=True)
    chosen: list[str] = []
    attr_path = root / "attributes.csv"
    notes: list[str] = []
    if attr_path.is_file():
        table, notes = read_csv(attr_path, canonical=REQUIRED_COLUMNS)
        if "path" not in table.columns:
            raise missing_column("attributes.csv", "path", list(table.columns))
        available = [c for c in table.columns if c not in RESERVED_COLUMNS]
        chosen = choose_attributes(available, attributes, "attributes.csv")
        table = table.assign(path=table["path"].map(lambda p: os.path.normpath(p.strip())))
        table = table.drop_duplicates("path", keep="first").set_index("path")
        keys = out["file"].map(lambda f: os.path.relpath(f, root))
        for column in chosen:
            out[column] = keys.map(table[column]).fillna("").to_numpy()
        unmatched = len(table.index.difference(keys))
        if unmatched:
            folders = " or ".join(f"{d.name}/" for d in (pos_dir, neg_dir) if d is not None)
            notes.append(f"attributes.csv lists {unmatched} path(s) that are not images in "
                         f"{folders}")
        noun = "faces" if classes[0] in ("face", "faces") else f"{classes[0]} images"
        notes += _unmatched_faces(keys[out["label"] == 1], table, allow_unmatched, noun)
    elif attributes:
        raise DataError(f"attributes {attributes} requested but {root} has no attributes.csv")
    return Manifest(clean_attributes(out, chosen), chosen, "folder", skipped, notes,
                    classes=classes)
