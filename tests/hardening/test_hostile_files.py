"""Hostile or odd input files: each is refused with one clear line, or skipped with a reason,
and none makes the loader read outside the dataset, without bound, or leak a warning."""

from __future__ import annotations

import os
import re
import resource
import struct
import threading
import warnings
import zlib

import pandas as pd
import pytest
from PIL import Image

from debias.audit._predictions import read_predictions
from debias.data import load_dataset
from debias.data._image import DEFAULT_MAX_IMAGE_PIXELS
from debias.errors import DataError
from tests.e2e.cli import assert_error_after_progress, assert_one_line_error, run_cli
from tests.helpers import face_rows, write_csv_dataset, write_image

BOMB_SIDE = 12_500


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_blank_png16(path, side: int) -> None:
    """A real side x side 16-bit greyscale PNG of zeros, deflated row by row (12500 x 12500:
    about 300 KB on disk, 312 MB once decoded), without holding the pixels in memory."""
    deflate = zlib.compressobj(9)
    row = bytes(1 + 2 * side)  # filter byte + 16-bit zeros
    idat = b"".join([deflate.compress(row) for _ in range(side)] + [deflate.flush()])
    header = struct.pack(">IIBBBBB", side, side, 16, 0, 0, 0, 0)  # 16-bit greyscale
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat)
                     + _chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def bomb_dataset(tmp_path_factory):
    """A CSV dataset whose faces/f0.png is the 12500 x 12500 16-bit PNG."""
    root = write_csv_dataset(tmp_path_factory.mktemp("bomb"), face_rows(3, 3))
    write_blank_png16(root / "faces/f0.png", BOMB_SIDE)
    return root


@pytest.fixture(scope="module")
def audit_dataset(tmp_path_factory):
    return write_csv_dataset(tmp_path_factory.mktemp("ds"), face_rows(6, 4))


# 1. folder layout: symbolic links out of the root ---------------------------------------------

def _folder_dataset(root):
    for i in range(2):
        write_image(root / "faces" / f"f{i}.png", (220, 180, 150))
        write_image(root / "nonfaces" / f"n{i}.png", (30, 90, 30))
    return root


@pytest.mark.parametrize("target", ["outside.png", "/etc/hostname"])
def test_folder_layout_refuses_a_symlink_leaving_the_root(tmp_path, target):
    root = _folder_dataset(tmp_path / "data")
    write_image(tmp_path / "outside.png")
    (root / "faces" / "x.png").symlink_to(tmp_path / target)
    with pytest.raises(DataError, match=r"^faces/x\.png: a symbolic link to .* outside the "
                                        r"dataset root; refused$"):
        load_dataset(root, cache=False)


def test_folder_layout_keeps_symlinks_inside_the_root(tmp_path):
    root = _folder_dataset(tmp_path / "data")
    write_image(root / "extra" / "e.png", (220, 180, 150))
    (root / "faces" / "linked.png").symlink_to(root / "extra" / "e.png")
    (root / "nonfaces" / "relative.png").symlink_to("n0.png")
    data = load_dataset(root, cache=False)
    assert sorted(data.meta["path"]) == ["faces/f0.png", "faces/f1.png", "faces/linked.png",
                                         "nonfaces/n0.png", "nonfaces/n1.png",
                                         "nonfaces/relative.png"]
    assert data.skipped == []


def test_cli_symlink_leaving_the_root_exits_2(tmp_path):
    root = _folder_dataset(tmp_path / "data")
    (root / "nonfaces" / "host.png").symlink_to("/etc/hostname")
    assert_one_line_error(run_cli("inspect", root), 2,
                          "error: nonfaces/host.png: a symbolic link to '/etc/hostname', "
                          "outside the dataset root; refused")


# 2. a NUL byte in a CSV path -------------------------------------------------------------------

def _with_nul_path(root):
    write_csv_dataset(root, face_rows(2, 2))
    text = (root / "labels.csv").read_text().replace("faces/f1.png", "faces/f\x001.png")
    (root / "labels.csv").write_text(text)
    return root


def test_nul_byte_in_a_csv_path_names_the_line(tmp_path):
    root = _with_nul_path(tmp_path)
    with pytest.raises(DataError, match=r"^labels\.csv line 3: path 'faces/f\\x001\.png' "
                                        r"contains a NUL byte; refused$"):
        load_dataset(root, cache=False)


def test_cli_nul_byte_in_a_csv_path_exits_2(tmp_path):
    root = _with_nul_path(tmp_path)
    assert_one_line_error(run_cli("inspect", root), 2, "labels.csv line 3: path ")


# 3 and 4. predictions: no rows, not a regular file, too large -----------------------------------

def test_cli_header_only_predictions_exit_2(audit_dataset, tmp_path):
    preds = tmp_path / "preds.csv"
    preds.write_text("path,score\n")
    result = run_cli("audit", audit_dataset, "--predictions", preds, "--out", tmp_path / "out",
                     "--n-boot", "0")
    assert_error_after_progress(result, 2, "preds.csv has no rows")
    assert not (tmp_path / "out").exists()


def test_cli_predictions_from_a_device_exit_2(audit_dataset, tmp_path):
    result = run_cli("audit", audit_dataset, "--predictions", "/dev/zero", "--out",
                     tmp_path / "out", "--n-boot", "0")
    assert_error_after_progress(result, 2, "/dev/zero is not a regular file")


def test_predictions_refuse_a_fifo_without_blocking(audit_dataset, tmp_path):
    data = load_dataset(audit_dataset)
    fifo = tmp_path / "preds.csv"
    os.mkfifo(fifo)  # nobody writes: opening it for reading would wait for ever
    outcome = []

    def read():
        try:
            read_predictions(fifo, data, threshold=None)
        except DataError as err:
            outcome.append(str(err))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # blocked in open(): let it through (it then reads an empty file)
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading predictions from a FIFO blocked")
    assert len(outcome) == 1
    assert re.search(r"preds\.csv is not a regular file \(a FIFO", outcome[0]), outcome


def test_predictions_larger_than_the_cap_are_refused(audit_dataset, tmp_path, monkeypatch):
    import debias.data._manifest as manifest

    assert manifest.MAX_CSV_BYTES == 2**30
    data = load_dataset(audit_dataset)
    rows = pd.read_csv(audit_dataset / "labels.csv")[["path"]].assign(score=0.5)
    rows.to_csv(tmp_path / "preds.csv", index=False)
    monkeypatch.setattr(manifest, "MAX_CSV_BYTES", 100)
    with pytest.raises(DataError, match=r"preds\.csv is larger than the limit of 100 bytes "
                                        "for a CSV file"):
        read_predictions(tmp_path / "preds.csv", data, threshold=None)


# 5. a decompression bomb -----------------------------------------------------------------------

def test_pixel_bomb_is_skipped_from_its_header_without_a_warning(bomb_dataset):
    assert DEFAULT_MAX_IMAGE_PIXELS == 50_000_000 < Image.MAX_IMAGE_PIXELS
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = load_dataset(bomb_dataset, cache=False, workers=1)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert [str(w.message) for w in caught if issubclass(w.category, Warning)
            and not issubclass(w.category, ResourceWarning)] == []
    assert len(data) == 5
    assert [(s.path, s.reason) for s in data.skipped] == [
        ("faces/f0.png", "12500×12500 pixels is more than the limit of 50,000,000; "
                         "set DEBIAS_MAX_IMAGE_PIXELS to allow it")]
    assert grown_mib < 150  # decoding it would take 312 MB (4.7 GB as float64 in the old code)


def test_pixel_limit_comes_from_the_environment(tmp_path, monkeypatch):
    write_csv_dataset(tmp_path, face_rows(2, 2))  # 16 x 16 images
    write_image(tmp_path / "faces/f0.png", size=(40, 30))
    monkeypatch.setenv("DEBIAS_MAX_IMAGE_PIXELS", "1000")
    data = load_dataset(tmp_path, cache=False)
    assert [(s.path, s.reason) for s in data.skipped] == [
        ("faces/f0.png", "40×30 pixels is more than the limit of 1,000; "
                         "set DEBIAS_MAX_IMAGE_PIXELS to allow it")]
    monkeypatch.setenv("DEBIAS_MAX_IMAGE_PIXELS", "1200")
    assert load_dataset(tmp_path, cache=False).skipped == []
    monkeypatch.setenv("DEBIAS_MAX_IMAGE_PIXELS", "lots")
    with pytest.raises(DataError, match=r"^DEBIAS_MAX_IMAGE_PIXELS must be a whole number of "
                                        r"pixels above 0, got 'lots'$"):
        load_dataset(tmp_path, cache=False)


def test_raising_the_pixel_limit_is_not_undone_by_the_cache(tmp_path, monkeypatch):
    write_csv_dataset(tmp_path, face_rows(2, 2))
    write_image(tmp_path / "faces/f0.png", size=(40, 30))
    monkeypatch.setenv("DEBIAS_MAX_IMAGE_PIXELS", "1000")
    assert len(load_dataset(tmp_path).skipped) == 1
    monkeypatch.setenv("DEBIAS_MAX_IMAGE_PIXELS", "1200")
    assert load_dataset(tmp_path).skipped == []


def test_cli_pixel_bomb_is_listed_as_skipped_without_a_warning(bomb_dataset):
    result = run_cli("inspect", bomb_dataset, "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "faces/f0.png: 12500×12500 pixels is more than the limit of 50,000,000" in result.stdout
    assert "Warning" not in result.stderr


# 6. delimiters and header spelling -------------------------------------------------------------

@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_labels_csv_delimiter_and_header_spelling(tmp_path, sep):
    write_csv_dataset(tmp_path, face_rows(4, 2, Tone=["light", "dark"]))
    frame = pd.read_csv(tmp_path / "labels.csv", keep_default_na=False)
    frame.columns = ["Path", " LABEL ", "Tone"]
    frame.assign(Split=["train", "test"] * 3).rename(columns={"Split": " split"}).to_csv(
        tmp_path / "labels.csv", index=False, sep=sep)
    data = load_dataset(tmp_path, cache=False)
    assert len(data) == 6 and data.labels.tolist() == [1, 1, 1, 1, 0, 0]
    assert data.attributes == ["Tone"]  # attribute names are kept as written
    assert data.meta["split"].tolist() == ["train", "test"] * 3
    assert len(load_dataset(tmp_path, cache=False, attributes=["Tone"])) == 6
    with pytest.raises(DataError, match="attribute 'tone' not found"):
        load_dataset(tmp_path, cache=False, attributes=["tone"])


def test_two_columns_that_both_mean_path_are_refused(tmp_path):
    write_csv_dataset(tmp_path, face_rows(2, 2))
    frame = pd.read_csv(tmp_path / "labels.csv")
    frame.assign(Path=frame["path"]).to_csv(tmp_path / "labels.csv", index=False)
    with pytest.raises(DataError, match="labels.csv has two 'path' columns: 'path' and 'Path'"):
        load_dataset(tmp_path, cache=False)


def test_semicolon_predictions_with_a_spelled_header(audit_dataset, tmp_path):
    data = load_dataset(audit_dataset)
    rows = pd.read_csv(audit_dataset / "labels.csv")
    pd.DataFrame({" PATH ": rows["path"], "Score": rows["label"] * 0.8 + 0.1}).to_csv(
        tmp_path / "preds.csv", index=False, sep=";")
    index, scores, notes = read_predictions(tmp_path / "preds.csv", data, threshold=None)
    assert len(index) == len(data) and notes == []
    assert scores.tolist() == pytest.approx((data.labels.numpy()[index] * 0.8 + 0.1).tolist())
