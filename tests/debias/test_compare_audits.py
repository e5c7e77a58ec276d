"""Comparing two audits on arrays: the unpaired CI against a hand computation and a per-image
bootstrap, the paired engine against ``paired_comparison``, confusion counts recovered from
result.json rows, pairing detection, and writing both files or neither."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from debias.compare._counts import (
    ImageCounts, RowCounts, row_confusion, side_seeds, unpaired_counts,
)
from debias.compare._engines import PairedEngine
from debias.compare._pairing import detect_pairing
from debias.compare._words import change_text, signed
from debias.errors import DataError
from debias.metrics import METRICS, AuditConfig, paired_comparison, per_group_table
from debias.metrics._bootstrap import resample_counts


def _scores(n: int = 400, seed: int = 0, miss_dark: float = 0.4) -> pd.DataFrame:
    """A scores file's columns: faces with tone and gender, a fifth non-faces (``unknown``);
    dark faces missed at ``miss_dark``, light ones at 0.1, non-faces called faces at 0.05."""
    rng = np.random.default_rng(seed)
    label = (rng.random(n) < 0.8).astype(np.int64)
    tone = np.where(label == 1, rng.choice(["light", "dark"], n), "unknown")
    gender = np.where(label == 1, rng.choice(["female", "male"], n), "unknown")
    miss = np.where(tone == "dark", miss_dark, 0.1)
    prediction = np.where(label == 1, rng.random(n) >= miss, rng.random(n) < 0.05)
    return pd.DataFrame({"path": [f"img/{i:04d}.png" for i in range(n)], "label": label,
                         "prediction": prediction.astype(np.int64), "tone": tone,
                         "gender": gender})


# -- the unpaired CI ------------------------------------------------------------------------

def test_unpaired_change_ci_of_one_group_matches_the_normal_approximation():
    # A misses 120 of 400 faces (FNR 0.3), B 120 of 600 (0.2): by hand, the change is -0.1
    # with standard error sqrt(0.3 * 0.7 / 400 + 0.2 * 0.8 / 600) = 0.02814.
    exact_a, exact_b = np.array([[0, 0, 120, 280]]), np.array([[0, 0, 120, 480]])
    boot_a = resample_counts(exact_a, n_boot=20_000, seed=1)
    boot_b = resample_counts(exact_b, n_boot=20_000, seed=2)
    gap, per_group = unpaired_counts(exact_a, boot_a, exact_b, boot_b, "fnr", 0.95)
    se = math.sqrt(0.3 * 0.7 / 400 + 0.2 * 0.8 / 600)
    assert per_group["change"][0] == pytest.approx(-0.1)
    assert per_group["change_low"][0] == pytest.approx(-0.1 - 1.96 * se, abs=0.003)
    assert per_group["change_high"][0] == pytest.approx(-0.1 + 1.96 * se, abs=0.003)
    assert math.isnan(gap["change"])  # one group: no gap


def _per_image_gap_changes(miss_a, miss_b, n_boot, rng):
    """A second code path: resample each group's images (index draws) in each audit on its
    own, and take the difference of the max-min FNR gaps, resample by resample."""
    def gaps(groups):
        fnr = np.stack([missed[rng.integers(0, len(missed), (n_boot, len(missed)))].mean(axis=1)
                        for missed in groups], axis=1)
        return fnr.max(axis=1) - fnr.min(axis=1)
    return gaps(miss_b) - gaps(miss_a)


def test_unpaired_gap_ci_agrees_with_a_per_image_bootstrap():
    sizes_a, fnr_a, sizes_b, fnr_b = (150, 150), (0.4, 0.1), (200, 100), (0.2, 0.1)
    miss_a = [np.arange(n) < round(n * f) for n, f in zip(sizes_a, fnr_a)]
    miss_b = [np.arange(n) < round(n * f) for n, f in zip(sizes_b, fnr_b)]

    def counts(missed):  # TN, FP, FN, TP of faces only
        return np.array([[0, 0, m.sum(), (~m).sum()] for m in missed])
    exact_a, exact_b = counts(miss_a), counts(miss_b)
    seed_a, seed_b = side_seeds(7)
    gap, _ = unpaired_counts(exact_a, resample_counts(exact_a, n_boot=4000, seed=seed_a),
                             exact_b, resample_counts(exact_b, n_boot=4000, seed=seed_b),
                             "fnr", 0.95)
    assert gap["a_gap"] == pytest.approx(0.3) and gap["b_gap"] == pytest.approx(0.1)
    assert gap["change"] == pytest.approx(-0.2)
    other = _per_image_gap_changes(miss_a, miss_b, 4000, np.random.default_rng(3))
    low, high = np.quantile(other, [0.025, 0.975])
    assert gap["change_low"] == pytest.approx(low, abs=0.015)
    assert gap["change_high"] == pytest.approx(high, abs=0.015)
    assert gap["change_high"] < 0  # the planted change is clear


def test_identical_audits_unpaired_change_is_zero_with_a_ci_around_it():
    frame = _scores()
    seed_a, seed_b = side_seeds(0)
    assert seed_a != seed_b  # independent draws, or the CI would collapse to [0, 0]
    attrs = frame[["tone", "gender"]]
    a, b = (ImageCounts(frame["label"].to_numpy(), frame["prediction"].to_numpy(), attrs,
                        max_order=2, n_boot=500, seed=s) for s in (seed_a, seed_b))
    groups = ["dark", "light"]
    gap, per_group = unpaired_counts(*a.counts("tone", groups), *b.counts("tone", groups),
                                     "fnr", 0.95)
    assert gap["change"] == 0 and (per_group["change"] == 0).all()
    assert gap["change_low"] < 0 < gap["change_high"]
    assert (per_group["change_low"] < 0).all() and (per_group["change_high"] > 0).all()


# -- counts from result.json rows --------------------------------------------------------------

def test_confusion_counts_are_recovered_from_result_rows_for_every_metric():
    frame = _scores(600, seed=4)
    table = per_group_table(frame["label"], frame["prediction"], frame[["tone", "gender"]],
                            min_count=1)
    for row in table.to_dict(orient="records"):
        group = frame if row["slice"] == "overall" else frame[
            (frame["tone"] + " & " + frame["gender"] if " & " in row["slice"]
             else frame[row["slice"]]) == row["group"]]
        y, p = group["label"].to_numpy(), group["prediction"].to_numpy()
        truth = [((y == 0) & (p == 0)).sum(), ((y == 0) & (p == 1)).sum(),
                 ((y == 1) & (p == 0)).sum(), ((y == 1) & (p == 1)).sum()]
        clean = {k: None if isinstance(v, float) and math.isnan(v) else v
                 for k, v in row.items()}
        for metric in METRICS:
            if clean[metric] is not None:
                assert row_confusion(clean, metric).tolist() == truth, (row["group"], metric)


def test_counts_recovered_from_the_accuracy_alone_and_refused_without_any_rate():
    row = {"count": 100, "positives": 60, "negatives": 40, "predicted_positives": 55,
           "accuracy": 0.85, **{m: None for m in METRICS if m != "accuracy"}}
    # TP + TN = 85, TP + FP = 55, FP + TN = 40 -> TP = 50, FP = 5, TN = 35, FN = 10.
    assert row_confusion(row, "fnr").tolist() == [35, 5, 10, 50]
    assert row_confusion({**row, "accuracy": None}, "fnr") is None


def test_row_and_image_counts_agree():
    frame = _scores(500, seed=5)
    attrs = frame[["tone", "gender"]]
    table = per_group_table(frame["label"], frame["prediction"], attrs, min_count=1)
    images = ImageCounts(frame["label"].to_numpy(), frame["prediction"].to_numpy(), attrs,
                         max_order=2, n_boot=0, seed=0)
    rows = RowCounts(table, "fnr", n_boot=0, seed=0)
    for name in ("overall", "tone", "tone & gender"):
        groups = table.loc[(table["slice"] == name) & (table["positives"] > 0), "group"].tolist()
        assert rows.missing(name, groups) == {}
        assert (rows.counts(name, groups)[0] == images.counts(name, groups)[0]).all()


# -- the paired engine is paired_comparison -----------------------------------------------------

def test_paired_engine_gives_paired_comparisons_numbers():
    a = _scores(seed=1)
    b = a.assign(prediction=_scores(seed=1, miss_dark=0.2)["prediction"])
    pairing = detect_pairing(a, b.sample(frac=1, random_state=0))  # B in another order
    assert pairing.paired
    engine = PairedEngine(pairing, max_order=2, n_boot=300, seed=11)
    expected = paired_comparison(a["label"], a["prediction"], b["prediction"],
                                 a[["tone", "gender"]], AuditConfig(n_boot=300, seed=11),
                                 metric="fnr")
    for name in ("tone", "gender", "tone & gender"):
        want = expected.gaps.set_index("slice").loc[name]
        groups = expected.groups.loc[expected.groups["slice"] == name, "group"].tolist()
        gap, per_group = engine.compare(name, groups, "fnr", 0.95)
        for key in ("a_gap", "b_gap", "change", "change_low", "change_high"):
            assert gap[key] == pytest.approx(want[key]), (name, key)
        rows = expected.groups[expected.groups["slice"] == name]
        assert per_group["change_low"] == pytest.approx(rows["change_low"].to_numpy())
    gap, _ = engine.compare("tone", ["dark", "light"], "fnr", 0.95)
    assert gap["change_high"] < 0  # the planted narrower gap


# -- pairing detection ---------------------------------------------------------------------------

def test_pairing_needs_the_same_paths_and_labels():
    a = _scores(100)
    assert not detect_pairing(a, None, missing="B has no scores").paired
    assert detect_pairing(a, None, missing="B has no scores").reason == "B has no scores"
    same = detect_pairing(a, a.iloc[::-1])
    assert same.paired and same.shared == 100 and "same 100 test images" in same.reason
    other = a.assign(path=a["path"].str.replace("img/", "other/"))
    assert "different test images" in detect_pairing(a, other).reason
    partial = detect_pairing(a, pd.concat([a.iloc[:60], other.iloc[60:]]))
    assert not partial.paired and partial.shared == 60
    assert "overlap only partially: 60 images are in both, 40 only in A, 40 only in B" in \
        partial.reason
    relabelled = a.assign(label=np.where(a.index == 3, 1 - a["label"], a["label"]))
    assert not detect_pairing(a, relabelled).paired
    assert "1 of them have a different label" in detect_pairing(a, relabelled).reason


def test_pairing_leaves_out_an_attribute_whose_values_differ():
    a = _scores(100)
    b = a.assign(gender=np.where(a.index < 10, "x", a["gender"]))
    pairing = detect_pairing(a, b)
    assert pairing.paired and list(pairing.attrs.columns) == ["tone"]
    assert "differ between the two audits on 10 images" in pairing.dropped["gender"]
    engine = PairedEngine(pairing, max_order=2, n_boot=0, seed=0)
    assert "left out of the pairing" in engine.slice_reason("tone & gender")
    assert engine.slice_reason("tone") is None


# -- words and writing ---------------------------------------------------------------------------

def test_signed_numbers_and_verdict_words():
    assert signed(-0.06) == "\u22120.060" and signed(0.06) == "+0.060" and signed(-0.0) == "0.000"
    assert change_text("narrower", "paired") == "B narrower (paired CI of the change below 0)"
    assert change_text("wider", "unpaired") == "B wider (CI of the change above 0)"


def test_existing_files_are_kept_unless_overwrite_and_on_failure(tmp_path, monkeypatch):
    from debias.compare import write_comparison

    html, js = tmp_path / "c.html", tmp_path / "c.json"
    html.write_text("old page")
    js.write_text("old json")
    with pytest.raises(DataError, match="exists; pass `overwrite=True`"):
        write_comparison({}, html, js)
    monkeypatch.setattr("reports.render_comparison", lambda c: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        write_comparison({}, html, js, overwrite=True)
    assert html.read_text() == "old page" and js.read_text() == "old json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.html", "c.json"]
    monkeypatch.setattr("reports.render_comparison", lambda c: "<p>page</p>")
    blocked = tmp_path / "c.html" / "sub"  # below a file: the folder cannot be made
    with pytest.raises(DataError, match="cannot write"):
        write_comparison({}, blocked / "c.html", blocked / "c.json")


def _hostile_comparison(name: str) -> dict:
    """A comparison as compare.json holds it, every user string ``name``."""
    audit = {"result": f"{name}/result.json", "folder": name, "model": name, "label": name,
             "dataset": name, "created": "2026-01-01T00:00:00+00:00", "images": 100,
             "threshold": 0.5, "verdict_metric": "fnr", "tool_version": "0.1.0",
             "scores": None, "scores_note": f"{name} has no scores"}
    group = {"slice": name, "group": name, "a": 0.4, "a_low": 0.3, "a_high": 0.5,
             "a_count": 50, "b": 0.2, "b_low": 0.1, "b_high": 0.3, "b_count": 50,
             "change": -0.2, "change_low": -0.3, "change_high": -0.1}
    return {"kind": "debias comparison", "version": 1, "tool": {"name": "debias",
                                                                "version": "0.1.0"},
            "created": "2026-01-02T00:00:00+00:00", "metric": "fnr", "level": 0.95,
            "n_boot": 100, "seed": 0, "pairing": "unpaired", "pairing_reason": name,
            "images": {"a": 100, "b": 100, "shared": 0}, "audits": {"a": audit, "b": audit},
            "classes": None, "shared_attributes": [name],
            "overall": {**group, "slice": "overall", "group": "all"},
            "gaps": [{"slice": name, "groups": 2, "a_gap": 0.3, "a_low": 0.2, "a_high": 0.4,
                      "b_gap": 0.1, "b_low": 0.0, "b_high": 0.2, "change": -0.2,
                      "change_low": -0.3, "change_high": -0.1, "code": "narrower",
                      "verdict": change_text("narrower", "unpaired")}],
            "groups": [group],
            "not_compared": {"slices": [{"slice": name, "reason": "only in A"}],
                             "groups": [{"slice": name, "group": name, "reason": name}],
                             "attributes": {"a": [name], "b": []}},
            "notes": [name], "headline": name}


def test_the_page_shows_hostile_names_as_text():
    from reports import render_comparison
    from tests.reports.fixtures import HOSTILE
    from tests.reports.html_tools import parse

    for name in HOSTILE:
        page = parse(render_comparison(_hostile_comparison(name)))
        code = [body for a, body in page.scripts if a.get("type") != "application/json"]
        assert not [body for body in code if "__pwned" in body or "alert(1)" in body]
        assert not page.attrs("onerror") and "__pwned" not in "".join(page.attrs("src"))
        if "\u2028" not in name:
            assert name in page.body_text()
        figure = next(v for k, v in page.json_scripts().items() if k.startswith("fig-"))
        assert "<script" not in json.dumps(figure)
