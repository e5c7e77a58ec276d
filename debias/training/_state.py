"""A classifier's fitted state (``history_``, ``resampling_``, ``attributes_``,
``train_seconds_``, ``split_``): set from the checkpoint's extras, by ``fit`` and on load
alike, so a loaded model has exactly what a freshly fitted one has."""

from __future__ import annotations

from pathlib import Path

from debias.models import ScoresImages
from generative import CheckpointError, load_checkpoint, model_from_checkpoint


def restore_fit_state(model: ScoresImages, extra: dict) -> ScoresImages:
    """Set the fitted attributes of ``model`` from a checkpoint's ``extra`` dict.

    Attributes
    ----------
    history_ : list of dict, one per training step (losses, epoch, step)
    resampling_ : list of dict, one per epoch (effective sample size, mean weight per group)
    attributes_ : list of str, the columns whose groups the resampling log names
    train_seconds_ : float or None, training wall time (None: not recorded)
    split_ : dict or None, how the training split was drawn (see :mod:`debias.data`)
    """
    model.history_ = list(extra.get("history", []))
    model.resampling_ = list(extra.get("resampling", []))
    model.attributes_ = list(extra.get("attributes", []))
    seconds = extra.get("train_seconds")
    model.train_seconds_ = None if seconds is None else float(seconds)
    model.split_ = extra.get("split")
    return model


def load_classifier(path: str | Path) -> ScoresImages:
    """A baseline or DB-VAE checkpoint, in eval mode on the CPU, with its fitted state."""
    payload = load_checkpoint(path)
    model = model_from_checkpoint(payload, source=path)
    if not isinstance(model, ScoresImages):
        raise CheckpointError(f"{path} holds a {type(model).__name__}, not a face classifier "
                              "(train one with `debias train`)")
    return restore_fit_state(model, payload["extra"])
