"""Group identity never merges two groups, and odd attribute names never crash an audit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from debias.audit._findings import summarise
from debias.groups import group_labels, join_name
from debias.metrics import AuditConfig, audit_predictions


def test_values_holding_the_separator_stay_different_groups():
    # a='x & y', b='z' and a='x', b='y & z' once both became the group "x & y & z".
    attrs = pd.DataFrame({"a": ["x & y"] * 40 + ["x"] * 40, "b": ["z"] * 40 + ["y & z"] * 40})
    y = np.ones(80, int)
    scores = np.r_[np.full(40, 0.9), np.full(40, 0.1)]  # the first found, the second missed
    m = audit_predictions(y, scores, attrs, AuditConfig(n_boot=0))
    rows = m.per_group[m.per_group["slice"] == "a & b"].set_index("group")
    assert rows["tpr"].to_dict() == {'"x & y" & z': 1.0, 'x & "y & z"': 0.0}
    assert rows["count"].tolist() == [40, 40]


def test_group_names_are_injective():
    values = [("x & y", "z"), ("x", "y & z"), ('"q"', "r"), ("q", "r"), ("a", "b")]
    names = [join_name(v) for v in values]
    assert len(set(names)) == len(values)
    frame = pd.DataFrame(values, columns=["p", "q"])
    assert group_labels(frame, ("p", "q")).tolist() == names
    assert group_labels(frame, ("p",)).tolist() == [v[0] for v in values]  # alone: as written


def test_no_attribute_columns_give_empty_tables_not_a_crash():
    y = np.r_[np.ones(50, int), np.zeros(50, int)]
    m = audit_predictions(y, np.where(y == 1, 0.9, 0.1), pd.DataFrame(index=range(100)),
                          AuditConfig(n_boot=10))
    assert m.disparities.empty and list(m.disparities.columns)[:3] == ["slice", "metric",
                                                                         "measure"]
    assert m.verdicts.empty and "code" in m.verdicts.columns
    summary = summarise({"baseline": m}, {}, [], audited=100, faces=50)
    # No groups: an overall-performance audit, said as such.
    assert [f["code"] for f in summary["findings"]] == ["audited", "no_groups", "overall"]
    assert summary["verdict"]["code"] == "no_groups"


def test_attribute_names_with_spaces_hyphens_and_keywords():
    rng = np.random.default_rng(0)
    attrs = pd.DataFrame({"skin tone": rng.choice(["a", "b"], 200),
                          "class": rng.choice(["c", "d"], 200),
                          "age-group": rng.choice(["e", "f"], 200)})
    y = np.ones(200, int)
    m = audit_predictions(y, np.where(rng.random(200) < 0.9, 0.9, 0.1), attrs,
                          AuditConfig(n_boot=20))
    assert {"skin tone", "class", "age-group", "skin tone & class"} <= set(m.per_group["slice"])
    summary = summarise({"baseline": m}, {}, [], audited=200, faces=200)
    assert summary["verdict"]["code"] in {"disparity_clear", "disparity_weak", "not_judged",
                                          "no_clear_disparity"}


def test_the_cli_audits_a_dataset_without_attributes_or_with_odd_names(tmp_path):
    from tests.e2e.cli import run_cli
    from tests.helpers import face_rows, write_csv_dataset

    plain = write_csv_dataset(tmp_path / "plain", face_rows(10, 10))
    odd = write_csv_dataset(tmp_path / "odd", face_rows(10, 10, **{"skin tone": ["a", "b"],
                                                                    "class": ["c", "d"]}))
    for root, code, said in ((plain, 0, "No subgroup analysis was possible"),
                             (odd, 0, "audited 20 images")):
        frame = pd.read_csv(root / "labels.csv", keep_default_na=False)
        preds = pd.DataFrame({"path": frame.path, "score": np.where(frame.label == 1, 0.8, 0.2)})
        preds.loc[0, "score"] = 0.3
        preds.to_csv(tmp_path / "preds.csv", index=False)
        result = run_cli("audit", root, "--predictions", tmp_path / "preds.csv", "--out",
                         tmp_path / f"out-{root.name}", "--n-boot", "20", "--min-count", "1",
                         "--image-size", "16")
        assert result.returncode == code and "Traceback" not in result.stderr, result.stderr
        assert said in result.stdout
