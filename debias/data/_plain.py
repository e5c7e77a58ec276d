"""Reading images that are not (or may not be) a dataset: a folder of images or one file."""

from __future__ import annotations

from pathlib import Path

import torch

from debias.data._decode import decode_files
from debias.data._load import detect_format, load_dataset
from debias.data._manifest import list_image_files, printable
from debias.errors import DataError


def _is_dataset(folder: Path, dataset_kwargs: dict | None) -> bool:
    if (dataset_kwargs or {}).get("format", "auto") != "auto":
        return True
    try:
        detect_format(folder)
    except DataError:
        return False
    return True


def read_images(source: str | Path, *, image_size: int, dataset_kwargs: dict | None = None,
                progress: bool | None = None) -> tuple[torch.Tensor, list[str], list[str]]:
    """The images of ``source``: uint8 (N, 3, S, S), their paths, and skipped-file notes.

    A folder in a dataset layout is loaded as that dataset (paths relative to it); any other
    folder is searched for image files; a file is one image.
    """
    source = Path(source)
    if source.is_dir() and _is_dataset(source, dataset_kwargs):
        data = load_dataset(source, **{**(dataset_kwargs or {}), "image_size": image_size,
                                       "progress": progress})
        notes = [f"{s.path}: {s.reason}" for s in data.skipped]
        return data.images, data.meta["path"].map(printable).tolist(), notes
    return read_image_files(source, image_size=image_size, progress=progress)


def read_image_files(source: str | Path, *, image_size: int, progress: bool | None = None
                     ) -> tuple[torch.Tensor, list[str], list[str]]:
    """The images of a plain folder (searched recursively) or of one file, decoded in
    parallel: uint8 (N, 3, S, S), their paths relative to the folder, and skipped-file notes.

    Raises
    ------
    DataError
        No such path, no image files, or none readable.
    """
    source = Path(source)
    if source.is_dir():
        files, _ = list_image_files(source, source)
        base = source
    elif source.is_file():
        files, base = [str(source)], source.parent
    else:
        raise DataError(f"{source}: no such file or folder")
    if not files:
        raise DataError(f"{source}: no image files found")
    decoded = decode_files(files, image_size, progress=progress)
    names = [printable(str(Path(files[i]).relative_to(base))) for i in decoded.ok]
    notes = [f"{printable(str(Path(files[i]).relative_to(base)))}: {why}"
             for i, why in decoded.failures]
    if len(names) == 0:
        raise DataError(f"{source}: none of the {len(files)} files is a readable image")
    return torch.from_numpy(decoded.images), names, notes
