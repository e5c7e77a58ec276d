"""User strings (file names, attribute names and values, group names) cannot break the page."""

from __future__ import annotations

import json

import pytest

from reports import render_html
from reports._figures import script_json
from reports._format import ptext
from tests.reports.fixtures import HOSTILE, make_hostile_result
from tests.reports.html_tools import parse


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(make_hostile_result())


def test_no_hostile_string_appears_raw(html):
    for bad in HOSTILE:
        assert bad not in html, bad
    for char in ("\u2028", "\u2029"):
        assert char not in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_the_page_has_exactly_its_own_scripts_and_tags(html):
    page = parse(html)
    charts = [a for t, a in page.tags if t == "div" and a.get("data-figure")]
    # plotly config + plotly.js, template + config JSON, one JSON per chart, the loader.
    assert len(page.scripts) == 2 + 2 + len(charts) + 1
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    assert {t for t, _ in page.tags} <= {
        "html", "head", "meta", "title", "style", "script", "body", "header", "div", "h1", "p",
        "span", "nav", "ol", "li", "a", "main", "section", "h2", "h3", "h4", "ul", "table",
        "thead", "tbody", "tr", "th", "td", "strong", "code", "figure", "img", "figcaption",
        "details", "summary", "br", "footer"}


def test_hostile_strings_survive_as_text(html):
    page = parse(html)
    text = page.body_text()
    for bad in HOSTILE[:5]:
        assert bad in text, bad
    titles = [(a.get("title") or "") + (a.get("alt") or "") for t, a in page.tags if t == "img"]
    assert titles and not any(HOSTILE[3] in title for title in titles)  # file names: never
    figures = json.dumps(page.json_scripts(), ensure_ascii=False)
    assert ptext(HOSTILE[4]) in figures and ptext(HOSTILE[0]) in figures


@pytest.mark.parametrize("bad", HOSTILE + ["<!--", "<script", "\u2028\u2029", "a&b'c"])
def test_script_json_cannot_end_a_script(bad):
    text = script_json({"name": bad, "list": [bad]})
    for forbidden in ("<", ">", "&", "'", "\u2028", "\u2029"):
        assert forbidden not in text
    assert json.loads(text) == {"name": bad, "list": [bad]}
