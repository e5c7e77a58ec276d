"""`debias report` refuses numbers out of their range (a TPR of 7.5, a count of 1e300), huge
integers, deep nesting and huge files, each in one line naming where, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import reports._schema as schema_module
from reports import ResultSchemaError, load_result, validate_result
from tests.e2e.cli import assert_one_line_error, run_cli
from tests.reports.fixtures import (
    VARIANTS, make_counterfactual_result, make_hostile_result, make_minimal_result, make_result,
    make_variant,
)

DEMO = Path(__file__).resolve().parents[2] / "out" / "demo-audit" / "result.json"
JSON_SAFE = 2 ** 53
MARK = "__REPLACED_BY_THE_TEST__"


def _set(result: dict, path: tuple, value) -> dict:
    node = result
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return result


def _measure_row(result: dict, measure: str, model: str = "baseline") -> int:
    rows = result["models"][model]["disparities"]
    return next(i for i, r in enumerate(rows) if r["measure"].startswith(measure))


def _refused(result) -> str:
    with pytest.raises(ResultSchemaError) as info:
        validate_result(result)
    message = str(info.value)
    assert "\n" not in message and len(message) <= 240, message
    return message


def _load_refused(path: Path) -> str:
    with pytest.raises(ResultSchemaError) as info:
        load_result(path)
    message = str(info.value)
    assert "\n" not in message and len(message) <= 240, message
    assert message.startswith(f"{path}: "), message
    return message


def _write_with(tmp_path: Path, path: tuple, literal: str) -> Path:
    """A fixture result.json whose value at ``path`` is the raw JSON text ``literal``."""
    text = json.dumps(_set(make_result(), path, MARK))
    assert text.count(json.dumps(MARK)) == 1
    out = tmp_path / "result.json"
    out.write_text(text.replace(json.dumps(MARK), literal), "utf-8")
    return out


# --- 1. out-of-range values --------------------------------------------------------------

OUT_OF_RANGE = [
    # rates: [0, 1]
    (("models", "baseline", "per_group", 0, "tpr"), 7.5,
     "models.baseline.per_group[0].tpr: 7.5 is greater than the maximum of 1"),
    (("models", "baseline", "per_group", 0, "accuracy_high"), 1.5,
     "models.baseline.per_group[0].accuracy_high: 1.5 is greater than the maximum of 1"),
    (("models", "dbvae", "per_group", 3, "fnr"), 2.0,
     "models.dbvae.per_group[3].fnr: 2.0 is greater than the maximum of 1"),
    (("models", "baseline", "threshold_sweep", 0, "tpr"), 7.5,
     "models.baseline.threshold_sweep[0].tpr: 7.5 is greater than the maximum of 1"),
    (("models", "baseline", "disparities", 0, "value"), 7.5,  # max-min difference of accuracy
     "models.baseline.disparities[0].value: 7.5 is greater than the maximum of 1"),
    (("models", "baseline", "disparities", 1, "high"), 1.2,  # min/max ratio of accuracy
     "models.baseline.disparities[1].high: 1.2 is greater than the maximum of 1"),
    (("comparison", "rows", 0, "baseline_gap"), 1.5,
     "comparison.rows[0].baseline_gap: 1.5 is greater than the maximum of 1"),
    (("latent", "pca", "explained", 0), 1.5,
     "latent.pca.explained[0]: 1.5 is greater than the maximum of 1"),
    (("models", "dbvae", "training", "resampling", 0, "ess_fraction"), 1.5,
     "models.dbvae.training.resampling[0].ess_fraction: 1.5 is greater than the maximum of 1"),
]

NEGATIVE = [
    (("models", "baseline", "per_group", 0, "fpr"), -0.1,
     "models.baseline.per_group[0].fpr: -0.1 is less than the minimum of 0"),
    (("models", "baseline", "per_group", 0, "tpr_low"), -0.1,
     "models.baseline.per_group[0].tpr_low: -0.1 is less than the minimum of 0"),
    (("models", "baseline", "disparities", 1, "low"), -0.2,
     "models.baseline.disparities[1].low: -0.2 is less than the minimum of 0"),
    (("models", "baseline", "verdicts", 0, "ratio"), -0.5,
     "models.baseline.verdicts[0].ratio: -0.5 is less than the minimum of 0"),
    (("comparison", "rows", 0, "change"), -1.5,
     "comparison.rows[0].change: -1.5 is less than the minimum of -1"),
    (("models", "dbvae", "training", "resampling", 0, "group_weight", "dark & female"), -1.0,
     "models.dbvae.training.resampling[0].group_weight[\"dark & female\"]: -1.0 is less than"),
]

HUGE_COUNTS = [
    (("models", "baseline", "per_group", 0, "count"), 1e300,
     "models.baseline.per_group[0].count: 1e+300 is greater than the maximum of "
     f"{JSON_SAFE}"),
    (("models", "baseline", "per_group", 0, "positives"), JSON_SAFE + 1,
     f"models.baseline.per_group[0].positives: {JSON_SAFE + 1} is greater than the maximum"),
    (("dataset", "images"), 1e300, "dataset.images: 1e+300 is greater than the maximum"),
    (("latent", "decile_errors", 0, "errors"), 1e300,
     "latent.decile_errors[0].errors: 1e+300 is greater than the maximum"),
    (("summary", "verdict", "by_model"), {"baseline": {"within": 1e300}},
     "summary.verdict.by_model.baseline.within: 1e+300 is greater than the maximum"),
]

FRACTIONAL_COUNTS = [
    (("models", "baseline", "per_group", 0, "predicted_negatives"), 2.5,
     "models.baseline.per_group[0].predicted_negatives: 2.5 is not of type 'integer'"),
    (("summary", "verdict", "by_model"), {"baseline": {"within": 2.5}},
     "summary.verdict.by_model.baseline.within: 2.5 is not of type 'integer'"),
    (("models", "baseline", "per_group", 0, "count"), 2.5,
     "models.baseline.per_group[0].count: 2.5 is not of type 'integer'"),
]


def _ids(cases):
    return [".".join(map(str, path[-3:])) + f"={value!r}"[:16] for path, value, _ in cases]


@pytest.mark.parametrize("path, value, expected", OUT_OF_RANGE, ids=_ids(OUT_OF_RANGE))
def test_a_rate_above_one_is_refused(path, value, expected):
    assert _refused(_set(make_result(), path, value)).startswith(f"result.json: {expected}")


@pytest.mark.parametrize("path, value, expected", NEGATIVE, ids=_ids(NEGATIVE))
def test_a_negative_rate_ratio_or_weight_is_refused(path, value, expected):
    assert _refused(_set(make_result(), path, value)).startswith(f"result.json: {expected}")


@pytest.mark.parametrize("path, value, expected", HUGE_COUNTS, ids=_ids(HUGE_COUNTS))
def test_a_count_beyond_2_to_the_53_is_refused(path, value, expected):
    assert _refused(_set(make_result(), path, value)).startswith(f"result.json: {expected}")


@pytest.mark.parametrize("path, value, expected", FRACTIONAL_COUNTS, ids=_ids(FRACTIONAL_COUNTS))
def test_a_fractional_count_is_refused(path, value, expected):
    assert _refused(_set(make_result(), path, value)).startswith(f"result.json: {expected}")


@pytest.mark.parametrize("measure, value, expected", [
    ("E[A]", 150.0, "150.0 is greater than the maximum of 100"),
    ("E[A]", -1.0, "-1.0 is less than the minimum of 0"),
    ("Var[A]", 6000.0, "6000.0 is greater than the maximum of 5000"),
    ("Var[A]", -0.5, "-0.5 is less than the minimum of 0"),
    ("demographic parity", 1.5, "1.5 is greater than the maximum of 1"),
    ("equalized odds", -0.1, "-0.1 is less than the minimum of 0"),
])
def test_each_disparity_measure_has_its_own_range(measure, value, expected):
    result = make_result()
    i = _measure_row(result, measure)
    message = _refused(_set(result, ("models", "baseline", "disparities", i, "value"), value))
    assert message == f"result.json: models.baseline.disparities[{i}].value: {expected}"


def test_a_measure_the_schema_does_not_name_is_still_bounded():
    result = make_result()
    row = result["models"]["baseline"]["disparities"][0]
    row.update(measure="some future measure", value=1e6)
    assert _refused(result) == ("result.json: models.baseline.disparities[0].value: 1000000.0 "
                                "is greater than the maximum of 5000")
    row["value"] = -4999.0
    validate_result(result)


def test_the_edges_of_each_range_are_accepted():
    result = make_result()
    model = result["models"]["baseline"]
    model["per_group"][0].update(tpr=1.0, fpr=0, tpr_low=0.0, tpr_high=1, count=JSON_SAFE,
                                 predicted_negatives=0, fnr=None, custom_score=-3.5)
    model["verdicts"][0].update(ratio=0.0, low=0.0, high=1e6)
    model["disparities"][_measure_row(result, "E[A]")].update(value=100, low=0, high=100)
    model["disparities"][_measure_row(result, "Var[A]")].update(value=5000.0, low=0, high=5000)
    result["comparison"]["rows"][0].update(change=-1, change_low=-1.0, change_high=1.0)
    result["summary"]["verdict"]["by_model"] = {"baseline": {"within": 3, "reference": 0}}
    result["config"]["seed"] = 2 ** 64  # a seed is not a count
    validate_result(result)


def test_fixtures_and_a_real_audit_result_stay_valid():
    for result in [make_result(), make_minimal_result(), make_hostile_result(),
                   make_counterfactual_result(), *(make_variant(v) for v in VARIANTS)]:
        validate_result(result)
    if DEMO.is_file():  # written by an audit run (out/ is not in git)
        load_result(DEMO)


# --- 2. huge integers, deep nesting, huge files ------------------------------------------

@pytest.mark.parametrize("path, literal, where", [
    (("runtime_s",), "9" * 4000, "runtime_s"),
    (("models", "baseline", "per_group", 0, "count"), "-" + "1" * 4000,
     "models.baseline.per_group[0].count"),
], ids=["runtime_s", "negative-count"])
def test_load_result_refuses_a_4000_digit_integer(tmp_path, path, literal, where):
    file = _write_with(tmp_path, path, literal)
    message = _load_refused(file)  # not an OverflowError while rendering
    assert message == (f"{file}: {where}: a 4000-digit integer is too long (at most "
                       f"{schema_module._MAX_INT_DIGITS} digits)")


@pytest.mark.parametrize("digits", [4000, 5000])
def test_validate_result_refuses_a_huge_python_int(digits):
    result = make_result(runtime_s=10 ** (digits - 1))  # 5000 digits: past str()'s own limit
    assert _refused(result).startswith(f"result.json: runtime_s: a {digits}-digit integer is "
                                       "too long")


def test_an_integer_of_the_longest_allowed_length_is_read(tmp_path):
    file = _write_with(tmp_path, ("config", "seed"), "9" * schema_module._MAX_INT_DIGITS)
    assert load_result(file)["config"]["seed"] == int("9" * schema_module._MAX_INT_DIGITS)


def test_load_result_refuses_200000_deep_nesting(tmp_path):
    depth = 200_000
    file = _write_with(tmp_path, ("config", "training"), "[" * depth + "]" * depth)
    message = _load_refused(file)  # not a RecursionError
    assert f"nested deeper than {schema_module._MAX_DEPTH} levels" in message


def test_validate_result_refuses_200000_deep_nesting():
    deep: list = []
    for _ in range(200_000):
        deep = [deep]
    result = make_result()
    result["limitations"] = deep  # (make_result would deep-copy it, recursively)
    message = _refused(result)
    assert message.startswith("result.json: limitations[0][0][0][0][0]...: nested deeper than "
                              f"{schema_module._MAX_DEPTH} levels")


def test_nesting_just_past_the_limit_is_refused_with_its_path(tmp_path):
    limit = schema_module._MAX_DEPTH
    # result{} > config{} > training{} > deep[ ... ]: the lists start at level 4
    fits = _write_with(tmp_path, ("config", "training"),
                       '{"deep": ' + "[" * (limit - 3) + "]" * (limit - 3) + "}")
    load_result(fits)
    too_deep = _write_with(tmp_path, ("config", "training"),
                           '{"deep": ' + "[" * (limit - 2) + "]" * (limit - 2) + "}")
    assert _load_refused(too_deep) == (
        f"{too_deep}: config.training.deep[0][0][0]...: nested deeper than {limit} levels "
        "(a result.json has about 8)")


def test_load_result_refuses_an_oversized_file_without_reading_it(tmp_path):
    file = tmp_path / "result.json"
    with file.open("wb") as out:  # sparse: takes no disk
        out.truncate(schema_module._MAX_BYTES + 1)
    message = _load_refused(file)
    assert message == (f"{file}: the file is {schema_module._MAX_BYTES + 1:,} bytes, larger "
                       "than the 512 MiB a result.json may be (one is usually a few MB)")


def test_the_size_limit_also_holds_where_the_size_is_unknown(monkeypatch):
    if not Path("/dev/zero").exists():
        pytest.skip("needs /dev/zero (an endless file whose size reads as 0)")
    monkeypatch.setattr(schema_module, "_MAX_BYTES", 1000)
    message = _load_refused(Path("/dev/zero"))
    assert message == ("/dev/zero: the file is larger than the 1,000 bytes a result.json may be "
                       "(one is usually a few MB)")


def test_a_file_just_under_the_limit_is_read(tmp_path, monkeypatch):
    file = tmp_path / "result.json"
    file.write_text(json.dumps(make_minimal_result()), "utf-8")
    monkeypatch.setattr(schema_module, "_MAX_BYTES", file.stat().st_size)
    load_result(file)
    monkeypatch.setattr(schema_module, "_MAX_BYTES", file.stat().st_size - 1)
    assert "larger than" in _load_refused(file)


def test_debias_report_on_a_4000_digit_integer_exits_2_in_one_line(tmp_path):
    file = _write_with(tmp_path, ("runtime_s",), "9" * 4000)
    result = run_cli("report", file, "--out", tmp_path / "report.html")
    assert_one_line_error(result, 2, "runtime_s: a 4000-digit integer is too long")
    assert result.stderr.startswith("error: ")
    assert not (tmp_path / "report.html").exists()
