"""Counterfactual probe pieces: flip arithmetic, a probe that must see a dependence, the
latent direction."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from debias.counterfactual import attribute_direction, flip_summary, latent_counterfactuals, probe
from debias.models import DBVAE, DBVAEConfig


def test_flip_arithmetic_on_hand_made_scores():
    original = np.array([0.9, 0.8, 0.2, 0.1, 0.6])
    edited = np.array([0.3, 0.85, 0.7, 0.05, 0.4])
    s = flip_summary(original, edited)
    assert (s["n"], s["pos_to_neg"], s["neg_to_pos"], s["flips"]) == (5, 2, 1, 3)
    assert s["flip_rate"] == pytest.approx(3 / 5)
    assert s["pos_to_neg_rate"] + s["neg_to_pos_rate"] == pytest.approx(s["flip_rate"])
    assert s["mean_change"] == pytest.approx(np.mean(edited - original))
    # Changes −0.25, +0.05, +0.45, −0.48 fall in bins 7, 10, 14, 5 of width 0.1 from −1.
    counts = flip_summary(np.full(4, 0.5), np.array([0.25, 0.55, 0.95, 0.02])
                          )["change_histogram"]["counts"]
    assert counts == [1 if i in (5, 7, 10, 14) else 0 for i in range(20)]
    empty = flip_summary(np.array([]), np.array([]))
    assert empty["flip_rate"] is None and empty["n"] == 0


class RedDetector:
    """Calls an image a face when it is red enough: depends on the edited attribute."""

    def predict_proba(self, images):
        return (images[:, 0].float().mean(dim=(1, 2)) / 255).numpy()


class DarkDetector:
    """The attribute checker: calls an image 'dark' (the target value) when it is not red."""

    def predict_proba(self, images):
        return 1 - RedDetector().predict_proba(images)


class BrightnessBlind:
    """Looks only at the green channel, which the edit leaves alone."""

    def predict_proba(self, images):
        return (images[:, 1].float().mean(dim=(1, 2)) / 255).numpy()


def test_probe_sees_a_dependence_and_its_absence():
    rng = np.random.default_rng(0)
    originals = torch.from_numpy(rng.integers(0, 256, (50, 3, 8, 8), dtype=np.uint8))
    originals[:, 0] = 230  # red: "source value"
    originals[:, 1] = torch.from_numpy(rng.integers(150, 256, (50, 8, 8), dtype=np.uint8))
    edited = originals.clone()
    edited[:, 0] = 20  # the edit changes only the red channel
    out = probe({"dependent": RedDetector(), "blind": BrightnessBlind()}, originals, edited,
                attribute_model=DarkDetector(), face_model=BrightnessBlind())
    assert out["models"]["dependent"]["flip_rate"] == 1.0
    assert out["models"]["dependent"]["pos_to_neg"] == 50
    assert out["models"]["blind"]["flip_rate"] == 0.0
    assert out["edit_success"] == 1.0 and out["source_called_target"] == 0.0
    assert out["target_preserved"] == 1.0
    assert out["originals_preserved"] == 1.0
    # The checker's P(dark) is 1 - red/255: from 1 - 230/255 to 1 - 20/255 on every image.
    assert out["attribute_score_change"] == pytest.approx(210 / 255)
    histogram = out["models"]["dependent"]["change_histogram"]
    assert sum(histogram["counts"]) == 50 and len(histogram["edges"]) == 21


def test_attribute_direction_recovers_the_planted_dimension():
    rng = np.random.default_rng(1)
    mu = rng.normal(size=(400, 6))
    target = rng.random(400) < 0.5
    mu[target, 2] += 3.0
    direction, gap = attribute_direction(mu, target)
    assert abs(direction[2]) > 0.95 and direction[2] > 0
    assert gap == pytest.approx(3.0, abs=0.4)
    with pytest.raises(ValueError, match="both attribute values"):
        attribute_direction(mu, np.zeros(400, bool))


def test_latent_counterfactuals_decode_both_sides():
    torch.manual_seed(0)
    model = DBVAE(DBVAEConfig(image_size=32, latent_dim=4))
    images = (torch.rand(5, 3, 32, 32) * 255).to(torch.uint8)
    recon, moved = latent_counterfactuals(model, images, np.array([1.0, 0, 0, 0]), 3.0)
    assert recon.shape == moved.shape == (5, 3, 32, 32) and recon.dtype == torch.uint8
    assert not torch.equal(recon, moved) and model.training
