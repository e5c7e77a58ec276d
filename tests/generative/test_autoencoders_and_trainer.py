"""AE / VAE behaviour and the trainer: steps, eval, checkpoints, resume, divergence."""

from __future__ import annotations

import pytest
import torch

from generative import (
    VAE,
    Autoencoder,
    AutoencoderConfig,
    CheckpointError,
    ImageBatches,
    TrainerConfig,
    TrainingDiverged,
    VAEConfig,
    linear_decay,
    load_checkpoint,
    load_model,
    save_checkpoint,
    train,
)
from generative._base import GenerativeModel, register_model


def blobs(n=64, size=32, seed=0) -> torch.Tensor:
    """uint8 images: a bright square at one of two places on a dark ground."""
    g = torch.Generator().manual_seed(seed)
    images = torch.full((n, 3, size, size), 20, dtype=torch.uint8)
    for i in range(n):
        top = 4 if torch.rand(1, generator=g) < 0.5 else size // 2
        images[i, :, top:top + size // 4, 8:8 + size // 4] = 230
    return images


def small_vae(**kw):
    return VAE(VAEConfig(image_size=32, latent_dim=8, **kw))


def test_a_train_step_changes_weights_and_eval_does_not():
    torch.manual_seed(0)
    model = small_vae()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = blobs(8).float() / 255
    model.eval()
    with torch.no_grad():
        model(x)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.training_losses({"x": x})["loss"].backward()
    opt.step()
    changed = [k for k, v in model.state_dict().items() if not torch.equal(before[k], v)]
    assert "encoder.head.3.weight" in changed and "decoder.project.0.weight" in changed


@pytest.mark.parametrize("cls,config", [
    (Autoencoder, AutoencoderConfig(image_size=32, latent_dim=8)),
    (VAE, VAEConfig(image_size=32, latent_dim=8, reconstruction="l2")),
])
def test_save_load_gives_identical_outputs(tmp_path, cls, config):
    torch.manual_seed(1)
    model = cls(config)
    train(model, ImageBatches(blobs(32), batch_size=8), TrainerConfig(epochs=1, device="cpu"))
    path = save_checkpoint(tmp_path / "m.pt", model, step=4, epoch=1)
    loaded = load_model(path)
    assert type(loaded) is cls and loaded.config == config
    x = blobs(4, seed=5).float() / 255
    with torch.no_grad():
        out_a = model.encode(x) if cls is Autoencoder else model.encode(x)[0]
        out_b = loaded.encode(x) if cls is Autoencoder else loaded.encode(x)[0]
    assert torch.equal(out_a, out_b)


def test_vae_learns_to_reconstruct():
    torch.manual_seed(0)
    model = small_vae()
    result = train(model, ImageBatches(blobs(128), batch_size=16),
                   TrainerConfig(epochs=15, device="cpu", lr=3e-3))
    losses = [h["reconstruction"] for h in result.history]
    first, last = sum(losses[:8]) / 8, sum(losses[-8:]) / 8
    assert last < 0.5 * first
    samples = model.sample(4, generator=torch.Generator().manual_seed(0))
    assert samples.shape == (4, 3, 32, 32) and 0 <= samples.min() and samples.max() <= 1


def test_resume_continues_exactly(tmp_path):
    data = ImageBatches(blobs(32), batch_size=8)
    torch.manual_seed(3)
    straight = small_vae()
    start = {k: v.clone() for k, v in straight.state_dict().items()}
    train(straight, data, TrainerConfig(epochs=2, device="cpu"))

    resumed = small_vae()
    resumed.load_state_dict(start)
    ckpt = tmp_path / "vae.pt"
    train(resumed, data, TrainerConfig(epochs=1, device="cpu", checkpoint=str(ckpt)))
    fresh = small_vae()  # a new process would start from scratch and resume from disk
    result = train(fresh, data, TrainerConfig(epochs=2, device="cpu", checkpoint=str(ckpt),
                                              resume=True))
    assert result.steps == 8 and len(result.history) == 8
    for key, value in straight.state_dict().items():
        assert torch.allclose(value.float(), fresh.state_dict()[key].float(), atol=1e-6), key


@register_model
class _ExplodesAtStep(GenerativeModel):
    """Test model: a linear fit whose loss turns NaN at a given step."""

    from dataclasses import dataclass as _dc

    @_dc
    class Config:
        nan_at: int = 5

    config_class = Config

    def __init__(self, config=None):
        super().__init__(config or self.Config())
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.calls = 0

    def training_losses(self, batch, group="model"):
        self.calls += 1
        loss = (self.weight - 1).square().sum()
        if self.calls > self.config.nan_at:
            loss = loss * float("nan")
        return {"loss": loss}


def test_nan_stops_with_a_clear_message_and_keeps_the_last_good_checkpoint(tmp_path):
    ckpt = tmp_path / "m.pt"
    model = _ExplodesAtStep(_ExplodesAtStep.Config(nan_at=6))
    data = ImageBatches(blobs(16), batch_size=4)  # 4 steps per epoch: epoch 2 hits step 6
    with pytest.raises(TrainingDiverged, match=r"loss 'loss' became nan at step 6 \(epoch 1\)"):
        train(model, data, TrainerConfig(epochs=3, device="cpu", checkpoint=str(ckpt)))
    state = load_checkpoint(ckpt)
    assert state["epoch"] == 1 and state["step"] == 4
    assert torch.isfinite(state["state_dict"]["weight"]).all()


def test_linear_decay_at_epoch_boundaries():
    # 3 constant epochs, then 3 decaying: Zhu et al.'s 1 − max(0, e + 1 − 3) / (3 + 1)
    factors = [linear_decay(e, epochs=6, decay_start=3) for e in range(6)]
    assert factors == pytest.approx([1, 1, 1, 0.75, 0.5, 0.25])
    assert linear_decay(10, epochs=20, decay_start=None) == 1.0


def test_trainer_applies_the_schedule_and_max_steps():
    model = _ExplodesAtStep(_ExplodesAtStep.Config(nan_at=10_000))
    result = train(model, ImageBatches(blobs(8), batch_size=4),
                   TrainerConfig(epochs=4, decay_start_epoch=2, lr=0.1, device="cpu"))
    lrs = [h["lr"] for h in result.history[::2]]
    assert lrs == pytest.approx([0.1, 0.1, 0.1 * 2 / 3, 0.1 / 3])
    capped = train(_ExplodesAtStep(), ImageBatches(blobs(8), batch_size=4),
                   TrainerConfig(epochs=4, max_steps=3, device="cpu"))
    assert capped.steps == 3


def test_bad_checkpoint_files(tmp_path):
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        load_model(tmp_path / "none.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_model(tmp_path / "junk.pt")
    torch.save({"model_class": "Nope", "format_version": 1, "config": {}}, tmp_path / "x.pt")
    with pytest.raises(CheckpointError, match="unknown model class 'Nope'"):
        load_model(tmp_path / "x.pt")
