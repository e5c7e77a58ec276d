"""Synthetic faces on disk, for a person to look at: PNGs plus a CSV that marks them."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PIL import Image

from debias.data import ImageDataset


def write_synthetic(synthetic: ImageDataset, folder: Path) -> Path:
    """Write ``folder/<meta path>`` PNGs and ``folder/synthetic.csv`` (path, synthetic,
    source, label and the attributes), replacing an earlier folder only once all is written.

    The CSV is a dataset manifest: ``debias inspect folder`` reads it, and its ``synthetic``
    column keeps these images out of any test split if they are ever loaded again.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        meta = synthetic.meta
        for image, rel in zip(synthetic.images, meta["path"]):
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image.permute(1, 2, 0).numpy()).save(target)
        columns = ["path", "label", "synthetic", "source", *synthetic.attributes]
        meta[[c for c in columns if c in meta.columns]].to_csv(tmp / "synthetic.csv", index=False)
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
