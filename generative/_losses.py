"""Loss functions, per sample where the models define them per sample.

Every function is pure: tensors in, tensor out, no module state.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

Reconstruction = Literal["l1", "l2"]
GanLoss = Literal["bce", "lsgan"]


def reconstruction_loss(x: torch.Tensor, x_hat: torch.Tensor, *, kind: Reconstruction = "l1") -> torch.Tensor:
    """Mean |x - x̂| (``l1``) or (x - x̂)² (``l2``) over C, H, W.

    Parameters
    ----------
    x, x_hat : float tensors, shape (B, C, H, W)

    Returns
    -------
    float tensor, shape (B,)
    """
    diff = x - x_hat
    per_pixel = diff.abs() if kind == "l1" else diff.square()
    return per_pixel.flatten(1).mean(dim=1)


def latent_loss(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ_j (exp(log σ²_j) + μ_j² − 1 − log σ²_j).

    Parameters
    ----------
    mu, logvar : float tensors, shape (B, D)

    Returns
    -------
    float tensor, shape (B,); 0 exactly when μ = 0 and log σ² = 0.
    """
    return 0.5 * (logvar.exp() + mu.square() - 1.0 - logvar).sum(dim=1)


def vae_loss(
    x: torch.Tensor,
    x_hat: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    *,
    kl_weight: float = 0.0005,
    kind: Reconstruction = "l1",
) -> torch.Tensor:
    """kl_weight · latent_loss + reconstruction_loss, per sample, shape (B,)."""
    return kl_weight * latent_loss(mu, logvar) + reconstruction_loss(x, x_hat, kind=kind)


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """z = μ + exp(½ log σ²) · ε with ε ~ N(0, I); shapes (B, D) -> (B, D)."""
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
    return mu + torch.exp(0.5 * logvar) * eps


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor,
                       *, kind: GanLoss = "bce") -> torch.Tensor:
    """Loss of a discriminator that should call real 1 and fake 0 (scalar).

    ``bce``: BCE-with-logits, averaged over the real and the fake halves.
    ``lsgan``: ½ (mean (D(real) − 1)² + mean D(fake)²), as in CycleGAN.
    """
    if kind == "bce":
        real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
        fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    else:
        real = (real_logits - 1.0).square().mean()
        fake = fake_logits.square().mean()
    return 0.5 * (real + fake)


def generator_loss(fake_logits: torch.Tensor, *, kind: GanLoss = "bce") -> torch.Tensor:
    """Loss of a generator that wants its fakes called real (scalar).

    ``bce`` is the non-saturating loss −log D(G(z)); ``lsgan`` is mean (D(G(z)) − 1)².
    """
    if kind == "bce":
        return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    return (fake_logits - 1.0).square().mean()


def cycle_loss(x: torch.Tensor, x_cycled: torch.Tensor) -> torch.Tensor:
    """Cycle consistency: mean |x − F(G(x))| (scalar)."""
    return (x - x_cycled).abs().mean()


def identity_loss(x: torch.Tensor, x_same: torch.Tensor) -> torch.Tensor:
    """Identity: mean |y − G(y)| for y already in G's target domain (scalar)."""
    return (x - x_same).abs().mean()
