"""Discovered slices: planted clusters are found, numbered by size, and features come from the
right layer of each model (checked against a second computation of the same numbers)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from debias.models import DBVAE, BaselineClassifier, BaselineConfig, DBVAEConfig
from debias.slices import SliceModel, discover_slices, slice_features, slice_purity
from tests.toy_faces import make_data


def planted(sizes=(300, 200, 120), *, dim=40, sub=4, spread=8.0, seed=0):
    """Gaussian clusters in a random ``sub``-dim subspace of ``dim`` dims, rotated, with
    small isotropic noise off the subspace: (features (N, dim), truth (N,))."""
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(len(sizes)), sizes)
    centres = rng.normal(size=(len(sizes), sub)) * spread
    low = centres[truth] + rng.normal(size=(len(truth), sub))
    rotation, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    x = low @ rotation[:sub] + 0.05 * rng.normal(size=(len(truth), dim)) + 3.0
    order = rng.permutation(len(truth))
    return x[order], truth[order]


# -- discover_slices ------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["gmm", "kmeans"])
@pytest.mark.parametrize("k", [None, 3])
def test_planted_clusters_are_recovered(method, k):
    x, truth = planted()
    model = discover_slices(x, k=k, method=method)
    assert model.k_ == 3
    assert adjusted_rand_score(truth, model.assign(x)) >= 0.9


@pytest.mark.parametrize("sizes", [(200, 150), (250, 200, 150, 100), (200,) * 5])
def test_bic_chooses_the_planted_number_of_slices(sizes):
    x, truth = planted(sizes, seed=len(sizes))
    model = discover_slices(x)
    assert model.k_ == len(sizes)
    assert model.k_ == min(model.bic_, key=model.bic_.get)
    assert sorted(model.bic_) == list(range(2, 9))
    assert adjusted_rand_score(truth, model.assign(x)) >= 0.9


def test_k_is_capped_so_slices_can_hold_min_size_images():
    x, _ = planted((60, 50, 40))  # 150 images
    model = discover_slices(x, min_size=30, max_k=8)
    assert max(model.bic_) == 150 // 30


def test_slices_are_numbered_by_size_whatever_the_seed():
    x, truth = planted((120, 300, 200))  # cluster 1 largest, then 2, then 0
    fits = [discover_slices(x, seed=seed) for seed in (0, 1, 2)]
    labels = [f.assign(x) for f in fits]
    for f, lab in zip(fits, labels):
        assert f.sizes_.tolist() == [300, 200, 120]
        assert np.bincount(lab).tolist() == [300, 200, 120]
        # slice index 0 ("slice 1") is the largest planted cluster, and so on
        assert np.array_equal(lab, np.array([2, 0, 1])[truth])
    assert all(np.array_equal(labels[0], lab) for lab in labels[1:])
    again = discover_slices(x, seed=1)
    assert again.bic_ == fits[1].bic_ and np.array_equal(again.assign(x), labels[1])
    assert fits[0].names(np.array([0, 2, 1])) == ["slice 1", "slice 3", "slice 2"]


def test_assign_on_the_fitting_features_gives_the_fit_labels():
    """Oracle: the same rule written out with sklearn, then renumbered by size."""
    x, _ = planted((250, 180, 100), seed=3)
    model = discover_slices(x, k=3, n_components=6, seed=5)
    z = PCA(n_components=6, svd_solver="full").fit_transform(StandardScaler().fit_transform(x))
    fit = GaussianMixture(n_components=3, covariance_type=model.covariance_type_, n_init=2,
                          init_params="k-means++", random_state=5).fit(z).predict(z)
    by_size = np.argsort(-np.bincount(fit), kind="stable")
    expected = np.argsort(by_size)[fit]
    assert np.array_equal(model.assign(x), expected)
    assert model.d_ == 6 and model.bic_ == {}


def test_covariance_rule_follows_samples_per_parameter():
    small, _ = planted((200, 150), dim=10)
    assert discover_slices(small, k=2, n_components=10).covariance_type_ == "diag"
    # 2 components in 2 dims: 2 * (2 + 3) + 1 = 11 parameters -> full from 110 images
    assert discover_slices(small, k=2, n_components=2).covariance_type_ == "full"


def test_near_constant_features_are_dropped():
    x, truth = planted((220, 160))
    rng = np.random.default_rng(9)
    padded = np.column_stack([x[:, :5], np.full(len(x), 7.0), x[:, 5:],
                              1e-8 * rng.normal(size=len(x)), np.zeros(len(x))])
    model = discover_slices(padded, k=2)
    assert model.keep_.sum() == x.shape[1]
    assert not model.keep_[[5, -2, -1]].any()
    assert np.array_equal(model.assign(padded), discover_slices(x, k=2).assign(x))


def test_pca_dimensions_are_bounded_by_features_and_images():
    x, _ = planted((40, 30), dim=30)
    assert discover_slices(x, n_components=20, min_size=10).d_ == 20
    assert discover_slices(x[:, :7], n_components=20, min_size=10).d_ == 7
    assert discover_slices(x[:12], n_components=20, k=2, min_size=6).d_ == 11


@pytest.mark.parametrize("change, match", [
    (lambda x: x[:59], "too few images"),
    (lambda x: np.where(np.arange(x.size).reshape(x.shape) == 7, np.nan, x), "NaN"),
    (lambda x: np.where(np.arange(x.size).reshape(x.shape) == 7, np.inf, x), "NaN or inf"),
    (lambda x: x[:, 0], "2-d"),
    (lambda x: np.ones_like(x), "constant"),
])
def test_bad_features_are_refused(change, match):
    x, _ = planted((40, 40))
    with pytest.raises(ValueError, match=match):
        discover_slices(change(x), min_size=30)


@pytest.mark.parametrize("kwargs, match", [
    ({"k": 1}, "k must be between 2"), ({"k": 3}, "k must be between 2"),
    ({"max_k": 1}, "max_k"), ({"method": "dbscan"}, "method"),
])
def test_bad_settings_are_refused(kwargs, match):
    x, _ = planted((40, 40))  # 80 images, min_size 30: at most 2 slices
    with pytest.raises(ValueError, match=match):
        discover_slices(x, **kwargs)


def test_assign_and_names_check_their_input():
    x, _ = planted((40, 40))
    model = discover_slices(x, k=2)
    assert isinstance(model, SliceModel) and model.features_kind == "features"
    with pytest.raises(ValueError, match="10 columns, the slices were fitted on 40"):
        model.assign(x[:, :10])
    with pytest.raises(ValueError, match="NaN"):
        model.assign(np.full_like(x[:3], np.nan))
    with pytest.raises(ValueError, match=r"0\.\.1"):
        model.names(np.array([0, 2]))
    assert model.assign(x[:0]).shape == (0,)


def test_slice_purity_by_hand():
    slices = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    groups = np.array(["d", "d", "l", "d", "l", "l", "l", "l"])
    assert slice_purity(slices, groups, 0, "d") == {"purity": 2 / 3, "recall": 2 / 3,
                                                     "base_rate": 3 / 8, "size": 3}
    assert slice_purity(slices, groups, 5, "d")["purity"] is None


# -- slice_features -------------------------------------------------------------------------

def images(n=10, size=32, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).integers(
        0, 256, (n, 3, size, size), dtype=np.uint8))


def warmed(model):
    """Give BatchNorm running statistics unlike a batch's own, so eval and train differ."""
    model.train()
    with torch.no_grad():
        model.encoder(torch.rand(16, 3, 32, 32) * 0.3)
    return model


def test_baseline_gives_penultimate_features_of_eval_mode():
    torch.manual_seed(0)
    model = warmed(BaselineClassifier(BaselineConfig(image_size=32)))
    x = images(10)
    bn = model.encoder.features[2]
    running = bn.running_mean.clone()
    feats, kind = slice_features(model, x, batch_size=3)
    assert kind == "classifier penultimate features"
    assert feats.shape == (10, 512) and feats.dtype == np.float32 and (feats >= 0).all()
    assert model.training and all(m.training for m in model.modules())  # mode restored
    assert torch.equal(bn.running_mean, running)  # ran in eval mode: statistics untouched
    model.eval()
    with torch.no_grad():
        h = model.encoder.features(x.float() / 255)
        for layer in list(model.encoder.head)[:3]:
            h = layer(h)
    np.testing.assert_allclose(feats, h.numpy(), rtol=1e-5, atol=1e-6)
    slice_features(model, x)  # an eval-mode model stays in eval mode
    assert not model.training


def test_dbvae_gives_latent_means():
    torch.manual_seed(0)
    model = warmed(DBVAE(DBVAEConfig(image_size=32, latent_dim=6)))
    x = images(9)
    feats, kind = slice_features(model, x, batch_size=4)
    assert kind == "DB-VAE latent means" and feats.shape == (9, 6)
    assert model.training
    model.eval()
    with torch.no_grad():
        mu = model.encoder(x.float() / 255)[:, 1:7]
    np.testing.assert_allclose(feats, mu.numpy(), rtol=1e-5, atol=1e-6)


def test_no_model_gives_block_averaged_pixels():
    x = images(5, size=32)
    feats, kind = slice_features(None, x)
    assert kind == "downsampled pixels" and feats.shape == (5, 192)
    blocks = x.numpy().reshape(5, 3, 8, 4, 8, 4).mean(axis=(3, 5)) / 255
    np.testing.assert_allclose(feats, blocks.reshape(5, 192), rtol=1e-5, atol=1e-6)
    assert slice_features(None, images(0))[0].shape == (0, 192)


def test_other_models_and_bad_images_are_refused():
    with pytest.raises(TypeError, match="Linear"):
        slice_features(torch.nn.Linear(3, 1), images(2))
    with pytest.raises(ValueError, match=r"\(N, 3, S, S\)"):
        slice_features(None, images(2)[:, :1])


def test_pixel_slices_find_the_kinds_of_toy_images():
    """End to end: bright discs, dark discs and noise are three slices of their pixels."""
    data = make_data(n_faces=192, n_non=96)
    kind = np.where(data.labels.numpy() == 0, "noise", data.meta["skin_tone"].to_numpy())
    feats, name = slice_features(None, data.images)
    model = discover_slices(feats, k=3, features_kind=name)
    assert model.features_kind == "downsampled pixels"
    labels = model.assign(feats)
    assert adjusted_rand_score(kind, labels) >= 0.9
    assert slice_purity(labels, kind, 0, "light") == {"purity": 1.0, "recall": 1.0,
                                                      "base_rate": 144 / 288, "size": 144}
