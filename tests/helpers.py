"""Small image and dataset writers for tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def solid(color, size=(16, 16), mode="RGB") -> Image.Image:
    """An image of one colour."""
    return Image.new(mode, size, color)


def write_image(path: Path | str, color=(200, 100, 50), size=(16, 16), fmt=None) -> Path:
    """Write a solid-colour RGB image (PNG unless the suffix says otherwise)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    solid(color, size).save(path, format=fmt)
    return path


def write_csv_dataset(root: Path, rows: list[dict], *, name="labels.csv") -> Path:
    """Write the images named in ``rows`` (colour from the row's 'color', default by label)
    and a CSV with every key except 'color'."""
    import pandas as pd

    root.mkdir(parents=True, exist_ok=True)
    for row in rows:
        color = row.get("color") or ((220, 180, 150) if str(row["label"]) in ("1", "true") else (30, 90, 30))
        write_image(root / row["path"], color)
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "color"} for r in rows])
    frame.to_csv(root / name, index=False)
    return root


def face_rows(n_pos=4, n_neg=4, **attrs) -> list[dict]:
    """Rows of a small CSV dataset: faces get attribute values cycling through ``attrs``."""
    rows = []
    for i in range(n_pos):
        row = {"path": f"faces/f{i}.png", "label": 1}
        for name, values in attrs.items():
            row[name] = values[i % len(values)]
        rows.append(row)
    for i in range(n_neg):
        row = {"path": f"nonfaces/n{i}.png", "label": 0}
        for name in attrs:
            row[name] = ""
        rows.append(row)
    return rows


def index_colors(n: int) -> list[tuple[int, int, int]]:
    """Distinct colours that encode 0..n-1, so a test can tell which image is which."""
    return [(i % 256, (i // 256) * 40 % 256, 77) for i in range(n)]


def color_index(image: np.ndarray) -> int:
    """Inverse of index_colors for a (3, H, W) uint8 image."""
    r, g = int(image[0].mean().round()), int(image[1].mean().round())
    return r + 256 * (g // 40)

