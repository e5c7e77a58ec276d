"""Audit metrics against sklearn / fairlearn on the same arrays, the DB-VAE paper's Table 1,
and bootstrap coverage in a simulation with known rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
from sklearn.metrics import accuracy_score, confusion_matrix, precision_score, recall_score

from debias.metrics import (
    METRICS, AuditConfig, accuracy_mean_variance, audit_predictions, per_group_table, rates,
    resample_counts, threshold_sweep,
)
from debias.metrics._bootstrap import interval


@pytest.fixture(scope="module")
def arrays():
    rng = np.random.default_rng(0)
    n = 3000
    attrs = pd.DataFrame({"tone": rng.choice(["light", "dark"], n, p=[0.7, 0.3]),
                          "gender": rng.choice(["female", "male"], n)})
    y = rng.integers(0, 2, n)
    scores = np.clip(0.55 * y + rng.normal(0.2, 0.25, n) - 0.2 * y * (attrs.tone == "dark"), 0, 1)
    return y, scores, attrs


def test_every_per_group_number_equals_sklearn(arrays):
    y, scores, attrs = arrays
    pred = (scores >= 0.5).astype(int)
    table = per_group_table(y, pred, attrs, min_count=1)
    assert set(table.slice) == {"overall", "tone", "gender", "tone & gender"}
    for _, row in table.iterrows():
        if row.slice == "overall":
            mask = np.ones(len(y), bool)
        else:
            cols = row.slice.split(" & ")
            values = row.group.split(" & ")
            mask = np.logical_and.reduce([attrs[c].to_numpy() == v for c, v in zip(cols, values)])
        yt, yp = y[mask], pred[mask]
        tn, fp, fn, tp = confusion_matrix(yt, yp, labels=[0, 1]).ravel()
        assert row["count"] == mask.sum() and row.positives == yt.sum()
        assert row.accuracy == pytest.approx(accuracy_score(yt, yp))
        assert row.tpr == pytest.approx(recall_score(yt, yp))
        assert row.fpr == pytest.approx(fp / (fp + tn))
        assert row.precision == pytest.approx(precision_score(yt, yp))
        assert row.selection_rate == pytest.approx(yp.mean())
        assert row.fnr == pytest.approx(fn / (fn + tp))
        assert row.error_rate == pytest.approx(1 - accuracy_score(yt, yp))
        assert row.fdr == pytest.approx(fp / (fp + tp))
        # The bootstrap's rates from the same confusion counts: a second code path.
        from_counts = rates(np.array([[tn, fp, fn, tp]]))
        for metric in METRICS:
            assert from_counts[metric][0] == pytest.approx(row[metric])


def test_parity_differences_equal_fairlearn(arrays):
    y, scores, attrs = arrays
    result = audit_predictions(y, scores, attrs, AuditConfig(n_boot=0))
    pred = (scores >= 0.5).astype(int)
    d = result.disparities
    for name, labels in [("tone", attrs.tone), ("tone & gender", attrs.tone + " & " + attrs.gender)]:
        rows = d[d.slice == name].set_index("measure")
        assert rows.loc["demographic parity difference", "value"] == pytest.approx(
            demographic_parity_difference(y, pred, sensitive_features=labels))
        assert rows.loc["equalized odds difference", "value"] == pytest.approx(
            equalized_odds_difference(y, pred, sensitive_features=labels))


def test_paper_table1_mean_and_variance_of_group_accuracy():
    no_debiasing = np.array([87.4, 95.1, 99.3, 98.2]) / 100
    mean, var = accuracy_mean_variance(no_debiasing)
    assert mean == pytest.approx(95.0, abs=0.05) and var == pytest.approx(28.8, abs=0.05)
    alpha_001 = np.array([92.7, 96.8, 99.4, 99.0]) / 100
    assert accuracy_mean_variance(alpha_001)[1] == pytest.approx(9.5, abs=0.1)


def test_small_groups_are_flagged_and_empty_denominators_withheld():
    y = np.array([1, 0, 1] + [0] * 40 + [1, 0] * 20)
    pred = y.copy()
    attrs = pd.DataFrame({"g": ["tiny"] * 3 + ["negatives"] * 40 + ["big"] * 40})
    table = per_group_table(y, pred, attrs, min_count=30).set_index("group")
    assert np.isnan(table.loc["tiny", "accuracy"])
    assert table.loc["tiny", "accuracy_status"] == "insufficient data: 3 samples < 30"
    assert np.isnan(table.loc["negatives", "tpr"])
    assert table.loc["negatives", "tpr_status"] == "undefined: no positives"
    assert table.loc["negatives", "fpr"] == 0.0  # 40 negatives: a real zero
    assert table.loc["big", "tpr_status"] == "insufficient data: 20 positives < 30"


def test_bootstrap_ci_covers_the_true_rate_at_the_nominal_rate():
    rng = np.random.default_rng(1)
    true_tpr, n_pos, hits = 0.8, 150, 0
    trials = 400
    for _ in range(trials):
        tp = rng.binomial(n_pos, true_tpr)
        counts = np.array([[100, 0, n_pos - tp, tp]])  # TN, FP, FN, TP
        samples = rates(resample_counts(counts, n_boot=500, seed=int(rng.integers(1 << 30))))
        low, high = interval(samples["tpr"][:, 0])
        hits += low <= true_tpr <= high
    assert 0.90 <= hits / trials <= 0.98


def test_multinomial_bootstrap_matches_resampling_indices():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 400)
    pred = np.where(rng.random(400) < 0.8, y, 1 - y)
    counts = np.bincount(2 * y + pred, minlength=4)[None, :]
    fast = rates(resample_counts(counts, n_boot=4000, seed=0))["accuracy"][:, 0]
    index = rng.integers(0, 400, size=(4000, 400))  # the textbook way: resample rows
    slow = (y[index] == pred[index]).mean(axis=1)
    assert fast.mean() == pytest.approx(slow.mean(), abs=0.002)
    assert fast.std() == pytest.approx(slow.std(), rel=0.08)


def test_threshold_sweep_equals_direct_counts(arrays):
    y, scores, attrs = arrays
    sweep = threshold_sweep(y, scores, attrs, thresholds=np.array([0.0, 0.3, 0.5, 0.9]))
    dark = sweep[(sweep.slice == "tone") & (sweep.group == "dark")].set_index("threshold")
    member = attrs.tone.to_numpy() == "dark"
    for t in (0.0, 0.3, 0.5, 0.9):
        assert dark.loc[t, "tpr"] == pytest.approx((scores[member & (y == 1)] >= t).mean())
        assert dark.loc[t, "fpr"] == pytest.approx((scores[member & (y == 0)] >= t).mean())


def test_verdicts_state_evidence_against_the_reference(arrays):
    y, scores, attrs = arrays
    result = audit_predictions(y, scores, attrs, AuditConfig(n_boot=300, reference={"tone": "light"}))
    v = result.verdicts.set_index(["slice", "group", "metric"])
    assert v.loc[("tone", "light", "tpr"), "verdict"] == "reference group"
    dark = v.loc[("tone", "dark", "tpr")]
    assert dark.ratio < 0.8 and dark.high < 0.8
    assert dark.verdict == "outside tolerance: clear evidence of a disparity"
    assert "0.8 <= group value / reference value <= 1.25" in result.rule()
    per_group = result.per_group.set_index(["slice", "group"])
    row = per_group.loc[("tone", "dark")]
    assert row.tpr_low < row.tpr < row.tpr_high


def test_unknown_reference_group_is_refused(arrays):
    y, scores, attrs = arrays
    with pytest.raises(ValueError, match="reference group 'purple'"):
        audit_predictions(y, scores, attrs, AuditConfig(n_boot=0, reference={"tone": "purple"}))


def test_face_detector_attributes_compare_face_groups_only():
    """Attributes describe faces; non-faces form an 'unknown' group with no recall. It must not
    become the reference (even when largest) nor enter the disparities."""
    rng = np.random.default_rng(3)
    tone = np.array(["light"] * 300 + ["dark"] * 100 + ["unknown"] * 600)
    y = (tone != "unknown").astype(int)
    scores = np.where(y == 1, np.where(tone == "dark", rng.random(1000) < 0.6, rng.random(1000) < 0.95), rng.random(1000) < 0.05).astype(float)
    result = audit_predictions(y, scores, pd.DataFrame({"tone": tone}), AuditConfig(n_boot=200))
    v = result.verdicts.set_index(["group", "metric"])
    assert v.loc[("light", "tpr"), "verdict"] == "reference group"
    assert v.loc[("unknown", "tpr"), "verdict"] == "not compared: no positives in this group"
    assert v.loc[("dark", "tpr"), "verdict"] == "outside tolerance: clear evidence of a disparity"
    d = result.disparities.set_index(["metric", "measure"])
    tpr = result.per_group.set_index(["slice", "group"])["tpr"]
    assert d.loc[("tpr", "max-min difference"), "value"] == pytest.approx(tpr["tone", "light"] - tpr["tone", "dark"])
    eo = d.loc[("tpr,fpr", "equalized odds difference")]
    assert eo["value"] == pytest.approx(tpr["tone", "light"] - tpr["tone", "dark"])
    assert "equal opportunity" in eo["detail"] and eo["low"] <= eo["value"] <= eo["high"]
    acc = result.per_group.set_index(["slice", "group"])["accuracy"]
    mean, _ = accuracy_mean_variance(np.array([acc["tone", "light"], acc["tone", "dark"]]))
    assert d.loc[("accuracy", "E[A] (mean group accuracy, %)"), "value"] == pytest.approx(mean)


def test_verdict_of_an_undefined_metric_says_so():
    tone = np.array(["light"] * 60 + ["dark"] * 60 + ["unknown"] * 60)
    y = (tone != "unknown").astype(int)
    scores = np.where(y == 1, 0.9, 0.1)
    result = audit_predictions(y, scores, pd.DataFrame({"tone": tone}), AuditConfig(n_boot=0))
    v = result.verdicts.set_index(["group", "metric"])["verdict"]
    assert v[("dark", "fpr")] == "undefined: no negatives"
