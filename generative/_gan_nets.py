"""Networks of the GANs: DCGAN generator / discriminator and CycleGAN's ResNet generator and
PatchGAN discriminator.

Every network takes and gives images in [0, 1], the range of the project's data; networks that
read images rescale them to [-1, 1] internally, as the original papers feed them.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _doublings(image_size: int) -> int:
    """Number of stride-2 layers between a 4×4 map and ``image_size``."""
    n = math.log2(image_size) - 2 if image_size > 0 else -1
    if n < 2 or n != int(n):
        raise ValueError(f"image_size must be a power of two >= 16, got {image_size}")
    return int(n)


def init_dcgan_weights(module: nn.Module) -> None:
    """DCGAN initialisation, for ``model.apply``: conv weights N(0, 0.02), BatchNorm weights
    N(1, 0.02), biases 0. Other modules (embeddings, InstanceNorm without affine) are left alone.
    """
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm2d, nn.InstanceNorm2d)) and module.weight is not None:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGANGenerator(nn.Module):
    """DCGAN generator (Radford et al. 2016), optionally class-conditional.

    z (+ a learned class embedding of size ``latent_dim``, concatenated) -> transposed conv to
    a 4×4 map of ``width · S/8`` channels -> stride-2 transposed convs halving the channels,
    each followed by BatchNorm + ReLU -> transposed conv to 3 channels -> sigmoid.

    Parameters
    ----------
    latent_dim : int
    image_size : int
        Side S of the output, a power of two >= 16 (e.g. 32, 64, 128).
    width : int
        Channels of the last hidden layer; the first has ``width · S/8``.
    n_classes : int
        0: unconditional; else ``y`` selects a class in ``forward``.

    Shapes
    ------
    z : float (B, latent_dim);  y : long (B,) in [0, n_classes)
    output : float (B, 3, S, S), values in (0, 1)
    """

    def __init__(self, latent_dim: int, *, image_size: int = 64, width: int = 64,
                 n_classes: int = 0) -> None:
        super().__init__()
        n_up = _doublings(image_size)
        self.latent_dim, self.n_classes = latent_dim, n_classes
        self.embed = nn.Embedding(n_classes, latent_dim) if n_classes > 0 else None
        channels = width * 2 ** (n_up - 1)
        in_features = latent_dim * (2 if n_classes > 0 else 1)
        layers: list[nn.Module] = [nn.ConvTranspose2d(in_features, channels, 4, 1, 0, bias=False),
                                   nn.BatchNorm2d(channels), nn.ReLU(True)]
        for _ in range(n_up - 1):
            layers += [nn.ConvTranspose2d(channels, channels // 2, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(channels // 2), nn.ReLU(True)]
            channels //= 2
        layers += [nn.ConvTranspose2d(channels, 3, 4, 2, 1), nn.Sigmoid()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            if y is None:
                raise ValueError("this generator is class-conditional: pass class indices y")
            z = torch.cat([z, self.embed(y)], dim=1)
        return self.net(z[:, :, None, None])


class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator, optionally with a projection term (Miyato & Koyama 2018).

    Stride-2 convs (4×4) doubling the channels from ``width``, BatchNorm on all but the first,
    LeakyReLU 0.2, down to a 4×4 map φ(x); a 4×4 conv on it gives the logit. When
    ``n_classes > 0`` the logit gets ⟨embed(y), mean-pooled φ(x)⟩ added.

    Shapes
    ------
    x : float (B, 3, S, S) in [0, 1];  y : long (B,) in [0, n_classes)
    output : float (B,) logits
    """

    def __init__(self, *, image_size: int = 64, width: int = 64, n_classes: int = 0) -> None:
        super().__init__()
        n_down = _doublings(image_size)
        channels = width
        layers: list[nn.Module] = [nn.Conv2d(3, channels, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        for _ in range(n_down - 1):
            layers += [nn.Conv2d(channels, channels * 2, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(channels * 2), nn.LeakyReLU(0.2, True)]
            channels *= 2
        self.body = nn.Sequential(*layers)
        self.head = nn.Conv2d(channels, 1, 4, 1, 0)
        self.n_classes = n_classes
        self.embed = None
        if n_classes > 0:
            self.embed = nn.Embedding(n_classes, channels)
            nn.init.normal_(self.embed.weight, 0.0, 0.02)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        features = self.body(x * 2.0 - 1.0)
        logit = self.head(features).flatten()
        if self.embed is not None:
            if y is None:
                raise ValueError("this discriminator is class-conditional: pass class indices y")
            logit = logit + (self.embed(y) * features.mean(dim=(2, 3))).sum(dim=1)
        return logit


class _ResidualBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), nn.InstanceNorm2d(channels),
            nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), nn.InstanceNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class ResnetGenerator(nn.Module):
    """CycleGAN's image-to-image generator (Johnson et al. 2016; Zhu et al. 2017).

    Reflection-padded 7×7 conv (``width``) -> two stride-2 convs (2·, 4·width) -> ``n_blocks``
    residual blocks -> two stride-2 transposed convs -> 7×7 conv to 3 channels -> sigmoid.
    InstanceNorm + ReLU after every conv but the last. The original's tanh output in [-1, 1]
    becomes sigmoid(·) = (tanh(·/2) + 1) / 2 in [0, 1].

    With ``residual=True`` the last conv's output is added to the input's logit before the
    sigmoid, ``sigmoid(logit(x) + net(x))``: the network learns an edit of the image rather
    than the whole image, so a briefly trained translator keeps eyes, mouth and background
    (and starts near the identity, as the last conv's weights start small).

    Shapes
    ------
    x : float (B, 3, S, S) in [0, 1], S a multiple of 4 and >= 16
    output : float (B, 3, S, S) in (0, 1)
    """

    def __init__(self, *, n_blocks: int = 6, width: int = 64, residual: bool = False) -> None:
        super().__init__()
        self.residual = residual
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(3, width, 7),
                                   nn.InstanceNorm2d(width), nn.ReLU(True)]
        channels = width
        for _ in range(2):
            layers += [nn.Conv2d(channels, channels * 2, 3, 2, 1), nn.InstanceNorm2d(channels * 2),
                       nn.ReLU(True)]
            channels *= 2
        layers += [_ResidualBlock(channels) for _ in range(n_blocks)]
        for _ in range(2):
            layers += [nn.ConvTranspose2d(channels, channels // 2, 3, 2, 1, output_padding=1),
                       nn.InstanceNorm2d(channels // 2), nn.ReLU(True)]
            channels //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(channels, 3, 7)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.net(x * 2.0 - 1.0)
        if self.residual:
            # 1/512 keeps the logit of a 0 or 255 pixel finite (±6.2).
            out = out + torch.logit(x, eps=1.0 / 512)
        return torch.sigmoid(out)


class PatchDiscriminator(nn.Module):
    """PatchGAN discriminator (Isola et al. 2017): one logit per overlapping patch.

    4×4 convs: ``width`` stride 2 (no norm), then ``n_layers - 1`` more stride-2 convs and
    one stride-1 conv doubling the channels (at most 8·width), InstanceNorm + LeakyReLU 0.2,
    then a stride-1 conv to 1 channel. With ``n_layers=3`` each logit sees a 70×70 patch.

    Shapes
    ------
    x : float (B, 3, S, S) in [0, 1], S >= 2**(n_layers + 2)
    output : float (B, 1, h, w) logits, h = w = S / 2**n_layers - 2
    """

    def __init__(self, *, width: int = 64, n_layers: int = 3) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(3, width, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        channels = width
        for i in range(1, n_layers + 1):
            out = width * min(2 ** i, 8)
            stride = 2 if i < n_layers else 1
            layers += [nn.Conv2d(channels, out, 4, stride, 1), nn.InstanceNorm2d(out),
                       nn.LeakyReLU(0.2, True)]
            channels = out
        layers.append(nn.Conv2d(channels, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x * 2.0 - 1.0)
