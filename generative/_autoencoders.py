"""Autoencoder and VAE on the shared convolutional encoder / decoder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

from generative._base import GenerativeModel, register_model
from generative._losses import latent_loss, reconstruction_loss, reparameterize
from generative._nets import ConvDecoder, ConvEncoder


@dataclass
class AutoencoderConfig:
    image_size: int = 64
    latent_dim: int = 100
    width: int = 1
    reconstruction: Literal["l1", "l2"] = "l1"


@dataclass
class VAEConfig(AutoencoderConfig):
    kl_weight: float = 0.0005


@register_model
class Autoencoder(GenerativeModel):
    """Deterministic bottleneck autoencoder.

    Shapes: images (B, 3, S, S) in [0, 1] <-> codes (B, latent_dim).
    """

    config_class = AutoencoderConfig

    def __init__(self, config: AutoencoderConfig | None = None) -> None:
        super().__init__(config or AutoencoderConfig())
        c = self.config
        self.encoder = ConvEncoder(c.latent_dim, width=c.width, image_size=c.image_size)
        self.decoder = ConvDecoder(c.latent_dim, width=c.width, image_size=c.image_size)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    def training_losses(self, batch, group="model"):
        x = batch["x"]
        loss = reconstruction_loss(x, self(x), kind=self.config.reconstruction).mean()
        return {"loss": loss, "reconstruction": loss.detach()}


@register_model
class VAE(GenerativeModel):
    """Variational autoencoder: the encoder gives μ and log σ², z = μ + exp(½ log σ²)·ε.

    Loss per sample: kl_weight · ½Σ(exp(log σ²) + μ² − 1 − log σ²) + reconstruction.
    """

    config_class = VAEConfig

    def __init__(self, config: VAEConfig | None = None) -> None:
        super().__init__(config or VAEConfig())
        c = self.config
        self.encoder = ConvEncoder(2 * c.latent_dim, width=c.width, image_size=c.image_size)
        self.decoder = ConvDecoder(c.latent_dim, width=c.width, image_size=c.image_size)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """μ and log σ², each (B, latent_dim)."""
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Reconstruction (B, 3, S, S), μ and log σ² (B, latent_dim)."""
        mu, logvar = self.encode(x)
        return self.decode(reparameterize(mu, logvar)), mu, logvar

    @torch.no_grad()
    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Decode ``n`` draws from the prior N(0, I): images (n, 3, S, S)."""
        device = next(self.parameters()).device
        z = torch.randn(n, self.config.latent_dim, generator=generator).to(device)
        return self.decode(z)

    def training_losses(self, batch, group="model"):
        x = batch["x"]
        x_hat, mu, logvar = self(x)
        reconstruction = reconstruction_loss(x, x_hat, kind=self.config.reconstruction)
        latent = latent_loss(mu, logvar)
        loss = (self.config.kl_weight * latent + reconstruction).mean()
        return {"loss": loss, "reconstruction": reconstruction.mean().detach(),
                "latent": latent.mean().detach()}
