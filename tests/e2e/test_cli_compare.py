"""`debias compare A/result.json B/result.json`: audits of external predictions compared,
paired when both scored the same test images, unpaired otherwise; bad inputs exit 2."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from debias.cli.app import main
from tests.e2e.cli import run_cli
from tests.reports.html_tools import parse
from tests.helpers import face_rows, write_csv_dataset

# 200 faces (100 light, 100 dark) and 200 non-faces. A misses 50% of the dark faces and 10% of
# the light ones (FNR gap 0.40); B misses 15% of the dark ones (gap 0.05): a planted change of
# -0.35 on the same images.
FACES, NON_FACES = 200, 200


def _scores(frame: pd.DataFrame, miss_dark: float, miss_light: float = 0.1) -> pd.Series:
    score = np.where(frame.label == 1, 0.9, 0.1)
    for tone, miss in (("dark", miss_dark), ("light", miss_light)):
        members = np.flatnonzero((frame.label == 1) & (frame.tone == tone))
        score[members[: round(len(members) * miss)]] = 0.2
    return pd.Series(score, index=frame.index)


def _own_scores_file(out, frame: pd.DataFrame, score: pd.Series, attributes: list[str]):
    """The audit's own tables/external_scores.csv; written here only if the audit wrote none
    (the format: path, split, label, score, prediction, attribute columns)."""
    path = out / "tables" / "external_scores.csv"
    if not path.exists():
        pd.DataFrame({"path": frame.path, "split": "test", "label": frame.label,
                      "score": score, "prediction": (score >= 0.5).astype(int),
                      **{a: frame[a].replace("", "unknown") for a in attributes}}
                     ).to_csv(path, index=False)


@pytest.fixture(scope="module")
def audits(tmp_path_factory):
    """Audits A and B (planted narrower gap) of one dataset, A2 a copy of A (identical scores
    files); D of other images with attributes tone and age; N of A's images with only an age
    column."""
    root = tmp_path_factory.mktemp("compare")
    rows = face_rows(FACES, NON_FACES, tone=["light", "dark"], gender=["female", "female", "male"])
    data = write_csv_dataset(root / "data", rows)
    other = write_csv_dataset(root / "other", [
        {"path": r["path"].replace(".png", "_o.png"), "label": r["label"], "tone": r["tone"],
         "age": "" if r["label"] == 0 else ["young", "old"][i % 2]} for i, r in enumerate(rows)])
    ages = write_csv_dataset(root / "ages", [
        {"path": r["path"], "label": r["label"], "age": "" if r["label"] == 0 else
         ["young", "old"][i % 2]} for i, r in enumerate(rows)])
    frames = {name: pd.read_csv(d / "labels.csv", keep_default_na=False)
              for name, d in (("data", data), ("other", other), ("ages", ages))}
    jobs = {"A": ("data", 0.5, ["tone", "gender"]), "B": ("data", 0.15, ["tone", "gender"]),
            "D": ("other", 0.3, ["tone", "age"]), "N": ("ages", 0.5, ["age"])}

    def audit(name):  # N's images are A's: its misses are planted by A's tone column
        which, miss, attributes = jobs[name]
        frame = frames[which]
        score = _scores(frame.assign(tone=frame.get("tone", frames["data"].tone)), miss)
        preds = root / f"{name}.csv"
        pd.DataFrame({"path": frame.path, "score": score}).to_csv(preds, index=False)
        out = root / name
        done = run_cli("audit", root / which, "--predictions", preds, "--out", out,
                       "--n-boot", "0", "--min-count", "10")
        assert done.returncode == 0, done.stderr
        _own_scores_file(out, frame, score, attributes)
        return out
    with ThreadPoolExecutor(max_workers=3) as pool:
        outs = dict(zip(jobs, pool.map(audit, jobs)))
    outs["A2"] = shutil.copytree(outs["A"], root / "A2")
    return outs


def _compare(capsys, *args) -> tuple[int, str, str]:
    code = main(["compare", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_planted_narrower_gap_is_paired_and_clear(audits, tmp_path):
    out = tmp_path / "compare.html"
    done = run_cli("compare", audits["A"] / "result.json", audits["B"] / "result.json",
                   "--out", out, "--metric", "fnr")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert 2 <= len(lines) <= 4
    assert lines[0] == ("paired: both audits scored the same 400 test images (matched by "
                        "path)")
    assert lines[1].startswith("tone fnr gap 0.400 \u2192 0.050, change \u22120.350 (95% CI ")
    assert "paired over 400 test images: B narrower" in lines[1]
    assert str(out.resolve()) in lines[-1] and "compare.json" in lines[-1]
    c = json.loads((tmp_path / "compare.json").read_text())
    assert c["pairing"] == "paired" and c["images"]["shared"] == 400
    tone = next(r for r in c["gaps"] if r["slice"] == "tone")
    assert tone["change"] == pytest.approx(-0.35)
    assert tone["change_high"] < 0 and tone["code"] == "narrower"
    dark = next(r for r in c["groups"] if r["slice"] == "tone" and r["group"] == "dark")
    assert (dark["a"], dark["b"]) == (pytest.approx(0.5), pytest.approx(0.15))
    assert dark["change_high"] < 0
    page = out.read_text()
    assert "Paired comparison:" in page and "B narrower (paired CI of the change below 0)" in page
    assert "<details" in page
    parsed = parse(page)  # nothing to fetch: no remote src or href, figures inline
    assert not [u for u in parsed.attrs("src") + parsed.attrs("href") if "//" in u]
    figure = next(v for k, v in parsed.json_scripts().items() if k.startswith("fig-"))
    assert [t["name"] for t in figure["data"]] == ["A", "B"]
    assert "http" not in json.dumps(figure)


def test_identical_scores_change_exactly_zero(audits, tmp_path, capsys):
    code, stdout, _ = _compare(capsys, audits["A"], audits["A2"], "--out", tmp_path / "s.html")
    assert code == 0 and stdout.startswith("paired:")
    c = json.loads((tmp_path / "s.json").read_text())
    assert c["pairing"] == "paired" and c["gaps"]
    for row in c["gaps"] + c["groups"] + [c["overall"]]:
        assert row["change"] == 0 and row["change_low"] <= 0 <= row["change_high"]
    assert {r["code"] for r in c["gaps"]} == {"no_clear_change"}


def test_different_images_are_unpaired_and_unshared_attributes_listed(audits, tmp_path, capsys):
    code, stdout, _ = _compare(capsys, audits["A"], audits["D"], "--out", tmp_path / "u.html",
                               "--json", tmp_path / "numbers.json")
    assert code == 0
    assert stdout.startswith("unpaired: the two audits scored different test images")
    c = json.loads((tmp_path / "numbers.json").read_text())
    assert c["pairing"] == "unpaired" and "different test images" in c["pairing_reason"]
    assert [r["slice"] for r in c["gaps"]] == ["tone"]  # the one shared attribute
    tone = c["gaps"][0]
    assert tone["change"] == pytest.approx(-0.2)  # gaps 0.4 -> 0.2, on different images
    assert tone["change_low"] < tone["change"] < tone["change_high"]
    skipped = {s["slice"]: s["reason"] for s in c["not_compared"]["slices"]}
    assert skipped == {"gender": "only in A", "tone & gender": "only in A",
                       "age": "only in B", "tone & age": "only in B"}
    assert c["not_compared"]["attributes"] == {"a": ["gender"], "b": ["age"]}
    assert "Unpaired comparison:" in (tmp_path / "u.html").read_text()


def test_no_shared_attribute_still_compares_overall(audits, tmp_path, capsys):
    code, stdout, _ = _compare(capsys, audits["A"], audits["N"], "--out", tmp_path / "n.html")
    assert code == 0
    c = json.loads((tmp_path / "n.json").read_text())
    assert c["shared_attributes"] == [] and c["gaps"] == [] and c["groups"] == []
    assert c["overall"]["change"] == pytest.approx(0.0)  # same misses overall
    assert c["headline"].startswith("no group comparison possible")
    assert "no group comparison possible" in stdout


def _copy(audit, tmp_path, edit):
    result = json.loads((audit / "result.json").read_text())
    edit(result)
    folder = tmp_path / "edited"
    folder.mkdir()
    (folder / "result.json").write_text(json.dumps(result))
    return folder / "result.json"


@pytest.mark.parametrize("case,message", [
    ("missing", "cannot read the file"),
    ("not_json", "not valid JSON"),
    ("model", "--model-a 'dbvae' is not a model of"),
    ("task", "the audits are of different tasks"),
    ("metric", "the audits judge different metrics (A fnr, B error_rate); pass --metric"),
])
def test_bad_inputs_exit_2_with_one_line(audits, tmp_path, capsys, case, message):
    a, args = audits["A"] / "result.json", []
    b = audits["B"] / "result.json"
    if case == "missing":
        a = tmp_path / "nowhere" / "result.json"
    elif case == "not_json":
        a = tmp_path / "result.json"
        a.write_text("{")
    elif case == "model":
        args = ["--model-a", "dbvae"]
    elif case == "task":
        b = _copy(audits["B"], tmp_path, lambda r: r.update(classes={
            "positive": "female", "negative": "male", "task": "binary"}))
    elif case == "metric":
        b = _copy(audits["B"], tmp_path,
                  lambda r: r["config"].update(verdict_metric="error_rate"))
    code, _, err = _compare(capsys, a, b, "--out", tmp_path / "x.html", *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and message in lines[0], err
    if case == "model":
        assert "(models: external)" in lines[0]
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "x.json").exists()


def test_existing_output_is_kept_without_overwrite(audits, tmp_path, capsys):
    out = tmp_path / "c.html"
    out.write_text("mine")
    code, _, err = _compare(capsys, audits["A"], audits["B"], "--out", out)
    assert code == 2 and "exists; pass --overwrite" in err and out.read_text() == "mine"
    assert not (tmp_path / "c.json").exists()
    code, _, _ = _compare(capsys, audits["A"], audits["B"], "--out", out, "--overwrite")
    assert code == 0 and out.read_text() != "mine"
