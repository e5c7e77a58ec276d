"""The counterfactual probe: score originals and their edits with each model; check the edit."""

from __future__ import annotations

import numpy as np
import torch

from debias.counterfactual._flips import flip_summary
from debias.models import BaselineClassifier, BaselineConfig
from generative import ImageBatches, TrainerConfig, train


def train_attribute_classifier(images: torch.Tensor, is_target: np.ndarray, *, epochs: int = 5,
                               seed: int = 0, device: str = "auto") -> BaselineClassifier:
    """The standard CNN trained to tell the two attribute values apart on real images; it
    judges whether an edit changed the attribute ("edit success").

    images : uint8 (N, 3, S, S); is_target : bool (N,), True for the target value.
    """
    torch.manual_seed(seed)
    model = BaselineClassifier(BaselineConfig(image_size=int(images.shape[-1])))
    labels = torch.as_tensor(np.asarray(is_target, dtype=np.int64))
    train(model, ImageBatches(images, labels, batch_size=64),
          TrainerConfig(epochs=epochs, seed=seed, device=device, progress=False))
    return model.cpu().eval()


def probe(models: dict, originals: torch.Tensor, edited: torch.Tensor, *,
          attribute_model=None, face_model=None, threshold: float = 0.5) -> dict:
    """Flip summaries per model, and how good the edits were.

    Parameters
    ----------
    models : name -> classifier with ``predict_proba`` (uint8 images -> scores)
    originals, edited : uint8 (N, 3, S, S), pairwise
    attribute_model : classifier of the target attribute value, optional
        ``edit_success``: share of edits it calls the target value, beside the share of
        originals it does (should be low: they hold the source value).
    face_model : an independent face classifier, optional
        ``target_preserved``: share of edits it still calls a face.

    Returns
    -------
    dict
        ``models``: name -> :func:`flip_summary`; ``edit_success``, ``source_called_target``,
        ``target_preserved`` (None when the checker is not given).
    """
    out = {"models": {name: flip_summary(m.predict_proba(originals), m.predict_proba(edited),
                                         threshold=threshold) for name, m in models.items()}}
    out["edit_success"] = out["source_called_target"] = out["target_preserved"] = None
    if attribute_model is not None:
        out["edit_success"] = float((attribute_model.predict_proba(edited) >= 0.5).mean())
        out["source_called_target"] = float((attribute_model.predict_proba(originals) >= 0.5).mean())
    if face_model is not None:
        out["target_preserved"] = float((face_model.predict_proba(edited) >= threshold).mean())
    return out
