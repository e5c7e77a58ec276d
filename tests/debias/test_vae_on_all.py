"""``vae_on="all"`` (issue 17): when both classes are people, the VAE models every image and
each class's rare images are drawn more often within that class; ``"positive"`` (face
detection) models and resamples the faces only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from click.testing import CliRunner
from torch import nn

from debias.audit import AuditRun
from debias.data import ImageDataset
from debias.models import DBVAE, DBVAEConfig, dbvae_loss
from debias.resampling import BalancedBatches, resampling_weights, within_class_weights
from debias.training import TrainingSettings, fit, write_training_logs
from generative import (
    CheckpointError, latent_loss, load_model, reconstruction_loss, save_checkpoint, to_float,
)

SIZE = 16
N_PER_CLASS, N_RARE = 100, 5  # class 0's rare sub-population: 5 %


def two_peoples(seed: int = 0) -> ImageDataset:
    """16x16 images of two classes, both 'people' (a skin-coloured shape on noisy grey).

    Class 1: a disc, all alike (look "plain"). Class 0: a square, skin-coloured (look
    "common") except for the first ``N_RARE``, whose square is green (look "rare").
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    disc = ((yy - 7.5) ** 2 + (xx - 7.5) ** 2) < 5.5 ** 2
    skin, green = np.array([225, 185, 155]), np.array([40, 200, 60])
    images, labels, looks = [], [], []
    for i in range(2 * N_PER_CLASS):
        img = 110 + rng.normal(0, 12, (SIZE, SIZE, 3))
        if i < N_PER_CLASS:
            img[disc] = skin + rng.normal(0, 8, 3)
            labels.append(1)
            looks.append("plain")
        else:
            rare = i - N_PER_CLASS < N_RARE
            img[3:13, 3:13] = (green if rare else skin) + rng.normal(0, 8, 3)
            labels.append(0)
            looks.append("rare" if rare else "common")
        images.append(img.clip(0, 255).astype(np.uint8).transpose(2, 0, 1))
    meta = pd.DataFrame({"path": [f"{i}.png" for i in range(len(labels))], "label": labels,
                         "look": looks})
    return ImageDataset(torch.from_numpy(np.stack(images)), torch.tensor(labels), meta,
                        ["look"], Path("."))


@pytest.fixture(scope="module")
def trained():
    """The data and a DB-VAE fitted on it with each ``vae_on`` (2 epochs, latent_dim 4)."""
    data = two_peoples()
    models = {vae_on: fit(data, model="dbvae", epochs=2, batch_size=32, latent_dim=4, seed=0,
                          device="cpu", progress=False, vae_on=vae_on)
              for vae_on in ("all", "positive")}
    return data, models


def rare_rows(data: ImageDataset) -> np.ndarray:
    return (data.meta["look"] == "rare").to_numpy()


def test_all_up_weights_the_rare_images_of_the_negative_class(trained):
    _, models = trained
    model = models["all"]
    assert model.config.vae_on == "all"
    for record in model.resampling_:  # every epoch: class 0 weighted within class 0
        weight = record["negative_group_weight"]  # mean weight x uniform, per look
        assert weight["rare"] > 2 * weight["common"]  # seen: 5.0-7.7 x (seeds 0-2)
        assert weight["rare"] > 2  # seen: 4.2-5.8
        assert record["negative_ess_fraction"] < 1.0


def test_positive_keeps_the_negative_class_uniform(trained):
    data, models = trained
    model = models["positive"]
    assert model.config.vae_on == "positive"
    assert all("negative_group_weight" not in r for r in model.resampling_)
    batches = BalancedBatches(data.images, data.labels, batch_size=32, adaptive=True,
                              vae_on="positive")
    batches.update_weights(model)
    assert torch.equal(batches.nonface_weights,
                       torch.full((N_PER_CLASS,), 1.0 / N_PER_CLASS, dtype=torch.float64))


@pytest.mark.parametrize("vae_on", ["all", "positive"])
def test_draws_follow_the_weights_and_keep_the_class_balance(trained, vae_on):
    data, models = trained
    batches = BalancedBatches(data.images, data.labels, batch_size=32, steps_per_epoch=200,
                              adaptive=True, vae_on=vae_on)
    drawn = []
    for batch in batches.epoch(0, torch.Generator().manual_seed(0), models[vae_on]):
        assert int(batch["y"].sum()) == 16 and len(batch["y"]) == 32  # half and half
        drawn.append(batch["index"][batch["y"] == 0])
    share = rare_rows(data)[torch.cat(drawn).numpy()].mean()  # of 3,200 class-0 draws
    if vae_on == "all":
        assert share > 2 * N_RARE / N_PER_CLASS  # seen: 0.18-0.23 (seeds 0-2)
    else:
        assert share < 2 * N_RARE / N_PER_CLASS  # seen: 0.042 (their share: 0.05)


def test_resampling_csv_has_the_negative_class_weights(trained, tmp_path):
    write_training_logs(trained[1]["all"], tmp_path, reweighted=True)
    table = pd.read_csv(tmp_path / "resampling.csv")
    assert {"weight[plain]", "negative_weight[rare]", "negative_weight[common]",
            "negative_ess"} <= set(table.columns)
    assert (table["negative_weight[rare]"] > 2 * table["negative_weight[common]"]).all()


def tiny(vae_on: str, seed: int = 0) -> DBVAE:
    torch.manual_seed(seed)
    return DBVAE(DBVAEConfig(image_size=SIZE, latent_dim=4, vae_on=vae_on))


def test_vae_term_applies_to_negatives_only_with_all(trained):
    data, models = trained
    negatives = {"x": to_float(data.images[N_PER_CLASS:N_PER_CLASS + 8]),  # 5 rare, 3 common
                 "y": data.labels[N_PER_CLASS:N_PER_CLASS + 8]}
    assert int(negatives["y"].sum()) == 0
    with torch.no_grad():
        with_all = models["all"].training_losses(negatives)
        only_faces = models["positive"].training_losses(negatives)
    assert float(with_all["loss"] - with_all["classification"]) > 0.01  # seen: 0.15
    assert float(with_all["reconstruction"]) > 0.01
    assert float(only_faces["loss"]) == pytest.approx(float(only_faces["classification"]),
                                                     rel=1e-6)
    assert float(only_faces["reconstruction"]) == float(only_faces["latent"]) == 0.0
    model = tiny("positive")
    model.training_losses(negatives)["loss"].backward()
    assert all(p.grad is None for p in model.decoder.parameters())


def test_model_loss_with_all_is_classification_plus_every_vae_term():
    model = tiny("all")
    b = {"x": torch.rand(5, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(2)),
         "y": torch.tensor([1, 0, 0, 1, 0])}
    torch.manual_seed(7)
    losses = model.training_losses(b)
    torch.manual_seed(7)  # same ε: every image decoded
    logits, mu, logvar = model.encode(b["x"])
    z = mu + torch.exp(0.5 * logvar) * torch.randn(5, 4)
    vae = 0.0005 * latent_loss(mu, logvar) + reconstruction_loss(b["x"], model.decoder(z))
    cls = nn.functional.binary_cross_entropy_with_logits(logits, b["y"].float(), reduction="sum")
    assert losses["loss"].item() == pytest.approx(((cls + vae.sum()) / 5).item(), rel=1e-5)


def test_dbvae_loss_by_hand():
    logits, y = torch.tensor([2.0, -1.0]), torch.tensor([1, 0])
    vae = torch.tensor([0.3, 5.0])
    bce = nn.functional.binary_cross_entropy_with_logits(logits, y.float(), reduction="none")
    assert dbvae_loss(logits, y, vae, vae_on="all").tolist() == pytest.approx(
        (bce + vae).tolist(), rel=1e-6)
    assert dbvae_loss(logits, y, vae).tolist() == pytest.approx(
        [bce[0].item() + 0.3, bce[1].item()], rel=1e-6)
    with pytest.raises(ValueError, match="vae_on"):
        dbvae_loss(logits, y, vae, vae_on="faces")


@pytest.mark.parametrize("combine", ["max", "product"])
def test_within_class_weights_use_each_class_alone(combine):
    def codes(low, high, n):  # (n, 2), evenly spread
        line = np.linspace(low, high, n)
        return np.stack([line, line[::-1]], axis=1)

    # Class 1 spreads over [4, 6]; class 0 over [-1, 1], but for 5 codes near 5: rare in
    # class 0, common among all codes together.
    mu = np.concatenate([codes(4, 6, 100), codes(-1, 1, 95), codes(4.8, 5.2, 5)])
    labels = np.array([1] * 100 + [0] * 100)
    rare, common = np.arange(200) >= 195, (np.arange(200) >= 100) & (np.arange(200) < 195)
    w = within_class_weights(mu, labels, combine=combine).numpy()
    assert w[labels == 1].sum() == pytest.approx(1.0) and w[labels == 0].sum() == pytest.approx(1.0)
    for rows in (slice(0, 100), slice(100, 200)):  # oracle: each class on its own
        np.testing.assert_allclose(w[rows], resampling_weights(mu[rows], combine=combine).numpy())
    assert w[rare].mean() > 2 * w[common].mean()  # seen: 3.9 (max), 23 (product)
    pooled = resampling_weights(mu, combine=combine).numpy()  # one histogram cannot tell
    assert pooled[rare].mean() < pooled[common].mean()  # seen: 0.76 x, 0.63 x
    with pytest.raises(ValueError, match="labels"):
        within_class_weights(mu, labels[:10])


def test_vae_on_is_checkpointed_and_old_checkpoints_load_as_positive(tmp_path):
    save_checkpoint(tmp_path / "all.pt", tiny("all"))
    assert load_model(tmp_path / "all.pt").config.vae_on == "all"
    payload = torch.load(tmp_path / "all.pt", weights_only=True)
    del payload["config"]["vae_on"]  # as written before the option existed
    torch.save(payload, tmp_path / "old.pt")
    assert load_model(tmp_path / "old.pt").config.vae_on == "positive"
    payload["config"]["vae_on"] = "faces"
    torch.save(payload, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match="vae_on"):
        load_model(tmp_path / "bad.pt")
    with pytest.raises(ValueError, match="vae_on"):
        DBVAE(DBVAEConfig(image_size=SIZE, latent_dim=4, vae_on="faces"))


def test_the_options_reach_the_training_settings(monkeypatch, tmp_path):
    import debias.cli.audit as audit_cli
    import debias.cli.train as train_cli

    seen = {}
    monkeypatch.setattr(train_cli, "_train", lambda *a: seen.setdefault("train", a[4]))
    monkeypatch.setattr(audit_cli, "_audit", lambda run, *a, **k: seen.setdefault("audit", run))
    runner = CliRunner()
    result = runner.invoke(train_cli.train_command, ["data", "--out", str(tmp_path / "t"),
                                                     "--vae-on", "all", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(audit_cli.audit_command, ["data", "--out", str(tmp_path / "a"),
                                                     "--vae-on", "all", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert seen["train"].vae_on == "all" and seen["audit"].training.vae_on == "all"
    assert seen["audit"].training_dict()["vae_on"] == "all"
    assert TrainingSettings().vae_on == "positive"
    assert AuditRun("data", tmp_path).training_dict()["vae_on"] == "positive"
