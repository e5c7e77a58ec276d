"""What every dataset layout reader produces, and the checks they share."""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from debias.data._image import IMAGE_EXTENSIONS
from debias.errors import DataError

RESERVED_COLUMNS = ("path", "file", "label", "split")
# A CSV of paths with labels or scores takes 50-100 bytes a row: 1 GiB is over ten million
# images, more than any dataset that fits here decoded, and reading it takes a few GiB.
MAX_CSV_BYTES = 2**30
DELIMITERS = ",;\t|"
_DELIMITER_NAMES = {";": "semicolon", "\t": "tab", "|": "pipe"}
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
    per attribute in ``attributes``. ``classes`` names label 1 and label 0.
    """

    frame: pd.DataFrame
    attributes: list[str]
    format: str
    skipped: list[SkippedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    classes: tuple[str, str] = ("face", "non-face")


def printable(name: str) -> str:
    """A file name as valid UTF-8 text: undecodable bytes become ``\\xNN`` escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def list_image_files(directory: Path, root: Path) -> tuple[list[str], list[SkippedFile]]:
    """Image files under ``directory`` (recursively, sorted), and the other files skipped.

    Hidden files and folders (name starting with ".") are ignored silently. A symbolic link
    (or a file in a linked ``directory``) that resolves outside ``root`` is refused, as the
    CSV layout refuses a path that leaves the root.

    Raises
    ------
    DataError
        A file that resolves outside ``root``, with its path.
    """
    files: list[str] = []
    skipped: list[SkippedFile] = []
    real_root = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        dir_outside = not _is_inside(os.path.realpath(dirpath), real_root)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
                if dir_outside or os.path.islink(full):
                    _refuse_outside(full, root, real_root)
                files.append(full)
            elif not (dirpath == str(root) and name.lower().endswith((".csv", ".md", ".txt"))):
                rel = printable(os.path.relpath(full, root))
                skipped.append(SkippedFile(rel, "not an image file (extension)"))
    return files, skipped


def _is_inside(real_path: str, real_root: str) -> bool:
    return os.path.commonpath([real_path, real_root]) == real_root


def _refuse_outside(full: str, root: Path, real_root: str) -> None:
    target = os.path.realpath(full)
    if not _is_inside(target, real_root):
        rel = printable(os.path.relpath(full, root))
        raise DataError(f"{rel}: a symbolic link to {printable(target)!r}, outside the dataset "
                        "root; refused")


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
    if "\0" in relative:
        raise DataError(f"{where}: path {printable(relative)!r} contains a NUL byte; refused")
    full = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([full, str(root)]) != str(root):
        raise DataError(f"{where}: path {relative!r} leaves the dataset root; refused")
    if not os.path.isfile(full):
        raise DataError(f"{where}: file {relative!r} not found")
    return full


def read_bounded(path: Path, what: str = "a CSV file") -> bytes:
    """The bytes of a regular file of at most ``MAX_CSV_BYTES``.

    A FIFO, device or socket is refused before it is read (opening a FIFO does not wait
    for a writer), and so is a larger file, so that ``/dev/zero`` cannot exhaust memory.
    """
    where, limit = printable(str(path)), MAX_CSV_BYTES
    not_regular = DataError(f"{where} is not a regular file (a FIFO, device or socket); "
                            "give a file")
    too_large = DataError(f"{where} is larger than the limit of {limit:,} bytes for {what} "
                          "(about ten million rows); keep only the columns needed")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise not_regular
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):  # replaced since the first look
                raise not_regular
            if info.st_size > limit:
                raise too_large
            raw = handle.read(info.st_size + 1)
            if len(raw) > info.st_size:  # it grew, or its size is not known (/proc)
                grown = bytearray(raw)
                while len(grown) <= limit and (more := handle.read(2**20)):
                    grown += more
                raw = bytes(grown)
    except OSError as err:
        raise DataError(f"{where}: cannot be read ({err.strerror or err})") from None
    if len(raw) > limit:
        raise too_large
    return raw


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV among ``, ; TAB |``, from its first lines; ``,`` when unsure.

    A delimiter that does not occur in the header line is never chosen.
    """
    lines = text[:2**14].lstrip("\r\n").splitlines()[:50]  # the head only: text may be 1 GiB
    if not lines:
        return ","
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = ","
    header = lines[0]
    if found in header:
        return found
    counts = {d: header.count(d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


def read_csv(path: Path, *, canonical: tuple[str, ...] = ()) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV as strings, keeping empty cells as ``""``; Latin-1 if it is not UTF-8.

    The delimiter (``,``, ``;``, tab or ``|``) is detected; column names are stripped, and
    those that spell one of ``canonical`` in another case are renamed to it (``Path`` ->
    ``path``); the others (attributes) keep their names.

    Raises
    ------
    DataError
        Not a regular file, over ``MAX_CSV_BYTES``, empty, not a CSV, or two columns that
        spell the same ``canonical`` name.
    """
    raw = read_bounded(path)
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
                            skipinitialspace=True, sep=sniff_delimiter(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        detail = str(err).strip().splitlines()[-1]
        raise DataError(f"{path.name} is not a valid CSV: {detail}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return canonical_columns(frame, canonical, path.name), notes


def canonical_columns(frame: pd.DataFrame, names: tuple[str, ...], source: str) -> pd.DataFrame:
    """``frame`` with the columns that spell one of ``names`` in another case or with spaces
    (``Path``, `` label ``) renamed to it; other columns (attributes) keep their names.

    Raises
    ------
    DataError
        Two columns that both spell the same name.
    """
    renames: dict[str, str] = {}
    for name in names:
        matches = [c for c in frame.columns if str(c).strip().lower() == name]
        if len(matches) > 1:
            raise DataError(f"{source} has two {name!r} columns: "
                            f"{' and '.join(map(repr, matches[:2]))}")
        if matches and matches[0] != name:
            renames[matches[0]] = name
    return frame.rename(columns=renames) if renames else frame


def missing_column(source: str, column: str, columns) -> DataError:
    """The error for a CSV without ``column``; it says so when the file seems to use another
    delimiter than the one detected."""
    listed = ", ".join(map(str, columns)) or "none"
    message = f"{source} has no {column!r} column (columns: {listed})"
    if len(columns) == 1:
        other = next((d for d in DELIMITERS[1:] if d in str(columns[0])), None)
        if other is not None:
            message += (f"; this looks {_DELIMITER_NAMES[other]}-separated: separate the "
                        "columns with commas")
    return DataError(message)


def parse_labels(values: pd.Series, *, positive: str | None, source: str) -> np.ndarray:
    """Binary labels from 1/0, true/false, yes/no, or two class names with ``positive``.

    ``values`` is indexed by CSV row position (0 = first data row, on file line 2).
    """
    text = values.astype(str).str.strip()
    empty = text == ""
    if empty.any():
        row = int(values.index[np.flatnonzero(empty.to_numpy())[0]])
        raise DataError(f"{source} line {row + 2}: empty label")
    if positive is not None:
        classes = sorted(text.unique())
        if positive not in classes:
            raise DataError(f"`positive` {positive!r} is not a label in {source} "
                            f"(labels: {', '.join(map(repr, classes[:10]))})")
        if len(classes) > 2:
            raise DataError(f"{source} has {len(classes)} label values; an audit needs two: "
                            f"{', '.join(map(repr, classes[:10]))}")
        return (text == positive).to_numpy(np.int64)
    lower = text.str.lower()
    is_true, is_false = lower.isin(_TRUE), lower.isin(_FALSE)
    bad = ~(is_true | is_false)
    if bad.any():
        classes = sorted(text[bad].unique())
        if len(set(text.unique())) == 2:
            raise DataError(f"{source}: labels are class names ({', '.join(map(repr, sorted(text.unique())))}); "
                            "pass `positive` NAME to say which one is the positive class")
        row = int(values.index[np.flatnonzero(bad.to_numpy())[0]])
        raise DataError(f"{source} line {row + 2}: label {classes[0]!r} is not 1/0 or true/false")
    return is_true.to_numpy(np.int64)


def label_classes(values: pd.Series, *, positive: str | None) -> tuple[str, str]:
    """The names of label 1 and label 0: the two class names when ``positive`` picks one,
    ``("face", "non-face")`` for face/nonface labels, else ``("positive", "negative")``."""
    text = values.astype(str).str.strip()
    if positive is not None:
        other = sorted(set(text.unique()) - {positive})
        return positive, (other[0] if other else f"not {positive}")
    lower = set(text.str.lower().unique())
    if lower <= {"face", "nonface", "non-face"}:
        return "face", "non-face"
    return "positive", "negative"


def parse_split(values: pd.Series, source: str) -> pd.Series:
    """Split names normalised to ``train``, ``val`` or ``test``."""
    lower = values.astype(str).str.strip().str.lower()
    mapped = lower.map(_SPLIT_NAMES)
    if mapped.isna().any():
        position = int(np.flatnonzero(mapped.isna().to_numpy())[0])
        row = int(values.index[position])
        raise DataError(f"{source} line {row + 2}: split {values.iloc[position]!r} is not "
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
