"""The two judges of an edit, trained apart from the models being probed: an attribute
classifier (did the edit change the attribute?) and a face classifier (is it still a face?)."""

from __future__ import annotations

import numpy as np
import torch

from debias.data import ImageDataset
from debias.models import BaselineClassifier, BaselineConfig
from generative import ImageBatches, TrainerConfig, seeded, train

# Checkers are seeded apart from the audited models (which use the run's seed).
CHECKER_SEED_OFFSET = 7919


def train_attribute_classifier(images: torch.Tensor, is_target: np.ndarray, *, epochs: int = 5,
                               seed: int = 0, device: str = "auto") -> BaselineClassifier:
    """The standard CNN trained to tell the two attribute values apart on real images; it
    judges whether an edit changed the attribute ("edit success").

    images : uint8 (N, 3, S, S); is_target : bool (N,), True for the target value.
    """
    with seeded(seed + CHECKER_SEED_OFFSET):  # the caller's random numbers are left as they were
        model = BaselineClassifier(BaselineConfig(image_size=int(images.shape[-1])))
        labels = torch.as_tensor(np.asarray(is_target, dtype=np.int64))
        train(model, ImageBatches(images, labels, batch_size=64),
              TrainerConfig(epochs=epochs, seed=seed + CHECKER_SEED_OFFSET, device=device,
                            progress=False))
    return model.cpu().eval()


def train_face_checker(data: ImageDataset, *, epochs: int = 3, seed: int = 0,
                       device: str = "auto") -> BaselineClassifier:
    """A face classifier trained on the real images of ``data`` with its own seed, so that
    "still a face" is not judged by a model whose flips are being counted."""
    from debias.training import fit

    real = data.subset(~data.synthetic)
    return fit(real, model="baseline", epochs=epochs, seed=seed + CHECKER_SEED_OFFSET,
               device=device, progress=False)


def accuracy(model, images: torch.Tensor, labels: np.ndarray) -> float | None:
    """Share of ``images`` whose decision (score >= 0.5) matches the 0/1 ``labels``."""
    if len(images) == 0:
        return None
    return float(((model.predict_proba(images) >= 0.5) == np.asarray(labels, bool)).mean())
