"""The generators augmentation and counterfactual probes use, trained on training faces."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from debias.augment._plan import face_values
from debias.data import ImageDataset
from debias.errors import DataError
from generative import (
    GAN, CycleGAN, CycleGANConfig, GANConfig, ImageBatches, TrainerConfig, UnpairedBatches,
    load_checkpoint, seeded, train,
)


def _real_faces(data: ImageDataset) -> ImageDataset:
    return data.subset((data.labels.numpy() == 1) & ~data.synthetic)


def _resumable(checkpoint: Path | None, extra: dict) -> bool:
    """Continue from ``checkpoint`` only when it was made for the same job."""
    if checkpoint is None or not Path(checkpoint).exists():
        return False
    saved = load_checkpoint(checkpoint)["extra"]
    return all(saved.get(k) == v for k, v in extra.items())


def cyclegan_domains(data: ImageDataset, attribute: str, source: str, target: str
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """The CycleGAN's two domains: uint8 images (A, 3, S, S) of ``data``'s real rows whose
    ``attribute`` is ``source``, and (B, 3, S, S) of those whose it is ``target``.

    Used by ``debias generative train cyclegan`` (on whatever images it was given) and by
    augmentation and the counterfactual probe (on real faces), so both split alike.

    Raises
    ------
    DataError
        When ``attribute`` is not a column of ``data`` or a domain has no image.
    """
    if attribute not in data.attributes:
        raise DataError(f"attribute {attribute!r} not in the dataset "
                        f"(attributes: {', '.join(data.attributes) or 'none'})")
    real = ~data.synthetic
    value = data.meta[attribute].astype(str).to_numpy()
    for name in (source, target):
        if not (real & (value == name)).any():
            present = sorted(set(value[real]))
            raise DataError(f"{attribute}={name!r} has no training images "
                            f"(values: {', '.join(present)})")
    return (data.images[torch.from_numpy(real & (value == source))],
            data.images[torch.from_numpy(real & (value == target))])


def train_cyclegan(data: ImageDataset, attribute: str, source: str, target: str, *,
                   epochs: int, seed: int = 0, checkpoint: Path | None = None,
                   device: str = "auto", width: int = 16, n_blocks: int = 4,
                   progress: bool | None = None) -> CycleGAN:
    """A CycleGAN between the real faces with ``attribute`` = source (domain A) and = target
    (domain B), with residual generators (they edit the image rather than redraw it).

    A checkpoint left by an interrupted run of the same job is continued; one made for
    another job is replaced. Returns the model on the CPU in eval mode, with
    ``train_seconds_``.
    """
    a, b = cyclegan_domains(_real_faces(data), attribute, source, target)
    extra = {"attribute": attribute, "domain_a": source, "domain_b": target, "epochs": epochs,
             "seed": seed, "faces": [len(a), len(b)]}
    with seeded(seed):  # the caller's random numbers are left as they were
        model = CycleGAN(CycleGANConfig(image_size=data.image_size, width=width,
                                        n_blocks=n_blocks, residual=True))
        start = time.perf_counter()
        result = train(model, UnpairedBatches(a, b, batch_size=4),
                       TrainerConfig(epochs=epochs, seed=seed, device=device,
                                     checkpoint=str(checkpoint) if checkpoint else None,
                                     resume=_resumable(checkpoint, extra),
                                     decay_start_epoch=epochs // 2, progress=progress,
                                     checkpoint_extra=extra))
    model = result.model.cpu().eval()
    model.train_seconds_ = time.perf_counter() - start
    return model


def train_conditional_gan(data: ImageDataset, attribute: str, *, epochs: int, seed: int = 0,
                          checkpoint: Path | None = None, device: str = "auto",
                          width: int = 32, progress: bool | None = None
                          ) -> tuple[GAN, list[str]]:
    """A DCGAN conditioned on the attribute's value, trained on the real faces.

    Returns the model (CPU, eval mode, ``train_seconds_``) and the values in class order.
    """
    faces = _real_faces(data)
    values = face_values(data, attribute)
    classes = sorted(set(values))
    y = torch.as_tensor(np.searchsorted(classes, values), dtype=torch.int64)
    extra = {"attribute": attribute, "classes": classes, "epochs": epochs, "seed": seed,
             "faces": len(values)}
    with seeded(seed):  # the caller's random numbers are left as they were
        model = GAN(GANConfig(image_size=data.image_size, width=width, n_classes=len(classes)))
        start = time.perf_counter()
        result = train(model, ImageBatches(faces.images, y, batch_size=64),
                       TrainerConfig(epochs=epochs, seed=seed, device=device,
                                     checkpoint=str(checkpoint) if checkpoint else None,
                                     resume=_resumable(checkpoint, extra), progress=progress,
                                     checkpoint_extra=extra))
    model = result.model.cpu().eval()
    model.train_seconds_ = time.perf_counter() - start
    return model, classes
