"""Converting image tensors between uint8 pixels and floats in [0, 1] (one rule everywhere)."""

from __future__ import annotations

import torch


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 (..., 3, S, S) in 0..255 -> float32 in [0, 1]; a float tensor comes back as float32
    unchanged in value."""
    if images.dtype == torch.uint8:
        return images.float().div_(255.0)
    return images.float()


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """float (..., 3, S, S) in [0, 1] -> uint8, rounded to the nearest level and clamped
    (values outside [0, 1] saturate); a uint8 tensor comes back unchanged."""
    if images.dtype == torch.uint8:
        return images
    return (images.detach().float() * 255.0 + 0.5).clamp_(0, 255).to(torch.uint8)
