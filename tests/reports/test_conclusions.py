"""The audit's conclusions (``summary``, ``comparison``) are required and shown as written: the
report works no headline, comparison or verdict out of the models' tables."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape as _escape

from reports import ResultSchemaError, load_result, render_html, validate_result
from tests.reports.fixtures import (
    make_counterfactual_result, make_minimal_result, make_result, make_variant,
)
from tests.reports.html_tools import parse

def escape(text: str) -> str:
    """``text`` as the page's autoescaping writes it."""
    return str(_escape(text))


ROW = re.compile(r'<tr><td>(.*?)</td><td class="num">(.*?)</td><td class="num">(.*?)</td>'
                 r'<td class="num">(.*?)</td><td>(.*?)</td></tr>')


def _summary_section(html: str) -> str:
    start = html.index('<section class="card" id="summary">')
    return html[start:html.index("</section>", start)]


def _headline_items(html: str) -> list[str]:
    section = _summary_section(html)
    block = section[section.index('<ul class="headline">'):]
    return re.findall(r"<li>(.*?)</li>", block[:block.index("</ul>")])


def _comparison(html: str) -> tuple[str, list[tuple[str, ...]]]:
    """The DB-VAE answer and the comparison table's rows (slice, baseline, dbvae, change,
    verdict), as HTML."""
    part = _summary_section(html).split("<h3>Did DB-VAE narrow the gaps?</h3>", 1)[1]
    answer = re.search(r'<span class="answer (\w+)">\1</span>', part)
    return answer.group(1) if answer else "", ROW.findall(part)


def _refused(result: dict) -> str:
    with pytest.raises(ResultSchemaError) as info:
        validate_result(result)
    with pytest.raises(ResultSchemaError):
        render_html(result)
    message = str(info.value)
    assert "\n" not in message and len(message) <= 240
    return message


# (a) a result without the audit's summary is refused, naming the path.

@pytest.mark.parametrize("make", [make_result, make_minimal_result, make_counterfactual_result])
def test_a_result_without_summary_is_refused(make):
    result = make()
    del result["summary"]
    assert _refused(result) == "result.json: 'summary' is a required property"


@pytest.mark.parametrize("path, value, expected", [
    (("headline",), None, "result.json: summary: 'headline' is a required property"),
    (("dbvae_helped",), None, "result.json: summary: 'dbvae_helped' is a required property"),
    (("headline", 1), 3, "result.json: summary.headline[1]: 3 is not of type 'string'"),
    (("dbvae_helped",), "yes", "result.json: summary.dbvae_helped: 'yes' is not of type"),
])
def test_an_incomplete_summary_is_refused_naming_the_path(path, value, expected):
    result = make_result()
    target = result["summary"]
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    assert _refused(result).startswith(expected)


def test_load_result_refuses_a_file_without_summary(tmp_path):
    result = make_minimal_result()
    del result["summary"]
    path = tmp_path / "result.json"
    path.write_text(json.dumps(result), "utf-8")
    with pytest.raises(ResultSchemaError) as info:
        load_result(path)
    assert str(info.value) == f"{path}: 'summary' is a required property"


# (b) a result that judged a baseline and a DB-VAE needs the audit's comparison.

@pytest.mark.parametrize("make", [make_result, make_counterfactual_result,
                                  lambda: make_variant("three_models")])
def test_baseline_and_dbvae_without_comparison_is_refused(make):
    result = make()
    del result["comparison"]
    assert _refused(result) == ("result.json: 'comparison' is a required property when models "
                                "has both 'baseline' and 'dbvae'")


@pytest.mark.parametrize("drop", ["baseline", "dbvae"])
def test_comparison_is_optional_without_both_models(drop):
    result = make_result(comparison=None)
    del result["models"][drop]
    result["summary"]["dbvae_helped"] = None
    validate_result(result)
    answer, rows = _comparison(render_html(result))
    assert (answer, rows) == ("", [])
    note = ("A DB-VAE was audited without a baseline classifier" if drop == "baseline" else
            "No DB-VAE was trained in this audit")
    assert note in parse(_summary_section(render_html(result))).body_text()


# (c) the report shows exactly the headline, evidence and answer the result gives.

HEADLINE = ["Distinctive <b>headline</b> & \"quoted\" sentence from the audit's summary.",
            "A second line: the audit's own words, <i>not</i> the report's."]


@pytest.mark.parametrize("make", [make_result, make_minimal_result, make_counterfactual_result])
def test_the_headline_is_exactly_the_results(make):
    result = make()
    result["summary"]["headline"] = list(HEADLINE)
    result["summary"]["evidence"] = "Evidence <as> the audit wrote it & nothing else."
    html = render_html(result)
    assert _headline_items(html) == [escape(line) for line in HEADLINE]
    section = _summary_section(html)
    assert f'<p class="note callout">{escape(result["summary"]["evidence"])}</p>' in section
    for raw in HEADLINE + [result["summary"]["evidence"]]:
        assert raw not in html
        assert raw in parse(section).body_text()


def test_an_empty_headline_stays_empty():
    result = make_result()
    result["summary"]["headline"] = []
    assert _headline_items(render_html(result)) == []


@pytest.mark.parametrize("helped, answer", [(True, "Yes"), (False, "No"), (None, "Inconclusive")])
def test_the_dbvae_answer_is_the_summarys(helped, answer):
    result = make_result()
    result["summary"]["dbvae_helped"] = helped
    assert _comparison(render_html(result))[0] == answer


# (d) the comparison verdicts are the result's, even where its numbers would suggest others.

def test_comparison_verdicts_are_the_results_not_recomputed():
    result = make_result()
    rows = result["comparison"]["rows"]
    # Every gap narrowed with CIs apart on the numbers; the audit says otherwise.
    first = rows[0]
    assert first["dbvae_high"] < first["baseline_low"] and first["change"] < 0
    first["verdict"] = "wider with DB-VAE <per the audit> & its own rule"
    # A row whose gaps are withheld, with the audit's verdict all the same.
    rows[1].update(baseline_gap=None, baseline_low=None, baseline_high=None, change=None,
                   verdict="audit verdict for a withheld gap")
    # Only the slices the audit compared, in its order: none is added from the models' tables.
    result["comparison"]["rows"] = [rows[1], rows[0]]
    result["summary"]["dbvae_helped"] = False
    html = render_html(result)
    answer, shown = _comparison(html)
    assert answer == "No"
    def bare(cell):  # the value without its CI span, the verdict without its badge
        return re.sub(r'<span class="ci">.*?</span>|<span class="badge \w+">|</span>', "", cell)

    assert [(r[0], bare(r[3]), bare(r[4])) for r in shown] == [
        (escape(rows[1]["slice"]), "\u2014", "audit verdict for a withheld gap"),
        (escape(rows[0]["slice"]), "\u2212" + f"{abs(first['change']):.3f}",
         escape(first["verdict"]))]
    assert shown[0][1].startswith("\u2014")
    assert shown[1][1].startswith(f"{first['baseline_gap']:.3f}")
    text = parse(_summary_section(html)).body_text()
    for recomputed in ("narrower with DB-VAE", "not comparable", "CIs overlap",
                       "CIs do not overlap", "worked out", "Yes"):
        assert recomputed not in text, recomputed


def test_an_empty_comparison_shows_no_rows_and_the_summarys_answer():
    result = make_result()
    result["comparison"]["rows"] = []
    result["summary"]["dbvae_helped"] = True
    answer, shown = _comparison(render_html(result))
    assert (answer, shown) == ("Yes", [])
    assert "No slice has a gap in both models." in render_html(result)


def test_a_metric_named_by_the_comparison_heads_the_gap_table():
    result = make_result()
    result["comparison"]["metric"] = "fpr"
    section = _summary_section(render_html(result))
    assert "<h3>Gaps in FPR between groups" in section
