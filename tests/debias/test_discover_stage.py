"""The audit's discovered-slice stage, on planted data (pixel features: no training)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import adjusted_rand_score

from debias.audit._judged import Judged
from debias.audit._slices_stage import discover_stage, wanted
from debias.data import ImageDataset
from debias.groups import DISCOVERED, slices


def _dataset(n_faces=240, n_other=60, classes=("face", "non-face"), attributes=()):
    """Faces of two planted kinds (red or blue, 2:1), non-faces grey; a split column."""
    rng = np.random.default_rng(0)
    kinds = np.r_[np.where(np.arange(n_faces) % 3 == 0, "blue", "red"), ["-"] * n_other]
    base = {"red": (200, 40, 40), "blue": (40, 40, 200), "-": (120, 120, 120)}
    images = np.stack([np.clip(np.array(base[k])[:, None, None] + rng.normal(0, 8, (3, 8, 8)),
                               0, 255) for k in kinds]).astype(np.uint8)
    labels = np.r_[np.ones(n_faces, int), np.zeros(n_other, int)]
    split = np.where(rng.random(len(kinds)) < 0.7, "train", "test")
    meta = pd.DataFrame({"path": [f"{i}.png" for i in range(len(kinds))], "label": labels,
                         "split": split, "kind": kinds})
    for a in attributes:
        meta[a] = "x"
    return ImageDataset(images=torch.from_numpy(images), labels=torch.from_numpy(labels),
                        meta=meta, attributes=list(attributes), root=None, classes=classes)


def _judged(data):
    train, test = data.split()
    return Judged(data=data, train=train, test=test, scores={})


def test_slices_are_found_assigned_and_become_an_attribute():
    judged = _judged(_dataset())
    section = discover_stage(judged, 2, seed=0, gallery_size=4, log=lambda m: None)
    assert section["k"] == 2 and section["features"] == "downsampled pixels"
    assert section["population"] == "faces" and section["fitted_on"] == "training split"
    for part in (judged.train, judged.test, judged.data):
        assert part.attributes == [DISCOVERED]
        meta = part.meta
        faces = meta["label"] == 1
        # Non-faces are not sliced (as non-faces carry no attributes); faces follow the plant.
        assert (meta.loc[~faces, DISCOVERED] == "unknown").all()
        assert adjusted_rand_score(meta.loc[faces, "kind"], meta.loc[faces, DISCOVERED]) == 1.0
    # Numbered by size: the red kind (two thirds) is slice 1.
    test = judged.test.meta[judged.test.meta["label"] == 1]
    assert set(test.loc[test["kind"] == "red", DISCOVERED]) == {"slice 1"}
    assert [s["test"] for s in section["slices"]] == \
        [int((test["kind"] == "red").sum()), int((test["kind"] == "blue").sum())]
    assert all(len(s["images"]) == 4 for s in section["slices"])


def test_other_tasks_slice_every_image():
    judged = _judged(_dataset(classes=("female", "male")))
    section = discover_stage(judged, 3, seed=0, gallery_size=2, log=lambda m: None)
    assert section["population"] == "images"
    assert (judged.test.meta[DISCOVERED] != "unknown").all()


def test_when_slices_are_discovered():
    without, labelled = _dataset(), _dataset(attributes=("tone",))
    assert wanted(None, without) and not wanted(None, labelled)
    assert wanted(4, labelled) and not wanted(0, without)
    judged = _judged(labelled)
    assert discover_stage(judged, None, seed=0, gallery_size=2, log=print) is None
    assert judged.test.attributes == ["tone"]


def test_too_few_images_leave_a_note_and_no_slices():
    judged = _judged(_dataset(n_faces=40, n_other=10))
    assert discover_stage(judged, None, seed=0, gallery_size=2, log=print) is None
    assert judged.notes and judged.notes[0].startswith("no slices discovered: too few images")
    assert judged.test.attributes == []


def test_discovered_slices_are_never_intersected():
    got = slices(["tone", DISCOVERED, "gender"], max_order=2)
    assert got == [("tone",), ("gender",), ("tone", "gender"), (DISCOVERED,)]
