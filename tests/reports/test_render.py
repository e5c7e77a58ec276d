"""The HTML report: every number as the JSON has it, self-contained, deterministic, atomic."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import reports
from reports import ResultSchemaError, load_result, render_html, write_report
from tests.reports.fixtures import make_minimal_result, make_result
from tests.reports.html_tools import parse

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ["summary", "dataset", "performance", "disparities", "sweep", "latent", "training",
            "methods", "limitations"]


@pytest.fixture(scope="module")
def full_html() -> str:
    return render_html(make_result())


@pytest.fixture(scope="module")
def minimal_html() -> str:
    return render_html(make_minimal_result())


def _cell(value, low, high) -> str:
    return f'<td class="metric">{value:.3f}<span class="ci">[{low:.3f}, {high:.3f}]</span></td>'


def test_render_is_deterministic(full_html):
    assert render_html(make_result()) == full_html


def test_render_is_the_same_in_another_process_with_another_hash_seed(full_html):
    code = ("import sys, hashlib, reports; from tests.reports.fixtures import make_result; "
            "html = reports.render_html(make_result()); "
            "sys.stdout.write(hashlib.sha256(html.encode()).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    assert out == hashlib.sha256(full_html.encode()).hexdigest()


def test_every_per_group_value_is_shown_as_in_the_json(full_html):
    result = make_result()
    checked = 0
    for model in result["models"].values():
        for row in model["per_group"]:
            for metric in ("accuracy", "tpr", "fpr", "precision", "selection_rate"):
                if row[f"{metric}_status"] == "ok":
                    cell = _cell(row[metric], row[f"{metric}_low"], row[f"{metric}_high"])
                    assert cell in full_html, (row["slice"], row["group"], metric)
                    checked += 1
            assert f'<td class="num">{row["count"]:,}</td>' in full_html
    assert checked > 80


def test_withheld_values_show_their_status_not_a_number(full_html):
    rows = [r for m in make_result()["models"].values() for r in m["per_group"]
            if r["tpr_status"] != "ok"]
    assert rows and all(r["tpr"] is None for r in rows)
    for row in rows:
        status = row["tpr_status"].replace("<", "&lt;")
        assert f'<td class="withheld">{status}</td>' in full_html
    body = full_html.split("</head>", 1)[1]
    assert not re.search(r">\s*(nan|NaN|None|null)\s*<", body)


def test_disparities_comparison_and_verdicts_are_shown(full_html):
    result = make_result()
    gap = next(d for d in result["models"]["baseline"]["disparities"]
               if d["measure"] == "max-min difference" and d["metric"] == "tpr")
    shown = f'{gap["value"]:.3f}<span class="ci">[{gap["low"]:.3f}, {gap["high"]:.3f}]</span>'
    assert shown in full_html
    for row in result["comparison"]["rows"]:
        assert f'{row["dbvae_gap"]:.3f}<span class="ci">[{row["dbvae_low"]:.3f}, ' in full_html
        assert row["verdict"] in full_html
    assert "between 0.8 and 1.25" in full_html
    assert 'class="badge bad" title="outside tolerance: clear evidence of a disparity"' in full_html
    for line in result["summary"]["headline"]:
        assert line in full_html


def test_every_section_has_its_anchor_and_nav_link(full_html, minimal_html):
    for html in (full_html, minimal_html):
        for anchor in SECTIONS:
            assert f'<section class="card" id="{anchor}">' in html
            assert f'<a href="#{anchor}">' in html


def test_minimal_result_explains_every_absent_part(minimal_html):
    text = parse(minimal_html).body_text()
    for note in ["No DB-VAE was trained in this audit, so there is no before/after comparison",
                 "No DB-VAE was trained in this audit, so there is no latent analysis",
                 "No model was trained in this audit",
                 "no galleries of misclassified images",
                 "The audit recorded no limitations of its own",
                 "No training settings are recorded",
                 "No file was skipped",
                 "The original image sizes were not recorded",
                 "The result records no train/test split",
                 "The result records no intersection counts"]:
        assert note in text, note
    for line in make_minimal_result()["summary"]["headline"]:
        assert line in text, line
    gaps = make_minimal_result()["models"]["external"]["disparities"]
    assert any(f"{d['value']:.3f}" in text for d in gaps if d["metric"] == "tpr")


def test_no_external_url_and_plotly_inlined_once(full_html):
    page = parse(full_html)
    links = [v for name in ("src", "href", "action", "poster", "srcset", "data", "xlink:href")
             for v in page.attrs(name)]
    assert links, "the page links its sections and images"
    for link in links:
        assert link.startswith(("#", "data:image/png;base64,")), link
    assert not [t for t, _ in page.tags if t in ("link", "iframe", "object", "embed", "base")]
    assert all("url(" not in css and "@import" not in css for css in page.styles)
    inline = [body for attrs, body in page.scripts if "src" not in attrs]
    assert len(inline) == len(page.scripts)
    assert sum("plotly.js v" in body for body in inline) == 1
    for body in page.json_scripts().values():
        assert "http" not in json.dumps(body)
    config = page.json_scripts()["plotly-config"]
    assert config["typesetMath"] is False and config["topojsonURL"] == ""


def test_figures_have_deterministic_ids_and_parse(full_html):
    page = parse(full_html)
    divs = [a["id"] for t, a in page.tags if t == "div" and a.get("data-figure")]
    assert divs == [f"fig-{i}" for i in range(1, len(divs) + 1)]
    figures = page.json_scripts()
    for fig_id in divs:
        figure = figures[f"{fig_id}-json"]
        assert figure["data"] and figure["layout"]["title"]["text"]
        assert "template" not in figure["layout"]
    assert len(divs) >= 12


def test_images_are_data_uris_from_the_result(full_html):
    result = make_result()
    pngs = {i["png"] for i in result["latent"]["rarest"]}
    srcs = parse(full_html).attrs("src")
    assert {f"data:image/png;base64,{p}" for p in pngs} <= set(srcs)


def test_rerender_from_json_file_is_identical(full_html, tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps(make_result(), indent=1, ensure_ascii=False), "utf-8")
    assert render_html(load_result(path)) == full_html


def test_write_report_writes_and_replaces(tmp_path):
    out = write_report(make_minimal_result(), tmp_path / "sub" / "report.html")
    assert out == tmp_path / "sub" / "report.html"
    assert out.read_text("utf-8") == render_html(make_minimal_result())
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]


def test_write_report_failure_leaves_the_old_report(tmp_path, monkeypatch):
    path = tmp_path / "report.html"
    path.write_text("old report", "utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("render failed")

    monkeypatch.setattr(reports._render, "render_html", broken)
    with pytest.raises(RuntimeError, match="render failed"):
        write_report(make_result(), path)
    monkeypatch.undo()

    def broken_replace(src, dst):
        assert Path(src).read_text("utf-8").startswith("<!DOCTYPE html>")
        raise OSError("disk full")

    monkeypatch.setattr(reports._render.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_report(make_minimal_result(), path)
    monkeypatch.undo()
    with pytest.raises(ResultSchemaError):
        write_report(make_result(created=None), path)
    assert path.read_text("utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_methods_name_the_interval_method_the_result_records():
    result = make_result()
    result["config"]["group_intervals"] = "jeffreys"
    jeffreys = render_html(result)
    assert "Jeffreys interval" in jeffreys and "percentile interval" in jeffreys
    del result["config"]["group_intervals"]  # an older result: bootstrap for everything
    older = render_html(result)
    assert "Jeffreys" not in older and "percentile interval" in older


def test_methods_say_which_metric_the_verdict_uses_and_why():
    result = make_result()
    result["config"]["verdict_metric"] = "fnr"
    html = render_html(result)
    assert "are about the false negative rate (FNR, miss rate" in html
    assert "harms people through the faces it misses" in html
