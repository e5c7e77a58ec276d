"""The folder layout: faces/ + nonfaces/ with an optional attributes.csv."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from debias.data import load_dataset
from debias.errors import DataError
from tests.helpers import write_image


@pytest.mark.parametrize("pos,neg", [("faces", "nonfaces"), ("positive", "negative"), ("1", "0"),
                                     ("faces", "not_faces"), ("face", "non_faces"),
                                     ("positives", "background")])
def test_class_folders(tmp_path, pos, neg):
    for i in range(3):
        write_image(tmp_path / pos / f"p{i}.png", (250, 0, 0))
        write_image(tmp_path / neg / "sub" / f"n{i}.jpg", (0, 0, 250))
    data = load_dataset(tmp_path, image_size=8)
    assert data.format == "folder"
    assert data.labels.tolist() == [1, 1, 1, 0, 0, 0]
    assert data.meta["path"].iloc[3] == f"{neg}/sub/n0.jpg"
    red = data.images[data.labels == 1].float().mean(dim=(0, 2, 3))
    assert red[0] > 240 and red[2] < 10


def test_attributes_csv_is_joined_by_path(tmp_path):
    for i in range(3):
        write_image(tmp_path / "faces" / f"f{i}.png")
        write_image(tmp_path / "nonfaces" / f"n{i}.png")
    pd.DataFrame({"path": ["faces/f0.png", "faces/f2.png", "faces/gone.png"],
                  "skin_tone": ["dark", "light", "dark"]}).to_csv(tmp_path / "attributes.csv",
                                                                  index=False)
    data = load_dataset(tmp_path)
    assert data.attributes == ["skin_tone"]
    assert data.meta["skin_tone"].tolist() == ["dark", "unknown", "light"] + ["unknown"] * 3
    assert any("1 path(s)" in w for w in data.warnings)


def test_other_files_skipped_and_hidden_ignored(tmp_path):
    for i in range(2):
        write_image(tmp_path / "faces" / f"f{i}.png")
        write_image(tmp_path / "nonfaces" / f"n{i}.png")
    (tmp_path / "faces" / "notes.txt").write_text("hello")
    (tmp_path / "faces" / ".DS_Store").write_bytes(b"\0\1")
    data = load_dataset(tmp_path)
    assert len(data) == 4
    assert [(s.path, s.reason) for s in data.skipped] == [
        ("faces/notes.txt", "not an image file (extension)")]


def test_non_utf8_file_name(tmp_path):
    write_image(tmp_path / "nonfaces" / "n.png")
    write_image(tmp_path / "faces" / "ok.png")
    raw = os.path.join(os.fsencode(tmp_path / "faces"), b"caf\xe9.png")
    with open(raw, "wb") as handle:
        handle.write((tmp_path / "faces" / "ok.png").read_bytes())
    data = load_dataset(tmp_path)
    assert len(data) == 3
    shown = data.meta["path"].tolist()
    assert "faces/caf\\xe9.png" in shown
    shown_text = "\n".join(shown)
    shown_text.encode("utf-8")  # printable: no lone surrogates


def test_one_class_needs_negatives(tmp_path):
    for i in range(3):
        write_image(tmp_path / "data" / "faces" / f"f{i}.png")
        write_image(tmp_path / "background" / f"b{i}.png", (0, 0, 0))
    with pytest.raises(DataError, match="only one class.*not_faces/.*background/.*`negatives`"):
        load_dataset(tmp_path / "data")
    data = load_dataset(tmp_path / "data", negatives=tmp_path / "background")
    assert data.labels.tolist() == [1, 1, 1, 0, 0, 0]
    assert data.meta["path"].iloc[3] == "../background/b0.png"


def test_a_folder_without_a_class_folder_names_the_accepted_names(tmp_path):
    from debias.data._layout_csv import read_folder_layout

    write_image(tmp_path / "images" / "x.png")

    with pytest.raises(DataError, match="no class folder .*faces/, face/.*not_faces/"):
        read_folder_layout(tmp_path)


def test_attributes_csv_naming_few_faces_is_refused_with_examples(tmp_path):
    for i in range(4):
        write_image(tmp_path / "faces" / f"f{i}.png")
        write_image(tmp_path / "not_faces" / f"n{i}.png", (0, 0, 0))
    # Paths written from another root: none matches.
    pd.DataFrame({"path": [f"data/faces/f{i}.png" for i in range(4)],
                  "tone": ["a", "b", "a", "b"]}).to_csv(tmp_path / "attributes.csv", index=False)
    with pytest.raises(DataError, match=r"4 of 4 faces have no row in attributes.csv \(e.g. "
                                        r"faces/f0.png, .*its paths look like data/faces/f0.png"):
        load_dataset(tmp_path, image_size=8, cache=False)
    data = load_dataset(tmp_path, image_size=8, cache=False, allow_unmatched=True)
    assert set(data.meta.loc[data.meta.label == 1, "tone"]) == {"unknown"}
    assert any("4 of 4 faces have no row" in w for w in data.summary()["warnings"])
    # One face of four unmatched: a warning, not an error.
    pd.DataFrame({"path": [f"faces/f{i}.png" for i in range(3)], "tone": ["a", "b", "a"]}
                 ).to_csv(tmp_path / "attributes.csv", index=False)
    data = load_dataset(tmp_path, image_size=8, cache=False)
    assert any("1 of 4 faces have no row in attributes.csv (e.g. faces/f3.png"
               in w for w in data.summary()["warnings"])
