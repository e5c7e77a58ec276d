"""Writing a batch of images as one PNG grid."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torchvision.utils import make_grid


def save_grid(images: torch.Tensor, path: str | os.PathLike, *, nrow: int = 8, padding: int = 2) -> Path:
    """Save images as a grid PNG, atomically.

    Parameters
    ----------
    images : float tensor (N, 3, H, W) in [0, 1], or uint8 (N, 3, H, W)
    path : path of the PNG file
    nrow : images per row
    """
    if images.dtype == torch.uint8:
        images = images.float() / 255.0
    grid = make_grid(images.detach().cpu().clamp(0, 1), nrow=nrow, padding=padding, pad_value=1.0)
    array = (grid.permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    os.close(fd)
    try:
        Image.fromarray(array).save(tmp, format="PNG")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def interleave(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) twice -> (2N, C, H, W) as first[0], second[0], first[1], ...: a grid of
    pairs side by side (image | reconstruction, original | translation)."""
    return torch.stack([first, second], 1).flatten(0, 1)
