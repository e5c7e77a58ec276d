"""JTT, AFR and DFR as training methods, and per-image sampling weights in the batches.

Oracles: hand computations (JTT's weights, AFR's weights, the within-class normalisation),
exact draw probabilities (sample weights), scikit-learn's logistic regression (the last-layer
refit), the optimality condition of the anchored refit, and a minority sub-population a short
baseline gets wrong (JTT's error set).
"""

from __future__ import annotations

import copy
from dataclasses import replace
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from debias.data import ImageDataset
from debias.resampling import BalancedBatches
from debias.training import (
    TrainingSettings, afr, dfr, fit, jtt, load_classifier, train_method, uses_group_labels,
)
from debias.training import _methods
from debias.training._methods import (
    afr_weights, class_split, error_set, group_balanced_rows, jtt_weights, refit_last_layer,
)
from generative import load_checkpoint

SIZE = 16
FAST = TrainingSettings(epochs=1, batch_size=16, device="cpu", amp=False, progress=False, seed=0)


def toy(n_light: int = 120, n_dark: int = 12, n_neg: int = 132, seed: int = 0) -> ImageDataset:
    """Faces: a bright disc (``tone`` light) or, for a minority, a dim one close to the
    non-faces' grey noise (``tone`` dark; a baseline trained two epochs of 16 steps misses
    all of them and none of the light ones, seeds 0-2); ``age`` cycles young/old."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    disc = ((yy - SIZE / 2) ** 2 + (xx - SIZE / 2) ** 2) < (SIZE / 3) ** 2
    n = n_light + n_dark + n_neg
    images = rng.normal(70, 25, (n, 3, SIZE, SIZE))
    images[:n_light][:, :, disc] = 220
    images[n_light:n_light + n_dark][:, :, disc] = 80
    images = np.clip(images + rng.normal(0, 8, images.shape), 0, 255).astype(np.uint8)
    labels = np.r_[np.ones(n_light + n_dark, np.int64), np.zeros(n_neg, np.int64)]
    meta = pd.DataFrame({"path": [f"{i}.png" for i in range(n)], "label": labels,
                         "tone": ["light"] * n_light + ["dark"] * n_dark + [""] * n_neg,
                         "age": np.where(np.arange(n) % 2 == 0, "young", "old")})
    return ImageDataset(torch.from_numpy(images), torch.from_numpy(labels), meta,
                        ["tone", "age"], Path("."))


@pytest.fixture(scope="module")
def data() -> ImageDataset:
    return toy()


def with_meta(data: ImageDataset, meta: pd.DataFrame, attributes: list[str]) -> ImageDataset:
    return ImageDataset(data.images, data.labels, meta, attributes, Path("."))


def assert_same_parameters(a, b) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key


# --------------------------------------------------------------------------- sample weights


def test_sample_weights_draws_follow_the_weights_and_keep_class_balance():
    # 40 faces weighted 1, 3, 0, 4, 1, 3, ... and 30 non-faces weighted 2, 2, 6, 2, ...
    labels = torch.tensor([1] * 40 + [0] * 30)
    images = torch.zeros(70, 3, SIZE, SIZE, dtype=torch.uint8)
    weights = torch.tensor([1.0, 3.0, 0.0, 4.0] * 10 + [2.0, 2.0, 6.0] * 10)
    batches = BalancedBatches(images, labels, batch_size=80, steps_per_epoch=250,
                              sample_weights=weights,
                              groups=pd.Series(list("aabb") * 10 + list("ccc") * 10))
    counts = torch.zeros(70)
    for batch in batches.epoch(0, torch.Generator().manual_seed(0)):
        assert batch["y"].tolist() == [1] * 40 + [0] * 40  # 40 faces, then 40 non-faces
        counts += torch.bincount(batch["index"], minlength=70)
    faces = counts[:40].reshape(10, 4).sum(0) / counts[:40].sum()
    nonfaces = counts[40:].reshape(10, 3).sum(0) / counts[40:].sum()
    # 10,000 draws per class: a frequency's standard error is at most 0.005.
    np.testing.assert_allclose(faces, [1 / 8, 3 / 8, 0, 4 / 8], atol=0.02)
    np.testing.assert_allclose(nonfaces, [0.2, 0.2, 0.6], atol=0.02)
    assert counts[2::4][:10].sum() == 0
    np.testing.assert_allclose(batches.weights, np.tile([1, 3, 0, 4], 10) / 80)
    np.testing.assert_allclose(batches.nonface_weights, np.tile([2, 2, 6], 10) / 100)
    log = batches.log_[0]
    assert log["group_weight"] == {"a": pytest.approx(1.0), "b": pytest.approx(1.0)}
    assert log["negative_max_over_uniform"] == pytest.approx(1.8)
    assert log["ess"] == pytest.approx(1 / (10 * (1 + 9 + 16) / 80 ** 2), abs=0.05)


def test_sample_weights_are_checked():
    labels = torch.tensor([1, 1, 0, 0])
    images = torch.zeros(4, 3, SIZE, SIZE, dtype=torch.uint8)
    with pytest.raises(ValueError, match="exclude"):
        BalancedBatches(images, labels, batch_size=2, adaptive=True, sample_weights=torch.ones(4))
    with pytest.raises(ValueError, match="exclude"):
        BalancedBatches(images, labels, batch_size=2, sample_weights=torch.ones(4),
                        balance_groups=pd.Series(list("abab")))
    for bad, message in ((torch.tensor([1.0, -1, 1, 1]), "non-negative"),
                         (torch.tensor([1.0, 1, 0, 0]), "all zero on the non-faces"),
                         (torch.ones(3), "3 values for 4 images")):
        with pytest.raises(ValueError, match=message):
            BalancedBatches(images, labels, batch_size=2, sample_weights=bad)
    with pytest.raises(ValueError, match="baseline"):
        fit(toy(8, 0, 8), FAST, model="dbvae", sample_weights=torch.ones(16))


# --------------------------------------------------------------------------- JTT


def test_jtt_error_set_and_upweighting_by_hand(data, monkeypatch, tmp_path):
    labels = data.labels.numpy()
    probabilities = np.where(labels == 1, 0.9, 0.1)
    planted = np.array([3, 50, 131, 140, 200])  # faces 3, 50, 131; non-faces 140, 200
    probabilities[planted] = [0.2, 0.4999, 0.01, 0.5, 0.97]
    probabilities[7], probabilities[150] = 0.5, 0.4999  # on the right side of 0.5
    monkeypatch.setattr(_methods, "_scores", lambda model, images, settings: probabilities)
    calls = []
    real_fit = _methods.fit

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(_methods, "fit", spy)
    model = jtt(data, FAST, jtt_epochs=1, upweight=7.0, max_steps=2,
                checkpoint=str(tmp_path / "jtt.pt"))
    expected = np.zeros(len(data), bool)
    expected[planted] = True
    np.testing.assert_array_equal(model.error_set_, expected)
    assert model.method_ | {"first_stage": None} == {
        "name": "jtt", "jtt_epochs": 1, "upweight": 7.0, "threshold": 0.5, "errors": 5,
        "errors_positive": 3, "errors_negative": 2, "first_stage": None}
    assert load_checkpoint(tmp_path / "jtt.pt")["extra"]["method"] == model.method_
    assert "sample_weights" not in calls[0] and len(calls) == 2
    given = calls[1]["sample_weights"]
    np.testing.assert_array_equal(given.numpy(), np.where(expected, 7.0, 1.0))
    # Within each class: 7 / (7·errors + others) for an error, 1 / (...) for the others.
    batches = BalancedBatches(data.images, data.labels, sample_weights=given)
    faces_total, nonfaces_total = 7 * 3 + (132 - 3), 7 * 2 + (132 - 2)
    np.testing.assert_allclose(batches.weights[[3, 50, 131, 0]],
                               np.array([7, 7, 7, 1]) / faces_total)
    np.testing.assert_allclose(batches.nonface_weights[[140 - 132, 200 - 132, 0]],
                               np.array([7, 7, 1]) / nonfaces_total)
    assert len(model.history_) == 2 and model.resampling_[0]["max_over_uniform"] == \
        pytest.approx(7 * 132 / faces_total, abs=0.01)


def test_error_set_threshold_and_weights_by_hand():
    errors = error_set([0.5, 0.4999, 0.5, 0.2], [1, 1, 0, 0])
    assert errors.tolist() == [False, True, True, False]
    assert jtt_weights(errors, upweight=20).tolist() == [1.0, 20.0, 20.0, 1.0]
    with pytest.raises(ValueError, match="positive"):
        jtt_weights(errors, upweight=0)


def test_jtt_error_set_is_enriched_in_the_minority_a_short_baseline_misses(data):
    model = jtt(data, FAST, jtt_epochs=2)
    tone = data.meta["tone"].to_numpy()
    errors = model.error_set_
    dark_rate, light_rate = errors[tone == "dark"].mean(), errors[tone == "light"].mean()
    assert dark_rate >= 0.5 and dark_rate > 4 * light_rate
    # The dark faces (9% of the faces) get most of the face draws of the second training.
    weights = jtt_weights(errors, upweight=20.0)[data.labels == 1]
    assert float(weights[tone[data.labels.numpy() == 1] == "dark"].sum() / weights.sum()) > 0.5


# --------------------------------------------------------------------------- AFR


def test_afr_weights_by_hand():
    p, y = [0.9, 0.3, 0.2, 0.6, 0.5], [1, 1, 0, 0, 0]
    e = [math.exp(-2 * q) for q in (0.9, 0.3, 0.8, 0.4, 0.5)]  # γ · p(true class)
    faces, nonfaces = e[0] + e[1], e[2] + e[3] + e[4]
    expected = [e[0] / faces / 2, e[1] / faces / 2, e[2] / nonfaces / 2, e[3] / nonfaces / 2,
                e[4] / nonfaces / 2]
    np.testing.assert_allclose(afr_weights(p, y, gamma=2.0), expected, rtol=1e-12)
    np.testing.assert_allclose(afr_weights(p, y, gamma=0.0), [0.25, 0.25] + [1 / 6] * 3)


def test_afr_retrains_only_the_last_layer(data, monkeypatch, tmp_path):
    firsts = []
    real_fit = _methods.fit

    def spy(*args, **kwargs):
        model = real_fit(*args, **kwargs)
        firsts.append(copy.deepcopy(model.state_dict()))
        return model

    monkeypatch.setattr(_methods, "fit", spy)
    ckpt = tmp_path / "afr.pt"
    model = afr(data, FAST, max_steps=6, checkpoint=str(ckpt), checkpoint_extra={"split": {"n": 1}})
    first, final = firsts[0], model.state_dict()
    last = {"encoder.head.3.weight", "encoder.head.3.bias"}
    for key in final:
        if key not in last:
            assert torch.equal(first[key], final[key]), key
    assert not torch.equal(first["encoder.head.3.weight"], final["encoder.head.3.weight"])
    assert model.method_["loss_end"] < model.method_["loss_start"]
    assert model.split_ == {"n": 1} and len(model.history_) == 6
    # Held out: 20% of each class (26 of 132), disjoint from what the first model saw.
    assert len(model.held_out_rows_) == 52 and model.sample_weights_.sum() == pytest.approx(1)
    loaded = load_classifier(ckpt)
    np.testing.assert_array_equal(loaded.predict_proba(data.images),
                                  model.predict_proba(data.images))
    assert load_checkpoint(ckpt)["extra"]["method"] == model.method_


def test_refit_matches_scikit_learn_and_the_anchored_optimum():
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.normal(size=(200, 5)))
    y = (x[:, 0].numpy() + 0.5 * x[:, 1].numpy() + rng.normal(0, 1, 200) > 0).astype(np.int64)
    w = torch.from_numpy(rng.uniform(0.5, 2, 200))
    w = w / w.sum()
    zero = (torch.zeros(1, 5), torch.zeros(1))
    l2 = 0.01
    weight, bias, _ = refit_last_layer(x.float(), y, w, start=zero, anchor=None, l2=l2)
    # Σ w_i loss_i + l2‖W‖²  =  2·l2 · (½‖W‖² + C Σ w_i loss_i) with C = 1 / (2·l2).
    reference = LogisticRegression(C=1 / (2 * l2), tol=1e-10, max_iter=10_000).fit(
        x.numpy(), y, sample_weight=w.numpy())
    np.testing.assert_allclose(weight.numpy(), reference.coef_, atol=1e-4)
    np.testing.assert_allclose(bias.numpy(), reference.intercept_, atol=1e-4)
    # With an anchor: the gradient of the loss equals −2·l2·(W − anchor) at the optimum.
    anchor = (torch.ones(1, 5), torch.zeros(1))
    weight, bias, _ = refit_last_layer(x.float(), y, w, start=zero, anchor=anchor, l2=l2)
    p = torch.sigmoid(x @ weight.double().T + bias.double()).flatten()
    gradient = ((p - torch.from_numpy(y)) * w) @ x
    np.testing.assert_allclose(gradient.numpy(), -2 * l2 * (weight.double() - 1).flatten(),
                               atol=1e-5)
    assert abs(float(((p - torch.from_numpy(y)) * w).sum())) < 1e-5


# --------------------------------------------------------------------------- DFR


def test_group_balanced_rows_by_hand():
    cells = np.array(["a", "a", "a", "b", "b", "c", "c", "c", "c"])
    rows = group_balanced_rows(cells, rng=np.random.default_rng(0))
    assert sorted(cells[rows]) == ["a", "a", "b", "b", "c", "c"] and list(rows) == sorted(rows)


def test_dfr_fits_group_balanced_held_out_rows_only(data):
    model = dfr(data, FAST, group_columns=["tone"], subsets=3, max_steps=4)
    first, held = class_split(data.labels.numpy(), held_out=0.2, seed=0)
    np.testing.assert_array_equal(model.held_out_rows_, held)
    assert model.last_layer_rows_.shape[0] == 3
    for rows in model.last_layer_rows_:
        assert set(rows) <= set(held)
        cells = pd.Series(data.labels.numpy()[rows].astype(str)
                          + data.meta["tone"].to_numpy()[rows])
        assert cells.value_counts().nunique() == 1 and cells.nunique() == 3  # dark, light, ""
    # Scrambling the first part's group labels changes nothing.
    meta = data.meta.copy()
    shuffled = np.random.default_rng(1).permutation(meta.loc[first, "tone"].to_numpy())
    meta.loc[first, "tone"] = shuffled
    again = dfr(with_meta(data, meta, data.attributes), FAST, group_columns=["tone"], subsets=3,
                max_steps=4)
    assert_same_parameters(model, again)
    assert model.method_["group_columns"] == ["tone"] and model.method_["cells"] == 3
    with pytest.raises(ValueError, match="attribute columns"):
        dfr(data, FAST, group_columns=["skin"])


# --------------------------------------------------------------------------- label-free


@pytest.mark.parametrize("method", ["jtt", "afr"])
def test_label_free_methods_never_read_group_labels(data, method):
    scrambled = data.meta.copy()
    scrambled["tone"] = np.random.default_rng(2).permutation(scrambled["tone"].to_numpy())
    scrambled["age"] = "x"
    removed = data.meta.drop(columns=["tone", "age"])
    models = [train_method(d, FAST, method=method, max_steps=3)
              for d in (data, with_meta(data, scrambled, data.attributes),
                        with_meta(data, removed, []))]
    assert_same_parameters(models[0], models[1])
    assert_same_parameters(models[0], models[2])
    assert models[0].attributes_ == []


def test_dispatcher_routes_and_marks_group_label_methods(data):
    assert [m for m in ("baseline", "dbvae", "jtt", "afr", "dfr", "balanced")
            if uses_group_labels(m)] == ["dfr", "balanced"]
    with pytest.raises(ValueError, match="label-free"):
        train_method(data, FAST, method="jtt", group_columns=["tone"])
    with pytest.raises(ValueError, match="pass group_columns"):
        train_method(data, FAST, method="balanced")
    with pytest.raises(ValueError, match="not attributes of the data"):
        train_method(data, FAST, method="balanced", group_columns=["skin"])
    with pytest.raises(ValueError, match="method must be one of"):
        train_method(data, FAST, method="gdro")
    balanced = train_method(data, FAST, method="balanced", group_columns=["tone"], max_steps=2,
                            seed=3)
    reference = fit(data, FAST, model="baseline", balance_by=["tone"], max_steps=2, seed=3)
    assert_same_parameters(balanced, reference)
    assert balanced.method_ == {"name": "balanced", "group_columns": ["tone"]}
    assert train_method(data, FAST, method="afr", max_steps=2).method_["name"] == "afr"


# --------------------------------------------------------------------------- feature rarity


def test_feature_rarity_redraws_the_faces_whose_features_are_rare(data, monkeypatch):
    """The dim-disc minority (12 of 132 faces) sits apart from the bright discs in the
    baseline's features: the weights of the last epoch must draw it several times as often as
    uniform draws would, and rank it rare (AUC by hand) on the final model's features."""
    from debias.resampling import rarity_scores

    drawn = []
    update = BalancedBatches.update_weights

    def spy(self, model):
        weights, seconds = update(self, model)
        drawn.append(weights.clone())
        return weights, seconds

    monkeypatch.setattr(BalancedBatches, "update_weights", spy)
    model = train_method(data, replace(FAST, epochs=2, rarity="knn"), method="feature_rarity")
    assert model.method_ == {"name": "feature_rarity", "rarity": "knn"}
    assert len(drawn) == 2  # one redraw per epoch
    dark = data.meta["tone"].to_numpy()[data.labels.numpy() == 1] == "dark"
    assert float(drawn[-1][dark].mean()) * len(dark) > 2.0
    features = model.penultimate_features(data.images[data.labels == 1])
    assert features.shape == (132, 512)
    ranks = pd.Series(rarity_scores(features.numpy(), estimator="knn")).rank().to_numpy()
    n_dark, n_light = dark.sum(), (~dark).sum()
    assert (ranks[dark].sum() - n_dark * (n_dark + 1) / 2) / (n_dark * n_light) > 0.9


def test_feature_rarity_never_reads_group_labels_and_defaults_to_knn(data):
    scrambled = data.meta.copy()
    scrambled["tone"] = np.random.default_rng(2).permutation(scrambled["tone"].to_numpy())
    a = train_method(data, FAST, method="feature_rarity", max_steps=3)
    b = train_method(with_meta(data, scrambled, data.attributes), FAST, method="feature_rarity",
                     max_steps=3)
    assert_same_parameters(a, b)
    assert a.method_["rarity"] == "knn" and a.attributes_ == []
    assert not uses_group_labels("feature_rarity")
    with pytest.raises(ValueError, match="resample_by_features is for the baseline"):
        fit(data, FAST, model="dbvae", resample_by_features=True)


def test_penultimate_features_match_the_last_layer_input(data):
    model = fit(data, FAST, model="baseline", max_steps=2)
    x = data.images[:5]
    features = model.penultimate_features(x)
    layer = model.encoder.head[-1]
    with torch.no_grad():
        logits = (features @ layer.weight.T + layer.bias).flatten()
    assert torch.allclose(torch.sigmoid(logits), torch.from_numpy(model.predict_proba(x)),
                          atol=1e-6)
    assert torch.equal(features, _methods.penultimate(model, x, device="cpu"))
