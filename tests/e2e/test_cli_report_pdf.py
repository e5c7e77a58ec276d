"""``debias report result.json --pdf report.pdf``: the report printed by headless Chromium,
with or without the HTML beside it; without Chromium, one line, exit 2 and nothing written."""

from __future__ import annotations

import json
import os

import pytest

from reports._pdf import find_chromium
from tests.e2e.cli import assert_one_line_error, run_cli
from tests.reports.fixtures import make_result


@pytest.fixture
def result_json(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps(make_result()), encoding="utf-8")
    return path


def _chromium():
    if find_chromium() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("--pdf needs chromium under CI")
        pytest.skip("chromium is not on PATH (apt-get install chromium)")


def _pages(path) -> int:
    pypdf = pytest.importorskip("pypdf")
    return len(pypdf.PdfReader(str(path)).pages)


def test_pdf_alone_writes_only_the_pdf(result_json, tmp_path):
    _chromium()
    done = run_cli("report", result_json, "--pdf", tmp_path / "out" / "report.pdf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "out" / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and _pages(pdf) > 5
    assert f"pdf: {pdf.resolve()}" in done.stdout and "report:" not in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "result.json"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["report.pdf"]  # no partial file


def test_pdf_and_out_write_both(result_json, tmp_path):
    _chromium()
    done = run_cli("report", result_json, "--out", tmp_path / "r.html",
                   "--pdf", tmp_path / "r.pdf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"
    assert "Bias audit report" in (tmp_path / "r.html").read_text("utf-8")
    assert "report:" in done.stdout and "pdf:" in done.stdout


def test_without_chromium_one_line_exit_2_and_nothing_written(result_json, tmp_path,
                                                              monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # python is started by its full path
    done = run_cli("report", result_json, "--out", tmp_path / "r.html",
                   "--pdf", tmp_path / "r.pdf", cwd=tmp_path)
    assert_one_line_error(done, 2, "--pdf needs Chromium (chromium or chromium-browser on "
                                   "PATH; apt-get install chromium)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "result.json"]


def test_an_output_that_cannot_be_written_is_one_line_exit_2(result_json, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    done = run_cli("report", result_json, "--out", tmp_path / "file" / "r.html", cwd=tmp_path)
    assert_one_line_error(done, 2, f"cannot write {tmp_path / 'file' / 'r.html'}")
    assert (tmp_path / "file").read_text() == "not a folder"
