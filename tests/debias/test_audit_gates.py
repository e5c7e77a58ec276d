"""Sanity gates, ties, --fail-on and verdict codes, on arrays: no training."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from debias import verdicts
from debias.audit._advice import advice
from debias.audit._findings import fails, summarise
from debias.metrics import AuditConfig, audit_predictions, group_gates, model_gates
from debias.metrics._audit import default_reference
from debias.metrics._disparity import worst_groups
from debias.verdicts import plain_text


def faces_and_nonfaces(n: int = 2000, seed: int = 0):
    """Half faces (tones dark/light), half non-faces; a fair scorer that finds 97% of faces and
    rejects 97% of non-faces."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.ones(n // 2, int), np.zeros(n // 2, int)]
    tone = np.r_[rng.choice(["dark", "light"], n // 2), np.full(n // 2, "unknown")]
    right = rng.random(n) < 0.97
    scores = np.where(right, np.where(y == 1, 0.9, 0.1), np.where(y == 1, 0.1, 0.9))
    return y, scores, pd.DataFrame({"tone": tone})


def gates_of(y, scores, threshold=0.5, *, probabilities=True):
    return [g["code"] for g in model_gates("m", y, scores, threshold,
                                           probabilities=probabilities)]


def test_a_fair_scorer_passes_every_gate():
    y, scores, _ = faces_and_nonfaces()
    assert gates_of(y, scores) == []


@pytest.mark.parametrize("scores, threshold, expected", [
    ("ones", 0.5, ["threshold_outside_scores", "one_class"]),
    ("zeros", 0.5, ["threshold_outside_scores", "one_class"]),
    ("fair", 1.5, ["threshold_outside_unit", "one_class"]),
    ("fair", -0.5, ["threshold_outside_unit", "one_class"]),
    ("coin", 0.5, ["majority_class"]),
], ids=["all-ones", "all-zeros", "threshold-1.5", "threshold-negative", "coin-flip"])
def test_degenerate_scorers_fail_their_gates(scores, threshold, expected):
    y, fair, _ = faces_and_nonfaces()
    rng = np.random.default_rng(1)
    scores = {"ones": np.ones(len(y)), "zeros": np.zeros(len(y)), "fair": fair,
              "coin": rng.random(len(y))}[scores]
    assert gates_of(y, scores, threshold) == expected


def test_one_class_and_majority_gates_skip_a_faces_only_audit():
    # Auditing a detector on faces alone: answering "face" everywhere is its job.
    y = np.ones(500, int)
    scores = np.full(500, 0.9)
    scores[:10] = 0.1
    assert gates_of(y, scores) == []


def test_external_scores_outside_unit_take_any_threshold_inside_their_range():
    y, fair, _ = faces_and_nonfaces()
    logits = 10 * fair - 5  # -4 .. 4
    assert gates_of(y, logits, 1.5, probabilities=False) == []
    assert gates_of(y, logits, 4.5, probabilities=False) == ["threshold_outside_scores",
                                                             "one_class"]


def test_group_gates():
    gaps = {"m": np.array([0.1, np.nan])}
    assert group_gates(pd.DataFrame(index=range(3)), gaps, "fnr") == [{"code": "no_attributes"}]
    unknown = pd.DataFrame({"tone": ["unknown", "Unknown", ""], "sex": ["unknown"] * 3})
    assert group_gates(unknown, gaps, "fnr") == [
        {"code": "attributes_unknown", "attributes": ["tone", "sex"]}]
    known = pd.DataFrame({"tone": ["dark", "unknown", "light"]})
    assert group_gates(known, gaps, "fnr") == []
    assert group_gates(known, {"m": np.array([np.nan, np.nan])}, "fnr") == [
        {"code": "all_withheld", "metric": "fnr"}]


def test_a_failed_gate_gives_the_cannot_conclude_headline_and_no_pass():
    y, _, attrs = faces_and_nonfaces()
    ones = np.ones(len(y))
    m = audit_predictions(y, ones, attrs, AuditConfig(n_boot=50))
    gates = model_gates("baseline", y, ones, 0.5, probabilities=True)
    summary = summarise({"baseline": m}, {}, gates, audited=len(y), faces=int(y.sum()))
    assert summary["verdict"]["code"] == "cannot_conclude"
    assert summary["headline"][0] == (
        "This audit cannot support a fairness conclusion: the threshold 0.5 lies outside "
        "baseline's scores (1 to 1), so every image gets the same answer; baseline calls "
        "100.0% of the images faces.")
    assert "worst_ratio" not in [f["code"] for f in summary["findings"]]
    assert summary["dbvae_helped"] is None and not fails(summary["verdict"], "weak")
    plain = plain_text(advice({"baseline": m}, summary, train=None, metric="fnr",
                              tolerance=(0.8, 1.25), min_count=30, n_boot=50))
    assert plain["found"][0].startswith("We cannot say whether the model treats groups fairly")
    assert plain["next"][0].startswith("Choose a threshold inside the range")


def planted(miss_dark: float, miss_light: float, n: int = 4000):
    """Faces missed at exactly the given rates per tone; non-faces all rejected."""
    y = np.r_[np.ones(n, int), np.zeros(n, int)]
    tone = np.r_[np.tile(["dark", "light"], n // 2), np.full(n, "unknown")]
    scores = np.full(2 * n, 0.1)
    for value, miss in (("dark", miss_dark), ("light", miss_light)):
        idx = np.flatnonzero((tone == value) & (y == 1))
        scores[idx] = 0.9
        scores[idx[: int(round(miss * len(idx)))]] = 0.2
    return y, scores, pd.DataFrame({"tone": tone})


@pytest.mark.parametrize("miss_dark, level, expected", [
    (0.05, "clear", True), (0.05, "weak", True), (0.01, "clear", False), (0.01, "weak", False)])
def test_fail_on(miss_dark, level, expected):
    y, scores, attrs = planted(miss_dark, 0.01)
    m = audit_predictions(y, scores, attrs, AuditConfig(n_boot=200, reference={"tone": "light"}))
    summary = summarise({"baseline": m}, {}, [], audited=len(y), faces=int(y.sum()))
    assert summary["verdict"]["code"] == ("disparity_clear" if expected else "no_clear_disparity")
    assert fails(summary["verdict"], level) is expected


def test_rewording_a_verdict_changes_no_count(monkeypatch):
    y, scores, attrs = planted(0.05, 0.01)
    config = AuditConfig(n_boot=100, reference={"tone": "light"})
    before = summarise({"b": audit_predictions(y, scores, attrs, config)}, {}, [],
                       audited=len(y), faces=int(y.sum()))
    monkeypatch.setattr(verdicts, "TOLERANCE", {k: f"<{k} reworded>" for k in
                                                verdicts.TOLERANCE})
    m = audit_predictions(y, scores, attrs, config)
    after = summarise({"b": m}, {}, [], audited=len(y), faces=int(y.sum()))
    worded = m.verdicts[m.verdicts["code"] != "undefined"]  # those show the metric's status
    assert worded["verdict"].str.startswith("<").all()
    assert after["verdict"] == before["verdict"] and after["verdict"]["clear"] == 1


def test_every_code_has_words():
    for code in verdicts.TOLERANCE:
        assert verdicts.tolerance_text(code)
    assert verdicts.tolerance_text("undefined", "undefined: no negatives") == \
        "undefined: no negatives"


def test_tied_worst_groups_are_listed_not_picked():
    assert worst_groups(np.array([0.1, 0.3, 0.3004, np.nan]), "fnr") == [1, 2]
    assert worst_groups(np.array([0.9, 0.7, 0.7]), "tpr") == [1, 2]
    assert worst_groups(np.array([0.5, 0.5]), "selection_rate") == []
    y, scores, attrs = planted(0.05, 0.05)
    m = audit_predictions(y, scores, attrs, AuditConfig(n_boot=0))
    gap = m.disparities[(m.disparities["slice"] == "tone") & (m.disparities["metric"] == "fnr")
                        & (m.disparities["measure"] == "max-min difference")].iloc[0]
    assert gap["worst_groups"] == ["dark", "light"]
    assert gap["detail"] == "worst groups (tied): dark, light"


def test_a_tied_default_reference_follows_the_documented_rule():
    rows = pd.DataFrame({"group": ["b", "a", "c"], "count": [50, 50, 50],
                         "positives": [20, 20, 30]})
    assert default_reference(rows, np.ones(3, bool)) == "c"  # most faces among the tied
    assert default_reference(rows.assign(positives=20), np.ones(3, bool)) == "a"  # then name


def test_tied_worst_ratios_name_every_tied_group():
    y = np.r_[np.ones(300, int)]
    tone = np.repeat(["a", "b", "ref"], 100)
    scores = np.full(300, 0.9)
    scores[[0, 1, 2, 3, 100, 101, 102, 103, 200, 201]] = 0.1  # a, b: 4 misses; ref: 2
    m = audit_predictions(y, scores, pd.DataFrame({"tone": tone}),
                          AuditConfig(n_boot=0, min_count=10, reference={"tone": "ref"}))
    summary = summarise({"baseline": m}, {}, [], audited=300, faces=300)
    worst = next(f for f in summary["findings"] if f["code"] == "worst_ratio")
    assert worst["groups"] == ["a", "b"] and worst["ratio"] == 2.0
    assert "faces of a and b are missed 2.0\u00d7 as often as faces of ref" in \
        summary["headline"][1]


def test_a_reference_without_misses_never_reads_as_no_gap():
    # Light faces are never missed: no ratio to them exists; the summary gives the gap instead.
    y, scores, attrs = planted(0.05, 0.0)
    m = audit_predictions(y, scores, attrs, AuditConfig(n_boot=100, reference={"tone": "light"}))
    summary = summarise({"baseline": m}, {}, [], audited=len(y), faces=int(y.sum()))
    assert summary["verdict"]["code"] == "not_judged"
    plain = plain_text(advice({"baseline": m}, summary, train=None, metric="fnr",
                              tolerance=(0.8, 1.25), min_count=30, n_boot=100))
    assert plain["found"][1] == ("The baseline model: the miss rate (FNR) differs between groups "
                                 "of tone by 0.050 (worst: dark); no ratio can be given, because "
                                 "a reference group's rate is 0.")
    assert not any("no group" in line for line in plain["found"])


def test_advice_for_a_clear_gap_names_the_group_and_its_training_faces():
    y, scores, attrs = planted(0.05, 0.01)
    m = audit_predictions(y, scores, attrs, AuditConfig(n_boot=200, reference={"tone": "light"}))
    metrics = {"baseline": m, "external": m}  # two models with the same finding: one advice
    summary = summarise(metrics, {}, [], audited=len(y), faces=int(y.sum()))
    plain = plain_text(advice(metrics, summary, train=None, metric="fnr", tolerance=(0.8, 1.25),
                              min_count=30, n_boot=200))
    assert plain["found"][:2] == [
        "We compare the miss rate between groups of faces (the share of faces the model does "
        "not find).",
        "The baseline model misses faces of dark 5.0 times as often as faces of light."]
    assert plain["sure"][0].startswith("Sure, for the baseline model: the ratio's 95% interval (")
    assert plain["next"] == ["Collect more training faces of dark, retrain, and audit again.",
                             "Try a debiasing method and compare it on the same test images: "
                             "debias audit trains a DB-VAE beside the baseline, and --augment "
                             "adds synthetic faces of the rarer groups."]


@pytest.mark.parametrize("codes, said", [
    (["narrower", "no_clear_change", "no_clear_change"],
     "DB-VAE narrowed 1 of 3 gaps (no clear change in the other 2)"),
    (["narrower", "wider", "no_clear_change"],
     "DB-VAE narrowed 1 of 3 gaps, widened 1 of 3 (no clear change in the other 1)"),
    (["wider"], "DB-VAE widened 1 of 1 gap"),
    (["no_clear_change"] * 2, "no clear change in any gap beyond the uncertainty"),
])
def test_a_comparison_claims_only_the_gaps_its_paired_cis_show(codes, said):
    from debias.verdicts import finding_text

    rows = [{"slice": f"s{i}", "a": 0.2, "b": 0.1, "code": c} for i, c in enumerate(codes)]
    text = finding_text({"code": "comparison", "label": "DB-VAE", "metric": "fnr",
                         "outcome": "mixed", "rows": rows})
    assert text.endswith("; " + said + ".")


def test_an_interval_without_upper_bound_is_said_so_not_crashed_on():
    """A bootstrap ratio whose upper end is infinite (the reference's rate is 0 in some
    resamples) is stored as high None; the sentence gives the lower end and says so."""
    from debias.verdicts import _sure
    from reports import class_words

    item = {"code": "evidence", "band": (0.8, 1.25), "model": "baseline",
            "evidence": "outside_clear", "low": 2.148, "high": None}
    assert _sure(item, class_words(None)) == (
        "Sure, for the baseline model: the ratio's 95% interval (2.1 and above, no upper "
        "bound) lies wholly outside the tolerance (0.8\u20131.25), so the luck of which images "
        "were tested does not explain it.")
