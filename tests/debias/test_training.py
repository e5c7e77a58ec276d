"""fit(): both models learn on data made for the test; DB-VAE up-weights a planted rare group."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from debias.data import ImageDataset
from debias.models import DBVAE, BaselineClassifier
from debias.training import fit


def disks_dataset(n_faces: int, n_rare: int, n_other: int, seed: int) -> ImageDataset:
    """32x32 'faces': a disk on a noisy background, light-coloured except for ``n_rare`` dark
    ones; 'non-faces': the same backgrounds with a random square. Attribute ``tone``."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:32, :32]
    images, labels, tones = [], [], []
    for i in range(n_faces + n_other):
        img = rng.uniform(0, 120, size=(32, 32, 3))
        if i < n_faces:
            cx, cy, r = rng.uniform(12, 20, 2).tolist() + [rng.uniform(7, 10)]
            dark = i < n_rare
            color = np.array([90, 55, 35]) if dark else np.array([235, 190, 160])
            img[(yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2] = color + rng.normal(0, 8, 3)
            labels.append(1)
            tones.append("dark" if dark else "light")
        else:
            x0, y0 = rng.integers(0, 20, 2)
            img[y0:y0 + 12, x0:x0 + 12] = rng.uniform(0, 255, 3)
            labels.append(0)
            tones.append("")
        images.append(img.clip(0, 255).astype(np.uint8).transpose(2, 0, 1))
    meta = pd.DataFrame({"path": [f"{i}.png" for i in range(len(labels))], "label": labels,
                         "tone": tones})
    return ImageDataset(torch.from_numpy(np.stack(images)), torch.tensor(labels), meta,
                        ["tone"], Path("."))


@pytest.fixture(scope="module")
def data():
    return disks_dataset(240, 24, 240, seed=0), disks_dataset(100, 10, 100, seed=1)


@pytest.mark.parametrize("kind", ["baseline", "dbvae"])
def test_each_model_learns_to_tell_disks_from_squares(data, kind):
    train, test = data
    model = fit(train, model=kind, epochs=4, batch_size=32, latent_dim=8, seed=0, device="cpu",
                progress=False)
    assert isinstance(model, DBVAE if kind == "dbvae" else BaselineClassifier)
    accuracy = (model.predict(test.images) == test.labels.numpy()).mean()
    assert accuracy > 0.9
    losses = pd.DataFrame(model.history_)["classification"]
    assert losses.tail(10).mean() < 0.5 * losses.head(5).mean()
    assert len(model.resampling_) == 4 and not model.training


def test_dbvae_draws_the_planted_rare_group_more_often(data):
    train, _ = data
    model = fit(train, model="dbvae", epochs=4, batch_size=32, latent_dim=8, seed=0,
                device="cpu", progress=False)
    last = model.resampling_[-1]["group_weight"]
    assert last["dark"] > 1.5 * last["light"]
    assert model.resampling_[-1]["ess_fraction"] < 1.0


def test_baseline_draws_faces_uniformly(data):
    model = fit(data[0], model="baseline", epochs=1, batch_size=32, seed=0, device="cpu",
                progress=False)
    assert model.resampling_[0]["group_weight"] == {"dark": 1.0, "light": 1.0}


def test_same_seed_same_model(data):
    a = fit(data[0], model="dbvae", epochs=1, batch_size=32, latent_dim=4, seed=3, device="cpu",
            progress=False)
    b = fit(data[0], model="dbvae", epochs=1, batch_size=32, latent_dim=4, seed=3, device="cpu",
            progress=False)
    np.testing.assert_array_equal(a.predict_proba(data[1].images), b.predict_proba(data[1].images))


def test_balance_by_draws_each_group_equally(data):
    model = fit(data[0], model="baseline", epochs=1, batch_size=32, seed=0, device="cpu",
                balance_by=["tone"], progress=False)
    weights = model.resampling_[0]["group_weight"]  # 24 dark, 216 light faces
    assert weights["dark"] == pytest.approx(240 / 2 / 24) and weights["light"] == pytest.approx(240 / 2 / 216, abs=1e-4)
    with pytest.raises(ValueError, match="balance_by is for the baseline"):
        fit(data[0], model="dbvae", balance_by=["tone"], epochs=1)


def test_resume_continues_and_keeps_the_resampling_log(data, tmp_path):
    ckpt = str(tmp_path / "m.pt")
    kwargs = dict(model="dbvae", batch_size=32, latent_dim=4, seed=1, device="cpu",
                  progress=False, checkpoint=ckpt)
    fit(data[0], epochs=1, **kwargs)
    resumed = fit(data[0], epochs=2, resume=True, **kwargs)
    straight = fit(data[0], epochs=2, **{**kwargs, "checkpoint": str(tmp_path / "s.pt")})
    assert [r["epoch"] for r in resumed.resampling_] == [0, 1]
    assert len(resumed.history_) == len(straight.history_)
    np.testing.assert_allclose(resumed.predict_proba(data[1].images),
                               straight.predict_proba(data[1].images), rtol=1e-4, atol=1e-5)
    again = fit(data[0], epochs=2, resume=True, **kwargs)  # finished: nothing more to train
    assert len(again.history_) == len(resumed.history_)
