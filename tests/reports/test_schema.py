"""The result schema: both fixtures pass; broken results fail with one line naming the path."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import reports
from reports import ResultSchemaError, load_result, validate_result
from tests.reports.fixtures import make_hostile_result, make_minimal_result, make_result

ROOT = Path(__file__).resolve().parents[2]


def test_public_api():
    assert reports.SCHEMA_VERSION == 2
    assert set(reports.__all__) == {"SCHEMA_VERSION", "ClassWords", "PdfError",
                                    "ResultSchemaError", "class_words", "classes_record",
                                    "find_chromium",
                                    "load_result", "render_comparison", "render_html",
                                    "validate_result", "write_pdf", "write_report"}
    assert issubclass(ResultSchemaError, ValueError)


def test_schema_is_package_data_and_valid_2020_12():
    schema = json.loads(resources.files("reports").joinpath("schema.json").read_text("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert resources.files("reports").joinpath("templates", "report.html.j2").is_file()


def test_pyproject_ships_every_data_file_of_reports():
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["reports"]
    package = ROOT / "reports"
    data = [p.relative_to(package).as_posix() for p in package.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc", ".md")]
    assert "schema.json" in data and "templates/report.css" in data
    for name in data:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


@pytest.mark.parametrize("make", [make_result, make_minimal_result, make_hostile_result])
def test_fixtures_validate(make):
    validate_result(make())


def _set(result, path, value):
    target = result
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return result


_DELETE = object()
BROKEN = [
    (("models", "baseline", "per_group", 3, "tpr"), "abc",
     "result.json: models.baseline.per_group[3].tpr: 'abc' is not of type 'number', 'null'"),
    (("created",), _DELETE, "result.json: 'created' is a required property"),
    (("models", "dbvae", "per_group", 0, "tpr_status"), _DELETE,
     "result.json: models.dbvae.per_group[0]: 'tpr_status' is a required property"),
    (("models", "baseline", "verdicts", 2, "ratio"), math.nan,
     "result.json: models.baseline.verdicts[2].ratio: nan is not allowed"),
    (("latent", "rarest", 1, "png"), "data:image/png;base64,AAAA",
     "result.json: latent.rarest[1].png: 'data:image/png;base64,AAAA' does not match"),
    (("config", "tolerance"), [0.8], "result.json: config.tolerance: [0.8] is too short"),
    (("models",), {}, "result.json: models: {} should be non-empty"),
    (("dataset", "summary", "per_attribute", "skin_tone", "dark", "positive"), -1,
     "result.json: dataset.summary.per_attribute.skin_tone.dark.positive: -1 is less than"),
    (("latent", "combine"), "mean", "result.json: latent.combine: 'mean' is not one of"),
    (("schema_version",), 3, "result.json: schema_version: this version of reports renders "
                             "schema version 2, got 3"),
    (("schema_version",), 1, "result.json: schema_version: this version of reports renders "
                             "schema version 2, got 1 (an older audit: its verdicts were "
                             "sentences, not codes; run `debias audit` again"),
    (("models", "baseline", "verdicts", 0, "code"), "fine", "result.json: "
     "models.baseline.verdicts[0].code: 'fine' is not one of"),
]


@pytest.mark.parametrize("path, value, expected", BROKEN,
                         ids=[".".join(map(str, b[0])) for b in BROKEN])
def test_broken_results_fail_with_one_line_naming_the_path(path, value, expected):
    result = _set(make_result(), path, value)
    with pytest.raises(ResultSchemaError) as info:
        validate_result(result)
    message = str(info.value)
    assert message.startswith(expected)
    assert "\n" not in message and len(message) <= 240


def test_odd_keys_are_quoted_in_the_path():
    result = make_hostile_result()
    attribute = next(iter(result["dataset"]["summary"]["per_attribute"]))
    value = next(iter(result["dataset"]["summary"]["per_attribute"][attribute]))
    result["dataset"]["summary"]["per_attribute"][attribute][value]["negative"] = "x"
    with pytest.raises(ResultSchemaError) as info:
        validate_result(result)
    path = f"per_attribute[{json.dumps(attribute)}][{json.dumps(value)}].negative"
    assert path in str(info.value)
    assert "\n" not in str(info.value)


def test_not_an_object():
    with pytest.raises(ResultSchemaError, match="^result.json: expected a JSON object, got list$"):
        validate_result([])


def test_load_result_round_trip(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps(make_result(), indent=1, ensure_ascii=False), "utf-8")
    assert load_result(path) == make_result()


@pytest.mark.parametrize("text, expected", [
    ('{"schema_version": 1,\n  "tool": }', "not valid JSON (line 2, column 11"),
    ('{"runtime_s": NaN}', "NaN is not valid JSON"),
    ("", "not valid JSON (line 1, column 1"),
])
def test_load_result_bad_json_is_one_line(tmp_path, text, expected):
    path = tmp_path / "result.json"
    path.write_text(text, "utf-8")
    with pytest.raises(ResultSchemaError) as info:
        load_result(path)
    assert str(info.value).startswith(f"{path}: ") and expected in str(info.value)
    assert "\n" not in str(info.value)


def test_load_result_missing_or_undecodable_file(tmp_path):
    with pytest.raises(ResultSchemaError, match="cannot read the file"):
        load_result(tmp_path / "absent.json")
    (tmp_path / "latin1.json").write_bytes(b'{"root": "caf\xe9"}')
    with pytest.raises(ResultSchemaError, match="cannot read the file"):
        load_result(tmp_path / "latin1.json")


def test_load_result_names_the_file_and_the_path(tmp_path):
    result = make_minimal_result()
    result["models"]["external"]["per_group"][0]["count"] = 1.5
    path = tmp_path / "r.json"
    path.write_text(json.dumps(result), "utf-8")
    with pytest.raises(ResultSchemaError) as info:
        load_result(path)
    assert str(info.value) == (f"{path}: models.external.per_group[0].count: 1.5 is not of "
                               "type 'integer'")


def test_reports_imports_neither_torch_nor_debias():
    code = ("import sys, reports; from tests.reports.fixtures import make_result; "
            "reports.render_html(make_result()); "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'debias')); "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
