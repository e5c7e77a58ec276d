"""Images of every mode, depth and orientation come out as upright 8-bit RGB."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from debias.data import decode_image
from debias.data._image import ImageDecodeError


def _decode(img: Image.Image, tmp_path, name="x.png", **save):
    path = tmp_path / name
    img.save(path, **save)
    return decode_image(str(path), 8)


def test_grayscale_becomes_equal_channels(tmp_path):
    out, size = _decode(Image.new("L", (10, 6), 77), tmp_path)
    assert out.shape == (3, 8, 8) and out.dtype == np.uint8 and size == (10, 6)
    assert (out == 77).all()


def test_one_bit_image(tmp_path):
    out, _ = _decode(Image.new("1", (8, 8), 1), tmp_path)
    assert (out == 255).all()


def test_rgba_composited_on_white(tmp_path):
    img = Image.new("RGBA", (8, 8), (255, 0, 0, 0))
    img.paste((0, 0, 255, 255), (0, 0, 8, 4))
    out, _ = _decode(img, tmp_path)
    assert (out[:, :3, :].reshape(3, -1).T == [0, 0, 255]).all()
    assert (out[:, 5:, :].reshape(3, -1).T == [255, 255, 255]).all()


def test_palette_with_and_without_transparency(tmp_path):
    img = Image.new("P", (8, 8), 1)
    img.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    out, _ = _decode(img, tmp_path)
    assert (out.reshape(3, -1).T == [10, 200, 30]).all()
    img.info["transparency"] = 1
    out, _ = _decode(img, tmp_path, name="t.png", transparency=1)
    assert (out == 255).all()


@pytest.mark.parametrize("value", [0, 1000, 32896, 65535])
def test_sixteen_bit_is_scaled_not_clipped(tmp_path, value):
    img = Image.fromarray(np.full((8, 8), value, dtype=np.uint16))
    path = tmp_path / "deep.png"
    img.save(path)
    assert Image.open(path).mode.startswith("I")
    out, _ = decode_image(str(path), 8)
    assert (out == round(value / 257)).all()


def test_cmyk_jpeg(tmp_path):
    out, _ = _decode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), tmp_path, name="c.jpg",
                     quality=95)
    r, g, b = out.reshape(3, -1).mean(axis=1)
    assert r > 230 and g < 30 and b < 30


def test_exif_orientation_is_applied(tmp_path):
    # Stored: top half red, bottom half blue, 16 wide x 8 high. Orientation 6 = "rotate 90°
    # clockwise to display": the stored top becomes the right side, and the size is 8 x 16.
    img = Image.new("RGB", (16, 8), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 16, 4))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rot.jpg"
    img.save(path, exif=exif, quality=100)
    out, size = decode_image(str(path), 8)
    assert size == (8, 16)
    left, right = out[:, :, :3].mean(axis=(1, 2)), out[:, :, 5:].mean(axis=(1, 2))
    assert right[0] > 200 and right[2] < 60
    assert left[2] > 200 and left[0] < 60


def test_centre_crop_to_square(tmp_path):
    # 32 x 16: green | red red | blue; the centred 16 x 16 square is all red.
    img = Image.new("RGB", (32, 16), (255, 0, 0))
    img.paste((0, 255, 0), (0, 0, 8, 16))
    img.paste((0, 0, 255), (24, 0, 32, 16))
    out, _ = _decode(img, tmp_path)
    assert (out.reshape(3, -1).T == [255, 0, 0]).all()


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file"),
    (b"this is not an image at all", "not an image"),
])
def test_unreadable_bytes_give_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageDecodeError, match=reason):
        decode_image(str(path), 8)


def test_truncated_png(tmp_path):
    path = tmp_path / "t.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(ImageDecodeError, match="truncated or corrupt"):
        decode_image(str(path), 8)
