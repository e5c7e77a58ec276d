"""Writing a batch of images as one PNG grid."""

from __future__ import annotations

import os
from pathlib import Path

import torch
from PIL import Image
from torchvision.utils import make_grid

from generative._files import write_atomic
from generative._images import to_float, to_uint8


def save_grid(images: torch.Tensor, path: str | os.PathLike, *, nrow: int = 8, padding: int = 2) -> Path:
    """Save images as a grid PNG, atomically.

    Parameters
    ----------
    images : float tensor (N, 3, H, W) in [0, 1], or uint8 (N, 3, H, W)
    path : path of the PNG file
    nrow : images per row
    """
    images = to_float(images.detach().cpu())
    grid = make_grid(images.clamp(0, 1), nrow=nrow, padding=padding, pad_value=1.0)
    array = to_uint8(grid).permute(1, 2, 0).numpy()
    return write_atomic(path, lambda tmp: Image.fromarray(array).save(tmp, format="PNG"),
                        suffix=".png")


def interleave(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) twice -> (2N, C, H, W) as first[0], second[0], first[1], ...: a grid of
    pairs side by side (image | reconstruction, original | translation)."""
    return torch.stack([first, second], 1).flatten(0, 1)
