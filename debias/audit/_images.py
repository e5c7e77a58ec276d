"""Images for the report: small PNGs, base64-encoded, so result.json alone can rebuild it, with
captions and alt text that never hold a file name (the report shows ``path`` only under
``--captions paths``). Which of them a result keeps: :mod:`debias._image_policy`."""

from __future__ import annotations

import base64
import io

import numpy as np
import torch
from PIL import Image



def png_base64(image: torch.Tensor | np.ndarray) -> str:
    """One uint8 image (3, H, W) as a base64 PNG string (no ``data:`` prefix)."""
    array = np.asarray(image.cpu() if isinstance(image, torch.Tensor) else image)
    buffer = io.BytesIO()
    Image.fromarray(array.transpose(1, 2, 0)).save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def gallery(images: torch.Tensor, paths: list[str], captions: list[str],
            alts: list[str]) -> list[dict]:
    """``[{"path", "png", "caption", "alt"}]`` for uint8 images (N, 3, H, W); captions and alt
    texts must not hold the path (the report shows it only under ``--captions paths``)."""
    return [{"path": p, "png": png_base64(img), "caption": c, "alt": a}
            for img, p, c, a in zip(images, paths, captions, alts)]


def group_values(row, attributes: list[str]) -> str:
    """An image's attribute values as the report names a group ("dark & female"); values
    that say nothing (``unknown``, empty) are left out."""
    values = [str(row[a]) for a in attributes]
    return " & ".join(v for v in values if v.strip() and v != "unknown")


def describe(groups: str, label: int, score: float, *, words, threshold: float
             ) -> tuple[str, str]:
    """(caption, alt text) of one scored dataset image, in the task's class words: for face
    detection, ``describe("dark & female", 1, 0.31, ...)`` gives "dark & female · face,
    predicted non-face (score 0.310)" and "face of dark & female, predicted non-face (score
    0.31)"."""
    noun = words.positive_one if label == 1 else words.negative_one
    predicted = words.positive if score >= threshold else words.negative
    caption = f"{noun}, predicted {predicted} (score {score:.3f})"
    alt = f"{noun} of {groups}" if groups else noun
    return (f"{groups} \u00b7 {caption}" if groups else caption,
            f"{alt}, predicted {predicted} (score {score:.2f})")
