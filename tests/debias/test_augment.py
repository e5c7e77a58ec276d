"""Augmentation: how many synthetic faces, where they go (never into a test split), how they
are marked, and what the generators add."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from debias.augment import augment, most_imbalanced, plan_additions, write_synthetic
from debias.data import ImageDataset
from debias.errors import DataError


def make_dataset(n_light=40, n_dark=8, n_neg=24, size=32, seed=0, split=False) -> ImageDataset:
    """Faces (light / dark, with a gender) and non-faces; light and dark faces differ in
    brightness so a generator has something to learn."""
    rng = np.random.default_rng(seed)
    n = n_light + n_dark + n_neg
    tone = ["light"] * n_light + ["dark"] * n_dark + ["unknown"] * n_neg
    base = np.array([200 if t == "light" else 60 if t == "dark" else 128 for t in tone])
    images = np.clip(base[:, None, None, None] + rng.normal(0, 20, (n, 3, size, size)), 0, 255)
    meta = pd.DataFrame({
        "path": [f"img/{i:03d}.png" for i in range(n)], "file": "",
        "label": [1] * (n_light + n_dark) + [0] * n_neg, "skin_tone": tone,
        "gender": [["female", "male"][i % 2] if t != "unknown" else "unknown"
                   for i, t in enumerate(tone)]})
    if split:
        meta["split"] = np.where(np.arange(n) % 4 == 0, "test", "train")
    return ImageDataset(images=torch.from_numpy(images.astype(np.uint8)),
                        labels=torch.tensor(meta["label"].to_numpy(), dtype=torch.int64), meta=meta,
                        attributes=["skin_tone", "gender"], root=Path("/nowhere"))


def test_plan_balances_up_to_the_cap():
    assert plan_additions({"light": 1900, "dark": 100}, cap=4.0) == {"dark": 400}
    assert plan_additions({"light": 1900, "dark": 100}, cap=100.0) == {"dark": 1800}
    assert plan_additions({"a": 10, "b": 7, "c": 2}, cap=2.0) == {"b": 3, "c": 4}
    assert plan_additions({"a": 5, "b": 5}, cap=4.0) == {}
    with pytest.raises(DataError):
        plan_additions({"a": 5, "b": 1}, cap=0)


def test_most_imbalanced_attribute():
    data = make_dataset()  # skin_tone 40:8, gender 24:24
    assert most_imbalanced(data) == "skin_tone"


@pytest.mark.parametrize("split_column", [False, True])
def test_synthetic_rows_never_reach_a_test_split(split_column):
    data = make_dataset(split=split_column)
    train, test = data.split(seed=3)
    fake = make_dataset(n_light=0, n_dark=10, n_neg=0, seed=9).meta.copy()
    fake["path"] = [f"synthetic/x/{i}.png" for i in range(10)]
    fake["synthetic"] = "cyclegan"
    fake = fake.drop(columns=[c for c in ("split",) if c in fake])
    synthetic = ImageDataset(images=torch.zeros(10, 3, 32, 32, dtype=torch.uint8),
                             labels=torch.ones(10, dtype=torch.int64), meta=fake,
                             attributes=data.attributes, root=data.root)
    mixed = data.with_images(synthetic)
    assert mixed.synthetic.sum() == 10 and not mixed.synthetic[:len(data)].any()
    mixed_train, mixed_test = mixed.split(seed=3)
    # The real images split exactly as without the synthetic ones; every synthetic one trains.
    assert mixed_test.meta["path"].tolist() == test.meta["path"].tolist()
    assert not mixed_test.synthetic.any()
    assert mixed_train.synthetic.sum() == 10
    assert sorted(mixed_train.meta["path"][~mixed_train.synthetic]) == sorted(train.meta["path"])


def test_cyclegan_augmentation_adds_marked_translations_of_the_majority(tmp_path):
    train = make_dataset()
    augmented, summary = augment(train, attribute="skin_tone", method="cyclegan", cap=2.0,
                                 epochs=1, seed=0, models_dir=tmp_path, progress=False)
    assert summary["real_faces"] == {"dark": 8, "light": 40}
    assert summary["added"] == {"dark": 16}
    new = augmented.subset(augmented.synthetic)
    assert len(augmented) == len(train) + 16 and len(new) == 16
    assert (new.meta["synthetic"] == "cyclegan").all() and (new.labels == 1).all()
    assert (new.meta["skin_tone"] == "dark").all()
    # Sources are distinct light training faces, and each keeps its source's gender.
    sources = train.meta.set_index("path").loc[new.meta["source"]]
    assert (sources["skin_tone"] == "light").all() and sources.index.is_unique
    assert (sources["gender"].to_numpy() == new.meta["gender"].to_numpy()).all()
    assert new.images.dtype == torch.uint8 and new.images.shape[1:] == (3, 32, 32)
    assert (tmp_path / "cyclegan_skin_tone_light_dark.pt").exists()
    assert not augmented.split(seed=0)[1].synthetic.any()


def test_gan_augmentation_draws_the_rarer_value(tmp_path):
    train = make_dataset()
    augmented, summary = augment(train, attribute="skin_tone", method="gan", cap=1.0, epochs=1,
                                 seed=0, models_dir=tmp_path, progress=False)
    new = augmented.subset(augmented.synthetic)
    assert summary["added"] == {"dark": 8} and len(new) == 8
    assert (new.meta["skin_tone"] == "dark").all() and (new.meta["gender"] == "unknown").all()
    assert (new.meta["synthetic"] == "gan").all()


def test_augmentation_refuses_what_it_cannot_do(tmp_path):
    with pytest.raises(DataError, match="not an attribute"):
        augment(make_dataset(), attribute="age", method="gan", epochs=1)
    with pytest.raises(DataError, match="nothing to balance"):
        augment(make_dataset(n_light=8, n_dark=8), attribute="skin_tone", method="gan", epochs=1)


def test_write_synthetic_marks_the_images_on_disk(tmp_path):
    data = make_dataset(n_light=0, n_dark=3, n_neg=0)
    meta = data.meta.copy()
    meta["path"] = [f"synthetic/gan/dark/{i:06d}.png" for i in range(3)]
    meta["synthetic"], meta["source"] = "gan", ""
    fake = ImageDataset(images=data.images, labels=data.labels, meta=meta,
                        attributes=data.attributes, root=data.root)
    folder = write_synthetic(fake, tmp_path / "synthetic")
    table = pd.read_csv(folder / "synthetic.csv", keep_default_na=False)
    assert table["synthetic"].tolist() == ["gan"] * 3
    assert table["path"].tolist() == [f"gan/dark/{i:06d}.png" for i in range(3)]
    from PIL import Image

    first = np.asarray(Image.open(folder / table["path"][0])).transpose(2, 0, 1)
    assert np.array_equal(first, data.images[0].numpy())
    write_synthetic(fake.subset([0]), folder)  # replaces the earlier folder whole
    assert len(pd.read_csv(folder / "synthetic.csv")) == 1
    assert (folder / "gan/dark/000000.png").exists()
    assert not (folder / "gan/dark/000002.png").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["synthetic"]
