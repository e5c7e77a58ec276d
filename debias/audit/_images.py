"""Images for the report: small PNGs, base64-encoded, so result.json alone can rebuild it."""

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


def gallery(images: torch.Tensor, paths: list[str], captions: list[str]) -> list[dict]:
    """``[{"path", "png", "caption"}]`` for uint8 images (N, 3, H, W)."""
    return [{"path": p, "png": png_base64(img), "caption": c}
            for img, p, c in zip(images, paths, captions)]
