"""Weight decay and model selection in the trainer, against hand-computed values."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch

from generative import ImageBatches, TrainerConfig, load_checkpoint, train
from generative._base import GenerativeModel, register_model


@register_model
class _Drifts(GenerativeModel):
    """Test model: one weight. ``slope`` 0 gives a zero gradient (only decay moves it);
    otherwise the loss pulls the weight up by about lr per step."""

    @dataclass
    class Config:
        slope: float = 0.0

    config_class = Config

    def __init__(self, config=None):
        super().__init__(config or self.Config())
        self.weight = torch.nn.Parameter(torch.ones(1))

    def training_losses(self, batch, group="model"):
        return {"loss": -self.config.slope * self.weight.sum()}


def _batches(n=8):
    return ImageBatches(torch.zeros(n, 3, 4, 4, dtype=torch.uint8), batch_size=4)  # 2 steps


def test_weight_decay_is_decoupled_and_shrinks_by_the_hand_computed_factor():
    # A zero gradient: Adam's step is 0, so only AdamW's decay moves the weight,
    # by (1 - lr * wd) per step: 3 epochs of 2 steps.
    model = _Drifts()
    train(model, _batches(), TrainerConfig(epochs=3, lr=0.1, weight_decay=0.5, device="cpu"))
    assert model.weight.item() == pytest.approx((1 - 0.1 * 0.5) ** 6, rel=1e-6)
    plain = _Drifts()
    train(plain, _batches(), TrainerConfig(epochs=3, lr=0.1, device="cpu"))
    assert plain.weight.item() == 1.0


def test_the_best_epoch_is_restored_and_patience_stops_early(tmp_path):
    scripted = {1: 0.1, 2: 0.5, 3: 0.3, 4: 0.5, 5: 0.2}
    seen = {}

    def select(model, epoch):
        assert not model.training  # scored in eval mode
        seen[epoch] = model.weight.item()
        return scripted[epoch]

    model = _Drifts(_Drifts.Config(slope=1.0))
    ckpt = tmp_path / "m.pt"
    result = train(model, _batches(), TrainerConfig(epochs=10, lr=0.1, device="cpu",
                                                    select=select, patience=3,
                                                    checkpoint=str(ckpt)))
    # Epoch 2 is best (epoch 4 only ties it); three epochs without a better score stop at 5.
    assert result.epochs_run == 5 and result.selected_epoch == 2
    assert result.scores == scripted
    assert model.weight.item() == seen[2] != seen[5]
    assert model.training is False
    saved = load_checkpoint(ckpt)
    assert saved["extra"]["selected_epoch"] == 2
    assert saved["state_dict"]["weight"].item() == seen[2]


def test_without_selection_the_last_epoch_is_kept():
    model = _Drifts(_Drifts.Config(slope=1.0))
    result = train(model, _batches(), TrainerConfig(epochs=3, lr=0.1, device="cpu"))
    assert result.selected_epoch is None and result.scores == {} and result.epochs_run == 3
