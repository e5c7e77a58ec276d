"""Vectorised drawing primitives on float RGB canvases, and the scene pieces faces and
non-faces share (backgrounds, clutter, lighting and noise).

A canvas is a float32 array of shape (H, W, 3) with values in [0, 1]; coordinates are in
pixels, x to the right and y down, pixel centres at integer + 0.5. Every shape is drawn
through a coverage mask ("alpha", values in [0, 1]) computed from a signed distance and
clipped over one pixel, so edges are anti-aliased. Masks are computed only inside the
shape's bounding box: most features of a 64 x 64 face cover a few dozen pixels.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np

Color = np.ndarray  # (3,) float in [0, 1], or (H, W, 3) matching the canvas


class Patch(NamedTuple):
    """A coverage mask ``alpha`` (h, w) in [0, 1] for the window ``canvas[ys, xs]``."""

    ys: slice
    xs: slice
    alpha: np.ndarray


@lru_cache(maxsize=8)
def _axis(size: int) -> np.ndarray:
    ax = np.arange(size, dtype=np.float32) + 0.5
    ax.flags.writeable = False  # shared through the cache
    return ax


def _window(size: int, cx: float, cy: float, reach: float) -> tuple[slice, slice] | None:
    x0, x1 = max(int(cx - reach), 0), min(math.ceil(cx + reach) + 1, size)
    y0, y1 = max(int(cy - reach), 0), min(math.ceil(cy + reach) + 1, size)
    if x0 >= x1 or y0 >= y1:
        return None
    return slice(y0, y1), slice(x0, x1)


def _local(size: int, win: tuple[slice, slice], cx: float, cy: float, angle: float,
           sx: float = 1.0, sy: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (u / sx, v / sy) of the window's pixels in a frame centred at (cx, cy)
    whose u axis points along (cos angle, sin angle) on screen (y is down, so positive
    angles turn clockwise)."""
    ax = _axis(size)
    dx, dy = ax[win[1]] - cx, ax[win[0]] - cy
    c, s = math.cos(angle), math.sin(angle)
    # Outer sums of 1-D terms: a rotated grid for the price of two 2-D operations.
    return (np.add.outer(dy * (s / sx), dx * (c / sx)),
            np.add.outer(dy * (c / sy), dx * (-s / sy)))


def _patch(win: tuple[slice, slice], dist: np.ndarray, soft: float) -> Patch:
    alpha = dist * (-1.0 / soft)
    alpha += 0.5
    np.maximum(alpha, 0.0, out=alpha)
    np.minimum(alpha, 1.0, out=alpha)
    return Patch(win[0], win[1], alpha)


def _ellipse_dist(a: np.ndarray, b: np.ndarray, rx: float, ry: float) -> np.ndarray:
    """Distance (pixels) to the ellipse of semi-axes (rx, ry), from (a, b) = (u/rx, v/ry)."""
    # First-order distance f / |grad f| with f = |(a, b)| - 1: exact on circles, close
    # enough near the edge (the only place the value matters) otherwise.
    a *= a
    b *= b
    k0 = np.sqrt(a + b)
    a *= 1 / rx**2
    b *= 1 / ry**2
    a += b
    a += 1e-12
    k1 = np.sqrt(a)
    k0 *= k0 - 1.0
    k0 /= k1
    return k0


def ellipse(size: int, cx: float, cy: float, rx: float, ry: float, *,
            angle: float = 0.0, soft: float = 1.0) -> Patch | None:
    """Filled ellipse with semi-axes ``rx``, ``ry`` (pixels) rotated by ``angle`` radians."""
    win = _window(size, cx, cy, max(rx, ry) + soft + 1)
    if win is None:
        return None
    rx, ry = max(rx, 0.3), max(ry, 0.3)
    a, b = _local(size, win, cx, cy, angle, rx, ry)
    return _patch(win, _ellipse_dist(a, b, rx, ry), soft)


def ring(size: int, cx: float, cy: float, rx: float, ry: float, *, width: float,
         angle: float = 0.0, soft: float = 1.0) -> Patch | None:
    """Elliptic ring of line width ``width`` centred on the ellipse (rx, ry)."""
    win = _window(size, cx, cy, max(rx, ry) + width + soft + 1)
    if win is None:
        return None
    a, b = _local(size, win, cx, cy, angle, rx, ry)
    dist = np.abs(_ellipse_dist(a, b, rx, ry))
    dist -= width / 2
    return _patch(win, dist, soft)


def rect(size: int, cx: float, cy: float, hw: float, hh: float, *, angle: float = 0.0,
         soft: float = 1.0) -> Patch | None:
    """Filled rectangle of half-width ``hw`` and half-height ``hh`` rotated by ``angle``."""
    win = _window(size, cx, cy, math.hypot(hw, hh) + soft + 1)
    if win is None:
        return None
    u, v = _local(size, win, cx, cy, angle)
    return _patch(win, np.maximum(np.abs(u) - hw, np.abs(v) - hh), soft)


def line(size: int, x0: float, y0: float, x1: float, y1: float, *, width: float,
         soft: float = 1.0) -> Patch | None:
    """Segment from (x0, y0) to (x1, y1) with round caps and line width ``width``."""
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = math.hypot(x1 - x0, y1 - y0) / 2
    angle = math.atan2(y1 - y0, x1 - x0)
    win = _window(size, cx, cy, half + width + soft + 1)
    if win is None:
        return None
    u, v = _local(size, win, cx, cy, angle)
    along = np.clip(u, -half, half)
    return _patch(win, np.sqrt((u - along) ** 2 + v**2) - width / 2, soft)


def paint(img: np.ndarray, patch: Patch | None, color: Color, *, opacity: float = 1.0) -> None:
    """Composite ``color`` over ``img`` (H, W, 3) in place through ``patch``'s mask."""
    if patch is None:
        return
    color = np.asarray(color, dtype=np.float32)
    if color.ndim == 3:
        color = color[patch.ys, patch.xs]
    region = img[patch.ys, patch.xs]
    alpha = patch.alpha if opacity == 1.0 else patch.alpha * float(opacity)
    region += alpha[..., None] * (color - region)


@lru_cache(maxsize=32)
def _upsampler(size: int, cells: int) -> np.ndarray:
    """(size, cells) matrix of bilinear interpolation weights from a grid of ``cells``."""
    pos = np.clip((_axis(size) / size) * (cells - 1), 0, cells - 1 - 1e-6)
    lo = pos.astype(int)
    frac = pos - lo
    w = np.zeros((size, cells), dtype=np.float32)
    w[np.arange(size), lo] = 1 - frac
    w[np.arange(size), lo + 1] = frac
    w.flags.writeable = False  # shared through the cache
    return w


def smooth_noise(rng: np.random.Generator, size: int, *, cells: int, channels: int = 1
                 ) -> np.ndarray:
    """Low-frequency noise: a (cells, cells) grid of N(0, 1) upsampled bilinearly.

    Returns float32 (size, size, channels), values roughly in [-2.5, 2.5].
    """
    cells = max(cells, 2)
    grid = rng.standard_normal((cells, cells * channels), dtype=np.float32)
    w = _upsampler(size, cells)
    rows = (w @ grid).reshape(size, cells, channels)  # upsample along y
    return np.matmul(w, rows).reshape(size, size, channels)  # then along x, row by row


def gradient(size: int, angle: float) -> np.ndarray:
    """Linear ramp along direction ``angle``: float32 (size, size), values in [-1, 1]."""
    ax = (_axis(size) / size) * 2 - 1
    ramp = np.cos(angle) * ax[None, :] + np.sin(angle) * ax[:, None]
    return (ramp / np.sqrt(2)).astype(np.float32)


# --- scene pieces shared by faces and non-faces --------------------------------------------


def random_color(rng: np.random.Generator, *, dark: bool | None = None) -> np.ndarray:
    """A colour (3,) in [0, 1]: mostly muted, sometimes saturated, any brightness."""
    base = rng.uniform(0.05, 0.95) if dark is None else rng.uniform(0.03, 0.35) if dark \
        else rng.uniform(0.55, 0.95)
    chroma = rng.uniform(0.0, 0.35) if rng.random() < 0.8 else rng.uniform(0.3, 0.6)
    return np.clip(base + chroma * rng.uniform(-1, 1, 3), 0, 1).astype(np.float32)


def random_shape(img: np.ndarray, rng: np.random.Generator, color: Color, *,
                 scale: float = 1.0) -> None:
    """Paint one random ellipse, rectangle, line or ring of about ``scale`` x 8 pixels."""
    size = img.shape[0]
    cx, cy = rng.uniform(-4, size + 4, 2)
    r = scale * size / 8 * rng.uniform(0.3, 1.6, 2)
    angle = rng.uniform(0, np.pi)
    soft = rng.uniform(0.8, 2.0)
    kind = rng.integers(4)
    if kind == 0:
        patch = ellipse(size, cx, cy, r[0], r[1], angle=angle, soft=soft)
    elif kind == 1:
        patch = rect(size, cx, cy, r[0], r[1], angle=angle, soft=soft)
    elif kind == 2:
        dx, dy = 2 * r[0] * np.cos(angle), 2 * r[0] * np.sin(angle)
        patch = line(size, cx - dx, cy - dy, cx + dx, cy + dy, width=rng.uniform(0.8, 3),
                     soft=soft)
    else:
        patch = ring(size, cx, cy, r[0], r[1], width=rng.uniform(0.8, 3), angle=angle,
                     soft=soft)
    paint(img, patch, color, opacity=rng.uniform(0.6, 1.0))


def background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A background: flat, two-colour gradient, texture or clutter of random shapes.

    Returns float32 (size, size, 3) in [0, 1].
    """
    kind = rng.integers(4)
    c0 = random_color(rng)
    if kind == 1:
        t = (gradient(size, rng.uniform(0, 2 * np.pi)) * 0.5 + 0.5)[..., None]
        img = c0 + t * (random_color(rng) - c0)
    else:
        img = np.broadcast_to(c0, (size, size, 3)).copy()
    amp = rng.uniform(0.02, 0.12) if kind != 2 else rng.uniform(0.1, 0.25)
    img += amp * smooth_noise(rng, size, cells=int(rng.integers(3, 7)), channels=3)
    if kind == 2:
        img += amp * 0.5 * smooth_noise(rng, size, cells=int(rng.integers(10, 20)), channels=1)
    if kind == 3:
        for _ in range(int(rng.integers(3, 9))):
            random_shape(img, rng, random_color(rng), scale=rng.uniform(0.6, 2.0))
    return np.clip(img, 0, 1, out=img)


def blur(img: np.ndarray, passes: int = 1) -> np.ndarray:
    """Separable [1, 2, 1] / 4 blur (edges replicated), ``passes`` times; (H, W, 3)."""
    for _ in range(passes):
        p = np.pad(img, ((1, 1), (1, 1), (0, 0)), mode="edge")
        p = p[:-2] + 2 * p[1:-1] + p[2:]
        img = (p[:, :-2] + 2 * p[:, 1:-1] + p[:, 2:]) * np.float32(1 / 16)
    return img


def finish(img: np.ndarray, rng: np.random.Generator, *, noise: tuple[float, float]
           ) -> np.ndarray:
    """Optional blur (focus), directional lighting, global gain, pixel noise, quantisation.

    ``img`` float32 (H, W, 3) in [0, 1] (may be modified); returns uint8 (H, W, 3).
    """
    size = img.shape[0]
    img = blur(img, int(rng.choice(3, p=[0.5, 0.3, 0.2])))
    light = 1 + rng.uniform(0.0, 0.35) * gradient(size, rng.uniform(0, 2 * np.pi))
    img *= (rng.uniform(0.7, 1.15) * light)[..., None]
    img += rng.uniform(-0.04, 0.04, 3).astype(np.float32)  # colour cast
    img += rng.uniform(*noise) * rng.standard_normal(img.shape, dtype=np.float32)
    return (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
