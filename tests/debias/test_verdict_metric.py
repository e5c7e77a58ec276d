"""Verdicts judged on the miss rate: a 5x miss-rate gap at recall 0.95 vs 0.99 is found, where
the tolerance band on recall calls it fine."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from debias.audit._findings import summarise
from debias.metrics import AuditConfig, audit_predictions


def planted(n_faces: int = 4000, seed: int = 0):
    """Faces of two tones (dark found 95%, light 99%) and as many non-faces, all rejected."""
    rng = np.random.default_rng(seed)
    tone = np.repeat(["dark", "light"], n_faces // 2)
    found = rng.random(n_faces) < np.where(tone == "dark", 0.95, 0.99)
    y = np.r_[np.ones(n_faces, int), np.zeros(n_faces, int)]
    scores = np.r_[np.where(found, 0.9, 0.1), np.full(n_faces, 0.1)]
    attrs = pd.DataFrame({"tone": np.r_[tone, np.full(n_faces, "unknown")]})
    return y, scores, attrs, found, tone


def test_a_planted_5x_miss_rate_gap_is_clear_on_fnr_and_hidden_on_tpr():
    y, scores, attrs, found, tone = planted()
    m = audit_predictions(y, scores, attrs, AuditConfig(n_boot=400, reference={"tone": "light"}))
    v = m.verdicts.set_index(["slice", "group", "metric"])
    fnr = v.loc[("tone", "dark", "fnr")]
    expected = np.mean(~found[tone == "dark"]) / np.mean(~found[tone == "light"])
    assert fnr.ratio == expected and 1.25 < fnr.low < fnr.ratio < fnr.high  # above the band
    assert fnr.code == "outside_clear"
    assert fnr.verdict == "outside tolerance: clear evidence of a disparity"
    assert v.loc[("tone", "dark", "tpr"), "code"] == "within"  # 0.95 / 0.99
    per_group = m.per_group.set_index(["slice", "group"])
    assert per_group.loc[("tone", "dark"), "fnr"] == np.mean(~found[tone == "dark"])
    assert per_group.loc[("tone", "dark"), "error_rate"] == pytest.approx(
        np.mean(~found[tone == "dark"]))


def test_the_headline_states_the_miss_rate_ratio_with_its_interval():
    y, scores, attrs, *_ = planted()
    m = audit_predictions(y, scores, attrs, AuditConfig(n_boot=400, reference={"tone": "light"}))
    metrics = {"baseline": m}
    summary = summarise(metrics, {}, [], audited=len(y), faces=int(y.sum()))
    ratio = m.verdicts.set_index(["slice", "group", "metric"]).loc[("tone", "dark", "fnr")]
    line = next(h for h in summary["headline"] if "missed" in h)
    match = re.fullmatch(r"baseline: faces of dark are missed ([\d.]+)× as often as faces of "
                         r"light \(95% CI ([\d.]+)–([\d.]+); tone\)\.", line)
    assert match, line
    assert [float(g) for g in match.groups()] == [round(ratio.ratio, 1), round(ratio.low, 1),
                                                   round(ratio.high, 1)]
    assert summary["verdict"] | {"by_model": None} == {
        "code": "disparity_clear", "metric": "fnr", "clear": 1, "weak": 0, "unjudged": 0,
        "by_model": None}
    assert summary["evidence"].startswith("1 group comparison shows clear evidence of a miss "
                                          "rate (FNR) disparity")
    on_recall = summarise(metrics, {}, [], audited=len(y), faces=int(y.sum()), metric="tpr")
    assert on_recall["verdict"]["code"] == "no_clear_disparity"
    assert on_recall["evidence"] == ("no group's recall (TPR) is clearly outside the tolerance "
                                     "band")


def test_a_reference_without_misses_is_not_read_as_a_pass():
    # Dark faces missed 10%, light ones never: every miss-rate ratio to light is undefined.
    y, scores, attrs, found, tone = planted()
    faces = len(tone)
    scores[:faces] = np.where((tone == "light") | found, 0.9, 0.1)
    scores[:faces][(tone == "dark") & (np.arange(faces) % 10 == 0)] = 0.1
    m = audit_predictions(y, scores, attrs, AuditConfig(n_boot=200, reference={"tone": "light"}))
    summary = summarise({"baseline": m}, {}, [], audited=len(y), faces=int(y.sum()))
    assert summary["verdict"]["code"] == "not_judged"
    assert summary["evidence"].startswith("1 group comparisons have no miss rate (FNR) ratio")


def test_a_reference_that_does_worse_is_named_as_the_group_missed_more():
    y, scores, attrs, found, tone = planted()
    m = audit_predictions(y, scores, attrs, AuditConfig(n_boot=100, reference={"tone": "dark"}))
    # Light faces are missed less than the dark reference: the sentence tells it from dark's side.
    ratio = m.verdicts.set_index(["slice", "group", "metric"]).loc[("tone", "light", "fnr")]
    summary = summarise({"baseline": m}, {}, [], audited=len(y), faces=int(y.sum()))
    worst = next(f for f in summary["findings"] if f["code"] == "worst_ratio")
    assert (worst["groups"], worst["reference"]) == (["dark"], "light")
    assert worst["ratio"] == pytest.approx(1 / ratio.ratio)
    assert (worst["low"], worst["high"]) == pytest.approx((1 / ratio.high, 1 / ratio.low))
    assert any("faces of dark are missed" in line for line in summary["headline"])
