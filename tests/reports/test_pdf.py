"""The report printed to PDF by headless Chromium, read back with pypdf: the summary opens
page 1, wide tables keep their last column, the charts are drawn, and the page count stays
bounded.

Needs ``chromium`` on PATH and ``pypdf`` (the ``test`` extra); skips without them, except under
``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import re
import unicodedata

import pytest

from reports._format import metric_label, metrics_of
from reports._pdf import find_chromium, write_pdf
from tests.reports.test_browser_page import wide_result

# Measured: 35 A4 pages with Chromium 150 (Debian 12) for this result, whose 11 sections each
# start a page; the slack absorbs other fonts' line breaks. The layout before the print
# stylesheet printed the same result on 42 (Letter) pages, its summary on page 2.
MAX_PAGES = 40


def _needs(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the PDF tests need it under CI: {reason}")
    pytest.skip(reason)


def _squeeze(text: str) -> str:
    """Text without any whitespace, ligatures unfolded: PDF text breaks lines anywhere."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    try:
        import pypdf
    except ImportError:
        _needs("pypdf is not installed (pip install -e '.[test]')")
    if find_chromium() is None:
        _needs("chromium is not on PATH (apt-get install chromium)")
    result = wide_result()
    path = write_pdf(result, tmp_path_factory.mktemp("pdf") / "report.pdf")
    reader = pypdf.PdfReader(str(path))
    return result, reader, [_squeeze(page.extract_text()) for page in reader.pages]


def test_the_summary_and_headline_are_on_page_one(printed):
    result, _, pages = printed
    summary = result["summary"]
    assert "1Summary" in pages[0]
    for line in [*summary["plain"]["found"], *summary["plain"]["next"], *summary["headline"]]:
        assert _squeeze(line) in pages[0], line


def test_per_group_tables_keep_their_last_column(printed):
    result, _, pages = printed
    labels = [metric_label(m) for m in metrics_of(result["models"]["baseline"]["per_group"])]
    assert len(labels) == 9
    header = _squeeze("group images faces non-faces " + " ".join(labels))
    heads = [page for page in pages if header[:header.index(labels[1])] in page]
    assert len(heads) >= len(result["models"])
    for page in heads:
        assert header in page, page[:300]


def test_charts_are_drawn_and_screen_only_parts_are_left_out(printed):
    _, reader, pages = printed
    text = "".join(pages)
    assert _squeeze("Images per attribute value") in text  # a chart's own SVG title
    assert _squeeze("Threshold sweep:") in text and _squeeze("TPR vs threshold") in text
    for screen_only in ("Skip to the summary", "Data of this chart", "Download plot"):
        assert _squeeze(screen_only) not in text, screen_only
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4, in points


def test_every_section_after_the_summary_starts_a_page(printed):
    _, _, pages = printed
    for title in ("Dataset composition", "Per-group performance", "Disparities and verdicts",
                  "Threshold sweep", "Latent-density analysis", "Training", "Limitations"):
        starts = [i for i, page in enumerate(pages)
                  if re.match(r"\d+" + re.escape(_squeeze(title)), page)]
        assert len(starts) == 1 and starts[0] > 0, title


def test_the_page_count_stays_bounded(printed):
    _, reader, _ = printed
    assert len(reader.pages) <= MAX_PAGES


def test_a_failure_leaves_an_existing_pdf_untouched(tmp_path):
    if find_chromium() is None:
        _needs("chromium is not on PATH (apt-get install chromium)")
    from reports import ResultSchemaError, _pdf

    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-old")
    bad = wide_result()
    del bad["models"]
    with pytest.raises(ResultSchemaError):
        write_pdf(bad, path)
    with pytest.raises(_pdf.PdfError):
        write_pdf(wide_result(), path, browser="/bin/false")
    assert path.read_bytes() == b"%PDF-old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]  # no partial file
