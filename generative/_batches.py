"""Sources of training batches: what the trainer iterates over each epoch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import torch


class BatchSource(Protocol):
    """Anything that yields an epoch of batches (dicts of CPU tensors).

    uint8 image tensors (B, C, H, W) are turned into floats in [0, 1] by the trainer on the
    training device, so sources stay cheap and memory stays uint8.
    """

    def __len__(self) -> int:
        """Batches per epoch."""

    def epoch(self, epoch: int, generator: torch.Generator, model: torch.nn.Module
              ) -> Iterator[dict[str, torch.Tensor]]:
        """The batches of one epoch, drawn with ``generator``; ``model`` for sources that
        adapt to it (e.g. DB-VAE's resampling)."""


class ImageBatches:
    """Shuffled minibatches of images, with labels or class indices when given.

    Parameters
    ----------
    images : uint8 tensor (N, 3, H, W)
    labels : tensor (N,), optional
        Yielded as ``"y"``.
    batch_size : int
    drop_last : bool
        Drop the last incomplete batch (BatchNorm dislikes tiny batches).
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor | None = None, *,
                 batch_size: int = 64, drop_last: bool = True) -> None:
        if len(images) == 0:
            raise ValueError("no images to train on")
        self.images, self.labels = images, labels
        self.batch_size = min(batch_size, len(images))
        self.drop_last = drop_last

    def __len__(self) -> int:
        n = len(self.images)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def epoch(self, epoch, generator, model=None):
        order = torch.randperm(len(self.images), generator=generator)
        for i in range(len(self)):
            index = order[i * self.batch_size:(i + 1) * self.batch_size]
            batch = {"x": self.images[index]}
            if self.labels is not None:
                batch["y"] = self.labels[index]
            yield batch


class UnpairedBatches:
    """Batches of two unaligned image domains, ``"a"`` and ``"b"`` (CycleGAN).

    An epoch has as many batches as the larger domain fills; the smaller one is reshuffled
    as often as needed.
    """

    def __init__(self, images_a: torch.Tensor, images_b: torch.Tensor, *, batch_size: int = 1) -> None:
        if len(images_a) == 0 or len(images_b) == 0:
            raise ValueError("both domains need images")
        self.a, self.b = images_a, images_b
        self.batch_size = min(batch_size, len(images_a), len(images_b))

    def __len__(self) -> int:
        return max(len(self.a), len(self.b)) // self.batch_size

    def epoch(self, epoch, generator, model=None):
        def stream(images):
            while True:
                yield from torch.randperm(len(images), generator=generator).tolist()

        sa, sb = stream(self.a), stream(self.b)
        for _ in range(len(self)):
            ia = torch.tensor([next(sa) for _ in range(self.batch_size)])
            ib = torch.tensor([next(sb) for _ in range(self.batch_size)])
            yield {"a": self.a[ia], "b": self.b[ib]}
