"""Features to find slices in: what a model sees of each image (or, with no model, pixels)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from debias.models import DBVAE
from generative import ConvEncoder, to_float

PIXEL_SIDE = 8
"""The pixel fallback averages each image down to PIXEL_SIDE × PIXEL_SIDE (× 3 channels)."""

KIND_DBVAE = "DB-VAE latent means"
KIND_PENULTIMATE = "classifier penultimate features"
KIND_PIXELS = "downsampled pixels"


def _check_images(images: torch.Tensor) -> None:
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1] != 3:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"images must be a tensor (N, 3, S, S), got {shape}")


@torch.no_grad()
def _penultimate(model: torch.nn.Module, images: torch.Tensor, batch_size: int) -> np.ndarray:
    """The input of the encoder head's last layer (the 512 activations after its ReLU),
    captured while the encoder computes its output for each batch."""
    encoder: ConvEncoder = model.encoder
    captured: list[torch.Tensor] = []
    hook = encoder.head[-1].register_forward_hook(
        lambda module, inputs, output: captured.append(inputs[0].float().cpu()))
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        for chunk in images.split(batch_size):
            encoder(to_float(chunk.to(device)))
    finally:
        hook.remove()
        model.train(was_training)
    width = encoder.head[-1].in_features
    return torch.cat(captured).numpy() if captured else np.zeros((0, width), np.float32)


@torch.no_grad()
def _pixels(images: torch.Tensor, batch_size: int) -> np.ndarray:
    out = [F.adaptive_avg_pool2d(to_float(chunk), PIXEL_SIDE).flatten(1)
           for chunk in images.split(batch_size)]
    return torch.cat(out).numpy() if out else np.zeros((0, 3 * PIXEL_SIDE ** 2), np.float32)


def slice_features(model: torch.nn.Module | None, images: torch.Tensor, *,
                   batch_size: int = 256) -> tuple[np.ndarray, str]:
    """Per-image features to discover slices in, and what kind they are.

    - a :class:`debias.models.DBVAE`: its latent means μ, "DB-VAE latent means";
    - another classifier whose ``.encoder`` is a :class:`generative.ConvEncoder` (the
      baseline): the penultimate activations, i.e. the 512 outputs of the head's ReLU that
      the final linear layer reads, "classifier penultimate features";
    - ``None``: pixels, each image averaged down to 8 × 8 and flattened (3 · 8 · 8 = 192
      values in [0, 1]), "downsampled pixels".

    The model runs in eval mode under ``torch.no_grad`` on its own device; its previous
    train/eval mode is restored afterwards.

    Parameters
    ----------
    model : DBVAE, classifier with a ConvEncoder ``.encoder``, or None
    images : uint8 tensor (N, 3, S, S)
        Values 0..255 (float images in [0, 1] are accepted too); S as the model expects.
    batch_size : int
        Images run through the model at once.

    Returns
    -------
    features : numpy.ndarray
        float32 (N, D): D = latent_dim (DB-VAE), 512 (penultimate) or 192 (pixels).
    kind : str
        One of "DB-VAE latent means", "classifier penultimate features", "downsampled pixels".

    Raises
    ------
    TypeError
        For a model that is none of the above.
    ValueError
        For images that are not (N, 3, S, S), or ``batch_size`` < 1.
    """
    _check_images(images)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if model is None:
        return _pixels(images, batch_size), KIND_PIXELS
    if isinstance(model, DBVAE):
        return model.latent_means(images, batch_size=batch_size).numpy(), KIND_DBVAE
    if isinstance(getattr(model, "encoder", None), ConvEncoder):
        return _penultimate(model, images, batch_size), KIND_PENULTIMATE
    raise TypeError(f"cannot take slice features from a {type(model).__name__}: expected a "
                    "DBVAE, a classifier whose .encoder is a ConvEncoder, or None for pixels")
