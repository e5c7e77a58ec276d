"""Latent-density analysis on latent codes made for the test, and traversals of a DB-VAE."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from debias.latent import analyse_latent, traversal
from debias.models import DBVAE, DBVAEConfig


@pytest.fixture(scope="module")
def planted():
    """950 common codes and 50 in a far cluster (group "rare"), with errors planted mostly in
    the cluster, and dimension 3 shifted for gender "m"."""
    rng = np.random.default_rng(0)
    mu = rng.normal(size=(1000, 8))
    mu[950:] = rng.normal(4, 0.2, size=(50, 8))
    gender = rng.choice(["f", "m"], 1000)
    mu[gender == "m", 3] += 2.5
    mu[950:, 3] = 4 + rng.normal(0, 0.2, 50)  # keep the cluster tight in dim 3 too
    attrs = pd.DataFrame({"kind": ["common"] * 950 + ["rare"] * 50, "gender": gender})
    errors = np.zeros(1000, bool)
    errors[950:990] = True
    errors[rng.choice(950, 20, replace=False)] = True
    return mu, attrs, errors


def test_rarity_finds_the_planted_cluster_without_labels(planted):
    mu, attrs, errors = planted
    result = analyse_latent(mu, attrs, errors=errors)  # product: a joint density
    auc = result.rarity_auc.set_index(["attribute", "group"])["auc"]
    assert auc[("kind", "rare")] > 0.95
    assert auc[("kind", "common")] == pytest.approx(1 - auc[("kind", "rare")])
    groups = result.by_group.set_index(["attribute", "group"])
    assert groups.loc[("kind", "rare"), "share_in_rarest_decile"] > 0.8
    assert len(set(result.rarest(50)) & set(range(950, 1000))) > 40
    assert not set(result.most_typical(50)) & set(range(950, 1000))


def test_max_combination_also_rewards_single_dimension_tails(planted):
    """The lab's max weight ranks a common code that is extreme in any one of the 8
    dimensions above a 5% cluster that is unusual in all of them: weaker, not useless."""
    mu, attrs, errors = planted
    auc = analyse_latent(mu, attrs, combine="max").rarity_auc.set_index("group")["auc"]
    assert 0.7 < auc["rare"] < 0.95


def test_rarity_is_the_inverse_rank_of_the_resampling_weight(planted):
    mu, attrs, _ = planted
    from debias.resampling import resampling_weights

    result = analyse_latent(mu, attrs)
    w = resampling_weights(mu, combine="product").numpy()
    order = np.argsort(result.faces["rarity"].to_numpy(), kind="stable")
    assert np.all(np.diff(w[order]) >= -1e-15)  # rarer -> at least as much weight
    assert result.faces["rarity"].max() == 1.0 and result.faces["decile"].between(1, 10).all()


def test_errors_concentrate_in_the_rarest_decile(planted):
    mu, attrs, errors = planted
    table = analyse_latent(mu, attrs, errors=errors).decile_errors
    overall = table[table.attribute == "all"].set_index("decile")
    assert overall["count"].sum() == 1000 and overall["errors"].sum() == errors.sum()
    assert overall.loc[10, "error_rate"] > 0.3 > 0.05 > overall.loc[1:9, "error_rate"].max()
    rare = table[(table.group == "rare") & (table.decile == 10)]
    assert int(rare["count"].iloc[0]) == 50 and int(rare["errors"].iloc[0]) == 40


def test_dimension_associated_with_an_attribute_comes_first(planted):
    mu, attrs, _ = planted
    dims = analyse_latent(mu[:950], attrs[:950]).dims
    top = dims[(dims.attribute == "gender") & (dims.group == "m") & (dims["rank"] == 1)]
    assert int(top["dim"].iloc[0]) == 3 and float(top["effect"].iloc[0]) > 1.5


def test_reference_codes_define_what_is_rare():
    rng = np.random.default_rng(1)
    train = rng.normal(size=(500, 4))
    test = np.concatenate([rng.normal(size=(90, 4)), rng.normal(3.5, 0.1, size=(10, 4))])
    attrs = pd.DataFrame({"g": ["a"] * 90 + ["b"] * 10})
    result = analyse_latent(test, attrs, reference_mu=train)
    assert result.rarity_auc.set_index("group").loc["b", "auc"] > 0.95


def test_traversal_moves_one_dimension_and_restores_train_mode():
    torch.manual_seed(0)
    model = DBVAE(DBVAEConfig(image_size=32, latent_dim=4))
    model.train()
    mu = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    strip = traversal(model, mu, dim=2, steps=5)
    assert strip.shape == (5, 3, 32, 32) and strip.dtype == torch.uint8
    assert not torch.equal(strip[0], strip[-1])
    assert model.training
