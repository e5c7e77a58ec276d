"""A classifier's fitted state (``history_``, ``resampling_``, ``attributes_``,
``train_seconds_``, ``split_``): set from the checkpoint's extras, by ``fit`` and on load
alike, so a loaded model has exactly what a freshly fitted one has."""

from __future__ import annotations

from pathlib import Path

from debias.models import ScoresImages
from generative import MODEL_CLASSES, CheckpointError, load_checkpoint, model_from_checkpoint


def restore_fit_state(model: ScoresImages, extra: dict) -> ScoresImages:
    """Set the fitted attributes of ``model`` from a checkpoint's ``extra`` dict.

    Attributes
    ----------
    history_ : list of dict, one per training step (losses, epoch, step)
    resampling_ : list of dict, one per epoch (effective sample size, mean weight per group)
    attributes_ : list of str, the columns whose groups the resampling log names
    train_seconds_ : float or None, training wall time (None: not recorded)
    split_ : dict or None, how the training split was drawn (see :mod:`debias.data`)
    classes_ : (str, str), the names of label 1 and label 0 it was trained on (older
        checkpoints: face, non-face)
    selection_ : dict or None, with model selection on a validation split: the epoch kept
        (``selected_epoch``, 1-based), ``val_images`` and the score of every epoch
    method_ : dict or None, the training method's record (JTT, AFR, DFR: see
        :mod:`debias.training._methods`)
    """
    model.history_ = list(extra.get("history", []))
    model.resampling_ = list(extra.get("resampling", []))
    model.attributes_ = list(extra.get("attributes", []))
    seconds = extra.get("train_seconds")
    model.train_seconds_ = None if seconds is None else float(seconds)
    model.split_ = extra.get("split")
    model.classes_ = tuple(extra.get("classes", ("face", "non-face")))
    model.selection_ = None if extra.get("selected_epoch") is None else {
        "selected_epoch": int(extra["selected_epoch"]),
        "val_images": extra.get("val_images"),
        "scores": dict(extra.get("selection_scores", {}))}
    model.method_ = extra.get("method")
    return model


def load_classifier(path: str | Path) -> ScoresImages:
    """A baseline or DB-VAE checkpoint, in eval mode on the CPU, with its fitted state.

    Raises ``CheckpointError`` (naming the file) for a file that is not a classifier
    checkpoint, whose config does not fit its weights, whose weights are not finite, or whose
    fitted state is malformed; see :func:`generative.model_from_checkpoint`.
    """
    payload = load_checkpoint(path)
    cls = MODEL_CLASSES.get(payload["model_class"]) if isinstance(payload["model_class"], str) \
        else None
    if cls is not None and not issubclass(cls, ScoresImages):  # refused before it is built
        raise CheckpointError(f"{path} holds a {cls.__name__}, not a face classifier "
                              "(train one with `debias train`)")
    extra = payload.get("extra", {})
    _check_extra(extra, path)
    model = model_from_checkpoint(payload, source=path)
    return restore_fit_state(model, extra)


def _check_extra(extra, path) -> None:
    """Refuse fitted state of the wrong types, which would fail later with a traceback."""
    if not isinstance(extra, dict):
        raise CheckpointError(f"{path}: its extra is a {type(extra).__name__}, not a dict")
    for key in ("history", "resampling", "attributes"):
        if not isinstance(extra.get(key, []), list):
            raise CheckpointError(f"{path}: its {key} is a {type(extra[key]).__name__}, "
                                  "not a list")
    seconds = extra.get("train_seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))):
        raise CheckpointError(f"{path}: its train_seconds is a {type(seconds).__name__}, "
                              "not a number")
    classes = extra.get("classes", ["face", "non-face"])
    if not (isinstance(classes, (list, tuple)) and len(classes) == 2
            and all(isinstance(c, str) and 0 < len(c) <= 200 for c in classes)):
        raise CheckpointError(f"{path}: its classes are not two names")
    for key in ("method", "selection_scores"):
        if not isinstance(extra.get(key), (dict, type(None))):
            raise CheckpointError(f"{path}: its {key} is a {type(extra[key]).__name__}, "
                                  "not a dict")
    if not isinstance(extra.get("selected_epoch"), (int, type(None))) or \
            isinstance(extra.get("selected_epoch"), bool):
        raise CheckpointError(f"{path}: its selected_epoch is not an integer")
    if not isinstance(extra.get("split"), (dict, type(None))):
        raise CheckpointError(f"{path}: its split is a {type(extra['split']).__name__}, "
                              "not a dict")
