"""DCGAN, unconditional or class-conditional (projection discriminator)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

from generative._base import GenerativeModel, register_model
from generative._gan_nets import DCGANDiscriminator, DCGANGenerator, init_dcgan_weights
from generative._losses import discriminator_loss, generator_loss


@dataclass
class GANConfig:
    """What a :class:`GAN` is.

    Attributes
    ----------
    image_size : int
        Side of the square images, a power of two >= 16.
    latent_dim : int
        Size of z ~ N(0, I).
    width : int
        Channel multiplier of both networks.
    n_classes : int
        0: unconditional; else batches carry class indices ``"y"`` in [0, n_classes).
    loss : {"bce", "lsgan"}
        Non-saturating BCE (Goodfellow et al.) or least squares (Mao et al.).
    lr, betas : Adam settings of both optimizers.
    """

    image_size: int = 64
    latent_dim: int = 100
    width: int = 64
    n_classes: int = 0
    loss: Literal["bce", "lsgan"] = "bce"
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)


@register_model
class GAN(GenerativeModel):
    """DCGAN with a discriminator step then a generator step per batch.

    Batches: ``"x"`` float images (B, 3, S, S) in [0, 1]; ``"y"`` long (B,) class indices
    when ``n_classes > 0``. The discriminator sees fakes made without gradient; the
    generator step draws fresh z and is scored by the updated discriminator.

    Losses returned (scalars): ``loss``; for the discriminator ``d_real`` and ``d_fake``, the
    mean of D's outputs on real and fake images (probabilities D(x) for ``bce``, raw scores
    for ``lsgan``); for the generator ``d_fake`` likewise.
    """

    config_class = GANConfig

    def __init__(self, config: GANConfig | None = None) -> None:
        super().__init__(config or GANConfig())
        c = self.config
        self.generator = DCGANGenerator(c.latent_dim, image_size=c.image_size, width=c.width,
                                        n_classes=c.n_classes)
        self.discriminator = DCGANDiscriminator(image_size=c.image_size, width=c.width,
                                                n_classes=c.n_classes)
        self.apply(init_dcgan_weights)

    def optimizer_groups(self):
        return {"discriminator": list(self.discriminator.parameters()),
                "generator": list(self.generator.parameters())}

    def optimizer_settings(self):
        return {"lr": self.config.lr, "betas": tuple(self.config.betas)}

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """G(z, y): z (B, latent_dim), y long (B,) -> images (B, 3, S, S) in (0, 1)."""
        return self.generator(z, y)

    def _labels(self, batch: dict[str, torch.Tensor]) -> torch.Tensor | None:
        if self.config.n_classes == 0:
            return None
        y = batch.get("y")
        if y is None:
            raise ValueError("a class-conditional GAN needs class indices 'y' in every batch")
        return y.long()

    def _readout(self, logits: torch.Tensor) -> torch.Tensor:
        scores = torch.sigmoid(logits) if self.config.loss == "bce" else logits
        return scores.detach().float().mean()

    def training_losses(self, batch, group="discriminator"):
        real = batch["x"]
        y = self._labels(batch)
        z = torch.randn(len(real), self.config.latent_dim, device=real.device)
        kind = self.config.loss
        if group == "discriminator":
            with torch.no_grad():
                fake = self.generator(z, y)
            real_logits = self.discriminator(real, y)
            fake_logits = self.discriminator(fake, y)
            loss = discriminator_loss(real_logits, fake_logits, kind=kind)
            return {"loss": loss, "d_real": self._readout(real_logits),
                    "d_fake": self._readout(fake_logits)}
        if group == "generator":
            fake_logits = self.discriminator(self.generator(z, y), y)
            return {"loss": generator_loss(fake_logits, kind=kind),
                    "d_fake": self._readout(fake_logits)}
        raise ValueError(f"unknown optimizer group {group!r} (GAN has 'discriminator', 'generator')")

    @torch.no_grad()
    def sample(self, n: int, *, classes: torch.Tensor | None = None,
               generator: torch.Generator | None = None) -> torch.Tensor:
        """Images from z ~ N(0, I), in eval mode (the training mode is restored after).

        Parameters
        ----------
        n : int
        classes : long tensor (n,), optional
            Class of each image when conditional; default: uniform draws with ``generator``
            (after z, so the same ``generator`` seed gives the same z whatever the classes).
        generator : torch.Generator, optional
            CPU generator for z (and classes), for reproducible samples.

        Returns
        -------
        float tensor (n, 3, S, S) in (0, 1)
        """
        device = next(self.parameters()).device
        z = torch.randn(n, self.config.latent_dim, generator=generator).to(device)
        y = None
        if self.config.n_classes > 0:
            if classes is None:
                classes = torch.randint(self.config.n_classes, (n,), generator=generator)
            y = torch.as_tensor(classes).long().to(device)
            if y.shape != (n,) or y.min() < 0 or y.max() >= self.config.n_classes:
                raise ValueError(f"classes must be {n} indices in [0, {self.config.n_classes})")
        elif classes is not None:
            raise ValueError("classes given to an unconditional GAN (n_classes=0)")
        was_training = self.training
        self.eval()
        try:
            return self.generator(z, y)
        finally:
            self.train(was_training)
