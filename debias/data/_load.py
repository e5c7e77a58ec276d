"""load_dataset: detect the layout, read it, decode (or load from cache) the images."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from debias._choices import FORMATS, Format
from debias.data._bins import bin_attributes, parse_bin_edges
from debias.data._cache import cache_key, default_cache_dir, load_cached, store_cached
from debias.data._dataset import ImageDataset
from debias.data._decode import decode_files
from debias.data._disk import decode_to_npy, scratch_dir
from debias.data._layout_csv import (
    NEGATIVE_DIRS, POSITIVE_DIRS, find_class_dir, find_csv, read_csv_layout, read_folder_layout)
from debias.data._layout_public import (
    find_celeba, find_fairface, looks_like_utkface, read_celeba, read_fairface, read_utkface)
from debias.data._manifest import UNKNOWN, Manifest, SkippedFile, list_image_files, printable
from debias.data._memory import resolve_budget
from debias.errors import DataError, DebiasError



def detect_format(root: Path) -> str:
    """The layout of ``root``: the first that fits of CSV (``labels.csv`` or ``metadata.csv``
    at the root), folder (``faces/`` or ``nonfaces/`` or their other names), CelebA, FairFace
    and UTKFace (README, "Dataset formats")."""
    if find_csv(root):
        return "csv"
    if find_class_dir(root, POSITIVE_DIRS) or find_class_dir(root, NEGATIVE_DIRS):
        return "folder"
    if find_celeba(root):
        return "celeba"
    if find_fairface(root):
        return "fairface"
    if looks_like_utkface(root):
        return "utkface"
    raise DataError(f"cannot tell the layout of {root}: expected labels.csv, faces/ + nonfaces/, "
                    "two class folders with `positive` NAME, or CelebA / UTKFace / FairFace "
                    "files (see README, 'Dataset formats')")


def _detect(root: Path, positive: str | None) -> str:
    """The layout, where ``positive`` may name one of two class folders."""
    if positive is None or find_csv(root):
        return detect_format(root)
    if (root / positive).is_dir():
        return "folder"
    try:
        return detect_format(root)
    except DataError:
        raise DataError(f"`positive` {positive!r}: there is no folder {positive}/ in {root}, "
                        "and no labels.csv") from None


def _read_manifest(root: Path, fmt: str, *, positive, target, attributes,
                   allow_unmatched: bool = False) -> Manifest:
    if fmt == "csv":
        return read_csv_layout(root, positive=positive, attributes=attributes, target=target)
    if fmt == "folder":
        return read_folder_layout(root, attributes=attributes, allow_unmatched=allow_unmatched,
                                  positive=positive)
    if fmt == "celeba":
        return read_celeba(root, target=target, attributes=attributes)
    if fmt == "fairface":
        return read_fairface(root, attributes=attributes)
    return read_utkface(root, attributes=attributes)


def _add_negatives(manifest: Manifest, root: Path, negatives: Path) -> None:
    """Append every image under ``negatives`` with label 0 and unknown attributes.

    When the dataset has a split column, negatives get train/val/test at random (seed 0)
    in the same proportions as the rest of the dataset.
    """
    if not negatives.is_dir():
        raise DataError(f"`negatives` {negatives}: not a directory")
    files, skipped = list_image_files(negatives, negatives)
    if not files:
        raise DataError(f"`negatives` {negatives}: no image files in it")
    extra = pd.DataFrame({
        "path": [printable(os.path.relpath(f, root)) for f in files],
        "file": files,
        "label": np.zeros(len(files), dtype=np.int64),
    })
    for column in manifest.attributes:
        extra[column] = UNKNOWN
    frame = manifest.frame
    if "split" in frame.columns:
        shares = frame["split"].value_counts(normalize=True).sort_index()
        counts = np.floor(shares.to_numpy() * len(files) + 0.5).astype(int)
        counts[-1] = len(files) - counts[:-1].sum()
        assigned = np.repeat(shares.index.to_numpy(), counts)
        extra["split"] = np.random.default_rng(0).permutation(assigned)
    manifest.frame = pd.concat([frame, extra], ignore_index=True)
    manifest.skipped += [SkippedFile(printable(os.path.relpath(negatives / s.path, root)), s.reason)
                         for s in skipped]


def _check_two_classes(labels: np.ndarray, what: str, classes: tuple[str, str]) -> None:
    n_pos = int(labels.sum())
    if n_pos == 0 or n_pos == len(labels):
        face = classes[0] in ("face", "faces")
        kind = (f"positive ({classes[0]})" if n_pos else f"negative ({classes[1]})") \
            if not face else "positive (faces)" if n_pos else "negative (non-faces)"
        folders = "/, ".join(NEGATIVE_DIRS if n_pos else POSITIVE_DIRS) + "/"
        raise DataError(f"only one class {what}: all {len(labels)} images are {kind}; an audit "
                        f"needs both: put the other class in a folder named one of "
                        f"{folders} beside them, or pass `negatives` DIR")


def _class_names(given, found: tuple[str, str]) -> tuple[str, str]:
    """``class_names`` (``"POS,NEG"`` or a pair) when given, else the names the layout gave."""
    if given is None:
        return found
    names = [n.strip() for n in (given.split(",") if isinstance(given, str) else given)]
    if len(names) != 2 or not all(names) or names[0] == names[1]:
        raise DataError(f"`class_names` {given!r}: give two different names, positive first "
                        "(e.g. face,non-face or female,male)")
    return names[0], names[1]


def load_dataset(
    root: str | os.PathLike,
    *,
    image_size: int = 64,
    format: Format = "auto",
    positive: str | None = None,
    target: str | None = None,
    attributes: list[str] | None = None,
    negatives: str | os.PathLike | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    memory_budget: str | int | None = None,
    allow_unmatched: bool = False,
    bin_edges: Mapping[str, Sequence[float]] | Iterable[str] | None = None,
    class_names: str | Sequence[str] | None = None,
) -> ImageDataset:
    """Load an image dataset in any of the layouts the README describes.

    Parameters
    ----------
    root : path
        Dataset folder.
    image_size : int
        Side of the square images after centre-crop and resize.
    format : {"auto", "csv", "folder", "celeba", "utkface", "fairface"}
        Layout; ``"auto"`` detects it.
    positive : str, optional
        In a CSV whose labels are two class names, the positive one; in a folder of two
        class folders (``female/``, ``male/``), the positive one's name.
    target : str, optional
        The column (CSV layout) or CelebA attribute used as the label, for an attribute
        classifier's audit (``gender`` with ``positive="female"``); CSV rows without a value
        are left out.
    attributes : list of str, optional
        Attribute columns to keep (default: all the layout offers).
    negatives : path, optional
        Folder of negative (non-face) images, for sets with faces only.
    cache : bool
        Reuse decoded images from the on-disk cache, and store them there.
    cache_dir : path, optional
        Cache location (default: ``$DEBIAS_CACHE_DIR`` or ``~/.cache/debias``).
    workers : int, optional
        Decoding processes (default: all usable cores).
    progress : bool, optional
        Progress bar on stderr (default: when stderr is a terminal).
    memory_budget : int or str, optional
        Bytes (or a size such as ``"2GB"``) the decoded images may take in memory; default
        ``$DEBIAS_MEMORY_BUDGET``, else half the machine's RAM. Above it the images are
        decoded straight into an on-disk .npy (the cache entry, or an unnamed scratch file
        with ``cache=False``) and memmapped, and subsets above it are written to scratch
        files too: peak memory stays bounded by the decode chunks, not by N.
    allow_unmatched : bool
        Folder layout: audit even when attributes.csv names fewer than half the faces (they
        are ``unknown``); by default that is refused, as its paths probably do not match.
    bin_edges : mapping or iterable of str, optional
        Edges of the ranges numeric attributes are binned into: ``{"age": [0, 18, 30, 45,
        60]}`` or ``["age=0,18,30,45,60"]`` (labels ``0–17``, ..., ``45–59``, ``60+``). A
        numeric attribute of more than 12 values not named here is binned at its quartiles;
        every binned attribute gets a line in ``warnings``.
    class_names : "POS,NEG" or (pos, neg), optional
        What the two classes are called in every sentence of an audit; default: the class
        names or folder names of the data, ``face``/``non-face`` for face/nonface labels and
        the face-detection layouts, else ``positive``/``negative``.

    Returns
    -------
    ImageDataset
        Images as uint8 (N, 3, image_size, image_size), in memory or memmapped.

    Raises
    ------
    DataError
        Bad folder, bad CSV, one class only, no readable image left, or bad ``bin_edges``.
    """
    budget = resolve_budget(memory_budget)
    root = Path(root).expanduser()
    try:
        root.stat()
    except FileNotFoundError:
        raise DataError(f"{root}: no such directory") from None
    except OSError as err:  # e.g. a name too long for the file system
        raise DataError(f"{root}: {err.strerror or err}") from None
    if not root.is_dir():
        raise DataError(f"{root}: not a directory")
    root = root.resolve()
    with os.scandir(root) as entries:
        empty = not any(True for _ in entries)
    if empty:
        raise DataError(f"{root}: the folder is empty")
    if not 8 <= image_size <= 1024:
        raise DataError(f"image size must be between 8 and 1024, got {image_size}")
    if format not in FORMATS:
        raise DataError(f"unknown format {format!r} (choose from {', '.join(FORMATS)})")
    edges = parse_bin_edges(bin_edges)
    fmt = format if format != "auto" else _detect(root, positive)
    manifest = _read_manifest(root, fmt, positive=positive, target=target, attributes=attributes,
                              allow_unmatched=allow_unmatched)
    # The cache holds pixels only, keyed by the files: binning never changes its entries.
    binned = bin_attributes(manifest, edges)
    if negatives is not None:
        _add_negatives(manifest, root, Path(negatives).expanduser().resolve())
    frame = manifest.frame
    if frame.empty:
        raise DataError(f"no image files found in {root}")
    classes = _class_names(class_names, manifest.classes)
    _check_two_classes(frame["label"].to_numpy(), f"in {root}", classes)

    files = frame["file"].tolist()
    cache_path = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    decoded, key = None, cache_key(files, image_size) if cache else None
    if cache:
        decoded = load_cached(cache_path, key, budget=budget)
    if decoded is None:
        if len(files) * 3 * image_size * image_size > budget:
            decoded = _decode_to_disk(files, image_size, cache_path, key, workers=workers,
                                      progress=progress)
        else:
            decoded = decode_files(files, image_size, workers=workers, progress=progress)
            if cache:
                store_cached(cache_path, key, decoded)
    skipped = manifest.skipped + [SkippedFile(frame["path"].iloc[i], reason)
                                  for i, reason in decoded.failures]
    if len(decoded.ok) == 0:
        raise DataError(f"none of the {len(files)} image files in {root} could be read "
                        f"(first: {skipped[0].path}: {skipped[0].reason})")
    meta = frame.iloc[decoded.ok].reset_index(drop=True)
    _check_two_classes(meta["label"].to_numpy(), f"left after skipping {len(decoded.failures)} "
                       "unreadable files", classes)
    return ImageDataset(
        images=torch.from_numpy(decoded.images),
        labels=torch.from_numpy(meta["label"].to_numpy(np.int64, copy=True)),
        meta=meta,
        attributes=manifest.attributes,
        root=root,
        format=fmt,
        skipped=skipped,
        warnings=manifest.warnings,
        original_sizes=decoded.original_sizes,
        memory_budget=budget,
        scratch_dir=cache_path,
        bins={name: bins.as_dict() for name, bins in binned.items()},
        classes=classes,
    )


def _decode_to_disk(files: list[str], image_size: int, cache_path: Path, key: str | None, *,
                    workers, progress):
    """Decode into the cache entry ``key`` (None: no cache) or, when there is none, into a
    scratch file in the cache folder unlinked once memmapped (in the system's temporary
    folder when the cache folder cannot be written)."""
    directory = scratch_dir(cache_path)
    if key is not None:
        try:
            cache_path.mkdir(parents=True, exist_ok=True)
            decoded = decode_to_npy(files, image_size, cache_path / f"{key}.npy",
                                    workers=workers, progress=progress)
        except OSError as err:
            warnings.warn(f"could not write the image cache in {cache_path}: {err}; decoding "
                          "to a scratch file", stacklevel=3)
            directory = scratch_dir(None)
        else:
            store_cached(cache_path, key, decoded, array_written=True)
            return decoded
    path = directory / f".debias-decode-{os.getpid()}-{uuid.uuid4().hex}.npy"
    try:
        return decode_to_npy(files, image_size, path, workers=workers, progress=progress)
    except OSError as err:
        raise DebiasError(f"could not write the decoded images ({_megabytes(files, image_size)}) "
                          f"to {path.parent}: {err.strerror or err}; free some space, point "
                          "DEBIAS_CACHE_DIR elsewhere or raise `memory_budget`") from err
    finally:
        path.unlink(missing_ok=True)  # the memmap keeps the data until it is released


def _megabytes(files: list[str], image_size: int) -> str:
    return f"{len(files) * 3 * image_size * image_size / 2**20:,.0f} MB"
