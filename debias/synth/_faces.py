"""Procedural 'faces': head, eyes, brows, nose, mouth, hair, glasses, neck and shoulders,
with pose, lighting and background variation.

All geometry is relative to the image side, so any ``size`` >= 16 works; the design size
is 64. A face is drawn in a head frame (units of the head's semi-axes) that is scaled,
moved, rolled and turned (yaw shifts the features sideways) before drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from debias.synth._canvas import (
    background,
    ellipse,
    finish,
    line,
    paint,
    random_color,
    rect,
    ring,
    smooth_noise,
)

SkinTone = Literal["light", "dark"]
Gender = Literal["female", "male"]

# RGB / 255 at the two ends of each skin range; a face interpolates and jitters.
_SKIN = {
    "light": (np.array([190, 150, 120]), np.array([245, 210, 185])),
    "dark": (np.array([60, 38, 25]), np.array([130, 90, 70])),
}
_HAIR_LIGHT = np.array([[25, 20, 18], [60, 40, 28], [105, 75, 50], [190, 160, 110],
                        [140, 70, 35], [150, 150, 150]]) / 255
_HAIR_LIGHT_P = np.array([0.3, 0.3, 0.15, 0.15, 0.05, 0.05])
_IRIS = np.array([[60, 35, 20], [90, 60, 35], [70, 100, 140], [80, 100, 60]]) / 255


def skin_color(rng: np.random.Generator, tone: SkinTone) -> np.ndarray:
    """A skin colour (3,) float32 in [0, 1] from the range of ``tone``."""
    lo, hi = _SKIN[tone]
    t = rng.uniform(0, 1)
    jitter = rng.normal(0, 0.025 if tone == "light" else 0.015, 3)
    return np.clip((lo + t * (hi - lo)) / 255 + jitter, 0, 1).astype(np.float32)


def _hair_color(rng: np.random.Generator, tone: SkinTone) -> np.ndarray:
    if tone == "dark" or rng.random() < 0.1:
        base = rng.uniform(0.05, 0.16) * np.array([1.0, 0.85, 0.75])
    else:
        base = _HAIR_LIGHT[rng.choice(len(_HAIR_LIGHT), p=_HAIR_LIGHT_P)]
    return np.clip(base + rng.normal(0, 0.03, 3), 0, 1).astype(np.float32)


@dataclass
class _Frame:
    """Head frame: (fx, fy) in head semi-axes, yaw shifting features by depth."""

    cx: float
    cy: float
    rx: float
    ry: float
    roll: float
    yaw: float

    def at(self, fx: float, fy: float, depth: float = 0.0) -> tuple[float, float]:
        x = (fx + self.yaw * (0.25 + depth)) * self.rx
        y = fy * self.ry
        c, s = np.cos(self.roll), np.sin(self.roll)
        return self.cx + c * x - s * y, self.cy + s * x + c * y

    def ellipse(self, size: int, fx: float, fy: float, ax: float, ay: float, *,
                depth: float = 0.0, tilt: float = 0.0, soft: float = 1.0):
        x, y = self.at(fx, fy, depth)
        return ellipse(size, x, y, ax * self.rx, ay * self.ry, angle=self.roll + tilt,
                       soft=soft)


def _hair(img, rng, f: _Frame, texture, *, long: bool, back: bool) -> None:
    """Hair; ``back=True`` paints what lies behind the head, else the scalp and the locks
    (the face's skin, painted after the scalp, leaves the hairline)."""
    size = img.shape[0]
    if back:
        if long:  # long hair down beside the head, over the shoulders
            length = rng.uniform(1.3, 2.0)
            paint(img, f.ellipse(size, 0, length - 1.05, rng.uniform(1.2, 1.45), length,
                                 soft=1.5), texture)
        return
    paint(img, f.ellipse(size, 0, -0.2 - rng.uniform(0, 0.1), 1.05, rng.uniform(0.85, 0.95),
                         tilt=rng.normal(0, 0.05)), texture)


def draw_face(rng: np.random.Generator, *, skin_tone: SkinTone, gender: Gender,
              size: int = 64) -> np.ndarray:
    """Draw one synthetic face.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of all randomness (same state -> same image).
    skin_tone : {"light", "dark"}
    gender : {"female", "male"}
        Presentation: hair length and facial hair distributions differ (and overlap).
    size : int
        Side of the square image.

    Returns
    -------
    numpy.ndarray
        uint8 (size, size, 3).
    """
    if skin_tone not in _SKIN:
        raise ValueError(f"skin_tone must be 'light' or 'dark', got {skin_tone!r}")
    if gender not in ("female", "male"):
        raise ValueError(f"gender must be 'female' or 'male', got {gender!r}")
    u = size / 64  # pixel unit at the design size
    img = background(rng, size)
    rx = size * rng.uniform(0.18, 0.24)
    f = _Frame(cx=size / 2 + rng.uniform(-4, 4) * u, cy=size * 0.45 + rng.uniform(-4, 4) * u,
               rx=rx, ry=rx * rng.uniform(1.2, 1.4), roll=float(rng.normal(0, 0.12)),
               yaw=rng.uniform(-0.4, 0.4))
    skin = skin_color(rng, skin_tone)
    hair = _hair_color(rng, skin_tone)
    female = gender == "female"
    long = rng.random() < (0.8 if female else 0.1)
    bald = not female and rng.random() < 0.1

    # Body: shoulders with clothing, long hair behind, neck.
    paint(img, f.ellipse(size, 0, 2.1, rng.uniform(2.1, 2.7), 0.95, soft=1.5),
          random_color(rng))
    texture = hair * (1 + 0.25 * smooth_noise(rng, size, cells=int(rng.integers(8, 16))))
    _hair(img, rng, f, texture, long=long, back=True)
    paint(img, f.ellipse(size, 0, 1.0, rng.uniform(0.4, 0.5), 0.7), skin * 0.8)

    # Head: ears, scalp, hair, then the face's skin from the hairline down.
    for side in (-1, 1):
        paint(img, f.ellipse(size, side * 0.97, 0.0, 0.16, 0.24), skin * 0.88)
    paint(img, f.ellipse(size, 0, 0, 1, 1), skin * 0.85)
    if not bald:
        _hair(img, rng, f, texture, long=long, back=False)
    top = rng.uniform(-0.8, -0.5) if not bald else -0.97
    face_skin = skin + 0.03 * smooth_noise(rng, size, cells=int(rng.integers(10, 20)))
    paint(img, f.ellipse(size, 0, (top + 1) / 2, 0.93, (1 - top) / 2, soft=1.2 * u),
          face_skin)
    paint(img, f.ellipse(size, 0.1 * f.yaw, 0, 0.6, 0.7, soft=6 * u),
          np.minimum(skin * 1.08, 1), opacity=0.6)
    if long:  # locks framing the face
        for side in (-1, 1):
            paint(img, f.ellipse(size, side * rng.uniform(0.9, 1.0), rng.uniform(0.1, 0.3),
                                 rng.uniform(0.15, 0.28), rng.uniform(0.6, 0.85)), texture)

    # Eyes and brows.
    dark = skin_tone == "dark"
    eye_y, eye_x = rng.uniform(-0.18, -0.02), rng.uniform(0.33, 0.42)
    eye_w, eye_h = rng.uniform(0.17, 0.23), rng.uniform(0.07, 0.11)
    iris = _IRIS[0 if dark else rng.choice(4, p=[0.4, 0.3, 0.2, 0.1])] * rng.uniform(0.7, 1.1)
    sclera = np.full(3, rng.uniform(0.75, 0.92), dtype=np.float32)
    brow = hair * rng.uniform(0.6, 1.0) if not dark else skin * rng.uniform(0.25, 0.45)
    brow_y = eye_y - rng.uniform(0.14, 0.22)
    brow_w = rng.uniform(0.03, 0.05) * (0.8 if female else 1.2)
    for side in (-1, 1):
        paint(img, f.ellipse(size, side * eye_x, eye_y, eye_w, eye_h), sclera)
        paint(img, f.ellipse(size, side * eye_x + 0.04 * f.yaw, eye_y, 0.09, 0.09 * f.rx / f.ry),
              iris)
        paint(img, f.ellipse(size, side * eye_x, eye_y - eye_h * 0.7, eye_w * 1.05, 0.03),
              skin * 0.5, opacity=0.7)
        x0, y0 = f.at(side * (eye_x - 0.17), brow_y + 0.02)
        x1, y1 = f.at(side * (eye_x + 0.2), brow_y + rng.uniform(-0.02, 0.04))
        paint(img, line(size, x0, y0, x1, y1, width=brow_w * 2 * f.ry, soft=1.2 * u), brow)

    # Nose: side shading, a highlight and nostrils; they shift most with yaw.
    nose_y = rng.uniform(0.22, 0.32)
    paint(img, f.ellipse(size, 0.06, nose_y - 0.15, 0.08, 0.22, depth=0.3, soft=2 * u),
          skin * 0.75, opacity=0.6)
    paint(img, f.ellipse(size, -0.03, nose_y - 0.12, 0.03, 0.15, depth=0.35, soft=1.5 * u),
          np.minimum(skin * 1.15 + 0.03, 1), opacity=0.6)
    for side in (-1, 1):
        paint(img, f.ellipse(size, side * 0.08, nose_y + 0.03, 0.045, 0.03, depth=0.3),
              skin * 0.45, opacity=0.8)

    # Facial hair (drawn under the mouth), mouth.
    mouth_y = rng.uniform(0.48, 0.58)
    if not female and rng.random() < 0.35:
        style = rng.integers(3)
        if style <= 1:  # beard, full or light
            paint(img, f.ellipse(size, 0, 0.6, 0.85, 0.42), hair,
                  opacity=rng.uniform(0.7, 0.95) if style == 0 else rng.uniform(0.25, 0.45))
        if style >= 1:  # moustache
            paint(img, f.ellipse(size, 0, mouth_y - 0.09, 0.28, 0.065, depth=0.1), hair,
                  opacity=rng.uniform(0.7, 0.95))
    lips = skin * np.array([0.85, 0.6, 0.6]) if not dark else skin * np.array([0.8, 0.6, 0.65])
    if female and rng.random() < 0.3:
        lips = np.array([0.75, 0.15, 0.2]) * rng.uniform(0.6, 1.0) * (0.6 if dark else 1.0)
    mouth_w = rng.uniform(0.25, 0.38)
    paint(img, f.ellipse(size, 0, mouth_y, mouth_w, rng.uniform(0.06, 0.1), depth=0.1), lips)
    paint(img, f.ellipse(size, 0, mouth_y, mouth_w * 0.95, 0.012, depth=0.1, soft=0.8),
          skin * 0.35, opacity=0.8)

    # Glasses.
    if rng.random() < 0.2:
        frame = random_color(rng, dark=rng.random() < 0.7)
        width = rng.uniform(0.7, 1.4) * u
        for side in (-1, 1):
            x, y = f.at(side * eye_x, eye_y)
            paint(img, ring(size, x, y, 0.28 * f.rx, 0.17 * f.ry, width=width, angle=f.roll),
                  frame)
        x0, y0 = f.at(-eye_x + 0.28, eye_y)
        x1, y1 = f.at(eye_x - 0.28, eye_y)
        paint(img, rect(size, (x0 + x1) / 2, (y0 + y1) / 2, abs(x1 - x0) / 2 + 0.5,
                        width / 2, angle=f.roll), frame)
    return finish(img, rng, noise=(0.015, 0.08))
