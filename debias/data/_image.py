"""Decoding one image file of any mode into a square uint8 RGB array."""

from __future__ import annotations

import os
import re
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from debias.errors import DataError

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pbm"}
)
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N"})
_EXIF_ORIENTATION = 0x0112
# The models see 64 x 64; 50 megapixels covers 8K frames and most camera photos, and keeps one
# decode (up to ~200 MB for a 16-bit image) small enough for every core to run one at once.
# Pillow's own limit (about 89 megapixels, refused only at twice that) is far higher.
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000
MAX_PIXELS_VARIABLE = "DEBIAS_MAX_IMAGE_PIXELS"


class ImageDecodeError(Exception):
    """A file that cannot be turned into an image; the message is the one-line reason."""


def max_image_pixels() -> int:
    """The largest image (width x height) decoded: ``$DEBIAS_MAX_IMAGE_PIXELS``, else
    ``DEFAULT_MAX_IMAGE_PIXELS``. Larger files are skipped, judged from their header.

    Raises
    ------
    DataError
        The variable is set to something other than a whole number above 0.
    """
    value = os.environ.get(MAX_PIXELS_VARIABLE, "").strip()
    if not value:
        return DEFAULT_MAX_IMAGE_PIXELS
    try:
        limit = int(value.replace("_", "").replace(",", ""))
    except ValueError:
        limit = 0
    if limit <= 0:
        raise DataError(f"{MAX_PIXELS_VARIABLE} must be a whole number of pixels above 0, "
                        f"got {value[:40]!r}")
    return limit


def _open_header(file: str, max_pixels: int) -> Image.Image:
    """Open ``file`` reading only its header, and refuse it when it has more pixels than
    ``max_pixels``. Pillow's DecompressionBombWarning (a lower bar than its error) is not
    shown: this check is the one that decides."""
    allow = f"set {MAX_PIXELS_VARIABLE} to allow it"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(file)
    except Image.DecompressionBombError as err:  # over twice Pillow's limit
        found = re.search(r"\((\d+) pixels\)", str(err))
        if found is None:
            raise ImageDecodeError(f"image too large ({err})") from None
        pixels = int(found[1])
        if pixels > max_pixels:
            raise ImageDecodeError(f"{pixels:,} pixels is more than the limit of "
                                   f"{max_pixels:,}; {allow}") from None
        raise ImageDecodeError(f"{pixels:,} pixels is more than Pillow's own limit of "
                               f"{2 * (Image.MAX_IMAGE_PIXELS or 0):,} "
                               "(PIL.Image.MAX_IMAGE_PIXELS x 2)") from None
    width, height = img.size
    if width * height > max_pixels:
        img.close()
        raise ImageDecodeError(f"{width}×{height} pixels is more than the limit of "
                               f"{max_pixels:,}; {allow}")
    return img


def _to_rgb(img: Image.Image) -> Image.Image:
    """Convert a PIL image of any mode to 8-bit RGB.

    16-bit and 32-bit integer images are scaled (not clipped) to 0..255, transparent
    images are composited onto white.
    """
    mode = img.mode
    if mode == "RGB":
        return img
    if mode in _SIXTEEN_BIT_MODES or mode == "I":
        # float32 in place: a quarter of the memory of float64 copies, and exact here (x / 257
        # is never within 1e-3 of a half for integers x, and values above 65535 clip to 255).
        values = np.asarray(img, dtype=np.float32)
        if mode in _SIXTEEN_BIT_MODES or values.max(initial=0) > 255:
            np.divide(values, 257.0, out=values)
        np.clip(np.rint(values, out=values), 0, 255, out=values)
        return Image.fromarray(values.astype(np.uint8)).convert("RGB")
    if mode == "F":
        values = np.asarray(img, dtype=np.float64)
        if values.max(initial=0) <= 1.0:
            values = values * 255.0
        return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8)).convert("RGB")
    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        mode == "P" and "transparency" in img.info
    )
    if has_alpha:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")


def decode_image(file: str, image_size: int, *, max_pixels: int | None = None
                 ) -> tuple[np.ndarray, tuple[int, int]]:
    """Read one image file, centre-crop it to a square and resize it.

    Parameters
    ----------
    file : str
        Path of the image file.
    image_size : int
        Side of the square output.
    max_pixels : int, optional
        Largest width x height decoded, judged from the header before decoding (default:
        :func:`max_image_pixels`, from ``$DEBIAS_MAX_IMAGE_PIXELS``).

    Returns
    -------
    image : ndarray of uint8, shape (3, image_size, image_size)
        RGB, channels first, upright according to the EXIF orientation tag.
    original_size : tuple of int
        (width, height) of the stored image after EXIF rotation.

    Raises
    ------
    ImageDecodeError
        With a one-line reason: empty, not an image, truncated or corrupt, too large.
    DataError
        ``$DEBIAS_MAX_IMAGE_PIXELS`` is not a number.
    """
    if max_pixels is None:
        max_pixels = max_image_pixels()
    try:
        if os.path.getsize(file) == 0:
            raise ImageDecodeError("empty file (0 bytes)")
        with _open_header(file, max_pixels) as img:
            width, height = img.size
            orientation = img.getexif().get(_EXIF_ORIENTATION, 1)
            if orientation in (5, 6, 7, 8):
                width, height = height, width
            if img.format == "JPEG":
                # Let libjpeg decode at a reduced scale: much faster for large photos.
                img.draft("RGB", (image_size, image_size))
            img = ImageOps.exif_transpose(img)
            img = _to_rgb(img)
            w, h = img.size
            side = min(w, h)
            left, top = (w - side) // 2, (h - side) // 2
            # Crop before resizing: resize(box=...) would blend in pixels outside the box.
            img = img.crop((left, top, left + side, top + side))
            img = img.resize((image_size, image_size), Image.Resampling.BILINEAR)
            array = np.asarray(img, dtype=np.uint8).transpose(2, 0, 1)
    except ImageDecodeError:
        raise
    except UnidentifiedImageError:
        raise ImageDecodeError("not an image file that Pillow can read") from None
    except (OSError, SyntaxError, ValueError) as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ImageDecodeError(f"truncated or corrupt image ({message})") from None
    return np.ascontiguousarray(array), (width, height)
