"""The model card section: the paper's nine fields, filled from the result and from
``result["card"]``; what nobody gave is said to be missing, and a person's text is escaped."""

from __future__ import annotations

import copy
import json

import pytest

from debias.cli.card import CARD_FIELDS as CLI_FIELDS
from reports import ResultSchemaError, render_html, validate_result
from reports._model_card import CARD_FIELDS, missing
from reports._render import NAV
from reports._schema import load_schema
from tests.reports.fixtures import (
    HOSTILE, NO_GROUPS_SUMMARY, VARIANTS, make_hostile_result, make_minimal_result, make_result,
    make_variant,
)
from tests.reports.html_tools import parse

TITLES = ["Model details", "Intended use", "Factors", "Metrics", "Evaluation data",
          "Training data", "Quantitative analyses", "Ethical considerations",
          "Caveats and recommendations"]
CARD = {"owner": "Example Lab & Partners", "version": "2.1", "date": "2026-11-24",
        "license": "CC BY 4.0", "contact": "faces@example.org",
        "intended_use": "Finding faces in uploaded photos, to blur them.",
        "intended_users": ["the upload service", "its moderators"],
        "out_of_scope_uses": ["Identifying people", "Surveillance"],
        "ethical_considerations": "Photos are deleted after blurring.",
        "caveats": "Not tested on video.\n\nNot tested on drawings."}


def _section(html: str, anchor: str = "model-card") -> str:
    start = html.index(f'<section class="card" id="{anchor}">')
    return html[start:html.index("</section>", start)]


def _field(html: str, key: str) -> str:
    """The text of one field: from its heading to the next one."""
    section = _section(html)
    start = section.index(f'<h3 id="model-card-{key}">')
    end = section.find("<h3 ", start + 1)
    return parse(section[start:end if end > 0 else None]).body_text()


def _f(value: float) -> str:
    """The oracle of the report's number format: three decimals."""
    return f"{value:.3f}"


@pytest.fixture(scope="module")
def result() -> dict:
    return make_result(card=CARD)


@pytest.fixture(scope="module")
def html(result) -> str:
    return render_html(result)


def test_every_field_is_shown_in_the_papers_order(html):
    section = _section(html)
    positions = [section.index(f">{title}</h3>") for title in TITLES]
    assert positions == sorted(positions)
    keys = ["model_details", "intended_use", "factors", "metrics", "evaluation_data",
            "training_data", "quantitative_analyses", "ethical_considerations", "caveats"]
    for key in keys:
        assert _field(html, key)


def test_the_section_sits_before_the_methods_and_its_number_follows_the_nav(html):
    anchors = [a for a, _ in NAV]
    assert anchors.index("model-card") == anchors.index("methods") - 1
    number = anchors.index("model-card") + 1
    assert f'<h2><span class="n">{number}</span>Model card</h2>' in _section(html)
    assert f'<a href="#model-card">{number}. Model card</a>' in html
    assert html.index('id="training"') < html.index('id="model-card"') < html.index(
        'id="methods"')


def test_the_persons_fields_are_shown_as_given(html):
    text = parse(_section(html)).body_text()
    for key, value in CARD.items():
        for item in value if isinstance(value, list) else value.split("\n\n"):
            assert item in text, key
        assert missing(key) not in text
    assert "Example Lab &amp; Partners" in html  # escaped in the page, whole in the text
    assert "<p>Not tested on video.</p><p>Not tested on drawings.</p>" in _section(html)
    assert "Identifying people" in _field(html, "intended_use")
    assert "Photos are deleted" in _field(html, "ethical_considerations")
    assert "Not tested on video." in _field(html, "caveats")
    assert text.count("(provided)") == 1 + len(CARD)  # the lead explains the mark


def test_person_text_appears_only_in_the_card(html):
    rest = html.replace(_section(html), "")
    for value in ("Example Lab", "faces@example.org", "Finding faces in uploaded photos"):
        assert value not in rest


def test_missing_fields_say_so_and_how_to_give_them():
    html = render_html(make_result())
    text = parse(_section(html)).body_text()
    for key in CARD_FIELDS:
        assert f"not provided (pass --card with {key})" in text
    assert "No card file was given" in text
    partial = render_html(make_result(card={"owner": "Example Lab"}))
    text = parse(_section(partial)).body_text()
    assert "Example Lab" in text and missing("owner") not in text
    for key in set(CARD_FIELDS) - {"owner"}:
        assert missing(key) in text
    assert "No card file was given" not in text


def test_hostile_card_text_is_escaped():
    hostile = make_hostile_result()
    hostile["card"] = {key: HOSTILE[i % len(HOSTILE)] for i, key in enumerate(CARD_FIELDS)}
    hostile["card"]["out_of_scope_uses"] = list(HOSTILE)
    html = render_html(hostile)
    for bad in HOSTILE:
        assert bad not in html, bad
    assert "\u2028" not in html and "\u2029" not in html
    page, plain = parse(html), parse(render_html(make_hostile_result()))
    assert len(page.scripts) == len(plain.scripts)
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    assert {t for t, _ in page.tags} == {t for t, _ in plain.tags}
    text = parse(_section(html)).body_text()
    for bad in HOSTILE[:5]:
        assert bad in text, bad


def test_external_predictions_have_no_training_data():
    result = make_minimal_result()
    html = render_html(result)
    field = _field(html, "training_data")
    assert "not available" in field and "/data/predictions.csv" in field
    assert "training split" not in field
    details = _field(html, "model_details")
    assert "not known to the audit" in details
    assert "none recorded: no model was trained in this audit" in details


def test_a_model_read_from_a_file_beside_trained_ones_is_said_untrained():
    html = render_html(make_variant("three_models"))
    field = _field(html, "training_data")
    assert "Vendor API not available: not trained in this audit (read from " \
           "/data/vendor_scores.csv)" in field
    assert "training split" in field


def test_numbers_equal_the_result(result, html):
    data = result["dataset"]
    evaluation = _field(html, "evaluation_data")
    assert f"test split {data['split']['test']:,} images" in evaluation
    assert f"images audited {data['audited']:,}" in evaluation
    test = data["summary"]["splits"]["test"]
    assert f"test split (faces / non-faces) {test['positive']:,} / {test['negative']:,}" \
        in evaluation
    rows = [r for r in result["models"]["baseline"]["per_group"]
            if r["slice"] in data["attributes"]]
    for r in rows:
        assert (f"{r['slice']} {r['group']} {r['count']:,} {r['positives']:,} "
                f"{r['negatives']:,}") in evaluation
    training = _field(html, "training_data")
    assert f"training split {data['split']['train']:,} images" in training
    for value, c in data["summary"]["per_attribute"]["skin_tone"].items():
        assert f"{value}: {c['positive']:,} / {c['negative']:,}" in training
    quantitative = _field(html, "quantitative_analyses")
    for line in result["summary"]["headline"]:
        assert line in quantitative
    assert result["summary"]["evidence"] in quantitative
    for model in result["models"].values():
        overall = model["per_group"][0]
        assert overall["slice"] == "overall"
        assert (f"{model['label']} {overall['count']:,} {_f(overall['tpr'])} "
                f"[{_f(overall['tpr_low'])}, {_f(overall['tpr_high'])}]") in quantitative
    ethics = _field(html, "ethical_considerations")
    outside = [v for v in result["models"]["baseline"]["verdicts"]
               if v["metric"] == "tpr" and v["code"] == "outside_clear"]
    assert outside
    for v in outside:
        assert (f"Baseline classifier: {v['slice']} = {v['group']}: TPR {_f(v['ratio'])} "
                f"[{_f(v['low'])}, {_f(v['high'])}] \u00d7 that of {v['reference']}") in ethics
    metrics = _field(html, "metrics")
    assert "decision threshold 0.5" in metrics and "bootstrap resamples 1,000" in metrics
    assert "tolerance band 0.8 to 1.25" in metrics


def test_model_details_come_from_the_models_and_training_settings(result, html):
    details = _field(html, "model_details")
    assert "out/models/dbvae.pt" in details  # the DB-VAE's source
    assert "(latent size 100)" in details
    assert "epochs: 5; batch_size: 64; latent_dim: 100; lr: 0.0005" in details
    assert "the whole audit took 123.4 s" in details
    epochs = len(result["models"]["dbvae"]["training"]["epochs"])
    assert f"Amini et al. 2019): training faces drawn more often the rarer their latent code " \
           f"{epochs} out/models/dbvae.pt" in details


def test_caveats_name_the_withheld_groups_and_the_audits_limitations(result, html):
    caveats = _field(html, "caveats")
    withheld = {f"{v['slice']} = {v['group']}" for m in result["models"].values()
                for v in m["verdicts"] if v["metric"] == "tpr" and
                v["code"] == "insufficient_data"}
    assert withheld
    for group in withheld:
        assert group in caveats
    for line in result["limitations"] + result["summary"]["plain"]["next"]:
        assert line in caveats
    assert "sanity checks all passed" in caveats


def test_failed_gates_are_caveats_and_no_group_is_said_to_do_worse():
    result = make_minimal_result()
    line = ("This audit cannot support a fairness conclusion: external calls 99.5% of the "
            "images faces.")
    result["summary"].update(
        verdict={"code": "cannot_conclude", "metric": "tpr", "clear": 0, "weak": 0, "unjudged": 0},
        gates=[{"code": "one_class", "model": "external", "share": 0.995, "label": 1}],
        findings=[{"code": "cannot_conclude"}] + result["summary"]["findings"],
        headline=[line] + result["summary"]["headline"])
    html = render_html(result)
    assert line in _field(html, "caveats")
    assert "no group was judged" in _field(html, "ethical_considerations")


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_variant_has_a_card(name):
    result = make_variant(name)
    text = parse(_section(render_html(result))).body_text()
    for title in TITLES:
        assert title in text
    if name == "no_groups":
        assert NO_GROUPS_SUMMARY["headline"][1] in text
    if name == "no_bootstrap":
        assert "confidence intervals none: no bootstrap was run" in text
    if name == "binary_task":
        assert "female / male: a score of at least 0.5 counts as female image" in text


def test_the_card_is_part_of_the_schema():
    enum = load_schema()["properties"]["card"]["propertyNames"]["enum"]
    assert list(CARD_FIELDS) == list(CLI_FIELDS) == enum
    validate_result(make_result(card=CARD))
    for bad, path in (({"ownr": "x"}, "card"), ({"owner": 3}, "card.owner"),
                      ({"caveats": ["a", {"b": 1}]}, "card.caveats[1]"), (["x"], "card")):
        with pytest.raises(ResultSchemaError, match=path.replace("[", r"\[")):
            validate_result(make_result(card=bad))


def test_the_card_survives_a_json_round_trip():
    result = json.loads(json.dumps(make_result(card=CARD)))
    assert result["card"] == CARD
    assert render_html(result) == render_html(make_result(card=copy.deepcopy(CARD)))
