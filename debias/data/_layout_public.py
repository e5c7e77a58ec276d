"""Readers for the published layouts of CelebA, UTKFace and FairFace."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from debias.data._manifest import (
    Manifest,
    SkippedFile,
    choose_attributes,
    clean_attributes,
    list_image_files,
    printable,
    read_bounded,
    read_csv,
    resolve_inside,
)
from debias.errors import DataError

UTKFACE_PATTERN = re.compile(r"^(\d+)_([01])_([0-4])_\d+\.jpg(\.chip\.jpg)?$", re.IGNORECASE)
UTKFACE_RACES = ("White", "Black", "Asian", "Indian", "Others")
UTKFACE_GENDERS = ("male", "female")
AGE_BINS = (0, 3, 10, 20, 30, 40, 50, 60, 70)
AGE_NAMES = ("0-2", "3-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+")
CELEBA_DEFAULT_ATTRIBUTES = ("Male", "Young", "Pale_Skin")
_CELEBA_SPLITS = {"0": "train", "1": "val", "2": "test"}


def age_group(ages: np.ndarray) -> np.ndarray:
    """Age in years -> the FairFace age bins ``0-2``, ``3-9``, ..., ``70+``."""
    return np.asarray(AGE_NAMES)[np.searchsorted(AGE_BINS, ages, side="right") - 1]


def _first_existing(root: Path, candidates: tuple[str, ...]) -> Path | None:
    return next((root / c for c in candidates if (root / c).exists()), None)


def _read_list(path: Path) -> str:
    """A CelebA list file as text: a regular file of bounded size (not ``/dev/zero``)."""
    return read_bounded(path, "a list file").decode("utf-8", errors="replace")


def find_celeba(root: Path) -> Path | None:
    """The attribute file of a CelebA layout, if ``root`` holds one."""
    return _first_existing(root, ("list_attr_celeba.txt", "Anno/list_attr_celeba.txt"))


def read_celeba(root: Path, *, target: str | None = None,
                attributes: list[str] | None = None) -> Manifest:
    """CelebA: ``img_align_celeba/``, ``list_attr_celeba.txt``, ``list_eval_partition.txt``.

    ``target`` names the attribute used as the label (e.g. ``Smiling``); without it every
    image is a positive (a face) and negatives come from ``negatives=``. Attribute values
    are ``"true"`` / ``"false"``.
    """
    attr_file = find_celeba(root)
    images_dir = _first_existing(root, ("img_align_celeba/img_align_celeba", "img_align_celeba",
                                        "Img/img_align_celeba"))
    if attr_file is None or images_dir is None:
        raise DataError(f"{root} is not a CelebA layout (need list_attr_celeba.txt and "
                        "img_align_celeba/)")
    lines = _read_list(attr_file).splitlines()
    if len(lines) < 3:
        raise DataError(f"{attr_file.name} has no rows")
    names = lines[1].split()
    rows = [line.split() for line in lines[2:] if line.strip()]
    for i, row in enumerate(rows):
        if len(row) != len(names) + 1:
            raise DataError(f"{attr_file.name} line {i + 3}: {len(row) - 1} values for "
                            f"{len(names)} attributes")
    table = pd.DataFrame([r[1:] for r in rows], columns=names, index=[r[0] for r in rows])
    wanted = list(attributes) if attributes is not None else [
        a for a in CELEBA_DEFAULT_ATTRIBUTES if a in names and a != target]
    chosen = choose_attributes(names, wanted, attr_file.name)
    if target is not None and target not in names:
        raise DataError(f"`target` {target!r} is not a CelebA attribute "
                        f"(e.g. {', '.join(names[:6])}, ...)")
    files = [resolve_inside(root, os.path.join(os.path.relpath(images_dir, root), name),
                            f"{attr_file.name} line {i + 3}")
             for i, name in enumerate(table.index)]
    out = pd.DataFrame({
        "path": [printable(os.path.relpath(f, root)) for f in files],
        "file": files,
        "label": ((table[target] == "1") if target else pd.Series(True, index=table.index))
        .to_numpy(np.int64),
    })
    partition = _first_existing(root, ("list_eval_partition.txt", "Eval/list_eval_partition.txt"))
    if partition is not None:
        parts = dict(line.split()[:2] for line in _read_list(partition).splitlines()
                     if len(line.split()) >= 2)
        out["split"] = [_CELEBA_SPLITS.get(parts.get(n, ""), "train") for n in table.index]
    for column in chosen:
        out[column] = np.where(table[column].to_numpy() == "1", "true", "false")
    classes = (target, f"not {target}") if target else ("face", "non-face")
    return Manifest(clean_attributes(out, chosen), chosen, "celeba", classes=classes)


def find_fairface(root: Path) -> list[Path]:
    return [p for p in (root / "fairface_label_train.csv", root / "fairface_label_val.csv")
            if p.is_file()]


def read_fairface(root: Path, *, attributes: list[str] | None = None) -> Manifest:
    """FairFace: ``fairface_label_{train,val}.csv`` (file, age, gender, race) and images.

    FairFace publishes no test labels; its ``val`` set, the one papers report on, becomes
    the ``test`` split. ``age`` is renamed ``age_group``.
    """
    frames, notes = [], []
    for csv_path in find_fairface(root):
        table, more = read_csv(csv_path)
        notes += more
        if "file" not in table.columns:
            raise DataError(f"{csv_path.name} has no 'file' column")
        table = table.rename(columns={"age": "age_group"})
        table["file"] = [resolve_inside(root, p, f"{csv_path.name} line {i + 2}")
                         for i, p in enumerate(table["file"])]
        table["split"] = "train" if csv_path.name.endswith("_train.csv") else "test"
        frames.append(table)
    if not frames:
        raise DataError(f"{root} is not a FairFace layout (no fairface_label_train.csv)")
    table = pd.concat(frames, ignore_index=True)
    available = [c for c in ("age_group", "gender", "race") if c in table.columns]
    chosen = choose_attributes(available, attributes, "FairFace labels")
    out = pd.DataFrame({
        "path": [printable(os.path.relpath(f, root)) for f in table["file"]],
        "file": table["file"].to_numpy(),
        "label": np.ones(len(table), dtype=np.int64),
        "split": table["split"].to_numpy(),
    })
    for column in chosen:
        out[column] = table[column].to_numpy()
    return Manifest(clean_attributes(out, chosen), chosen, "fairface", warnings=notes)


def looks_like_utkface(root: Path) -> bool:
    """True when most image files directly under ``root`` (or one folder down) are named
    like UTKFace's ``age_gender_race_date.jpg``."""
    names = []
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.is_file():
                names.append(entry.name)
            elif entry.is_dir() and not entry.name.startswith("."):
                with os.scandir(entry.path) as inner:
                    names += [e.name for e in inner if e.is_file()][:200]
            if len(names) > 400:
                break
    jpgs = [n for n in names if n.lower().endswith(".jpg")]
    return bool(jpgs) and sum(bool(UTKFACE_PATTERN.match(n)) for n in jpgs) >= 0.8 * len(jpgs)


def read_utkface(root: Path, *, attributes: list[str] | None = None) -> Manifest:
    """UTKFace: attributes from ``age_gender_race_date.jpg[.chip.jpg]`` names.

    Attributes: ``age_group`` (FairFace bins), ``gender`` (male/female), ``race`` (White,
    Black, Asian, Indian, Others). Files whose names do not follow the pattern are skipped.
    """
    files, skipped = list_image_files(root, root)
    rows, kept = [], []
    for file in files:
        match = UTKFACE_PATTERN.match(os.path.basename(file))
        if match is None:
            skipped.append(SkippedFile(printable(os.path.relpath(file, root)),
                                       "name does not follow UTKFace's age_gender_race_date.jpg"))
            continue
        kept.append(file)
        rows.append((int(match[1]), UTKFACE_GENDERS[int(match[2])], UTKFACE_RACES[int(match[3])]))
    if not kept:
        raise DataError(f"no UTKFace-named images in {root}")
    ages, genders, races = map(np.asarray, zip(*rows))
    available = {"age_group": age_group(ages), "gender": genders, "race": races}
    chosen = choose_attributes(list(available), attributes, "UTKFace names")
    out = pd.DataFrame({
        "path": [printable(os.path.relpath(f, root)) for f in kept],
        "file": kept,
        "label": np.ones(len(kept), dtype=np.int64),
        **{c: available[c] for c in chosen},
    })
    return Manifest(clean_attributes(out, chosen), chosen, "utkface", skipped)
