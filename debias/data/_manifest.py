"""What every dataset layout reader produces, and the checks they share."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from debias.data._image import IMAGE_EXTENSIONS
from debias.errors import DataError

RESERVED_COLUMNS = ("path", "file", "label", "split")
UNKNOWN = "unknown"
_SPLIT_NAMES = {"train": "train", "val": "val", "valid": "val", "validation": "val", "test": "test"}
_TRUE = frozenset({"1", "true", "yes", "y", "t", "1.0", "face", "positive", "pos"})
_FALSE = frozenset({"0", "false", "no", "n", "f", "0.0", "nonface", "non-face", "negative", "neg"})


@dataclass(frozen=True)
class SkippedFile:
    """A file left out of a dataset, with the one-line reason."""

    path: str
    reason: str


@dataclass
class Manifest:
    """The files of a dataset before decoding.

    ``frame`` has one row per image with columns ``path`` (printable, relative to the root),
    ``file`` (path to open), ``label`` (int 0/1), optionally ``split``, and one string column
    per attribute in ``attributes``.
    """

    frame: pd.DataFrame
    attributes: list[str]
    format: str
    skipped: list[SkippedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def printable(name: str) -> str:
    """A file name as valid UTF-8 text: undecodable bytes become ``\\xNN`` escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def list_image_files(directory: Path, root: Path) -> tuple[list[str], list[SkippedFile]]:
    """Image files under ``directory`` (recursively, sorted), and the other files skipped.

    Hidden files and folders (name starting with ".") are ignored silently.
    """
    files: list[str] = []
    skipped: list[SkippedFile] = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
                files.append(full)
            elif not (dirpath == str(root) and name.lower().endswith((".csv", ".md", ".txt"))):
                rel = printable(os.path.relpath(full, root))
                skipped.append(SkippedFile(rel, "not an image file (extension)"))
    return files, skipped


def resolve_inside(root: Path, relative: str, where: str) -> str:
    """The file ``relative`` names under ``root``; refuse paths that leave the root.

    Parameters
    ----------
    root : Path
        The dataset root, already resolved (``Path.resolve()``).
    relative : str
        The path as the CSV gives it.
    where : str
        Location for the error message, e.g. ``"labels.csv line 7"``.
    """
    if not relative.strip():
        raise DataError(f"{where}: empty path")
    full = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([full, str(root)]) != str(root):
        raise DataError(f"{where}: path {relative!r} leaves the dataset root; refused")
    if not os.path.isfile(full):
        raise DataError(f"{where}: file {relative!r} not found")
    return full


def read_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV as strings, keeping empty cells as ``""``; Latin-1 if it is not UTF-8."""
    raw = path.read_bytes()
    notes = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        notes.append(f"{path.name} is not UTF-8; it was read as Latin-1")
    if not text.strip():
        raise DataError(f"{path.name} is empty")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        detail = str(err).strip().splitlines()[-1]
        raise DataError(f"{path.name} is not a valid CSV: {detail}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, notes


def parse_labels(values: pd.Series, *, positive: str | None, source: str) -> np.ndarray:
    """Binary labels from 1/0, true/false, yes/no, or two class names with ``positive``.

    ``values`` is indexed by CSV row position (0 = first data row, on file line 2).
    """
    text = values.astype(str).str.strip()
    empty = text == ""
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise DataError(f"{source} line {row + 2}: empty label")
    if positive is not None:
        classes = sorted(text.unique())
        if positive not in classes:
            raise DataError(f"`positive` {positive!r} is not a label in {source} "
                            f"(labels: {', '.join(map(repr, classes[:10]))})")
        if len(classes) > 2:
            raise DataError(f"{source} has {len(classes)} label values; a detector audit needs "
                            f"two: {', '.join(map(repr, classes[:10]))}")
        return (text == positive).to_numpy(np.int64)
    lower = text.str.lower()
    is_true, is_false = lower.isin(_TRUE), lower.isin(_FALSE)
    bad = ~(is_true | is_false)
    if bad.any():
        classes = sorted(text[bad].unique())
        if len(set(text.unique())) == 2:
            raise DataError(f"{source}: labels are class names ({', '.join(map(repr, sorted(text.unique())))}); "
                            "pass `positive` NAME to say which one is the positive class")
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{source} line {row + 2}: label {classes[0]!r} is not 1/0 or true/false")
    return is_true.to_numpy(np.int64)


def parse_split(values: pd.Series, source: str) -> pd.Series:
    """Split names normalised to ``train``, ``val`` or ``test``."""
    lower = values.astype(str).str.strip().str.lower()
    mapped = lower.map(_SPLIT_NAMES)
    if mapped.isna().any():
        row = int(np.flatnonzero(mapped.isna().to_numpy())[0])
        raise DataError(f"{source} line {row + 2}: split {values.iloc[row]!r} is not "
                        "train, val or test")
    return mapped


def clean_attributes(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Attribute columns as stripped strings, empty cells as ``"unknown"``."""
    for column in columns:
        values = frame[column].astype(str).str.strip()
        frame[column] = values.mask(values == "", UNKNOWN)
    return frame


def choose_attributes(available: list[str], wanted: list[str] | None, source: str) -> list[str]:
    """The attribute columns to keep: ``wanted`` (checked to exist) or all available."""
    if wanted is None:
        return list(available)
    missing = [a for a in wanted if a not in available]
    if missing:
        raise DataError(f"attribute {missing[0]!r} not found in {source} "
                        f"(available: {', '.join(available) or 'none'})")
    return list(wanted)
