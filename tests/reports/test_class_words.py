"""The report speaks the task's class words: a gender classifier's report never says "face",
a face detector's reads as it always has; an audit without groups says so instead of showing
empty tables or verdict badges."""

from __future__ import annotations

import copy
import json
import re

import pytest

from reports import class_words, render_html, validate_result
from reports._format import metric_long
from tests.reports.fixtures import BINARY_CLASSES, make_result, make_variant, user_paths
from tests.reports.html_tools import parse

FACE = re.compile(r"face", re.IGNORECASE)
NO_GROUPS = "No groups to compare"


def _labels(value, key: str = "") -> list[str]:
    """Every string of a figure a reader can see: titles, axis titles, trace names, legend
    titles, menu labels, tick texts, hover templates and the hover data."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _labels(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in _labels(v, key)]
    if isinstance(value, str) and key in ("text", "name", "label", "hovertemplate", "customdata",
                                          "ticktext"):
        return [value]
    return []


def visible(html: str) -> list[str]:
    """The page's visible text, the visible strings of its figures, and its img alt and title
    attributes (not the plotly library, template or config)."""
    page = parse(html)
    figures = {k: v for k, v in page.json_scripts().items() if k.startswith("fig-")}
    attributes = [a.get(k) or "" for t, a in page.tags if t == "img" for k in ("alt", "title")]
    return [page.body_text(), *_labels(list(figures.values())), *attributes]


@pytest.fixture(scope="module")
def binary_html() -> str:
    result = make_variant("binary_task")
    validate_result(result)
    return render_html(result)


@pytest.fixture(scope="module")
def no_groups_html() -> str:
    result = make_variant("no_groups")
    validate_result(result)
    return render_html(result)


def test_a_binary_report_never_says_face(binary_html):
    hits = [m.group(0) for text in visible(binary_html)
            for m in re.finditer(r".{0,40}face.{0,40}", text, re.IGNORECASE)]
    assert not hits, hits


def test_a_binary_report_speaks_the_task_words(binary_html):
    text = parse(binary_html).body_text()
    for words in (
            "female images / male images",
            "female images male images total share of female images",
            "A score of at least 0.5 classifies an image as female, a lower one as male.",
            "An image is classified as female when its score is at least 0.5, and as male "
            "otherwise.",
            "female images for TPR and FNR, male images for FPR, images classified as female "
            "for precision and FDR, images classified as male for FOR",
            "the group with the most images in the training data",
            "the group with the most images in training",
            "decision threshold (score \u2265 threshold: female)",
            "It is the audit's default for a female / male classifier",
            "female images classified as male and male images classified as female",
            "maps every female image to a latent code",
            "draw the rare images of each class more often",
            "Are rare female images classified as male more often?",
            "Rarest and most typical female images",
            "crosses are female images the model classified as male",
            "the number of equally weighted female images the weights are worth",
            "not how a model behaves on real images",
            "not available for a female / male classifier"):
        assert words in text, words
    assert "harms people" not in text
    figures = json.dumps(parse(binary_html).json_scripts(), ensure_ascii=False)
    assert "threshold (score \u2265 threshold: female)" in figures
    assert "error rate (female images classified as male)" in figures
    assert "all female images" in figures
    assert "female image %{customdata[2]}" in figures  # the PCA map's hover: "... male"


def test_the_verdict_metric_is_explained_for_the_task(binary_html):
    text = parse(binary_html).body_text()
    assert ("The headline, the evidence count and the model comparison are about the error "
            "rate (share of images misclassified).") in text
    # The summary's tables lead with the verdict metric.
    assert "Gaps in Error rate between groups" in text


def test_a_face_detection_report_keeps_its_words():
    for result in (make_result(), {**make_result(), "classes": {
            "positive": "face", "negative": "non-face", "task": "face_detection"}}):
        validate_result(result)
        html = render_html(result)
        text = parse(html).body_text()
        for words in ("faces / non-faces", "faces non-faces total share of faces",
                      "A score of at least 0.5 counts as a face.",
                      "An image counts as a face when its score is at least 0.5.",
                      "decision threshold (score \u2265 threshold: face)",
                      "the group with the most faces in the training data",
                      "maps every face to a latent code", "Are rare faces missed more often?",
                      "crosses are faces the model missed",
                      "the number of equally weighted faces the weights are worth",
                      "No augmentation with synthetic faces was run in this audit"):
            assert words in text, words
        figures = json.dumps(parse(html).json_scripts(), ensure_ascii=False)
        for words in ("threshold (score \u2265 threshold: face)", "error rate (faces missed)",
                      "Rarity by group (1 = rarest face)", "all faces"):
            assert words in figures, words


def test_the_classes_record_does_not_change_a_face_report():
    result = make_result()
    labelled = copy.deepcopy(result)
    labelled["classes"] = {"positive": "face", "negative": "non-face", "task": "face_detection"}
    assert render_html(labelled) == render_html(result)


def test_metric_descriptions_follow_the_task():
    w = class_words(BINARY_CLASSES)
    assert metric_long("fnr", w) == ("false negative rate (FNR, miss rate: share of female "
                                     "images classified as male)")
    assert metric_long("fpr", w) == ("false positive rate (FPR: share of male images "
                                     "classified as female)")
    assert metric_long("precision", w) == ("precision (share of images classified as female "
                                           "that are female images)")
    for metric in ("tpr", "fpr", "precision", "selection_rate", "fnr", "error_rate", "fdr",
                   "for", "accuracy"):
        assert not FACE.search(metric_long(metric, w)), metric
        assert metric_long(metric, class_words()) == metric_long(metric)
    assert metric_long("fnr") == "false negative rate (FNR, miss rate: share of faces missed)"


def test_a_binary_report_with_the_vae_on_positives_resamples_them():
    result = make_variant("binary_task")
    result["config"]["training"]["vae_on"] = "positive"
    text = parse(render_html(result)).body_text()
    assert "draw rare female images more often" in text
    assert "of each class" not in text


def test_hostile_class_names_stay_text():
    result = make_variant("binary_task")
    result["classes"] = {"positive": "<b>%{x}</b>", "negative": "'&\"", "task": "binary"}
    validate_result(result)
    html = render_html(result)
    assert "<b>%{x}</b>" not in html
    page = parse(html)
    assert "<b>%{x}</b> images / '&\" images" in page.body_text()
    for figure in (v for k, v in page.json_scripts().items() if k.startswith("fig-")):
        for trace in figure["data"]:
            template = trace.get("hovertemplate") or ""
            # No class name can open a %{...} reference or a tag in a hover template.
            assert "%{x}</b>" not in template and "<b>" not in template, template


def test_no_groups_says_so_where_the_groups_would_be(no_groups_html):
    text = parse(no_groups_html).body_text()
    for section in ("Gaps between groups No groups to compare",
                    "Per-group performance Each value",
                    "Disparities and verdicts No groups to compare",
                    "There are no disparities and no verdicts.",
                    "No groups to compare: the curves are those of all audited images.",
                    "Who is rare No groups to compare",
                    "No groups to compare, so there are no gaps for DB-VAE to narrow",
                    "None: the dataset has no attribute columns"):
        assert section in text, section
    assert text.count(NO_GROUPS) >= 5


def test_no_groups_shows_no_verdict_badge_or_empty_table(no_groups_html):
    assert 'class="badge' not in no_groups_html
    assert not re.search(r"<tbody>\s*</tbody>", no_groups_html)
    text = parse(no_groups_html).body_text()
    for absent in ("Tolerance rule.", "Verdict per group", "Gaps between groups (",
                   "group(s) outside the tolerance band", "Inconclusive", "No slice to compare",
                   "The menu changes which attribute"):
        assert absent not in text, absent
    # The overall rows are still there.
    assert "Overall performance, with 95% CIs" in text


def test_a_binary_audit_without_groups():
    result = user_paths(make_variant("no_groups"), "faces", "people")
    result["classes"] = dict(BINARY_CLASSES)
    result["config"]["verdict_metric"] = result["summary"]["verdict"]["metric"] = "error_rate"
    result["summary"]["headline"][0] = ("1,234 test images (800 female images) judged with 2 "
                                        "models: baseline, dbvae.")
    validate_result(result)
    html = render_html(result)
    hits = [m.group(0) for text in visible(html)
            for m in re.finditer(r".{0,40}face.{0,40}", text, re.IGNORECASE)]
    assert not hits, hits
    assert NO_GROUPS in parse(html).body_text()
