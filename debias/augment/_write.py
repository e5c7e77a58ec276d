"""Synthetic faces on disk, for a person to look at: PNGs plus a CSV that marks them."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from PIL import Image

from debias._atomic import temp_folder, write_csv
from debias.data import ImageDataset


def write_synthetic(synthetic: ImageDataset, folder: Path) -> Path:
    """Write the PNGs under ``folder`` and ``folder/synthetic.csv`` (path, label, synthetic,
    source and the attributes), replacing an earlier folder only once all is written.

    Synthetic rows' paths are ``synthetic/<method>/<value>/NNNNNN.png``; they are written
    without the leading ``synthetic/`` (``folder/<method>/<value>/NNNNNN.png``), and the CSV's
    paths are relative to ``folder``.

    The CSV's ``synthetic`` column keeps these images out of any test split if its rows are
    ever joined to a dataset. It is written by :func:`debias._atomic.write_csv`, so a text cell
    that a spreadsheet would run as a formula (an attribute value or ``source`` starting with
    ``=``, ``+``, ``-``, ``@``, tab or CR) starts with ``'``; the tool never reads this CSV
    back (its paths, ``<method>/<safe value>/NNNNNN.png``, never start so).

    The folder gets the mode a normally created one does (0o777 & ~umask), not the 0700 of
    ``tempfile.mkdtemp``.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_folder(folder.parent, folder.name)
    try:
        meta = synthetic.meta.copy()
        meta["path"] = [_within_folder(rel) for rel in meta["path"]]
        for image, rel in zip(synthetic.images, meta["path"]):
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image.permute(1, 2, 0).numpy()).save(target)
        columns = ["path", "label", "synthetic", "source", *synthetic.attributes]
        write_csv(meta[[c for c in columns if c in meta.columns]], tmp / "synthetic.csv")
        old = folder.with_name(f".{folder.name}.old")
        if folder.exists():
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _within_folder(path: str) -> str:
    parts = PurePosixPath(path).parts
    return str(PurePosixPath(*parts[1:])) if len(parts) > 1 and parts[0] == "synthetic" else path
