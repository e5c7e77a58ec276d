"""Checkpoints and image grids are written with the mode a normally created file gets."""

from __future__ import annotations

import os
import stat

import pytest
import torch

from generative import Autoencoder, AutoencoderConfig, load_model, save_checkpoint, save_grid


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_saved_checkpoint_is_0644(tmp_path, umask_022):
    model = Autoencoder(AutoencoderConfig(image_size=32, latent_dim=4))
    path = save_checkpoint(tmp_path / "models" / "model.pt", model)
    assert mode(path) == 0o644
    os.chmod(path, 0o600)
    save_checkpoint(path, model, step=1)  # replacing it
    assert mode(path) == 0o644
    assert sorted(p.name for p in path.parent.iterdir()) == ["model.pt"]
    assert isinstance(load_model(path), Autoencoder)


def test_failed_checkpoint_leaves_nothing_behind(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(torch, "save", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        save_checkpoint(tmp_path / "model.pt", Autoencoder(AutoencoderConfig(image_size=32)))
    assert list(tmp_path.iterdir()) == []


def test_saved_grid_is_0644(tmp_path, umask_022):
    path = save_grid(torch.rand(4, 3, 8, 8), tmp_path / "samples.png", nrow=2)
    assert mode(path) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["samples.png"]
