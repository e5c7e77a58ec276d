"""A tiny learnable face / non-face set made in memory, shared by training tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from debias.data import ImageDataset

SIZE = 32


def make_data(n_faces: int = 96, n_non: int = 64, seed: int = 0) -> ImageDataset:
    """Faces: a bright disc on grey, light or dark; non-faces: dark noise. Learnable."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    disc = ((yy - SIZE / 2) ** 2 + (xx - SIZE / 2) ** 2) < (SIZE / 3) ** 2
    tone = np.where(np.arange(n_faces) % 4 == 0, "dark", "light")
    faces = np.full((n_faces, 3, SIZE, SIZE), 120.0)
    faces[:, :, disc] = np.where(tone == "dark", 90.0, 220.0)[:, None, None]
    non = rng.normal(60, 30, (n_non, 3, SIZE, SIZE))
    images = np.clip(np.concatenate([faces, non]) + rng.normal(0, 10, (n_faces + n_non, 3, SIZE, SIZE)),
                     0, 255).astype(np.uint8)
    meta = pd.DataFrame({"path": [f"{i}.png" for i in range(n_faces + n_non)], "file": "",
                         "label": [1] * n_faces + [0] * n_non,
                         "skin_tone": list(tone) + ["unknown"] * n_non})
    return ImageDataset(images=torch.from_numpy(images),
                        labels=torch.tensor(meta["label"].to_numpy(), dtype=torch.int64),
                        meta=meta, attributes=["skin_tone"], root=None)
