"""CycleGAN (Zhu, Park, Isola, Efros 2017): unpaired translation between domains A and B."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

from generative._base import GenerativeModel, register_model
from generative._gan_nets import PatchDiscriminator, ResnetGenerator, init_dcgan_weights
from generative._images import to_float
from generative._losses import cycle_loss, discriminator_loss, generator_loss, identity_loss


class ImagePool:
    """History of generated images that discriminators are trained on (Shrivastava et al. 2017).

    Until ``pool_size`` images are stored, each new image is stored and returned. Then, for
    each new image, with probability ½ a random stored image is returned and replaced by the
    new one; else the new image itself is returned. ``pool_size=0`` returns the input as is.

    Parameters
    ----------
    pool_size : int
    seed : int
        Seeds the pool's own RNG, so draws do not depend on (or disturb) torch's global one.
    """

    def __init__(self, pool_size: int = 50, *, seed: int = 0) -> None:
        self.pool_size = pool_size
        self.images: list[torch.Tensor] = []
        self.rng = torch.Generator().manual_seed(seed)

    def query(self, images: torch.Tensor) -> torch.Tensor:
        """Images (B, C, H, W) -> as many images (B, C, H, W), detached."""
        if self.pool_size == 0:
            return images
        out = []
        for image in images.detach():
            if len(self.images) < self.pool_size:
                self.images.append(image.clone())
                out.append(image)
            elif torch.rand((), generator=self.rng) < 0.5:
                i = int(torch.randint(self.pool_size, (), generator=self.rng))
                out.append(self.images[i].to(image.dtype))
                self.images[i] = image.clone()
            else:
                out.append(image)
        return torch.stack(out)

    __call__ = query


@dataclass
class CycleGANConfig:
    """What a :class:`CycleGAN` is.

    Attributes
    ----------
    image_size : int
        Side of the square images (a multiple of 4, >= 2**(disc_layers + 2)).
    width : int
        Channels of the first layer of every network.
    n_blocks : int
        Residual blocks per generator.
    residual : bool
        Generators learn an edit of the input's logit (see :class:`ResnetGenerator`).
    disc_layers : int
        Stride-2 layers of the PatchGAN discriminators (3: 70×70 patches).
    lambda_cycle : float
        Weight of the cycle-consistency losses.
    lambda_identity : float
        Weight of the identity losses, relative to ``lambda_cycle`` (0 turns them off).
    pool_size : int
        Size of each domain's :class:`ImagePool`.
    lr, betas : Adam settings of both optimizers.
    """

    image_size: int = 64
    width: int = 64
    n_blocks: int = 6
    residual: bool = False
    disc_layers: int = 3
    lambda_cycle: float = 10.0
    lambda_identity: float = 0.5
    pool_size: int = 50
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)


@register_model
class CycleGAN(GenerativeModel):
    """Two generators ``g_ab`` (A -> B), ``g_ba`` (B -> A) and two PatchGAN discriminators
    ``d_a``, ``d_b``, trained with LSGAN, cycle and identity losses.

    Batches (e.g. from :class:`~generative.UnpairedBatches`): ``"a"`` and ``"b"``, float images
    (B, 3, S, S) in [0, 1]. Per batch the generator group is stepped first, then the
    discriminator group, which scores the generator step's fakes through one image pool
    per domain.

    Generator loss:
    ``gan_ab + gan_ba + λ_cyc (cycle_a + cycle_b) + λ_id λ_cyc (identity_a + identity_b)`` with
    gan_ab = mean (d_b(g_ab(a)) − 1)², cycle_a = mean |a − g_ba(g_ab(a))|,
    identity_a = mean |a − g_ba(a)| (and symmetrically for b).
    Discriminator loss: ``d_a + d_b``, each ½ (mean (D(real) − 1)² + mean D(pooled fake)²).

    The learning-rate schedule of Zhu et al. (constant, then linear decay to 0) is the
    trainer's: ``train(model, UnpairedBatches(a, b), TrainerConfig(epochs=200,
    decay_start_epoch=100))`` keeps the rate for 100 epochs and decays it over the last 100.
    The image pools are not part of the checkpoint; a resumed run starts them empty.
    """

    config_class = CycleGANConfig

    def __init__(self, config: CycleGANConfig | None = None) -> None:
        super().__init__(config or CycleGANConfig())
        c = self.config
        self.g_ab = ResnetGenerator(n_blocks=c.n_blocks, width=c.width, residual=c.residual)
        self.g_ba = ResnetGenerator(n_blocks=c.n_blocks, width=c.width, residual=c.residual)
        self.d_a = PatchDiscriminator(width=c.width, n_layers=c.disc_layers)
        self.d_b = PatchDiscriminator(width=c.width, n_layers=c.disc_layers)
        self.apply(init_dcgan_weights)
        self.pool_a = ImagePool(c.pool_size, seed=0)
        self.pool_b = ImagePool(c.pool_size, seed=1)
        self._fakes: tuple | None = None

    def optimizer_groups(self):
        return {"generator": [*self.g_ab.parameters(), *self.g_ba.parameters()],
                "discriminator": [*self.d_a.parameters(), *self.d_b.parameters()]}

    def optimizer_settings(self):
        return {"lr": self.config.lr, "betas": tuple(self.config.betas)}

    def training_losses(self, batch, group="generator"):
        if group == "generator":
            return self._generator_losses(batch["a"], batch["b"])
        if group == "discriminator":
            return self._discriminator_losses(batch["a"], batch["b"])
        raise ValueError(f"unknown optimizer group {group!r} (CycleGAN has 'generator', "
                         f"'discriminator')")

    def _generator_losses(self, a: torch.Tensor, b: torch.Tensor) -> dict[str, torch.Tensor]:
        c = self.config
        fake_b, fake_a = self.g_ab(a), self.g_ba(b)
        parts = {
            "gan_ab": generator_loss(self.d_b(fake_b), kind="lsgan"),
            "gan_ba": generator_loss(self.d_a(fake_a), kind="lsgan"),
            "cycle_a": cycle_loss(a, self.g_ba(fake_b)),
            "cycle_b": cycle_loss(b, self.g_ab(fake_a)),
        }
        loss = (parts["gan_ab"] + parts["gan_ba"]
                + c.lambda_cycle * (parts["cycle_a"] + parts["cycle_b"]))
        if c.lambda_identity > 0:
            parts["identity_a"] = identity_loss(a, self.g_ba(a))
            parts["identity_b"] = identity_loss(b, self.g_ab(b))
            weight = c.lambda_identity * c.lambda_cycle
            loss = loss + weight * (parts["identity_a"] + parts["identity_b"])
        # The discriminator step of the same batch scores these fakes; the batch tensors are
        # kept to recognise that batch by identity.
        self._fakes = (a, b, fake_a.detach(), fake_b.detach())
        return {"loss": loss, **{k: v.detach() for k, v in parts.items()}}

    def _discriminator_losses(self, a: torch.Tensor, b: torch.Tensor) -> dict[str, torch.Tensor]:
        stash, self._fakes = self._fakes, None
        if stash is not None and stash[0] is a and stash[1] is b:
            fake_a, fake_b = stash[2], stash[3]
        else:
            with torch.no_grad():
                fake_a, fake_b = self.g_ba(b), self.g_ab(a)
        d_a = discriminator_loss(self.d_a(a), self.d_a(self.pool_a.query(fake_a)), kind="lsgan")
        d_b = discriminator_loss(self.d_b(b), self.d_b(self.pool_b.query(fake_b)), kind="lsgan")
        return {"loss": d_a + d_b, "d_a": d_a.detach(), "d_b": d_b.detach()}

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        """g_ab(a): images (B, 3, S, S) in [0, 1] -> (B, 3, S, S) in (0, 1)."""
        return self.g_ab(a)

    @torch.no_grad()
    def translate(self, x: torch.Tensor, direction: Literal["a2b", "b2a"] = "a2b") -> torch.Tensor:
        """Translate images to the other domain, in eval mode, without gradient.

        Parameters
        ----------
        x : float tensor (B, 3, S, S) in [0, 1] (uint8 in [0, 255] is accepted too)
        direction : {"a2b", "b2a"}

        Returns
        -------
        float tensor (B, 3, S, S) in (0, 1), on ``x``'s device
        """
        if direction not in ("a2b", "b2a"):
            raise ValueError(f"direction must be 'a2b' or 'b2a', got {direction!r}")
        net = self.g_ab if direction == "a2b" else self.g_ba
        device = next(self.parameters()).device
        images = to_float(x)
        was_training = self.training
        self.eval()
        try:
            return net(images.to(device)).to(x.device)
        finally:
            self.train(was_training)
