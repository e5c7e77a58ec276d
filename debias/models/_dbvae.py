"""DB-VAE: a face classifier whose encoder is also a VAE over faces (Amini et al., 2019)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F

from debias._choices import VaeOn
from debias.models._classifier import ScoresImages
from generative import (
    ConvDecoder, ConvEncoder, GenerativeModel, latent_loss, reconstruction_loss, register_model,
    reparameterize,
)


def dbvae_loss(logits: torch.Tensor, y: torch.Tensor, vae: torch.Tensor, *,
               vae_on: VaeOn = "positive") -> torch.Tensor:
    """Per-sample DB-VAE loss: BCE(logit, y) + 1[y = 1] · vae (``vae_on="all"``: + vae).

    Parameters
    ----------
    logits : float (B,)
    y : (B,), 1 = face (positive), 0 = non-face (negative)
    vae : float (B,)
        Per-sample VAE loss (kl_weight · latent + reconstruction); ignored where y = 0
        unless ``vae_on="all"``.
    vae_on : {"positive", "all"}
        The samples the VAE term applies to.

    Returns
    -------
    torch.Tensor
        float (B,); the training loss is its mean. The classification term applies to every
        sample, the VAE term to positives only (or to all), and nothing is broadcast across
        the batch.
    """
    if not (logits.shape == y.shape == vae.shape) or logits.ndim != 1:
        raise ValueError(f"logits, y and vae must all be (B,), got {tuple(logits.shape)}, "
                         f"{tuple(y.shape)}, {tuple(vae.shape)}")
    if vae_on not in ("positive", "all"):
        raise ValueError(f"vae_on must be 'positive' or 'all', got {vae_on!r}")
    y = y.to(logits.dtype)
    bce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    if vae_on == "all":
        return bce + vae
    return bce + torch.where(y > 0.5, vae, torch.zeros_like(vae))


@dataclass
class DBVAEConfig:
    """``vae_on``: the images the VAE models, "positive" (faces: face detection) or "all"
    (both classes are people, e.g. a gender classifier); a checkpoint from before the field
    loads as "positive"."""

    image_size: int = 64
    width: int = 1
    latent_dim: int = 100
    kl_weight: float = 0.0005
    reconstruction: Literal["l1", "l2"] = "l1"
    vae_on: VaeOn = "positive"


@register_model
class DBVAE(ScoresImages, GenerativeModel):
    """Debiasing VAE: encoder output = [logit, μ (latent_dim), log σ² (latent_dim)].

    Faces are reconstructed from z = μ + exp(½ log σ²)·ε; non-faces are only classified, so
    the latent space models faces, and its density tells which faces are rare. With
    ``config.vae_on="all"`` every image is reconstructed, so the latent space models both
    classes (each class's rarity is then read from its own histograms, see
    :class:`debias.resampling.BalancedBatches`).

    Shapes: images (B, 3, S, S) in [0, 1]; logits (B,); μ, log σ² (B, latent_dim).
    """

    config_class = DBVAEConfig

    def __init__(self, config: DBVAEConfig | None = None) -> None:
        super().__init__(config or DBVAEConfig())
        c = self.config
        if c.vae_on not in ("positive", "all"):
            raise ValueError(f"vae_on must be 'positive' or 'all', got {c.vae_on!r}")
        self.encoder = ConvEncoder(1 + 2 * c.latent_dim, width=c.width, image_size=c.image_size)
        self.decoder = ConvDecoder(c.latent_dim, width=c.width, image_size=c.image_size)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Logit (B,), μ (B, D) and log σ² (B, D)."""
        out = self.encoder(x)
        d = self.config.latent_dim
        return out[:, 0], out[:, 1:1 + d], out[:, 1 + d:]

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode(x)[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits(x)

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor,
                       generator: torch.Generator | None = None) -> torch.Tensor:
        """z = μ + exp(½ log σ²)·ε: the same log σ² the latent loss reads."""
        return reparameterize(mu, logvar, generator)

    def latent_means(self, images: torch.Tensor, *, batch_size: int = 512) -> torch.Tensor:
        """μ of uint8 images (N, 3, S, S), in eval mode (the previous mode is restored):
        float32 (N, latent_dim) on the CPU."""
        out = self.in_eval_batches(images, lambda x: self.encode(x)[1], batch_size=batch_size)
        return torch.cat(out) if out else torch.zeros(0, self.config.latent_dim)

    def training_losses(self, batch, group="model"):
        """Losses of a batch ``{"x": float (B, 3, S, S), "y": (B,)}``: ``loss`` (the mean of
        :func:`dbvae_loss`, to minimise), and, detached, ``classification`` (mean BCE) and
        ``reconstruction`` and ``latent`` (means over the samples the VAE models)."""
        x, y = batch["x"], batch["y"]
        logits, mu, logvar = self.encode(x)
        modelled = (y > 0.5) if self.config.vae_on == "positive" else torch.ones_like(
            y, dtype=torch.bool)
        vae = torch.zeros_like(logits)
        if modelled.any():
            # Only modelled images are decoded: their VAE term is the only one the loss keeps.
            mu_m, logvar_m = mu[modelled], logvar[modelled]
            x_hat = self.decoder(self.reparameterize(mu_m, logvar_m))
            latent = latent_loss(mu_m, logvar_m)
            recon = reconstruction_loss(x[modelled], x_hat, kind=self.config.reconstruction)
            vae = vae.masked_scatter(modelled, self.config.kl_weight * latent + recon)
        else:
            latent = recon = logits.new_zeros(1)
        per_sample = dbvae_loss(logits, y, vae, vae_on=self.config.vae_on)
        bce = (per_sample - vae).mean().detach()  # vae is 0 where not modelled: BCE is left
        return {"loss": per_sample.mean(), "classification": bce,
                "reconstruction": recon.mean().detach(), "latent": latent.mean().detach()}


def kind_of(model) -> str:
    """``"dbvae"`` or ``"baseline"``: the kind of a face classifier, told by its class."""
    if isinstance(model, DBVAE):
        return "dbvae"
    if isinstance(model, ScoresImages):
        return "baseline"
    raise TypeError(f"not a face classifier: {type(model).__name__}")
