"""The CSV layout: labels, splits, attributes, refused rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from debias.data import load_dataset
from debias.errors import DataError
from tests.helpers import face_rows, write_csv_dataset, write_image


def test_loads_images_labels_and_attributes(tmp_path):
    rows = face_rows(4, 4, skin_tone=["light", "dark"], gender=["female", "male"])
    rows[0]["color"] = (10, 20, 30)
    write_csv_dataset(tmp_path, rows)
    data = load_dataset(tmp_path, image_size=8)
    assert data.format == "csv"
    assert data.images.shape == (8, 3, 8, 8)
    assert data.labels.tolist() == [1, 1, 1, 1, 0, 0, 0, 0]
    assert data.attributes == ["skin_tone", "gender"]
    assert data.meta["skin_tone"].tolist()[:4] == ["light", "dark", "light", "dark"]
    # non-faces have empty attribute cells, which become "unknown"
    assert set(data.meta["gender"].iloc[4:]) == {"unknown"}
    # the first image is a solid (10, 20, 30): every pixel keeps that colour
    assert (data.images[0].reshape(3, -1).T == np.array([10, 20, 30])).all()


@pytest.mark.parametrize("pos,neg", [("true", "false"), ("yes", "no"), ("True", "False"), ("1", "0")])
def test_boolean_label_spellings(tmp_path, pos, neg):
    rows = face_rows(2, 2)
    for row in rows:
        row["label"] = pos if row["label"] == 1 else neg
    write_csv_dataset(tmp_path, rows)
    assert load_dataset(tmp_path).labels.tolist() == [1, 1, 0, 0]


def test_class_names_need_positive(tmp_path):
    rows = face_rows(2, 2)
    for row in rows:
        row["label"] = "person" if row["label"] == 1 else "background"
    write_csv_dataset(tmp_path, rows)
    with pytest.raises(DataError, match="`positive`"):
        load_dataset(tmp_path)
    assert load_dataset(tmp_path, positive="person").labels.tolist() == [1, 1, 0, 0]
    assert load_dataset(tmp_path, positive="background").labels.tolist() == [0, 0, 1, 1]


def test_three_classes_refused(tmp_path):
    rows = face_rows(3, 1)
    for row, name in zip(rows, ["a", "b", "c", "a"]):
        row["label"] = name
    write_csv_dataset(tmp_path, rows)
    with pytest.raises(DataError, match="3 label values"):
        load_dataset(tmp_path, positive="a")


def test_missing_label_column(tmp_path):
    write_csv_dataset(tmp_path, face_rows(2, 2))
    frame = pd.read_csv(tmp_path / "labels.csv").rename(columns={"label": "class"})
    frame.to_csv(tmp_path / "labels.csv", index=False)
    with pytest.raises(DataError, match="no 'label' column"):
        load_dataset(tmp_path)


def test_missing_file_refused_with_line_number(tmp_path):
    write_csv_dataset(tmp_path, face_rows(2, 2))
    (tmp_path / "faces" / "f1.png").unlink()
    with pytest.raises(DataError, match=r"labels.csv line 3: file 'faces/f1.png' not found"):
        load_dataset(tmp_path)


@pytest.mark.parametrize("bad_path", ["../outside.png", "/etc/hostname", "faces/../../outside.png"])
def test_path_leaving_root_refused(tmp_path, bad_path):
    root = tmp_path / "data"
    write_csv_dataset(root, face_rows(2, 2))
    write_image(tmp_path / "outside.png")
    frame = pd.read_csv(root / "labels.csv")
    frame.loc[2, "path"] = bad_path
    frame.to_csv(root / "labels.csv", index=False)
    with pytest.raises(DataError, match="line 4: path .* leaves the dataset root"):
        load_dataset(root)


def test_symlink_out_of_root_refused(tmp_path):
    root = tmp_path / "data"
    write_csv_dataset(root, face_rows(2, 2))
    write_image(tmp_path / "secret.png")
    (root / "faces" / "f0.png").unlink()
    (root / "faces" / "f0.png").symlink_to(tmp_path / "secret.png")
    with pytest.raises(DataError, match="line 2: .*leaves the dataset root"):
        load_dataset(root)


def test_duplicate_rows_refused(tmp_path):
    write_csv_dataset(tmp_path, face_rows(2, 2))
    frame = pd.read_csv(tmp_path / "labels.csv")
    pd.concat([frame, frame.iloc[[1]]]).to_csv(tmp_path / "labels.csv", index=False)
    with pytest.raises(DataError, match="line 6: 'faces/f1.png' is listed twice .first on line 3"):
        load_dataset(tmp_path)


def test_split_column_and_bad_split_value(tmp_path):
    rows = face_rows(4, 4)
    for i, row in enumerate(rows):
        row["split"] = ["train", "test", "val", "TRAIN "][i % 4]
    write_csv_dataset(tmp_path, rows)
    data = load_dataset(tmp_path)
    train, test = data.split()
    assert train.meta["path"].tolist() == ["faces/f0.png", "faces/f3.png", "nonfaces/n0.png",
                                           "nonfaces/n3.png"]
    assert test.meta["path"].tolist() == ["faces/f1.png", "nonfaces/n1.png"]
    assert data.named_split("val").meta["path"].tolist() == ["faces/f2.png", "nonfaces/n2.png"]

    frame = pd.read_csv(tmp_path / "labels.csv")
    frame.loc[5, "split"] = "holdout"
    frame.to_csv(tmp_path / "labels.csv", index=False)
    with pytest.raises(DataError, match="line 7: split 'holdout' is not train, val or test"):
        load_dataset(tmp_path)


def test_attribute_selection_and_metadata_csv(tmp_path):
    rows = face_rows(2, 2, race=["A", "B"], age=["30", "40"])
    write_csv_dataset(tmp_path, rows, name="metadata.csv")
    data = load_dataset(tmp_path, attributes=["race"])
    assert data.attributes == ["race"] and "age" not in data.meta.columns
    with pytest.raises(DataError, match="attribute 'gender' not found .*available: race, age"):
        load_dataset(tmp_path, attributes=["gender"])


def test_odd_characters_in_names_and_values(tmp_path):
    names = ["faces/été 1.png", "faces/a,b'\"q.png", "faces/<script>.png", "faces/日本.png"]
    values = ["Café, \"quoted\"", "<b>bold</b>", "ünïcödé", "  padded  "]
    rows = [{"path": p, "label": 1, "group": v} for p, v in zip(names, values)]
    rows += face_rows(0, 2, group=[""])
    write_csv_dataset(tmp_path, rows)
    data = load_dataset(tmp_path)
    assert data.meta["path"].tolist()[:4] == names
    assert data.meta["group"].tolist() == values[:3] + ["padded", "unknown", "unknown"]


def test_latin1_csv_is_read_with_a_warning(tmp_path):
    write_csv_dataset(tmp_path, face_rows(2, 2, name=["Müller", "José"]))
    text = (tmp_path / "labels.csv").read_text(encoding="utf-8")
    (tmp_path / "labels.csv").write_bytes(text.encode("latin-1"))
    data = load_dataset(tmp_path)
    assert data.meta["name"].tolist()[:2] == ["Müller", "José"]
    assert any("not UTF-8" in w for w in data.warnings)


def test_header_only_csv(tmp_path):
    (tmp_path / "labels.csv").write_text("path,label\n")
    with pytest.raises(DataError, match="header but no rows"):
        load_dataset(tmp_path)
