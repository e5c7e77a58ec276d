"""Device handling of the trainer: batch transfer on any machine; CUDA paths where a GPU is.

The CUDA tests skip on machines without one (CI has none); they run wherever a GPU is
present, e.g. `pytest tests/generative/test_device.py` on a GPU machine.
"""

from __future__ import annotations

import pytest
import torch

from debias.data import ImageDataset
from debias.training import fit
from generative._trainer import _to_device, resolve_device
from tests.toy_faces import make_data

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def test_image_batches_become_unit_floats_and_other_tensors_keep_their_type():
    images = torch.randint(0, 256, (4, 3, 8, 8), dtype=torch.uint8)
    batch = {"x": images, "y": torch.tensor([1, 0, 1, 0]), "index": torch.arange(4)}
    moved = _to_device(batch, torch.device("cpu"), channels_last=True)
    torch.testing.assert_close(moved["x"], images.float() / 255)
    assert moved["x"].is_contiguous(memory_format=torch.channels_last)
    assert moved["y"].dtype == torch.int64 and moved["index"].dtype == torch.int64


def test_cpu_is_resolved_without_a_gpu():
    assert resolve_device("cpu") == torch.device("cpu")
    if not torch.cuda.is_available():
        assert resolve_device("auto") == torch.device("cpu")
        with pytest.raises(ValueError, match="no CUDA device"):
            resolve_device("cuda")


def _learns_on(device: str, amp: bool) -> list[float]:
    data: ImageDataset = make_data()
    model = fit(data, model="dbvae", epochs=4, batch_size=16, latent_dim=8, seed=0,
                device=device, amp=amp, progress=False)
    assert next(model.parameters()).device.type == "cpu"  # handed back on the CPU
    return [r["loss"] for r in model.history_]


@cuda
@pytest.mark.parametrize("amp", [True, False])
def test_dbvae_learns_on_cuda_with_and_without_mixed_precision(amp):
    losses = _learns_on("cuda", amp)
    steps = len(losses) // 4
    assert all(torch.isfinite(torch.tensor(losses)))
    assert sum(losses[-steps:]) < 0.8 * sum(losses[:steps])


@cuda
def test_cuda_and_cpu_models_agree_on_their_own_predictions():
    data = make_data()
    model = fit(data, model="baseline", epochs=3, batch_size=16, seed=0, device="cuda",
                progress=False)
    on_cpu = model.predict_proba(data.images)
    on_gpu = model.cuda().predict_proba(data.images)
    assert abs(on_cpu - on_gpu).max() < 1e-3
