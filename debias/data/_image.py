"""Decoding one image file of any mode into a square uint8 RGB array."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pbm"}
)
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N"})
_EXIF_ORIENTATION = 0x0112


class ImageDecodeError(Exception):
    """A file that cannot be turned into an image; the message is the one-line reason."""


def _to_rgb(img: Image.Image) -> Image.Image:
    """Convert a PIL image of any mode to 8-bit RGB.

    16-bit and 32-bit integer images are scaled (not clipped) to 0..255, transparent
    images are composited onto white.
    """
    mode = img.mode
    if mode == "RGB":
        return img
    if mode in _SIXTEEN_BIT_MODES or mode == "I":
        values = np.asarray(img, dtype=np.float64)
        if mode in _SIXTEEN_BIT_MODES or values.max(initial=0) > 255:
            values = values / 257.0
        return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8)).convert("RGB")
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


def decode_image(file: str, image_size: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Read one image file, centre-crop it to a square and resize it.

    Parameters
    ----------
    file : str
        Path of the image file.
    image_size : int
        Side of the square output.

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
    """
    try:
        if os.path.getsize(file) == 0:
            raise ImageDecodeError("empty file (0 bytes)")
        with Image.open(file) as img:
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
    except Image.DecompressionBombError as err:
        raise ImageDecodeError(f"image too large ({err})") from None
    except (OSError, SyntaxError, ValueError) as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ImageDecodeError(f"truncated or corrupt image ({message})") from None
    return np.ascontiguousarray(array), (width, height)
