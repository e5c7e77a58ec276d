"""Readers for CelebA, UTKFace and FairFace in their published layouts."""

from __future__ import annotations

import pandas as pd
import pytest

from debias.data import detect_format, load_dataset
from debias.errors import DataError
from tests.helpers import write_image


def _negatives(path, n=4):
    for i in range(n):
        write_image(path / f"bg{i}.jpg", (20, 20, 20))
    return path


def test_utkface_names_give_attributes(tmp_path):
    root = tmp_path / "UTKFace"
    names = ["1_0_0_20170109.jpg.chip.jpg", "25_1_1_20170116.jpg.chip.jpg",
             "45_0_2_20170117.jpg", "71_1_3_20170119.jpg.chip.jpg", "33_1_4_20170120.jpg"]
    for name in names:
        write_image(root / name, fmt="JPEG")
    write_image(root / "39_1_20170116174525125.jpg.chip.jpg", fmt="JPEG")  # race missing
    assert detect_format(root) == "utkface"
    data = load_dataset(root, negatives=_negatives(tmp_path / "neg"))
    faces = data.meta[data.meta["label"] == 1]
    # files are read in name order: 1_, 25_, 33_, 45_, 71_
    assert faces["age_group"].tolist() == ["0-2", "20-29", "30-39", "40-49", "70+"]
    assert faces["gender"].tolist() == ["male", "female", "female", "male", "female"]
    assert faces["race"].tolist() == ["White", "Black", "Others", "Asian", "Indian"]
    assert [s.path for s in data.skipped] == ["39_1_20170116174525125.jpg.chip.jpg"]
    assert (data.labels == 0).sum() == 4


def _celeba(root, n=6):
    names = ["5_o_Clock_Shadow", "Male", "Smiling", "Young"]
    lines = [str(n), " ".join(names)]
    parts = []
    for i in range(n):
        name = f"{i + 1:06d}.jpg"
        write_image(root / "img_align_celeba" / name, fmt="JPEG", size=(178, 218))
        male, smiling = (1 if i % 2 else -1), (1 if i < 3 else -1)
        lines.append(f"{name}  -1 {male:2d} {smiling:2d}  1")
        parts.append(f"{name} {i % 3}")
    (root / "list_attr_celeba.txt").write_text("\n".join(lines) + "\n")
    (root / "list_eval_partition.txt").write_text("\n".join(parts) + "\n")
    return root


def test_celeba_with_target(tmp_path):
    root = _celeba(tmp_path / "celeba")
    assert detect_format(root) == "celeba"
    data = load_dataset(root, target="Smiling", attributes=["Male"])
    assert data.labels.tolist() == [1, 1, 1, 0, 0, 0]
    assert data.meta["Male"].tolist() == ["false", "true"] * 3
    assert data.meta["split"].tolist() == ["train", "val", "test"] * 2
    assert tuple(data.original_sizes[0]) == (178, 218)


def test_celeba_faces_only_with_negatives_and_default_attributes(tmp_path):
    root = _celeba(tmp_path / "celeba")
    data = load_dataset(root, negatives=_negatives(tmp_path / "neg", 6))
    assert data.attributes == ["Male", "Young"]
    negatives = data.meta[data.meta["label"] == 0]
    # negatives are spread over the splits in the positives' proportions (2/2/2 here)
    assert sorted(negatives["split"].value_counts().tolist()) == [2, 2, 2]
    with pytest.raises(DataError, match="`target` 'Happy' is not a CelebA attribute"):
        load_dataset(root, target="Happy")


def test_fairface_val_becomes_test(tmp_path):
    root = tmp_path / "fairface"
    for split, n in (("train", 3), ("val", 2)):
        rows = []
        for i in range(n):
            write_image(root / split / f"{i + 1}.jpg", fmt="JPEG")
            rows.append({"file": f"{split}/{i + 1}.jpg", "age": "20-29", "gender": "Female",
                         "race": ["East Asian", "Black", "Latino_Hispanic"][i], "service_test": True})
        pd.DataFrame(rows).to_csv(root / f"fairface_label_{split}.csv", index=False)
    assert detect_format(root) == "fairface"
    data = load_dataset(root, negatives=_negatives(tmp_path / "neg", 5))
    faces = data.meta[data.meta["label"] == 1]
    assert faces["split"].tolist() == ["train"] * 3 + ["test"] * 2
    assert faces["race"].tolist() == ["East Asian", "Black", "Latino_Hispanic", "East Asian", "Black"]
    assert data.attributes == ["age_group", "gender", "race"]
    train, test = data.split()
    assert len(train) + len(test) == len(data)
