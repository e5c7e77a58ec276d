"""Resampling weights against a slow per-dimension NumPy reference, and their behaviour."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from debias.resampling import effective_sample_size, resampling_weights, weight_summary
from debias.resampling._reference import reference_weights


@pytest.mark.parametrize("combine", ["max", "product"])
@pytest.mark.parametrize("bins,alpha", [(10, 0.001), (5, 0.1)])
def test_matches_the_slow_reference(combine, bins, alpha):
    mu = np.random.default_rng(0).normal(size=(500, 7)) * [1, 2, 0.1, 5, 1, 1, 3]
    got = resampling_weights(mu, bins=bins, alpha=alpha, combine=combine).numpy()
    np.testing.assert_allclose(got, reference_weights(mu, bins=bins, alpha=alpha, combine=combine), rtol=1e-9)
    assert got.sum() == pytest.approx(1.0)


def test_constant_dimension_is_handled_like_numpy():
    mu = np.random.default_rng(1).normal(size=(50, 3))
    mu[:, 1] = 2.5
    np.testing.assert_allclose(resampling_weights(mu).numpy(), reference_weights(mu), rtol=1e-9)


@pytest.mark.parametrize("combine", ["max", "product"])
def test_invariant_to_permutation(combine):
    rng = np.random.default_rng(2)
    mu = rng.normal(size=(300, 10))
    perm = rng.permutation(300)
    w = resampling_weights(mu, combine=combine)
    np.testing.assert_allclose(resampling_weights(mu[perm], combine=combine), w[perm], rtol=1e-12)


@pytest.mark.parametrize("combine", ["max", "product"])
def test_uniform_latent_distribution_gives_uniform_weights(combine):
    rng = np.random.default_rng(3)
    grid = (np.arange(1000) % 10 + 0.5) / 10  # 100 points in each of 10 bins
    mu = np.stack([rng.permutation(grid) for _ in range(8)], axis=1)
    w = resampling_weights(mu, combine=combine)
    np.testing.assert_allclose(w, np.full(1000, 1e-3), rtol=1e-9)
    assert effective_sample_size(w) == pytest.approx(1000)


@pytest.mark.parametrize("combine", ["max", "product"])
def test_planted_rare_cluster_gets_the_most_weight(combine):
    rng = np.random.default_rng(4)
    common = rng.normal(0, 1, size=(980, 6))
    rare = rng.normal(6, 0.1, size=(20, 6))
    w = resampling_weights(np.concatenate([common, rare]), combine=combine).numpy()
    # Every cluster member outweighs 90% of the common faces (max also lifts common faces
    # in the tail of any one dimension, so not all of them).
    assert (w[:980] < w[980:].min()).mean() > 0.9
    assert w[980:].mean() > 2 * w[:980].mean()
    if combine == "product":  # the product concentrates: nearly all draws from the cluster
        assert w[980:].sum() > 0.9


def test_product_in_log_space_survives_a_hundred_dimensions():
    mu = np.random.default_rng(5).standard_t(2, size=(2000, 100))
    w = resampling_weights(mu, combine="product", alpha=0.0)
    assert torch.isfinite(w).all() and (w >= 0).all()
    assert float(w.sum()) == pytest.approx(1.0)


def test_temperature_moves_weights_toward_uniform():
    mu = np.random.default_rng(6).normal(size=(400, 5))
    ess = [effective_sample_size(resampling_weights(mu, temperature=t)) for t in (1.0, 0.5, 0.1)]
    assert ess[0] < ess[1] < ess[2] < 400
    w1, w5 = resampling_weights(mu).numpy(), resampling_weights(mu, temperature=0.5).numpy()
    expected = np.sqrt(w1) / np.sqrt(w1).sum()
    np.testing.assert_allclose(w5, expected, rtol=1e-9)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="combine"):
        resampling_weights(np.zeros((3, 2)), combine="sum")
    with pytest.raises(ValueError, match="temperature"):
        resampling_weights(np.zeros((3, 2)), temperature=0)
    with pytest.raises(ValueError, match="non-empty"):
        resampling_weights(np.zeros((0, 2)))


def test_summary_reports_ess_and_mean_weight_per_group():
    w = torch.tensor([0.1, 0.1, 0.4, 0.4], dtype=torch.float64)
    summary = weight_summary(w, pd.Series(["a", "a", "b", "b"]))
    assert summary["ess"] == pytest.approx(1 / (2 * 0.01 + 2 * 0.16), abs=0.05)
    assert summary["group_weight"] == {"a": pytest.approx(0.4), "b": pytest.approx(1.6)}
    assert summary["max_over_uniform"] == pytest.approx(1.6)


@pytest.mark.parametrize("combine", ["max", "product"])
def test_no_smoothing_with_empty_bins_stays_finite(combine):
    mu = np.concatenate([np.zeros((50, 2)), np.ones((5, 2))])  # 8 of 10 bins empty
    w = resampling_weights(mu, alpha=0.0, combine=combine)
    assert torch.isfinite(w).all()
    np.testing.assert_allclose(w, reference_weights(mu, alpha=0.0, combine=combine), rtol=1e-9)
    assert float(w[50:].sum()) > float(w[:50].sum())

