"""DB-VAE loss and model: hand computations, and the three bugs of the lab solutions."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from debias.models import DBVAE, BaselineClassifier, DBVAEConfig, dbvae_loss
from debias.resampling import BalancedBatches
from generative import latent_loss, load_model, reconstruction_loss, save_checkpoint


def bce(logit: float, y: int) -> float:
    p = 1 / (1 + math.exp(-logit))
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


def test_loss_against_a_hand_computation_on_mixed_labels():
    logits = torch.tensor([2.0, -1.0, 0.5, 0.0])
    y = torch.tensor([1, 0, 1, 0])
    vae = torch.tensor([0.3, 5.0, 0.7, 9.0])  # the negatives' VAE values must not count
    expected = [bce(2.0, 1) + 0.3, bce(-1.0, 0), bce(0.5, 1) + 0.7, bce(0.0, 0)]
    got = dbvae_loss(logits, y, vae)
    assert got.tolist() == pytest.approx(expected, rel=1e-6)
    assert float(got.mean()) == pytest.approx(sum(expected) / 4, rel=1e-6)


def test_bug1_no_broadcast_of_b1_against_b():
    with pytest.raises(ValueError, match="must all be"):
        dbvae_loss(torch.zeros(4, 1), torch.ones(4), torch.zeros(4))


def tiny_model(seed=0) -> DBVAE:
    torch.manual_seed(seed)
    return DBVAE(DBVAEConfig(image_size=32, latent_dim=4))


def batch(y: list[int], seed=0) -> dict:
    g = torch.Generator().manual_seed(seed)
    return {"x": torch.rand(len(y), 3, 32, 32, generator=g), "y": torch.tensor(y)}


def test_model_loss_equals_classification_plus_face_vae_over_the_batch():
    model = tiny_model()
    b = batch([1, 0, 1, 1, 0, 0])
    torch.manual_seed(7)
    losses = model.training_losses(b)
    # The same computation by hand: same ε (same RNG state), faces only decoded.
    torch.manual_seed(7)
    logits, mu, logvar = model.encode(b["x"])
    faces = b["y"] == 1
    z = mu[faces] + torch.exp(0.5 * logvar[faces]) * torch.randn(int(faces.sum()), 4)
    vae = 0.0005 * latent_loss(mu[faces], logvar[faces]) \
        + reconstruction_loss(b["x"][faces], model.decoder(z))
    cls = nn.functional.binary_cross_entropy_with_logits(logits, b["y"].float(), reduction="sum")
    expected = (cls + vae.sum()) / 6  # the batch mean over all 6, not over the 3 faces
    assert losses["loss"].item() == pytest.approx(expected.item(), rel=1e-5)


def test_bug2_negatives_are_classified_and_not_reconstructed():
    model = tiny_model()
    b = batch([0, 0, 0, 0])
    losses = model.training_losses(b)
    logits = model.encode(b["x"])[0]
    expected = nn.functional.binary_cross_entropy_with_logits(logits, torch.zeros(4))
    assert losses["loss"].item() == pytest.approx(expected.item(), rel=1e-6)
    losses["loss"].backward()
    assert model.encoder.head[-1].weight.grad.abs().sum() > 0  # negatives train the classifier
    assert all(p.grad is None for p in model.decoder.parameters())


def test_bug3_reparameterisation_uses_half_log_variance():
    mu = torch.full((200_000, 1), 1.5)
    logvar = torch.full((200_000, 1), math.log(4.0))  # σ² = 4, σ = 2
    z = DBVAE.reparameterize(mu, logvar, torch.Generator().manual_seed(0))
    assert float(z.mean()) == pytest.approx(1.5, abs=0.02)
    assert float(z.var()) == pytest.approx(4.0, rel=0.02)
    # ... and the latent loss reads log σ² the same way: its minimum is at σ² = 1.
    assert float(latent_loss(torch.zeros(1, 1), torch.zeros(1, 1))) == 0.0


def test_batchnorm_is_back_in_train_mode_after_the_latent_pass():
    model = tiny_model()
    model.train()
    images = (torch.rand(40, 3, 32, 32) * 255).to(torch.uint8)
    labels = torch.tensor([1, 0] * 20)
    batches = BalancedBatches(images, labels, batch_size=8, adaptive=True)
    first = next(iter(batches.epoch(0, torch.Generator().manual_seed(0), model)))
    assert model.training and all(m.training for m in model.modules())
    assert first["x"].shape == (8, 3, 32, 32) and first["y"].tolist() == [1] * 4 + [0] * 4
    assert len(batches.log_) == 1 and batches.log_[0]["ess"] <= 20


def test_latent_means_are_eval_mode_and_batch_independent():
    model = tiny_model()
    images = (torch.rand(10, 3, 32, 32) * 255).to(torch.uint8)
    together = model.latent_means(images)
    alone = torch.cat([model.latent_means(images[i:i + 1]) for i in range(10)])
    torch.testing.assert_close(together, alone, rtol=1e-4, atol=1e-5)
    assert model.training  # a fresh module is in train mode, and stays so


@pytest.mark.parametrize("cls", [DBVAE, BaselineClassifier])
def test_save_then_load_scores_identically(cls, tmp_path):
    torch.manual_seed(0)
    model = cls(cls.config_class(image_size=32))
    model.training_losses(batch([1, 0, 1, 0]))  # move BatchNorm running stats off their init
    path = save_checkpoint(tmp_path / "m.pt", model)
    images = (torch.rand(6, 3, 32, 32) * 255).to(torch.uint8)
    again = load_model(path)
    assert type(again) is cls
    torch.testing.assert_close(torch.from_numpy(again.predict_proba(images)),
                               torch.from_numpy(model.predict_proba(images)))
