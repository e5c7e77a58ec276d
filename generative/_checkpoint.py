"""Checkpoints: ``{format_version, model_class, config, state_dict, optimizer, step, ...}``.

Written atomically (temp file + rename) and read with ``weights_only=True``, so loading a
checkpoint never runs code from it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from generative._base import MODEL_CLASSES, GenerativeModel
from generative._files import write_atomic

FORMAT_VERSION = 1


class CheckpointError(ValueError):
    """A file that is not a checkpoint this version can read."""


def save_checkpoint(path: str | os.PathLike, model: GenerativeModel, *,
                    optimizers: dict[str, torch.optim.Optimizer] | None = None,
                    step: int = 0, epoch: int = 0, extra: dict[str, Any] | None = None) -> Path:
    """Write a checkpoint of ``model`` (and optimizer states) atomically; returns the path."""
    payload = {
        "format_version": FORMAT_VERSION,
        "model_class": type(model).__name__,
        "config": model.config_dict(),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "optimizer": {name: opt.state_dict() for name, opt in (optimizers or {}).items()},
        "step": int(step),
        "epoch": int(epoch),
        "extra": extra or {},
    }
    return write_atomic(path, lambda tmp: torch.save(payload, tmp))


def load_checkpoint(path: str | os.PathLike, *, map_location: str | torch.device = "cpu") -> dict:
    """Read a checkpoint dict (``weights_only=True``)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises many types for a file that is not a checkpoint
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointError(f"{path}: not a readable checkpoint ({first[:200]})") from None
    if not isinstance(payload, dict) or "model_class" not in payload:
        raise CheckpointError(f"{path}: not a debias checkpoint")
    if payload.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{path}: checkpoint format {payload.get('format_version')} is not "
                              f"supported (expected {FORMAT_VERSION})")
    return payload


def model_from_checkpoint(payload: dict, *, source: str | os.PathLike = "checkpoint"
                          ) -> GenerativeModel:
    """Rebuild, in eval mode, the model of a checkpoint dict already read with
    :func:`load_checkpoint` (so a caller that also needs its ``extra`` reads the file once)."""
    cls = MODEL_CLASSES.get(payload["model_class"])
    if cls is None:
        raise CheckpointError(f"{source}: unknown model class {payload['model_class']!r} "
                              f"(known: {', '.join(sorted(MODEL_CLASSES))})")
    model = cls.from_config(payload["config"])
    model.load_state_dict(payload["state_dict"])
    return model.eval()


def load_model(path: str | os.PathLike, *, map_location: str | torch.device = "cpu") -> GenerativeModel:
    """Rebuild the model a checkpoint holds, in eval mode."""
    return model_from_checkpoint(load_checkpoint(path, map_location=map_location), source=path)
