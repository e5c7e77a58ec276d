"""Numeric attributes (an ``age`` column of many values) are binned into ranges; a categorical
attribute of many values is warned about (issue 17)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from debias.data import load_dataset
from debias.errors import DataError
from tests.e2e.cli import assert_one_line_error, run_cli
from tests.helpers import face_rows, write_csv_dataset, write_image

GIVEN = ["0–17", "18–29", "30–44", "45–59", "60+"]
RACES = [f"race{i:02d}" for i in range(15)]


def _load(root, **kwargs):
    return load_dataset(root, image_size=8, workers=1, **kwargs)


@pytest.fixture
def ages(tmp_path):
    """84 faces aged 0..83, each age once, and 4 non-faces of unknown age."""
    return write_csv_dataset(tmp_path / "ages", face_rows(84, 4, age=list(range(84))))


def _contains(label: str, age: float) -> bool:
    """Whether the integer-style range ``label`` ("18–29", "60+", "17") holds ``age``."""
    if label.endswith("+"):
        return age >= int(label[:-1])
    low, _, high = label.partition("–")
    return int(low) <= age <= int(high or low)


def test_default_bins_are_four_quartile_ranges(ages):
    data = _load(ages)
    faces = data.meta[data.meta["label"] == 1]
    labels = sorted(faces["age"].unique(), key=lambda label: int(re.match(r"\d+", label)[0]))
    assert labels == ["0–19", "20–40", "41–61", "62+"]
    assert all(_contains(label, age) for label, age in zip(faces["age"], range(84)))
    assert faces["age"].value_counts().sort_index().tolist() == [20, 21, 21, 22]
    assert set(data.meta.loc[data.meta["label"] == 0, "age"]) == {"unknown"}


def test_given_edges_give_exactly_those_ranges(ages):
    data = _load(ages, bin_edges=["age=0,18,30,45,60"])
    faces = data.meta[data.meta["label"] == 1]
    assert set(faces["age"]) == set(GIVEN)
    assert all(_contains(label, age) for label, age in zip(faces["age"], range(84)))
    assert faces["age"].value_counts()["18–29"] == 12
    assert set(data.meta.loc[data.meta["label"] == 0, "age"]) == {"unknown"}
    # a mapping and a ;-separated string say the same
    for spelling in ({"age": [0, 18, 30, 45, 60]}, "age=0,18,30,45,60;"):
        assert _load(ages, bin_edges=spelling).meta["age"].tolist() == data.meta["age"].tolist()


def test_values_below_the_first_edge_and_non_integers(tmp_path):
    rows = face_rows(30, 2, age=[a + 0.5 for a in range(30)], size=list(range(30)))
    data = _load(write_csv_dataset(tmp_path, rows), bin_edges=["age=10,20", "size=10,11,20"])
    faces = data.meta[data.meta["label"] == 1]
    assert faces["age"].tolist()[9:12] == ["<10", "[10, 20)", "[10, 20)"]
    assert faces["age"].iloc[-1] == "20+"
    # integer data, an edge one above the next: the range is one value
    assert faces["size"].tolist()[9:12] == ["<10", "10", "11–19"]


def test_default_bins_of_non_integer_data_are_rounded(tmp_path):
    rows = face_rows(40, 2, height=[round(150.123 + 1.037 * i, 3) for i in range(40)])
    data = _load(write_csv_dataset(tmp_path, rows))
    labels = set(data.meta.loc[data.meta["label"] == 1, "height"])
    # 150.123 .. 190.566: the minimum rounded down, the quartiles to 3 significant digits
    assert labels == {"[150, 159)", "[159, 170)", "[170, 180)", "180+"}


def test_unknown_spellings_stay_unknown(tmp_path):
    ages = [*range(20, 40), "", "NA", "unknown", "n/a"]
    data = _load(write_csv_dataset(tmp_path, face_rows(24, 2, age=ages)))
    faces = data.meta[data.meta["label"] == 1]
    assert faces["age"].tolist()[20:] == ["unknown"] * 4
    assert "unknown" not in set(faces["age"].iloc[:20])
    assert any(w.startswith("age: 20 numeric values binned into ") for w in data.warnings)


def test_few_numeric_values_stay_categories_unless_named(tmp_path):
    root = write_csv_dataset(tmp_path, face_rows(12, 2, fitzpatrick=[1, 2, 3, 4, 5, 6]))
    data = _load(root)
    assert set(data.meta["fitzpatrick"]) == {"1", "2", "3", "4", "5", "6", "unknown"}
    assert data.warnings == []
    binned = _load(root, bin_edges=["fitzpatrick=1,4"])
    assert set(binned.meta["fitzpatrick"]) == {"1–3", "4+", "unknown"}


def test_summary_and_warning_record_the_bins(ages):
    summary = _load(ages).summary()
    assert set(summary["per_attribute"]["age"]) == {"0–19", "20–40", "41–61", "62+",
                                                    "unknown"}
    assert summary["warnings"] == ["age: 84 numeric values binned into 0–19, 20–40, 41–61, "
                                   "62+ (quartiles; set --bin-edges age=… to choose the edges)"]
    given = _load(ages, bin_edges=["age=0,18,30,45,60"]).summary()
    assert set(given["per_attribute"]["age"]) == {*GIVEN, "unknown"}
    assert given["warnings"] == ["age: 84 numeric values binned into 0–17, 18–29, 30–44, "
                                 "45–59, 60+ (edges from --bin-edges)"]


def test_folder_layout_attributes_are_binned(tmp_path):
    for i in range(30):
        write_image(tmp_path / "faces" / f"f{i}.png")
    write_image(tmp_path / "nonfaces" / "n0.png")
    pd.DataFrame({"path": [f"faces/f{i}.png" for i in range(30)],
                  "age": range(20, 50)}).to_csv(tmp_path / "attributes.csv", index=False)
    meta = _load(tmp_path, bin_edges=["age=30"]).meta.set_index("path")["age"]
    assert meta["faces/f9.png"] == "<30" and meta["faces/f10.png"] == "30+"
    assert meta.value_counts().to_dict() == {"30+": 20, "<30": 10, "unknown": 1}


def test_binning_leaves_the_image_cache_alone(ages, isolated_cache):
    _load(ages)
    _load(ages, bin_edges=["age=0,18,30,45,60"])
    assert len(list(isolated_cache.glob("*.json"))) == 1  # the second load read the first's


def test_many_categories_warn(tmp_path):
    rows = face_rows(30, 2, race=RACES, age=[*range(20, 35), "80+"])
    data = _load(write_csv_dataset(tmp_path, rows))
    assert set(data.meta["race"]) == {*RACES, "unknown"}
    assert data.warnings == [
        "race: 15 values, so its groups are small and their metrics often withheld; merge "
        "values, or leave the column out with --attributes",
        "age: 16 values (not binned: '80+' is not a number), so its groups are small and their "
        "metrics often withheld; merge values, or leave the column out with --attributes"]


@pytest.mark.parametrize("bin_edges,message", [
    (["agee=0,18"], "`bin_edges` names 'agee', which is not an attribute in use "
                    "(attributes: age, race)"),
    (["age=0,x,30"], "`bin_edges` age=0,x,30: 'x' is not a finite number"),
    (["age=0,inf"], "`bin_edges` age=0,inf: 'inf' is not a finite number"),
    (["age=5,1"], "`bin_edges` age=5,1: the edges must increase (5 then 1)"),
    (["age=0,18,18"], "`bin_edges` age=0,18,18: the edges must increase (18 then 18)"),
    (["age"], "`bin_edges` 'age': give ATTRIBUTE=EDGE,EDGE,... (e.g. age=0,18,30,45,60)"),
    (["age=0;age=5"], "`bin_edges` names 'age' twice"),
    (["race=0,18"], "`bin_edges` names 'race', which is not numeric ('race00' is not a number)"),
])
def test_bad_bin_edges_refused(tmp_path, bin_edges, message):
    rows = face_rows(15, 2, age=list(range(15)), race=RACES)
    with pytest.raises(DataError) as err:
        _load(write_csv_dataset(tmp_path, rows), bin_edges=bin_edges)
    assert str(err.value) == message


def test_bin_edges_for_a_column_left_out_refused(ages):
    with pytest.raises(DataError, match=r"names 'age', which is not an attribute in use "
                                        r"\(attributes: none\)"):
        _load(ages, attributes=[], bin_edges=["age=18"])


def test_inspect_shows_the_bins(ages):
    from debias.cli.app import cli  # in this process: the option reaches load_dataset

    shown = CliRunner().invoke(cli, ["inspect", str(ages), "--bin-edges", "age=0,18,30,45,60"])
    assert shown.exit_code == 0, shown.output
    assert ("warning: age: 84 numeric values binned into 0–17, 18–29, 30–44, 45–59, 60+ "
            "(edges from --bin-edges)") in shown.output
    assert "  18–29  " in shown.output


def test_cli_refuses_bad_edges_in_one_line(ages):
    refused = run_cli("inspect", ages, "--bin-edges", "age=5,1")
    assert_one_line_error(refused, 2, "error: --bin-edges age=5,1: the edges must increase "
                          "(5 then 1)")


def test_summary_records_the_bins_in_order(ages):
    summary = _load(ages, bin_edges=["age=5,18,30,45,60"]).summary()
    assert summary["bins"] == {"age": {"edges": [5, 18, 30, 45, 60], "chosen": "given",
                                       "labels": ["<5", "5–17", "18–29", "30–44", "45–59", "60+"]}}
    assert list(summary["per_attribute"]["age"]) == [*summary["bins"]["age"]["labels"], "unknown"]
    assert "bins" not in _load(ages, attributes=[]).summary()
