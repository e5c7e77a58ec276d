"""Rarity estimators: a planted cluster that only a joint density finds, the weight mapping and
its cap, the preprocessing, kNN against brute force, BIC's K, and the latent report table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score

from debias.latent import analyse_latent
from debias.resampling import (
    RARITY_ESTIMATORS, CodePreprocessing, GmmRarity, KnnRarity, rarity_scores, rarity_weights,
    resampling_weights, within_class_weights,
)
from debias.resampling._rarity import capped_probabilities
from debias.resampling._reference import reference_weights


def planted(seed: int, *, n: int = 2000, share: float = 0.03, active: int = 40,
            inactive: int = 20, main_dims: int = 3, rare_dims: int = 8, noise: float = 0.03):
    """Codes whose rare 3% no per-dimension histogram can see.

    The common codes spread over a random 3-dim subspace of the ``active`` dims, the rare ones
    over 8 other directions; the rows of the rare loadings are rescaled so that every
    coordinate has the same zero-mean Gaussian marginal in both groups (then unit variance).
    Each coordinate alone is typical, so histograms rank the rare codes near chance; jointly
    they lie off the common subspace, spread over more directions: low density. Plus
    ``inactive`` dims at μ ≈ 0 (variance 1e-6), shuffled in among the active ones.

    Returns
    -------
    codes : float (n, active + inactive)
    rare : bool (n,)
    active_dims : bool (active + inactive,)
    """
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(active, active)))
    common_loadings = q[:, :main_dims]
    rare_loadings = q[:, main_dims:main_dims + rare_dims]
    rare_loadings *= (np.linalg.norm(common_loadings, axis=1)
                      / np.linalg.norm(rare_loadings, axis=1))[:, None]
    n_rare = int(round(share * n))
    x = np.concatenate([rng.normal(size=(n - n_rare, main_dims)) @ common_loadings.T,
                        rng.normal(size=(n_rare, rare_dims)) @ rare_loadings.T])
    x += noise * rng.normal(size=x.shape)
    x /= x.std(axis=0)  # one scale per coordinate, the same in both groups: marginals stay equal
    codes = np.concatenate([x, 1e-3 * rng.normal(size=(n, inactive))], axis=1)
    order = rng.permutation(active + inactive)
    active_dims = np.arange(active + inactive) < active
    rare = np.arange(n) >= n - n_rare
    return codes[:, order], rare, active_dims[order]


@pytest.mark.parametrize("seed", [0, 1])
def test_joint_estimators_find_a_cluster_the_histograms_miss(seed):
    codes, rare, _ = planted(seed)
    auc = {e: roc_auc_score(rare, rarity_scores(codes, estimator=e)) for e in RARITY_ESTIMATORS}
    assert auc["knn"] >= 0.9 and auc["gmm"] >= 0.9, auc
    assert auc["histogram_max"] < 0.75 and auc["histogram_product"] < 0.75, auc


@pytest.mark.parametrize("combine", ["max", "product"])
@pytest.mark.parametrize("temperature", [1.0, 0.3])
def test_histogram_kinds_are_todays_weights_exactly(combine, temperature):
    mu = np.random.default_rng(1).standard_t(3, size=(500, 6))
    estimator = f"histogram_{combine}"
    w = rarity_weights(rarity_scores(mu, estimator=estimator), estimator=estimator,
                       temperature=temperature)
    legacy = resampling_weights(mu, combine=combine, temperature=temperature)
    assert torch.equal(w, legacy) and w.dtype == torch.float64
    assert torch.equal(resampling_weights(mu, estimator=estimator, temperature=temperature), w)
    # Second code path: the lab's per-dimension loop (temperature 1), tempered by hand.
    slow = reference_weights(mu, combine=combine) ** temperature
    np.testing.assert_allclose(w.numpy(), slow / slow.sum(), rtol=1e-9)


def _clip_then_renormalise(p: np.ndarray, cap: float) -> np.ndarray:
    """The slow fixed point: clip to the cap, renormalise, repeat until nothing moves."""
    for _ in range(10_000):
        q = np.minimum(p, cap)
        q /= q.sum()
        if np.allclose(q, p, rtol=0, atol=1e-15):
            return q
        p = q
    raise AssertionError("no fixed point")


@pytest.mark.parametrize("clip", [1.0, 1.5, 3.0, 10.0])
def test_cap_holds_exactly_sums_to_one_and_matches_the_slow_fixed_point(clip):
    scores = np.random.default_rng(2).standard_t(1, size=400)  # heavy tails: the cap binds
    w = rarity_weights(scores, estimator="knn", clip=clip).numpy()
    n = len(w)
    assert w.max() <= clip / n * (1 + 1e-12)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    if clip == 1.0:  # the fixed point is uniform (reached only in the limit by the slow path)
        np.testing.assert_allclose(w, np.full(n, 1 / n), rtol=1e-12)
        return
    uncapped = rarity_weights(scores, estimator="knn", clip=None).numpy()
    np.testing.assert_allclose(w, _clip_then_renormalise(uncapped, clip / n), rtol=1e-9,
                               atol=1e-15)


def test_cap_keeps_the_share_of_weights_that_underflow():
    log_w = np.array([0.0, -800.0, -801.0, -2000.0])  # exp() of three of them is 0
    p = capped_probabilities(log_w, 0.5)
    assert p[0] == 0.5 and p.sum() == pytest.approx(1.0) and np.all(np.diff(p) <= 0)
    assert p[1] / p[2] == pytest.approx(np.e)


@pytest.mark.parametrize("estimator", RARITY_ESTIMATORS)
def test_weights_are_monotone_in_rarity(estimator):
    codes = planted(3, n=600)[0]
    scores = rarity_scores(codes, estimator=estimator)
    w = rarity_weights(scores, estimator=estimator, clip=3.0).numpy()
    order = np.argsort(scores, kind="stable")
    assert np.all(np.diff(w[order]) >= -1e-18)
    assert w.max() <= 3.0 / len(w) * (1 + 1e-12) and w.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("estimator", ["knn", "gmm"])
def test_joint_scores_are_standardised_then_exponentiated(estimator):
    scores = np.array([1.0, 2.0, 4.0, 9.0])
    z = (scores - scores.mean()) / scores.std()
    for temperature in (1.0, 0.5):
        w = rarity_weights(scores, estimator=estimator, clip=None, temperature=temperature)
        expected = np.exp(temperature * z) / np.exp(temperature * z).sum()
        np.testing.assert_allclose(w.numpy(), expected, rtol=1e-12)
    # "auto": capped at 10 x uniform for the joint estimators, not for the histograms.
    spiky = np.r_[np.zeros(99), 50.0]
    assert rarity_weights(spiky, estimator=estimator).max() == pytest.approx(0.1)
    assert rarity_weights(spiky, estimator="histogram_max").max() > 0.99


def test_preprocessing_drops_inactive_dims_standardises_and_projects():
    codes, _, active = planted(4, n=500, active=40, inactive=20)
    prep = CodePreprocessing().fit(codes)
    np.testing.assert_array_equal(prep.active_, active)
    features = prep.transform(codes)
    assert features.shape == (500, 32)
    spread = features.std(axis=0, ddof=1)
    assert np.all(np.diff(spread) <= 1e-12) and spread[0] > 2  # principal components, kept
    white = CodePreprocessing(whiten=True).fit(codes).transform(codes)
    np.testing.assert_allclose(white.std(axis=0, ddof=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.abs(white), np.abs(features / spread), rtol=1e-6, atol=1e-9)
    # Second code path: sklearn's PCA (by SVD) of the standardised active dims, up to sign.
    kept = codes[:, active]
    sk = PCA(32, whiten=True, svd_solver="full").fit_transform((kept - kept.mean(0)) / kept.std(0))
    np.testing.assert_allclose(np.abs(white), np.abs(sk), rtol=1e-6, atol=1e-8)
    raw = CodePreprocessing(whiten=False, max_dims=64).fit(codes).transform(codes)
    assert raw.shape == (500, 40)  # 40 active < 64: no projection
    np.testing.assert_allclose(raw, (codes[:, active] - codes[:, active].mean(0))
                               / codes[:, active].std(0), atol=1e-12)
    flat = CodePreprocessing().fit(np.zeros((5, 3)))
    assert flat.transform(np.ones((4, 3))).shape == (4, 1)


def _brute_knn(features: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's k smallest distances to the reference rows, itself left out."""
    distance = np.sqrt(((features[:, None, :] - features[None, reference, :]) ** 2).sum(-1))
    distance[reference, np.arange(len(reference))] = np.inf  # the code itself
    return np.sort(distance, axis=1)[:, :k].mean(axis=1)


@pytest.mark.parametrize("max_reference", [1000, 25])
def test_knn_leaves_each_code_out_of_its_own_neighbours(max_reference):
    codes = np.random.default_rng(5).normal(size=(60, 5)) * [1, 2, 3, 0.5, 1]
    codes[1] = codes[0]  # a duplicate is a neighbour at distance 0, itself is not
    knn = KnnRarity(k=4, max_reference=max_reference).fit(codes)
    assert len(knn.reference_) == min(60, max_reference)
    features = knn.prep_.transform(codes)
    np.testing.assert_allclose(knn.score(), _brute_knn(features, knn.reference_, 4), rtol=1e-9)
    # Other codes: the k nearest of the reference, none left out.
    others = np.random.default_rng(6).normal(size=(7, 5))
    f = knn.prep_.transform(others)
    d = np.sqrt(((f[:, None] - features[None, knn.reference_]) ** 2).sum(-1))
    np.testing.assert_allclose(knn.score(others), np.sort(d, axis=1)[:, :4].mean(1), rtol=1e-9)


def test_reference_subsample_is_seeded():
    codes = np.random.default_rng(7).normal(size=(300, 4))
    a = KnnRarity(max_reference=50, seed=1).fit(codes)
    b = KnnRarity(max_reference=50, seed=1).fit(codes)
    np.testing.assert_array_equal(a.reference_, b.reference_)
    np.testing.assert_array_equal(a.score(), b.score())


@pytest.mark.parametrize("components", [2, 4])
def test_bic_picks_the_planted_number_of_components(components):
    rng = np.random.default_rng(components)
    centres = rng.normal(size=(components, 6)) * 12
    labels = rng.integers(components, size=1200)
    codes = centres[labels] + rng.normal(size=(1200, 6)) @ rng.normal(size=(6, 6)) * 0.3
    gmm = GmmRarity().fit(codes)
    assert gmm.n_components_ == components, gmm.bic_
    assert sorted(gmm.bic_) == list(range(1, 9))
    scores = gmm.score()
    np.testing.assert_allclose(scores, rarity_scores(codes, estimator="gmm"))
    np.testing.assert_allclose(gmm.score(codes[:5]), scores[:5])


def test_resampling_weights_takes_the_estimator():
    codes = planted(8, n=400)[0]
    for estimator in ("knn", "gmm"):
        w = resampling_weights(torch.as_tensor(codes, dtype=torch.float32), estimator=estimator)
        expected = rarity_weights(rarity_scores(codes.astype(np.float32), estimator=estimator),
                                  estimator=estimator)
        np.testing.assert_allclose(w.numpy(), expected.numpy(), rtol=1e-12)
        assert float(w.max()) <= 10 / 400 * (1 + 1e-12) and float(w.sum()) == pytest.approx(1)
    labels = np.repeat([0, 1], 200)
    w = within_class_weights(codes, labels, estimator="knn", clip=2.0)
    assert float(w[:200].sum()) == pytest.approx(1) and float(w[200:].sum()) == pytest.approx(1)
    assert float(w.max()) <= 2 / 200 * (1 + 1e-12)
    assert float(resampling_weights(codes[:1], estimator="gmm")[0]) == 1.0


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="estimator"):
        rarity_scores(np.zeros((3, 2)), estimator="kde")
    with pytest.raises(ValueError, match="estimator"):
        resampling_weights(np.zeros((3, 2)), estimator="kde")
    with pytest.raises(ValueError, match="clip"):
        rarity_weights(np.zeros(3), estimator="knn", clip=0.5)
    with pytest.raises(ValueError, match="temperature"):
        rarity_weights(np.zeros(3), estimator="gmm", temperature=1.5)
    with pytest.raises(ValueError, match="non-empty"):
        rarity_weights(np.zeros(0), estimator="knn")
    with pytest.raises(ValueError, match="at least 2"):
        KnnRarity().fit(np.zeros((1, 3)))


def test_latent_analysis_compares_every_estimator():
    codes, rare, _ = planted(9, n=1200)
    reference, analysed = codes[::2], codes[1::2]
    attrs = pd.DataFrame({"kind": np.where(rare[1::2], "rare", "common")})
    result = analyse_latent(analysed, attrs, reference_mu=reference)
    table = result.rarity_auc_by_estimator
    assert list(table.columns) == ["estimator", "attribute", "group", "n", "auc"]
    assert list(table["estimator"].unique()) == list(RARITY_ESTIMATORS)
    auc = table.set_index(["estimator", "group"])["auc"]
    assert auc[("knn", "rare")] > 0.9 and auc[("gmm", "rare")] > 0.9
    assert auc[("histogram_product", "rare")] < 0.75
    # The histogram of the analysis' own combination is the existing rarity_auc.
    own = result.rarity_auc.set_index("group")["auc"]
    assert auc[("histogram_product", "rare")] == pytest.approx(own["rare"], abs=1e-12)
    assert table.set_index(["estimator", "group"]).loc[("knn", "rare"), "n"] == (attrs.kind ==
                                                                                 "rare").sum()
    assert analyse_latent(analysed, attrs, estimators=()).rarity_auc_by_estimator.empty


def test_report_renders_the_table_and_old_results_without_it():
    from reports import render_html, validate_result
    from tests.reports.fixtures import make_result

    old = make_result()
    assert "rarity estimated" not in render_html(old)
    result = make_result()
    rows = [{"estimator": e, "attribute": r["attribute"], "group": r["group"], "n": 40,
             "auc": round(0.6 + 0.05 * i, 3)}
            for i, e in enumerate(RARITY_ESTIMATORS) for r in result["latent"]["rarity_auc"]]
    rows[0]["auc"] = None
    rows.append({**rows[1], "estimator": "<b>new</b>"})
    result["latent"]["rarity_auc_by_estimator"] = rows
    validate_result(result)
    html = render_html(result)
    assert "rarity estimated" in html and "k nearest neighbours" in html
    assert "Gaussian mixture" in html and "<strong>0.750</strong>" in html
    assert "&lt;b&gt;new&lt;/b&gt;" in html and "<b>new</b>" not in html
    bad = make_result()
    bad["latent"]["rarity_auc_by_estimator"] = [{**rows[1], "auc": 1.5}]
    with pytest.raises(Exception, match="rarity_auc_by_estimator"):
        validate_result(bad)
