"""Convolutional networks shared by the generative models and by ``debias``."""

from __future__ import annotations

import torch
from torch import nn

_FILTERS = (12, 24, 48, 72)
_KERNELS = (5, 5, 3, 3)


class ConvEncoder(nn.Module):
    """The standard CNN of the DB-VAE paper, with a configurable output size.

    Four blocks of [Conv2d stride 2 -> ReLU -> BatchNorm2d] with 12/24/48/72 filters
    (times ``width``) and kernels 5, 5, 3, 3, then Flatten -> Dense 512 -> ReLU ->
    Dense ``out_features``.

    Parameters
    ----------
    out_features : int
        Size of the output vector: 1 for a classifier, ``1 + 2 * latent_dim`` for DB-VAE.
    width : int
        Multiplier on the number of filters.
    image_size : int
        Side of the square input images (32, 64 or 128).

    Shapes
    ------
    input : float tensor (B, 3, image_size, image_size), values in [0, 1]
    output : float tensor (B, out_features)
    """

    def __init__(self, out_features: int, *, width: int = 1, image_size: int = 64) -> None:
        super().__init__()
        if image_size % 16:
            raise ValueError(f"image_size must be a multiple of 16, got {image_size}")
        layers: list[nn.Module] = []
        channels = 3
        for filters, kernel in zip(_FILTERS, _KERNELS):
            layers += [
                nn.Conv2d(channels, filters * width, kernel, stride=2, padding=kernel // 2),
                nn.ReLU(),
                nn.BatchNorm2d(filters * width),
            ]
            channels = filters * width
        side = image_size // 16
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(channels * side * side, 512),
            nn.ReLU(),
            nn.Linear(512, out_features),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class ConvDecoder(nn.Module):
    """The mirror of :class:`ConvEncoder`: Dense -> side×side×(72·width) -> 4 transposed convs.

    Transposed convs (stride 2) go 72 -> 48 -> 24 -> 12 -> 3 filters (times ``width``, except
    the output) with kernels 3, 3, 5, 5, ReLU + BatchNorm between them, and a sigmoid output.

    Shapes
    ------
    input : float tensor (B, in_features)
    output : float tensor (B, 3, image_size, image_size), values in (0, 1)
    """

    def __init__(self, in_features: int, *, width: int = 1, image_size: int = 64) -> None:
        super().__init__()
        if image_size % 16:
            raise ValueError(f"image_size must be a multiple of 16, got {image_size}")
        self.side = image_size // 16
        self.channels = _FILTERS[-1] * width
        self.project = nn.Sequential(
            nn.Linear(in_features, self.channels * self.side * self.side), nn.ReLU())
        layers: list[nn.Module] = []
        channels = self.channels
        outs = [f * width for f in reversed(_FILTERS[:-1])] + [3]
        for i, (out, kernel) in enumerate(zip(outs, reversed(_KERNELS))):
            layers.append(nn.ConvTranspose2d(channels, out, kernel, stride=2, padding=kernel // 2,
                                             output_padding=1))
            if i < len(outs) - 1:
                layers += [nn.ReLU(), nn.BatchNorm2d(out)]
            channels = out
        self.deconv = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.project(z).view(-1, self.channels, self.side, self.side)
        return torch.sigmoid(self.deconv(h))
