"""Paired bootstrap comparison of two models on the same images: point values are the audit's,
each model's marginal is its own bootstrap, and pairing narrows the CI of a change without
losing coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from debias.metrics import AuditConfig, audit_predictions, paired_comparison
from debias.metrics._bootstrap import confusion_strata, interval, rates, resample_counts
from debias.metrics._paired import (
    compare_counts, joint_strata, marginals, max_min_gap,
)


@pytest.fixture(scope="module")
def two_models():
    """3000 faces and non-faces in 3 skin tones x 2 genders, plus 200 non-faces of unknown
    attributes (a group without positives, which the audit leaves out of comparisons)."""
    rng = np.random.default_rng(0)
    n, unknown = 3000, 200
    tone = np.r_[rng.choice(["light", "mid", "dark"], n), np.full(unknown, "unknown")]
    gender = np.r_[rng.choice(["female", "male"], n), np.full(unknown, "unknown")]
    y = np.r_[rng.integers(0, 2, n), np.zeros(unknown, dtype=int)]
    harder = 0.08 * (tone == "dark") + 0.04 * (gender == "female")
    scores_a = np.clip(0.5 * y + rng.normal(0.25, 0.2, len(y)) - harder * y, 0, 1)
    scores_b = np.clip(scores_a + rng.normal(0.02, 0.05, len(y)), 0, 1)  # correlated with A
    return y, scores_a, scores_b, pd.DataFrame({"tone": tone, "gender": gender})


def max_min_rows(result, metric: str) -> pd.Series:
    rows = result.disparities
    rows = rows[(rows["metric"] == metric) & (rows["measure"] == "max-min difference")]
    return rows.set_index("slice")


@pytest.fixture(scope="module")
def audits(two_models):
    """Each model's audit, without resamples."""
    y, scores_a, scores_b, attrs = two_models
    return tuple(audit_predictions(y, scores, attrs, AuditConfig(n_boot=0))
                 for scores in (scores_a, scores_b))


# One metric per kind of denominator: images, faces, non-faces, predicted faces.
@pytest.mark.parametrize("metric", ["accuracy", "fnr", "fpr", "precision"])
def test_point_values_are_those_of_each_models_audit(two_models, audits, metric):
    y, scores_a, scores_b, attrs = two_models
    audit_a, audit_b = audits
    status = f"{metric}_status"
    # Precondition: both models withhold the same groups, so each audit compares the groups
    # the paired comparison compares.
    assert ((audit_a.per_group[status] == "ok") == (audit_b.per_group[status] == "ok")).all()
    paired = paired_comparison(y, scores_a, scores_b, attrs, AuditConfig(n_boot=0),
                               metric=metric)

    gaps = paired.gaps.set_index("slice")
    assert list(gaps.index) == ["tone", "gender", "tone & gender"]
    for audit, key in ((audit_a, "a_gap"), (audit_b, "b_gap")):
        expected = max_min_rows(audit, metric)["value"]
        np.testing.assert_allclose(gaps[key], expected.loc[gaps.index], rtol=0, atol=1e-12)
    np.testing.assert_allclose(gaps["change"], gaps["b_gap"] - gaps["a_gap"], atol=1e-15)

    per_group_a, per_group_b = (audit.per_group[audit.per_group["slice"] != "overall"]
                                .set_index(["slice", "group"]) for audit in audits)
    compared = per_group_a[(per_group_a[status] == "ok") & (per_group_a["positives"] > 0)]
    groups = paired.groups.set_index(["slice", "group"])
    assert sorted(groups.index) == sorted(compared.index)  # "unknown" groups are left out
    np.testing.assert_allclose(groups["a"], per_group_a.loc[groups.index, metric], atol=1e-12)
    np.testing.assert_allclose(groups["b"], per_group_b.loc[groups.index, metric], atol=1e-12)
    np.testing.assert_allclose(groups["change"], groups["b"] - groups["a"], atol=1e-15)
    assert (gaps["groups"] == groups.groupby(level="slice").size().loc[gaps.index]).all()
    assert paired.gaps.filter(regex="_(low|high)$").isna().all().all()  # n_boot = 0: no CIs
    assert groups[["change_low", "change_high"]].isna().all().all()


def test_each_models_marginal_is_its_own_stratified_bootstrap(two_models):
    y, scores_a, scores_b, attrs = two_models
    pred_a, pred_b = ((s >= 0.5).astype(int) for s in (scores_a, scores_b))
    # Moments: a stratum's resampled counts of model A are Multinomial(n, A's cell shares),
    # mean n p and variance n p (1 - p), whatever model B predicts.
    strata, joint = joint_strata(y, pred_a, pred_b, attrs)
    _, counts_a = confusion_strata(y, pred_a, attrs)
    boot_a, boot_b = marginals(resample_counts(joint, n_boot=4000, seed=3))
    n = counts_a.sum(axis=1, keepdims=True)
    share = counts_a / n
    standard_error = np.sqrt(n * share * (1 - share) / 4000)
    assert np.all(np.abs(boot_a.mean(axis=0) - counts_a) <= 5 * standard_error + 1e-12)
    variance = n * share * (1 - share)
    np.testing.assert_allclose(boot_a.var(axis=0), variance, rtol=0.15, atol=1e-12)
    _, counts_b = confusion_strata(y, pred_b, attrs)
    assert (boot_b.sum(axis=2) == counts_b.sum(axis=1)).all()

    # Gap CIs: those of the audit's own (independent) bootstrap of each model, up to
    # Monte Carlo error.
    config = AuditConfig(n_boot=2000, seed=1)
    paired = paired_comparison(y, scores_a, scores_b, attrs, config, metric="fnr")
    gaps = paired.gaps.set_index("slice")
    for scores, key in ((scores_a, "a"), (scores_b, "b")):
        own = max_min_rows(audit_predictions(y, scores, attrs, AuditConfig(n_boot=2000, seed=2)),
                           "fnr").loc[gaps.index]
        width = own["high"] - own["low"]
        assert (np.abs(gaps[f"{key}_low"] - own["low"]) <= 0.15 * width).all()
        assert (np.abs(gaps[f"{key}_high"] - own["high"]) <= 0.15 * width).all()
        assert (gaps[f"{key}_low"] <= gaps[f"{key}_gap"]).all()
        assert (gaps[f"{key}_gap"] <= gaps[f"{key}_high"]).all()
    assert (gaps["change_low"] <= gaps["change"]).all()
    assert (gaps["change"] <= gaps["change_high"]).all()
    groups = paired.groups
    assert (groups["change_low"] <= groups["change"]).all()
    assert (groups["change"] <= groups["change_high"]).all()


# A planted improvement: three groups of faces; model B finds a fixed subset of model A's
# misses in the worst group and predicts exactly as A elsewhere. Joint cells of faces:
# 4 + 2 * pred_a + pred_b, i.e. 4: both miss, 5: only B finds, 6: only A finds, 7: both find.
MISS_A = np.array([0.50, 0.20, 0.05])
FIXED_BY_B = 0.20  # share of the worst group's faces that A misses and B finds
TRUE_CHANGE = -FIXED_BY_B  # the worst group stays the worst and the best is unchanged


def joint_shares() -> np.ndarray:
    """The truth: (3, 8) shares of the joint cells per group."""
    shares = np.zeros((3, 8))
    shares[:, 4], shares[:, 7] = MISS_A, 1 - MISS_A
    shares[0, 4] -= FIXED_BY_B
    shares[0, 5] = FIXED_BY_B
    return shares


def planted_images(faces: int) -> tuple[np.ndarray, ...]:
    """Images with exactly the expected joint counts: ``faces`` per group."""
    counts = np.round(joint_shares() * faces).astype(int)
    cell = np.concatenate([np.repeat(np.arange(8), row) for row in counts])
    group = np.repeat(["g0", "g1", "g2"], counts.sum(axis=1))
    y, pred_a, pred_b = cell // 4, cell // 2 % 2, cell % 2
    return y, pred_a.astype(float), pred_b.astype(float), pd.DataFrame({"group": group})


def unpaired_change(counts_a: np.ndarray, counts_b: np.ndarray, n_boot: int, seed: int,
                    level: float = 0.95) -> tuple[float, float]:
    """CI of the change of the FNR gap from independent bootstraps of each model (G, 4)."""
    gap_a = max_min_gap(rates(resample_counts(counts_a, n_boot=n_boot, seed=seed))["fnr"])
    gap_b = max_min_gap(rates(resample_counts(counts_b, n_boot=n_boot, seed=seed + 1))["fnr"])
    low, high = interval(gap_b - gap_a, level)
    return float(low), float(high)


def test_pairing_narrows_the_ci_of_a_planted_improvement():
    y, scores_a, scores_b, attrs = planted_images(faces=100)
    config = AuditConfig(n_boot=1000, min_count=30)
    paired = paired_comparison(y, scores_a, scores_b, attrs, config, metric="fnr")
    row = paired.gaps.iloc[0]
    assert row["a_gap"] == pytest.approx(0.45) and row["b_gap"] == pytest.approx(0.25)
    assert row["change"] == pytest.approx(TRUE_CHANGE)
    groups = paired.groups.set_index("group")
    assert (groups.loc[["g1", "g2"], ["change", "change_low", "change_high"]] == 0).all().all()

    _, counts_a = confusion_strata(y, scores_a.astype(int), attrs)
    _, counts_b = confusion_strata(y, scores_b.astype(int), attrs)
    low, high = unpaired_change(counts_a, counts_b, n_boot=1000, seed=0)
    assert low <= row["change"] <= high
    assert row["change_low"] <= row["change"] <= row["change_high"] < 0
    # Both gaps share the noise of which faces were drawn; pairing cancels it.
    assert row["change_high"] - row["change_low"] < 0.75 * (high - low)  # measured: 0.57


def test_paired_and_unpaired_cis_of_a_change_cover_the_truth_paired_narrower():
    rng = np.random.default_rng(2024)
    shares, faces, n_boot, runs = joint_shares(), 100, 200, 200
    covered = {"paired": 0, "unpaired": 0}
    widths = {"paired": [], "unpaired": []}
    for run in range(runs):
        counts = np.stack([rng.multinomial(faces, row) for row in shares])  # (3, 8)
        paired, _ = compare_counts(counts, resample_counts(counts, n_boot=n_boot, seed=run),
                                   "fnr", 0.95)
        unpaired = unpaired_change(*marginals(counts), n_boot=n_boot, seed=10_000 + 2 * run)
        for name, (low, high) in (("paired", (paired["change_low"], paired["change_high"])),
                                  ("unpaired", unpaired)):
            covered[name] += low <= TRUE_CHANGE <= high
            widths[name].append(high - low)
    assert covered["paired"] / runs >= 0.90, covered
    assert covered["unpaired"] / runs >= 0.90, covered
    assert np.mean(widths["paired"]) < np.mean(widths["unpaired"]), widths


def test_identical_models_change_by_exactly_zero(two_models):
    y, scores_a, _, attrs = two_models
    paired = paired_comparison(y, scores_a, scores_a.copy(), attrs, AuditConfig(n_boot=200),
                               metric="fnr")
    gaps = paired.gaps
    assert (gaps[["change", "change_low", "change_high"]] == 0).all().all()
    for end in ("gap", "low", "high"):
        assert (gaps[f"a_{end}"] == gaps[f"b_{end}"]).all()
    assert (paired.groups[["change", "change_low", "change_high"]] == 0).all().all()


def hand_example() -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """44 images in 4 skin tones (one site). Per tone, (faces, non-faces) and each model's
    misses and false positives:

    ======= ======== ========= ============= ============= ========== ==========
    tone    faces    non-faces A misses      B misses      A false +  B false +
    ======= ======== ========= ============= ============= ========== ==========
    dark    10       4         4             2 (of A's 4)  1          0
    light   10       6         1             1 (the same)  0          0
    mid     6        0         1             2 (+ A's)     --         --
    unknown 0        8         --            --            4          4
    ======= ======== ========= ============= ============= ========== ==========
    """
    y, a, b, tone = [], [], [], []

    def add(name, label, pred_a, pred_b, times):
        y.extend([label] * times)
        a.extend([pred_a] * times)
        b.extend([pred_b] * times)
        tone.extend([name] * times)

    add("dark", 1, 1, 1, 6), add("dark", 1, 0, 1, 2), add("dark", 1, 0, 0, 2)
    add("dark", 0, 1, 0, 1), add("dark", 0, 0, 0, 3)
    add("light", 1, 1, 1, 9), add("light", 1, 0, 0, 1), add("light", 0, 0, 0, 6)
    add("mid", 1, 1, 1, 4), add("mid", 1, 1, 0, 1), add("mid", 1, 0, 0, 1)
    add("unknown", 0, 1, 1, 4), add("unknown", 0, 0, 0, 4)
    attrs = pd.DataFrame({"tone": tone, "site": "s1"})
    return np.array(y), np.array(a, dtype=float), np.array(b, dtype=float), attrs


# metric -> {group: (A, B)} of the compared groups, by hand (min_count 5).
HAND = {
    # "unknown" has no faces: no FNR.
    "fnr": {"dark": (4 / 10, 2 / 10), "light": (1 / 10, 1 / 10), "mid": (1 / 6, 2 / 6)},
    # "unknown" has 8 images, but no faces: not compared (its accuracy 1/2 would be the min).
    "accuracy": {"dark": (9 / 14, 12 / 14), "light": (15 / 16, 15 / 16), "mid": (5 / 6, 4 / 6)},
    # "mid": A predicts 5 faces, B only 4 < 5: shown for A only, so not compared.
    "precision": {"dark": (6 / 7, 8 / 8), "light": (9 / 9, 9 / 9)},
}
# metric -> (A's gap, B's gap): max - min of the above.
HAND_GAPS = {"fnr": (4 / 10 - 1 / 10, 2 / 6 - 1 / 10),
             "accuracy": (15 / 16 - 9 / 14, 15 / 16 - 4 / 6),
             "precision": (1 - 6 / 7, 0.0)}


@pytest.mark.parametrize("metric", list(HAND))
def test_hand_computed_example(metric):
    y, scores_a, scores_b, attrs = hand_example()
    paired = paired_comparison(y, scores_a, scores_b, attrs, AuditConfig(min_count=5, n_boot=0),
                               metric=metric)
    gaps = paired.gaps.set_index("slice")
    assert list(gaps.index) == ["tone", "site", "tone & site"]
    a_gap, b_gap = HAND_GAPS[metric]
    for name in ("tone", "tone & site"):
        row = gaps.loc[name]
        assert row["groups"] == len(HAND[metric])
        assert row["a_gap"] == pytest.approx(a_gap, abs=1e-12)
        assert row["b_gap"] == pytest.approx(b_gap, abs=1e-12)
        assert row["change"] == pytest.approx(b_gap - a_gap, abs=1e-12)
    # One site: nothing to compare.
    assert gaps.loc["site", "groups"] == 1 and gaps.loc["site"].drop("groups").isna().all()
    assert gaps.filter(regex="_(low|high)$").isna().all().all()

    groups = paired.groups[paired.groups["slice"] == "tone"].set_index("group")
    assert sorted(groups.index) == sorted(HAND[metric])
    for group, (a, b) in HAND[metric].items():
        assert groups.loc[group, "a"] == pytest.approx(a, abs=1e-12)
        assert groups.loc[group, "b"] == pytest.approx(b, abs=1e-12)
        assert groups.loc[group, "change"] == pytest.approx(b - a, abs=1e-12)
    site = paired.groups[paired.groups["slice"] == "site"]
    assert site["group"].tolist() == ["s1"]


def test_an_unknown_metric_is_refused():
    y, scores_a, scores_b, attrs = hand_example()
    with pytest.raises(ValueError, match="metric must be one of"):
        paired_comparison(y, scores_a, scores_b, attrs, AuditConfig(), metric="recall")


def test_no_group_with_enough_data_gives_nan_gaps_and_no_group_rows():
    y, scores_a, scores_b, attrs = hand_example()
    paired = paired_comparison(y, scores_a, scores_b, attrs, AuditConfig(min_count=100, n_boot=50),
                               metric="fnr")
    assert (paired.gaps["groups"] == 0).all()
    assert paired.gaps.drop(columns=["slice", "groups"]).isna().all().all()
    assert paired.groups.empty and list(paired.groups.columns) == [
        "slice", "group", "a", "b", "change", "change_low", "change_high"]
