"""What every model the trainer can fit provides, and the registry used to reload them."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import torch
from torch import nn

MODEL_CLASSES: dict[str, type[GenerativeModel]] = {}


def register_model(cls: type[GenerativeModel]) -> type[GenerativeModel]:
    """Class decorator: make ``cls`` loadable from a checkpoint by its name."""
    MODEL_CLASSES[cls.__name__] = cls
    return cls


class GenerativeModel(nn.Module):
    """Base of the models the trainer fits.

    A model is built from one config dataclass (``config_class``), computes its own losses in
    :meth:`training_losses`, and says which parameters each optimizer owns. Models with one
    optimizer use the group ``"model"``; GANs have ``"generator"`` and ``"discriminator"``,
    stepped in the order :meth:`optimizer_groups` gives.
    """

    config_class: ClassVar[type]

    def __init__(self, config: Any) -> None:
        super().__init__()
        self.config = config

    @classmethod
    def from_config(cls, config: dict | Any) -> GenerativeModel:
        """Build from a config dataclass or the dict a checkpoint stores."""
        if isinstance(config, dict):
            fields = {f.name for f in dataclasses.fields(cls.config_class)}
            config = cls.config_class(**{k: v for k, v in config.items() if k in fields})
        return cls(config)

    def config_dict(self) -> dict:
        return dataclasses.asdict(self.config)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """Parameters per optimizer, in the order they are stepped."""
        return {"model": list(self.parameters())}

    def optimizer_settings(self) -> dict[str, Any]:
        """Adam settings; models override the defaults (e.g. GANs: lr 2e-4, betas (0.5, 0.999))."""
        return {"lr": 1e-3, "betas": (0.9, 0.999)}

    def training_losses(self, batch: dict[str, torch.Tensor], group: str = "model") -> dict[str, torch.Tensor]:
        """Scalar losses for one batch; ``"loss"`` is the one minimised for ``group``."""
        raise NotImplementedError
