"""Procedural 'non-faces': clutter built from the same pieces as the faces, so that no single
cue (skin colour, an oval, a body shape, dark dots) gives a face away on its own.

Skin-coloured ovals and blobs come in light and dark-brown tones at equal rates: colour
alone does not tell a face, and a dark oval is common among non-faces. This is what makes a
detector trained on mostly light faces learn "dark oval -> not a face", the spurious
correlation the benchmark is built to expose.

``distractors="tone_free"`` draws the same ovals and blobs (same shapes, hair, necks and
marks) in a colour that is not a skin colour of either tone: any hue and brightness outside
the orange-brown family every skin colour of :func:`debias.synth._faces.skin_color` lies in
(hue and saturation do not change when lighting scales a colour, so no shading of a
distractor turns it into skin). Nothing in such a non-face then depends on skin tone, and a
dark-brown oval in the training split is a dark face: under-representation is the only
source of a recall gap. Equal light and dark rates among the non-faces (the default) are not
enough for that: with 5% dark faces, most dark-skin-coloured ovals in training are non-faces
while most light ones are faces.
"""

from __future__ import annotations

import colorsys
from typing import Literal

import numpy as np

from debias.synth._canvas import (
    background,
    ellipse,
    finish,
    line,
    paint,
    random_color,
    random_shape,
    smooth_noise,
)
from debias.synth._faces import skin_color

Distractors = Literal["skin", "tone_free"]

# The hue family of skin: hue in degrees (wrapping through 0) and saturation (HSV). Every
# colour skin_color() gives, of either tone, lies inside (tests/debias/test_synth.py).
_SKIN_HUE = (-25.0, 70.0)
_SKIN_SATURATION = (0.05, 0.95)


def is_skin_like(color: np.ndarray) -> bool:
    """Whether an RGB colour (3,) in [0, 1] lies in the hue family of skin (either tone)."""
    h, s, _ = colorsys.rgb_to_hsv(*(float(c) for c in color))
    hue = h * 360 - 360 * (h * 360 > 180)  # in (-180, 180]
    return _SKIN_HUE[0] <= hue <= _SKIN_HUE[1] and _SKIN_SATURATION[0] <= s <= _SKIN_SATURATION[1]


def tone_free_color(rng: np.random.Generator) -> np.ndarray:
    """A colour (3,) float32 in [0, 1] for a distractor that must not look like skin:
    :func:`random_color` redrawn until it is outside the hue family of skin (about one draw
    in ten is)."""
    while True:
        color = random_color(rng)
        if not is_skin_like(color):
            return color


def _distractor_color(rng: np.random.Generator, distractors: Distractors) -> np.ndarray:
    if distractors == "skin":  # light or dark skin, at equal rates
        return skin_color(rng, "dark" if rng.random() < 0.5 else "light")
    return tone_free_color(rng)


def _skin_blob(img: np.ndarray, rng: np.random.Generator, color: np.ndarray) -> None:
    """A blob of 1-4 overlapping ellipses in one (skin) colour, shaded at the rim."""
    size = img.shape[0]
    cx, cy = rng.uniform(0.1, 0.9, 2) * size
    r = size * rng.uniform(0.05, 0.22)
    for _ in range(int(rng.integers(1, 5))):
        x, y = cx + rng.normal(0, r * 0.6), cy + rng.normal(0, r * 0.6)
        rx, ry = r * rng.uniform(0.5, 1.2, 2)
        angle = rng.uniform(0, np.pi)
        paint(img, ellipse(size, x, y, rx, ry, angle=angle), color * 0.85)
        paint(img, ellipse(size, x, y, rx * 0.85, ry * 0.85, angle=angle, soft=3), color)


def _head_oval(img: np.ndarray, rng: np.random.Generator, color: np.ndarray) -> None:
    """A head-sized oval with no facial features: often with hair, a neck and shoulders
    (a head seen from behind, a mannequin, a ball on a post), sometimes with a few marks
    that are not arranged as a face."""
    size = img.shape[0]
    u = size / 64
    rx = size * rng.uniform(0.18, 0.24)
    ry = rx * rng.uniform(1.1, 1.45)
    cx, cy = size / 2 + rng.uniform(-5, 5) * u, size * 0.45 + rng.uniform(-5, 5) * u
    angle = rng.normal(0, 0.15)
    hair = rng.uniform(0.05, 0.45) * np.array([1.0, 0.85, 0.75], dtype=np.float32)
    hair = hair * (1 + 0.25 * smooth_noise(rng, size, cells=int(rng.integers(8, 16))))
    with_hair = rng.random() < 0.6
    if rng.random() < 0.6:  # shoulders and neck
        paint(img, ellipse(size, cx, cy + 2.1 * ry, rx * rng.uniform(2.0, 2.7), ry,
                           soft=1.5), random_color(rng))
        if with_hair and rng.random() < 0.4:  # long hair behind
            length = rng.uniform(1.3, 2.0)
            paint(img, ellipse(size, cx, cy + (length - 1.05) * ry, rx * rng.uniform(1.2, 1.45),
                               length * ry, soft=1.5), hair)
        paint(img, ellipse(size, cx, cy + ry, rx * 0.45, ry * 0.7), color * 0.8)
    paint(img, ellipse(size, cx, cy, rx, ry, angle=angle), color * 0.85)
    if with_hair:
        paint(img, ellipse(size, cx, cy - 0.25 * ry, rx * 1.05, ry * 0.9, angle=angle), hair)
    shade = color + 0.03 * smooth_noise(rng, size, cells=int(rng.integers(8, 20)))
    top = rng.uniform(-0.8, -0.5) if with_hair else -0.97
    c, s = np.cos(angle), np.sin(angle)
    dy = (top + 1) / 2 * ry
    paint(img, ellipse(size, cx - s * dy, cy + c * dy, rx * 0.93, (1 - top) / 2 * ry,
                       angle=angle, soft=1.5 * u), shade)
    if rng.random() < 0.7:  # marks scattered inside, not in a face's arrangement
        mark = color * rng.uniform(0.2, 0.6)
        for _ in range(int(rng.integers(1, 6))):
            r, t = np.sqrt(rng.uniform(0, 0.6)), rng.uniform(0, 2 * np.pi)
            x, y = cx + r * rx * np.cos(t), cy + r * ry * np.sin(t)
            paint(img, ellipse(size, x, y, rng.uniform(0.8, 3) * u, rng.uniform(0.6, 1.5) * u,
                               angle=rng.uniform(0, np.pi)), mark, opacity=rng.uniform(0.5, 1))


def _dots(img: np.ndarray, rng: np.random.Generator) -> None:
    """Scattered small dark dots and dashes, the size of eyes, nostrils or brows."""
    size = img.shape[0]
    u = size / 64
    color = rng.uniform(0.0, 0.3) * np.ones(3, dtype=np.float32)
    for _ in range(int(rng.integers(2, 9))):
        x, y = rng.uniform(0, size, 2)
        if rng.random() < 0.7:
            r = rng.uniform(0.8, 2.5, 2) * u
            paint(img, ellipse(size, x, y, r[0], r[1]), color, opacity=rng.uniform(0.5, 1))
        else:
            dx, dy = rng.uniform(-4, 4, 2) * u
            paint(img, line(size, x - dx, y - dy, x + dx, y + dy, width=rng.uniform(1, 2) * u),
                  color, opacity=rng.uniform(0.5, 1))


def draw_nonface(rng: np.random.Generator, *, size: int = 64,
                 distractors: Distractors = "skin") -> np.ndarray:
    """Draw one synthetic non-face image.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of all randomness (same state -> same image).
    size : int
        Side of the square image.
    distractors : {"skin", "tone_free"}
        Colour of the featureless head-sized ovals and blobs: light or dark skin at equal
        rates ("skin"), or colours outside the hue family of skin whatever the tone
        ("tone_free", see the module docstring).

    Returns
    -------
    numpy.ndarray
        uint8 (size, size, 3).
    """
    if distractors not in ("skin", "tone_free"):
        raise ValueError(f"distractors must be 'skin' or 'tone_free', got {distractors!r}")
    img = background(rng, size)
    for _ in range(int(rng.integers(0, 6))):
        random_shape(img, rng, random_color(rng), scale=rng.uniform(0.5, 2.0))
    n_skin = int(rng.choice([0, 1, 2, 3], p=[0.25, 0.4, 0.2, 0.15]))
    for _ in range(n_skin):
        _skin_blob(img, rng, _distractor_color(rng, distractors))
    if rng.random() < 0.5:
        _head_oval(img, rng, _distractor_color(rng, distractors))
    if rng.random() < 0.35:
        _dots(img, rng)
    return finish(img, rng, noise=(0.015, 0.08))
