"""Every loss against values computed by hand on tiny tensors."""

from __future__ import annotations

import math

import pytest
import torch

from generative import (
    cycle_loss,
    discriminator_loss,
    generator_loss,
    identity_loss,
    latent_loss,
    reconstruction_loss,
    reparameterize,
    vae_loss,
)


def test_reconstruction_l1_and_l2_per_sample():
    x = torch.zeros(2, 1, 1, 2)
    x_hat = torch.tensor([[[[0.5, -1.0]]], [[[0.0, 2.0]]]])
    # sample 0: |.5|,|-1| -> mean .75 ; squares .25, 1 -> .625
    # sample 1: 0, 2 -> mean 1 ; squares 0, 4 -> 2
    assert torch.allclose(reconstruction_loss(x, x_hat, kind="l1"), torch.tensor([0.75, 1.0]))
    assert torch.allclose(reconstruction_loss(x, x_hat, kind="l2"), torch.tensor([0.625, 2.0]))


def test_latent_loss_closed_form_and_zero_at_standard_normal():
    mu = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    logvar = torch.tensor([[0.0, math.log(2.0)], [0.0, 0.0]])
    # ½[(1 + 1 − 1 − 0) + (2 + 0 − 1 − ln 2)] = ½(2 − ln 2)
    expected0 = 0.5 * (2.0 - math.log(2.0))
    assert torch.allclose(latent_loss(mu, logvar), torch.tensor([expected0, 0.0]))
    # the same as torch.distributions' KL
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros(2, 2), torch.ones(2, 2))
    assert torch.allclose(latent_loss(mu, logvar), torch.distributions.kl_divergence(q, p).sum(1))


def test_vae_loss_is_weighted_sum():
    x, x_hat = torch.zeros(1, 1, 1, 2), torch.full((1, 1, 1, 2), 0.5)
    mu, logvar = torch.tensor([[2.0]]), torch.tensor([[0.0]])
    # latent ½(1 + 4 − 1) = 2, recon .5 -> .0005·2 + .5
    assert torch.allclose(vae_loss(x, x_hat, mu, logvar), torch.tensor([0.501]))
    assert torch.allclose(vae_loss(x, x_hat, mu, logvar, kl_weight=1.0, kind="l2"),
                          torch.tensor([2.25]))


def test_reparameterization_mean_and_variance():
    mu = torch.full((200_000, 1), 3.0)
    logvar = torch.full((200_000, 1), math.log(4.0))  # σ = 2, not 4: exp(½ log σ²)
    z = reparameterize(mu, logvar, generator=torch.Generator().manual_seed(0))
    assert abs(z.mean().item() - 3.0) < 0.02
    assert abs(z.std().item() - 2.0) < 0.02


def test_gan_losses_by_hand():
    real, fake = torch.tensor([0.0, 2.0]), torch.tensor([-1.0, 0.0])
    softplus = lambda t: math.log1p(math.exp(t))  # BCE(logit, 1) = softplus(−l); (l, 0) = softplus(l)
    d_bce = 0.5 * ((softplus(-0.0) + softplus(-2.0)) / 2 + (softplus(-1.0) + softplus(0.0)) / 2)
    assert discriminator_loss(real, fake).item() == pytest.approx(d_bce, rel=1e-6)
    d_ls = 0.5 * (((0 - 1) ** 2 + (2 - 1) ** 2) / 2 + (1 + 0) / 2)
    assert discriminator_loss(real, fake, kind="lsgan").item() == pytest.approx(d_ls)
    assert generator_loss(fake).item() == pytest.approx((softplus(1.0) + softplus(0.0)) / 2, rel=1e-6)
    assert generator_loss(fake, kind="lsgan").item() == pytest.approx((4 + 1) / 2)


def test_cycle_and_identity_are_mean_l1():
    x, y = torch.tensor([[1.0, 2.0]]), torch.tensor([[0.0, 4.0]])
    assert cycle_loss(x, y).item() == pytest.approx(1.5)
    assert identity_loss(x, y).item() == pytest.approx(1.5)
