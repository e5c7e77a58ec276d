"""Checkpoints: ``{format_version, model_class, config, state_dict, optimizer, step, ...}``.

Written atomically (temp file + rename) and read with ``weights_only=True``, so loading a
checkpoint never runs code from it.
"""

from __future__ import annotations

import dataclasses
import math
import os
import threading
import typing
from pathlib import Path
from typing import Any

import torch
from torch.nn.modules import module as module_hooks

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
    :func:`load_checkpoint` (so a caller that also needs its ``extra`` reads the file once).

    Nothing of the file is trusted before it is checked: the config must have the fields and
    types of the model's config class; the network it describes is first built on the ``meta``
    device (no memory) and its tensor names and shapes compared with the state dict; every
    floating tensor must be finite. Only then is the real network built, so a config that
    does not match its weights never allocates memory for the network it claims.
    """
    cls = MODEL_CLASSES.get(payload.get("model_class")) if isinstance(
        payload.get("model_class"), str) else None
    if cls is None:
        raise CheckpointError(f"{source}: unknown model class {payload.get('model_class')!r} "
                              f"(known: {', '.join(sorted(MODEL_CLASSES))})")
    config = _config_of(cls, payload.get("config"), source)
    state = payload.get("state_dict")
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise CheckpointError(f"{source}: its state_dict is not a dict of named tensors")
    expected = _meta_state(cls, config, len(state), source)
    _check_state_dict(expected, state, source=source)
    model = cls(config)
    model.load_state_dict(state)
    return model.eval()


def _check_state_dict(expected: dict[str, torch.Tensor], state: dict[str, torch.Tensor], *,
                     source: str | os.PathLike = "checkpoint") -> None:
    """Refuse (``CheckpointError``) a state dict that cannot be loaded into a network whose
    own state dict is ``expected`` (its tensors may live on the ``meta`` device): a missing or
    extra tensor, another shape or kind (floating or not), a tensor that claims more elements
    than its storage holds, or a floating tensor with NaN or infinite values."""
    for name in expected:
        if name not in state:
            raise CheckpointError(f"{source}: config does not match the weights: the network "
                                  f"the config describes has a tensor {_short(name)} that the "
                                  "file lacks")
    for name in state:
        if name not in expected:
            raise CheckpointError(f"{source}: config does not match the weights: the file has "
                                  f"a tensor {_short(name)} that the network the config "
                                  "describes lacks")
    for name, want in expected.items():
        have = state[name]
        if tuple(have.shape) != tuple(want.shape):
            raise CheckpointError(f"{source}: config does not match the weights: tensor "
                                  f"{_short(name)} is {tuple(have.shape)} in the file, the "
                                  f"config makes it {tuple(want.shape)}")
        if (have.layout != torch.strided or have.is_complex()
                or have.is_floating_point() != want.is_floating_point()):
            raise CheckpointError(f"{source}: tensor {_short(name)} is a {have.dtype} "
                                  f"{str(have.layout).removeprefix('torch.')} tensor in the file, "
                                  f"the network's is {want.dtype}")
        if have.untyped_storage().nbytes() < have.numel() * have.element_size():
            raise CheckpointError(f"{source}: tensor {_short(name)} claims "
                                  f"{have.numel():,} values but its storage holds fewer")
    for name, have in state.items():
        if have.is_floating_point() and not bool(torch.isfinite(have).all()):
            what = "NaN" if bool(torch.isnan(have).any()) else "infinite values"
            raise CheckpointError(f"{source}: tensor {_short(name)} holds {what}: a network "
                                  "with non-finite weights computes nothing but NaN (the "
                                  "training that wrote it probably diverged)")


def _short(name: str) -> str:
    """A tensor or field name for a one-line message: quoted, escaped, at most 80 characters."""
    return repr(name if len(name) <= 80 else name[:77] + "...")


def _config_of(cls: type[GenerativeModel], config: Any, source) -> Any:
    """The config dataclass of ``cls`` from a checkpoint's config dict, every field checked
    against its annotation (fields the dict lacks take their defaults; unknown ones are
    ignored, as :meth:`GenerativeModel.from_config` does)."""
    if not isinstance(config, dict):
        raise CheckpointError(f"{source}: its config is a {type(config).__name__}, not a dict")
    hints = typing.get_type_hints(cls.config_class)
    fields = {f.name for f in dataclasses.fields(cls.config_class)}
    values = {k: v for k, v in config.items() if k in fields}
    for name, value in values.items():
        problem = _type_problem(value, hints.get(name, Any))
        if problem:
            raise CheckpointError(f"{source}: config field {_short(name)} is "
                                  f"{_describe(value)}, {problem}")
    try:
        return cls.config_class(**values)
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"{source}: its config is not a {cls.config_class.__name__} "
                              f"({_first_line(err)})") from None


def _type_problem(value: Any, hint: Any) -> str | None:
    """Why ``value`` does not fit the annotation ``hint`` (None: it fits, or the annotation is
    one this check does not know)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        return None if isinstance(value, bool) else "expected true or false"
    if hint is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
        return None if fits else "expected an integer"
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "expected a number"
        return None if math.isfinite(value) else "expected a finite number"
    if hint is str:
        return None if isinstance(value, str) else "expected a string"
    if origin is typing.Literal:
        return None if value in args and type(value) in {type(a) for a in args} else (
            "expected one of " + ", ".join(map(repr, args)))
    if origin is tuple and args and args[-1] is not Ellipsis:
        if not isinstance(value, (tuple, list)) or len(value) != len(args):
            return f"expected {len(args)} values"
        for item, item_hint in zip(value, args):
            problem = _type_problem(item, item_hint)
            if problem:
                return f"{problem} in each of its {len(args)} values"
    return None


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return (text.splitlines()[0][:200] if text else type(err).__name__)


class _TooBig(Exception):
    """Raised from inside a meta build that registers more than its file could hold."""


def _meta_state(cls: type[GenerativeModel], config: Any, n_tensors: int, source
                ) -> dict[str, torch.Tensor]:
    """The state dict (names, shapes, dtypes; no memory) of the network ``config`` describes.

    Built on the ``meta`` device. A config that would register far more parameters, buffers
    or submodules than the file has tensors (say ``n_blocks=100000``) is refused as soon as it
    passes that bound, before its construction takes minutes and gigabytes of Python objects.
    """
    limit, count, owner = 4 * n_tensors + 64, [0], threading.get_ident()

    def budget(*_):
        if threading.get_ident() == owner:
            count[0] += 1
            if count[0] > limit:
                raise _TooBig
        return None

    hooks = [module_hooks.register_module_parameter_registration_hook(budget),
             module_hooks.register_module_buffer_registration_hook(budget),
             module_hooks.register_module_module_registration_hook(budget)]
    try:
        with torch.device("meta"):
            network = cls(config)
        return network.state_dict()
    except _TooBig:
        raise CheckpointError(f"{source}: config does not match the weights: the network it "
                              f"describes has far more parts than the file's {n_tensors} "
                              "tensors") from None
    except Exception as err:  # a constructor refusing its config raises many types
        raise CheckpointError(f"{source}: its config cannot build a {cls.__name__} "
                              f"({_first_line(err)})") from None
    finally:
        for hook in hooks:
            hook.remove()


def load_model(path: str | os.PathLike, *, map_location: str | torch.device = "cpu") -> GenerativeModel:
    """Rebuild the model a checkpoint holds, in eval mode."""
    return model_from_checkpoint(load_checkpoint(path, map_location=map_location), source=path)
