"""Which images a result keeps (``--images``), how they are captioned (``--captions``), and
the per-image scores table (``tables/<model>_scores.csv``) read back as predictions.

Oracles: the PNG strings counted in the JSON text (every image is one, a counterfactual pair
two), the fixture's own file names, and the scores written."""

from __future__ import annotations

import copy
import json
import re

import numpy as np
import pandas as pd
import pytest
import torch

from debias._atomic import write_csv
from debias._image_policy import apply_image_policy, images_note
from debias.audit._images import describe
from debias.synth import is_benchmark
from debias.audit._predictions import read_predictions
from debias.audit._result import scores_table
from debias.data import ImageDataset
from debias.errors import DataError
from debias.groups import DISCOVERED
from debias.synth import make_synthetic_benchmark
from reports import class_words, render_html, validate_result
from tests.reports.fixtures import make_counterfactual_result

PNG = "iVBORw0KGgo"


def _pngs(result: dict) -> int:
    return json.dumps(result).count(PNG)


def _traversal_pngs(result: dict) -> int:
    return sum(len(t["images"]) for t in result["latent"]["traversals"])


@pytest.fixture(scope="module")
def full() -> dict:
    """Every kind of gallery: misclassified, rarest and most typical, traversals,
    counterfactual pairs, CycleGAN augmentation samples."""
    return make_counterfactual_result()


def test_none_empties_every_gallery_and_keeps_its_count(full):
    result = copy.deepcopy(full)
    total = _pngs(result)
    record = apply_image_policy(result, "none")
    assert _pngs(result) == 0 and total > 50
    assert record == {"policy": "none", "captions": "groups", "shown": 0, "of_dataset": 0,
                      "withheld": total, "default": False}
    assert result["latent"]["rarest_withheld"] == len(full["latent"]["rarest"])
    pairs = full["counterfactual"]["directions"][0]["pairs"]
    assert result["counterfactual"]["directions"][0]["pairs_withheld"] == 2 * len(pairs)
    validate_result(result)
    html = render_html(result)
    assert "<img" not in html
    n = len(full["models"]["baseline"]["misclassified"][0]["images"])
    assert f"{n} misclassified images not shown (--images none)" in html
    assert f"{len(full['augmentation']['samples'])} synthetic samples not shown" in html
    assert f"no image; {total:,} left out (--images none)" in html


def test_synthetic_keeps_only_images_generated_from_no_dataset_image(full):
    result = copy.deepcopy(full)
    total, generated = _pngs(result), _traversal_pngs(result)
    record = apply_image_policy(result, "synthetic")
    assert _pngs(result) == record["shown"] == generated > 0  # CycleGAN samples are edits
    assert record["of_dataset"] == 0 and record["withheld"] == total - generated
    kinds = set(re.findall(r'<img [^>]*data-image="(\w+)"', render_html(result)))
    assert kinds == {"generated"}

    gan = copy.deepcopy(full)
    gan["augmentation"]["method"] = "gan"  # samples drawn from noise: generated
    record = apply_image_policy(gan, "synthetic")
    assert record["shown"] == generated + len(full["augmentation"]["samples"])


def test_all_counts_images_of_the_dataset_apart_from_generated_ones(full):
    result = copy.deepcopy(full)
    record = apply_image_policy(result, "all")
    assert record["shown"] == _pngs(full) and record["withheld"] == 0
    assert record["of_dataset"] == _pngs(full) - _traversal_pngs(full)
    kinds = re.findall(r'<img [^>]*data-image="(\w+)"', render_html(result))
    assert kinds.count("generated") == _traversal_pngs(full)
    assert kinds.count("edit") >= len(full["augmentation"]["samples"])


def test_a_policy_never_brings_images_back(full):
    result = copy.deepcopy(full)
    total = _pngs(result)
    apply_image_policy(result, "synthetic")
    apply_image_policy(result, "all")
    assert result["images"]["policy"] == "synthetic" and _pngs(result) == _traversal_pngs(full)
    record = apply_image_policy(result, "none")
    assert record["withheld"] == total and record["shown"] == 0
    assert apply_image_policy(result, None, captions="paths")["withheld"] == total


def test_the_note_is_for_user_data_under_the_default_policy_only(full):
    def note(**record):
        result = copy.deepcopy(full)
        result["images"] = record
        apply_image_policy(result, record.pop("policy", None))
        return images_note(result), render_html(result)

    n = _pngs(full) - _traversal_pngs(full)
    line = f"The report embeds {n} images of the dataset; pass --images none to leave them out"
    text, html = note(default=True, benchmark=False)
    assert text == line and line in html
    assert note(default=True, benchmark=True)[0] is None
    assert note(default=False, benchmark=False, policy="all")[0] is None


def test_captions_and_alt_text_hold_no_file_name_unless_asked(full):
    result = copy.deepcopy(full)
    paths = [i["path"] for g in result["models"]["baseline"]["misclassified"]
             for i in g["images"]] + [i["path"] for i in result["latent"]["rarest"]]
    html = render_html(result)
    assert paths and not [p for p in paths if p in html]
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    assert alts and all(alts)

    apply_image_policy(result, None, captions="paths")
    html = render_html(result)
    shown = re.findall(r'<span class="path">([^<]*)</span></figcaption>', html)
    assert set(paths) <= set(shown)
    for tag in re.findall(r"<img [^>]*>", html):
        assert not [p for p in paths if p in tag], tag


def test_describe_speaks_the_tasks_class_words():
    faces = class_words(None)
    assert describe("dark & female", 1, 0.31, words=faces, threshold=0.5) == (
        "dark & female \u00b7 face, predicted non-face (score 0.310)",
        "face of dark & female, predicted non-face (score 0.31)")
    gender = class_words({"positive": "female", "negative": "male", "task": "binary"})
    assert describe("", 0, 0.5, words=gender, threshold=0.5)[1] == \
        "male image, predicted female (score 0.50)"


def test_the_synthetic_benchmark_is_recognised_and_nothing_else(tmp_path):
    bench = make_synthetic_benchmark(tmp_path / "b", n_train=20, n_test=8, image_size=16,
                                     progress=False)
    assert is_benchmark(bench)
    (tmp_path / "mine").mkdir()
    assert not is_benchmark(tmp_path / "mine")
    (tmp_path / "mine" / "README.md").write_text("# My faces\n", "utf-8")
    assert not is_benchmark(tmp_path / "mine")


# -- tables/<model>_scores.csv ---------------------------------------------------------------

def _dataset() -> ImageDataset:
    meta = pd.DataFrame({"path": ["=evil.png", "b.png", "c.png", "d.png"],
                         "label": [1, 1, 0, 1], "tone": ["+dark", "light", "unknown", "dark"]})
    images = torch.zeros(4, 3, 8, 8, dtype=torch.uint8)
    return ImageDataset(images, torch.tensor(meta.label.to_numpy()), meta, ["tone"], root=".")


def test_scores_table_is_exact_and_safe_to_open(tmp_path):
    data = _dataset()
    scores = np.array([0.1, 0.30000001192092896, 0.7, 0.5], dtype=np.float32)
    attributes = data.meta[["tone"]].assign(**{DISCOVERED: ["slice 1"] * 4})
    frame = scores_table(data.meta["path"], data.labels.numpy(),
                         scores, attributes[[DISCOVERED, "tone"]], threshold=0.5)
    path = write_csv(frame, tmp_path / "baseline_scores.csv")
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == "path,split,label,score,prediction,tone,discovered slice"
    assert lines[1] == f"'=evil.png,test,1,{float(scores[0])!r},0,'+dark,slice 1"
    assert lines[4].endswith(",1,0.5,1,dark,slice 1")  # at the threshold: positive

    index, read, _ = read_predictions(path, data, threshold=None)
    assert index.tolist() == [0, 1, 2, 3]
    assert np.array_equal(read, scores.astype(np.float64))  # every bit of the float32 score


def test_predictions_check_0_1_labels_and_ignore_other_columns(tmp_path):
    data = _dataset()
    frame = pd.DataFrame({"path": ["b.png", "c.png"], "split": "test", "label": [1, 1],
                          "score": [0.4, 0.6], "prediction": [0, 1], "tone": ["x", "y"]})
    frame.to_csv(tmp_path / "wrong.csv", index=False)
    with pytest.raises(DataError, match=r"line 3: label 1 but the dataset's label of 'c.png' "
                                        r"is 0 \(1 such rows\)"):
        read_predictions(tmp_path / "wrong.csv", data, threshold=None)
    frame.assign(label=["face", "nonface"]).to_csv(tmp_path / "words.csv", index=False)
    index, scores, _ = read_predictions(tmp_path / "words.csv", data, threshold=None)
    assert index.tolist() == [1, 2] and scores.tolist() == [0.4, 0.6]


def test_keeps_and_the_augmentation_kind_follow_the_policies():
    from debias._image_policy import augmentation_kind, keeps

    assert [keeps(p, "dataset") for p in (None, "all", "synthetic", "none")] == \
        [True, True, False, False]
    assert [keeps(p, "generated") for p in (None, "all", "synthetic", "none")] == \
        [True, True, True, False]
    assert (augmentation_kind("gan"), augmentation_kind("cyclegan")) == ("generated", "edit")
    assert not keeps("synthetic", augmentation_kind("cyclegan"))
