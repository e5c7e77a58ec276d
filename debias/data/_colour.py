"""Colour statistics of face images (to compare synthetic or edited faces with real ones)."""

from __future__ import annotations

import torch

from generative import to_float


def colour_stats(images: torch.Tensor) -> dict:
    """Mean RGB (0..1) of the central quarter of uint8 images (N, 3, S, S), where the face is."""
    s = images.shape[-1]
    centre = to_float(images[:, :, s // 4: 3 * s // 4, s // 4: 3 * s // 4])
    return {"mean_rgb": [round(float(v), 4) for v in centre.mean(dim=(0, 2, 3))],
            "brightness": round(float(centre.mean()), 4)}
