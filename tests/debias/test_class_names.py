"""The names of a task's two classes: found in the data, recorded, and used in every sentence."""

from __future__ import annotations

import pytest

from debias.audit._measure import task_metric
from debias.data import load_dataset
from debias.errors import DataError
from debias.verdicts import finding_text, plain_text
from reports import class_words, classes_record
from tests.helpers import face_rows, write_csv_dataset, write_image


def _two_folders(root, positive="female", negative="male", n=3):
    for name in (positive, negative):
        for i in range(n):
            write_image(root / name / f"{i}.png", (200, 100, 50) if name == positive else (9, 9, 9))
    return root


def test_two_class_folders_take_their_names_with_positive(tmp_path):
    data = load_dataset(_two_folders(tmp_path / "d"), positive="female", cache=False)
    assert data.classes == ("female", "male")
    assert data.format == "folder"
    labels = dict(zip(data.meta["path"], data.labels.tolist()))
    assert labels["female/0.png"] == 1 and labels["male/0.png"] == 0


def test_positive_naming_no_folder_or_more_than_two_folders_is_refused(tmp_path):
    root = _two_folders(tmp_path / "d")
    with pytest.raises(DataError, match="no folder women/"):
        load_dataset(root, positive="women", cache=False)
    write_image(root / "other" / "x.png")
    with pytest.raises(DataError, match=r"one other folder beside female/ .*\(found: male/, other/\)"):
        load_dataset(root, positive="female", cache=False)


@pytest.mark.parametrize("pos, neg, classes", [
    ("faces", "not_faces", ("face", "non-face")),
    ("positive", "negative", ("positive", "negative")),
    ("1", "0", ("positive", "negative")),
])
def test_the_usual_folder_names_give_the_usual_classes(tmp_path, pos, neg, classes):
    root = _two_folders(tmp_path / "d", pos, neg)
    assert load_dataset(root, cache=False).classes == classes


@pytest.mark.parametrize("labels, positive, classes", [
    (("1", "0"), None, ("positive", "negative")),
    (("true", "false"), None, ("positive", "negative")),
    (("face", "nonface"), None, ("face", "non-face")),
    (("smiling", "neutral"), "smiling", ("smiling", "neutral")),
])
def test_csv_labels_name_the_classes(tmp_path, labels, positive, classes):
    rows = face_rows(3, 3)
    for row in rows:
        row["label"] = labels[0] if row["label"] == 1 else labels[1]
    data = load_dataset(write_csv_dataset(tmp_path / "d", rows), positive=positive, cache=False)
    assert data.classes == classes
    assert data.labels.tolist() == [1, 1, 1, 0, 0, 0]


def test_class_names_override_and_bad_ones_are_refused(tmp_path):
    root = write_csv_dataset(tmp_path / "d", face_rows(3, 3))
    assert load_dataset(root, class_names="glasses,no glasses", cache=False).classes == \
        ("glasses", "no glasses")
    for bad in ("one", "a,a", "a,b,c", "a,"):
        with pytest.raises(DataError, match="give two different names"):
            load_dataset(root, class_names=bad, cache=False)


def test_subsets_keep_the_classes(tmp_path):
    data = load_dataset(_two_folders(tmp_path / "d", n=10), positive="female", cache=False)
    train, test = data.split(seed=0)
    assert train.classes == test.classes == ("female", "male")


def test_task_words_and_the_metric_each_task_calls_for():
    face = class_words(classes_record())
    assert (face.faces, face.positives, face.missed) == (True, "faces", "missed")
    assert class_words(None) == face
    gender = class_words(classes_record("female", "male"))
    assert classes_record("female", "male")["task"] == "binary"
    assert (gender.positives, gender.negatives, gender.missed) == \
        ("female images", "male images", "classified as male")
    assert classes_record("Faces", "background")["task"] == "face_detection"

    import pandas as pd

    class Data:  # what task_metric reads of a dataset: do attributes describe both classes?
        attributes = ["race"]
        meta = pd.DataFrame({"label": [1, 0], "race": ["a", "unknown"]})
    assert task_metric(Data) == "fnr"
    Data.meta = pd.DataFrame({"label": [1, 0], "race": ["a", "b"]})
    assert task_metric(Data) == "error_rate"


def test_sentences_use_the_task_words():
    finding = {"code": "worst_ratio", "model": "baseline", "metric": "fnr", "groups": ["b"],
               "reference": "a", "slice": "race", "ratio": 3.0, "low": 2.0, "high": 4.0,
               "level": 0.95}
    gender = classes_record("female", "male")
    assert finding_text(finding) == ("baseline: faces of b are missed 3.0\u00d7 as often as faces "
                                     "of a (95% CI 2.0\u20134.0; race).")
    assert finding_text(finding, gender) == (
        "baseline: female images of b are classified as male 3.0\u00d7 as often as female "
        "images of a (95% CI 2.0\u20134.0; race).")
    gate = {"code": "cannot_conclude", "gates": [{"code": "one_class", "model": "baseline",
                                                  "share": 1.0, "label": 0}]}
    assert "calls 100.0% of the images male" in finding_text(gate, gender)
    assert "calls 100.0% of the images non-faces" in finding_text(gate)
    items = {"found": [{"code": "metric", "metric": "fnr"}], "sure": [],
             "next": [{"code": "fix_gate", "gate": "one_class"}]}
    said = plain_text(items, gender)
    assert said["found"] == ["We compare the miss rate between groups of female images (the share "
                             "of female images classified as male)."]
    assert said["next"] == ["Check the model first: it has not learned to tell female images "
                            "from male images (train it longer, or check its labels and "
                            "threshold)."]
    assert "face" not in " ".join(said["found"] + said["next"])


def test_tasks_whose_classes_are_people_compare_every_group():
    """A gender classifier: 'male' groups hold no positives and are compared all the same."""
    import numpy as np
    import pandas as pd

    from debias.metrics import AuditConfig, audit_predictions

    n = 100
    race = np.repeat(["a", "b"], 2 * n)
    gender = np.tile(np.repeat(["female", "male"], n), 2)
    y = (gender == "female").astype(int)
    wrong = np.zeros(4 * n, bool)
    for start, errors in ((0, 10), (n, 40), (2 * n, 20), (3 * n, 5)):  # a&f a&m b&f b&m
        wrong[start:start + errors] = True
    scores = np.where(wrong, 1 - y, y).astype(float)
    attrs = pd.DataFrame({"race": race, "gender": gender})

    def gap(compare):
        m = audit_predictions(y, scores, attrs, AuditConfig(n_boot=0, compare=compare,
                                                            verdict_metric="error_rate"))
        d = m.disparities
        row = d[(d["slice"] == "race & gender") & (d["metric"] == "error_rate")
                & (d["measure"] == "max-min difference")].iloc[0]
        return round(row["value"], 3), row["worst_groups"]

    assert gap("with_positives") == (0.1, ["b & female"])     # 0.20 - 0.10, females only
    assert gap("all") == (0.35, ["a & male"])                 # 0.40 - 0.05


def test_advice_counts_every_image_of_a_task_whose_classes_are_people():
    from types import SimpleNamespace

    import pandas as pd

    from debias.audit._advice import _training_faces

    train = SimpleNamespace(meta=pd.DataFrame({"label": [1, 0, 0, 1], "race": list("aaba")}),
                            attributes=["race"])
    assert _training_faces(train, "race", ["a", "b"]) == {"a": 2, "b": 0}
    assert _training_faces(train, "race", ["a", "b"], positives_only=False) == {"a": 3, "b": 1}
    item = {"code": "more_training_faces", "groups": ["b"], "reference": "a",
            "training": {"a": 3, "b": 1}, "counted": "images"}
    said = plain_text({"found": [], "sure": [], "next": [item]}, classes_record("female", "male"))
    assert said["next"] == ["Collect more training images of b (the training split has 1 image "
                            "of b, 3 images of a), retrain, and audit again."]
