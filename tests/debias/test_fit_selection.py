"""Weight decay and model selection on a validation split without group labels, in ``fit``."""

from __future__ import annotations

import numpy as np
import torch

from debias.training import TrainingSettings, fit, load_classifier
from debias.training._fit import hold_out, worst_class_recall
from tests.toy_faces import make_data


def test_hold_out_takes_the_same_share_of_each_class_and_nothing_twice():
    data = make_data(n_faces=60, n_non=40)
    kept_set, val, kept = hold_out(data, 0.25, seed=3)
    assert len(val) == 15 + 10 and len(kept_set) == 75
    assert int(val.labels.sum()) == 15
    paths = set(val.meta["path"])
    assert paths.isdisjoint(set(kept_set.meta["path"]))
    assert list(kept_set.meta["path"]) == list(data.meta["path"].iloc[kept])
    again = hold_out(data, 0.25, seed=3)[1]
    assert list(again.meta["path"]) == list(val.meta["path"])


def test_worst_class_recall_is_the_lower_recall():
    data = make_data(n_faces=4, n_non=4)

    class Scorer:  # calls 3 of 4 faces faces and 1 of 4 non-faces a face
        def predict_proba(self, images):
            return np.array([0.9, 0.9, 0.9, 0.1, 0.9, 0.1, 0.1, 0.1])[: len(images)]

    order = np.argsort(-data.labels.numpy(), kind="stable")  # faces first
    assert worst_class_recall(data.subset(order))(Scorer(), 1) == 0.75


def test_fit_keeps_the_best_validation_epoch_and_records_it(tmp_path):
    data = make_data(n_faces=48, n_non=48)
    settings = TrainingSettings(epochs=3, batch_size=16, device="cpu", select_on_val=True,
                                val_fraction=0.25, weight_decay=0.01, seed=0)
    model = fit(data, settings, model="baseline", checkpoint=str(tmp_path / "m.pt"))
    sel = model.selection_
    assert sel["val_images"] == 24 and set(sel["scores"]) == {"1", "2", "3"}
    best = max(sel["scores"].values())
    assert sel["scores"][str(sel["selected_epoch"])] == best
    loaded = load_classifier(tmp_path / "m.pt")
    assert loaded.selection_["selected_epoch"] == sel["selected_epoch"]
    x = data.images[:8]
    assert torch.allclose(torch.from_numpy(loaded.predict_proba(x)),
                          torch.from_numpy(model.predict_proba(x)))
    # Trained on the kept 72 images only: 3 epochs of 36 faces / 8 per batch = 4 steps each.
    assert len(model.history_) == 12
