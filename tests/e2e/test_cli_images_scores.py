"""`debias audit --images/--captions` and `tables/<model>_scores.csv`, as a user runs them.

Oracles: the same audit with and without images (every number and table identical, no PNG in
the second), the dataset's own file names (never in the page unless asked for), and a second
audit of the written scores (`--predictions OUT/tables/baseline_scores.csv`) that must give
the baseline's tables to the last digit.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from tests.e2e.cli import run_cli
from tests.helpers import write_csv_dataset

PNG = "iVBORw0KGgo"  # how every base64 PNG starts
GALLERIES = {"images", "rarest", "most_typical", "samples", "pairs"}
# The same references in every run, so that verdicts do not depend on who chose them.
REFERENCES = ("--reference-group", "tone=light", "--reference-group", "gender=female",
              "--reference-group", "tone & gender=light & female")


def _rows() -> list[dict]:
    rows = []
    for i in range(80):
        tone, gender = ("light", "dark")[i % 2], ("female", "male")[(i // 2) % 2]
        base = (220, 180, 150) if tone == "light" else (110, 75, 55)
        rows.append({"path": f"faces/f{i:03d}.png", "label": "face", "tone": tone,
                     "gender": gender, "color": tuple(c + (i * 7) % 30 for c in base)})
    for i in range(40):
        rows.append({"path": f"nonfaces/n{i:03d}.png", "label": "nonface", "tone": "",
                     "gender": "", "color": (30 + (i * 5) % 60, 90, 30 + (i * 3) % 50)})
    return rows


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return write_csv_dataset(tmp_path_factory.mktemp("images_ds"), _rows())


@pytest.fixture(scope="module")
def predictions(dataset, tmp_path_factory):
    """Scores that miss a third of the dark faces and take some non-faces for faces."""
    frame = pd.read_csv(dataset / "labels.csv", keep_default_na=False)
    rng = np.random.default_rng(3)
    score = np.where(frame.label == "face", 0.8, 0.2) + rng.uniform(-0.15, 0.15, len(frame))
    dark = np.flatnonzero((frame.label == "face") & (frame.tone == "dark"))
    score[dark[::3]] = rng.uniform(0.05, 0.45, len(dark[::3]))
    score[np.flatnonzero(frame.label == "nonface")[::5]] = 0.7
    path = tmp_path_factory.mktemp("images_preds") / "preds.csv"
    pd.DataFrame({"path": frame.path, "score": score}).to_csv(path, index=False)
    return path


def _audit(dataset, out, *args):
    result = run_cli("audit", dataset, "--out", out, "--image-size", 32, "--n-boot", 50,
                     "--min-count", 5, "--seed", 0, "--allow-degenerate", *REFERENCES, *args)
    assert result.returncode == 0, result.stderr
    return result, json.loads((out / "result.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def both(dataset, predictions, tmp_path_factory):
    """The same external-model audit (with discovered slices) by default and with
    ``--images none``."""
    root = tmp_path_factory.mktemp("images_runs")
    args = ("--predictions", predictions, "--discover-slices", "2")
    shown = _audit(dataset, root / "all", *args)
    hidden = _audit(dataset, root / "none", *args, "--images", "none")
    return root, shown, hidden


def _numbers(value):
    """``value`` without its images, their counts and record, and what differs from run to
    run (the time)."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()
                if k not in ("created", "runtime_s") and not k.endswith("_withheld")
                and not (k in GALLERIES and isinstance(v, list))
                and not (k == "images" and isinstance(v, dict))}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def test_images_none_stores_no_image_and_changes_no_number(both):
    root, (_, shown), (_, hidden) = both
    assert shown["models"]["external"]["misclassified"]
    assert shown["discovered"]["slices"][0]["images"]
    assert PNG in json.dumps(shown)
    assert PNG not in (root / "none" / "result.json").read_text("utf-8")
    assert _numbers(hidden) == _numbers(shown)
    tables = sorted(p.name for p in (root / "all" / "tables").glob("*.csv"))
    assert tables == sorted(p.name for p in (root / "none" / "tables").glob("*.csv"))
    assert "external_scores.csv" in tables
    for name in tables:
        assert (root / "all" / "tables" / name).read_bytes() == \
            (root / "none" / "tables" / name).read_bytes(), name
    assert hidden["images"]["policy"] == "none" and hidden["images"]["shown"] == 0
    assert hidden["images"]["withheld"] == shown["images"]["shown"] > 0
    # Each gallery is replaced by its count.
    for before, after in zip(shown["models"]["external"]["misclassified"],
                             hidden["models"]["external"]["misclassified"]):
        assert after["images"] == [] and after["images_withheld"] == len(before["images"])
    page = (root / "none" / "report.html").read_text("utf-8")
    assert "<img" not in page
    n = sum(len(g["images"]) for g in shown["models"]["external"]["misclassified"])
    counts = [int(k) for k in re.findall(r"(\d+) misclassified images? not shown \(--images "
                                         r"none\)", page)]
    assert sum(counts) == n


def test_default_says_the_report_embeds_the_datasets_images(both):
    root, (run, shown), (hidden_run, _) = both
    n = shown["images"]["of_dataset"]
    line = f"The report embeds {n} images of the dataset; pass --images none to leave them out"
    assert n > 0 and shown["images"]["default"] and not shown["images"]["benchmark"]
    assert line in run.stderr.splitlines() and "The report embeds" not in hidden_run.stderr
    page = (root / "all" / "report.html").read_text("utf-8")
    dataset_section = page[page.index('id="dataset"'):page.index('id="performance"')]
    assert line in dataset_section


def test_captions_show_no_file_name_unless_asked(both, tmp_path):
    root, (_, shown), _ = both
    paths = [i["path"] for g in shown["models"]["external"]["misclassified"] for i in g["images"]]
    paths += [i["path"] for s in shown["discovered"]["slices"] for i in s["images"]]
    page = (root / "all" / "report.html").read_text("utf-8")
    assert paths and not [p for p in paths if p in page]
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', page)
    assert len(alts) == len(paths) and all(a for a in alts)
    assert any(a.startswith("face of dark") and "predicted non-face (score" in a for a in alts)

    result = run_cli("report", root / "all" / "result.json", "--captions", "paths",
                     "--out", tmp_path / "paths.html")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "paths.html").read_text("utf-8")
    captions = re.findall(r'<span class="path">([^<]*)</span></figcaption>', page)
    assert sorted(captions) == sorted(paths)
    for tag in re.findall(r"<img [^>]*>", page):
        assert not [p for p in paths if p in tag], tag


def test_report_images_none_drops_the_images_result_json_holds(both, tmp_path):
    root, (_, shown), _ = both
    result = run_cli("report", root / "all" / "result.json", "--images", "none",
                     "--out", tmp_path / "none.html")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "none.html").read_text("utf-8")
    assert "<img" not in page and "not shown (--images none)" in page
    assert f"{shown['images']['shown']:,} left out (--images none)" in page
    assert json.loads((root / "all" / "result.json").read_text("utf-8")) == shown  # unchanged


def test_scores_table_holds_every_audited_image(both, dataset, predictions):
    root, (_, shown), _ = both
    table = pd.read_csv(root / "all" / "tables" / "external_scores.csv", keep_default_na=False,
                        dtype=str)
    assert list(table.columns) == ["path", "split", "label", "score", "prediction", "tone",
                                   "gender", "discovered slice"]
    given = pd.read_csv(predictions, dtype=str).set_index("path")["score"]
    truth = pd.read_csv(dataset / "labels.csv", keep_default_na=False).set_index("path")
    assert len(table) == shown["dataset"]["audited"] == len(given)
    assert (table.split == "test").all()
    scores = table.score.astype(float).to_numpy()
    assert np.array_equal(scores, given[table.path].astype(float).to_numpy())  # full precision
    assert (table.label == np.where(truth.loc[table.path, "label"] == "face", "1", "0")).all()
    assert (table.prediction == np.where(scores >= 0.5, "1", "0")).all()
    tone = truth.loc[table.path, "tone"].replace("", "unknown")  # as the audit reads it
    assert (table.tone.to_numpy() == tone.to_numpy()).all()
    assert set(table["discovered slice"]) <= {"slice 1", "slice 2", "unknown"}


def test_baseline_scores_audited_again_give_the_baseline_s_tables(dataset, tmp_path):
    """A trained audit under --images synthetic keeps only generated images (the DB-VAE's
    traversals), and its baseline_scores.csv, audited as external predictions, reproduces the
    baseline's tables exactly."""
    first, trained = _audit(dataset, tmp_path / "trained", "--epochs", 1, "--batch-size", 16,
                            "--latent-dim", 8, "--images", "synthetic")
    assert "The report embeds" not in first.stderr
    strips = trained["latent"]["traversals"]
    assert strips and all(s["images"] for s in strips)
    assert trained["latent"]["rarest"] == [] and trained["latent"]["rarest_withheld"] > 0
    for model in trained["models"].values():
        assert all(g["images"] == [] for g in model.get("misclassified", []))
    assert trained["images"] == {
        "default": False, "benchmark": False, "policy": "synthetic", "captions": "groups",
        "shown": sum(len(s["images"]) for s in strips), "of_dataset": 0,
        "withheld": trained["images"]["withheld"]}
    tables = tmp_path / "trained" / "tables"
    assert {"baseline_scores.csv", "dbvae_scores.csv"} <= {p.name for p in tables.iterdir()}

    _, again = _audit(dataset, tmp_path / "again", "--predictions",
                      tables / "baseline_scores.csv")
    baseline, external = trained["models"]["baseline"], again["models"]["external"]
    for key in ("per_group", "disparities", "verdicts", "threshold_sweep"):
        assert external[key] == baseline[key], key
        assert (tmp_path / "again" / "tables" / f"external_{key}.csv").read_bytes() == \
            (tables / f"baseline_{key}.csv").read_bytes(), key
    assert (tmp_path / "again" / "tables" / "external_scores.csv").read_bytes() == \
        (tables / "baseline_scores.csv").read_bytes()
