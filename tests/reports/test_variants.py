"""Edge cases render every section, with a note where data is absent, never a crash."""

from __future__ import annotations

import pytest

from reports import render_html, validate_result
from tests.reports.fixtures import VARIANTS, make_variant
from tests.reports.html_tools import parse
from tests.reports.test_render import SECTIONS


@pytest.fixture(scope="module", params=list(VARIANTS))
def rendered(request):
    result = make_variant(request.param)
    validate_result(result)
    return request.param, result, render_html(result)


def test_every_section_renders(rendered):
    _, _, html = rendered
    for anchor in SECTIONS:
        assert f'<section class="card" id="{anchor}">' in html


NOTES = {
    "no_attributes": ["There are no attribute slices to compare",
                      "No verdicts: the dataset has no attribute slices to compare",
                      "The dataset has no attribute columns, so there are no intersections",
                      "No slice to compare: the dataset has no attribute columns"],
    "no_bootstrap": ["No bootstrap was run (0 resamples)", "outside, no CI"],
    "empty_latent": ["The result holds no images of the rarest faces",
                     "The result holds no latent traversals",
                     "The result holds no PCA points",
                     "no galleries of misclassified images",
                     "No sampling weights were logged for this model",
                     "Not trained in this audit, so no curves: Baseline classifier"],
    "three_models": ["No threshold sweep was recorded for: DB-VAE", "Vendor API",
                     "and 250 more, listed in result.json"],
    "binary_task": ["female images / male images", "share of female images",
                    "Counterfactual probes and augmentation with synthetic images are not "
                    "available for a female / male classifier"],
    "no_groups": ["No groups to compare: the dataset has no attribute columns",
                  "There are no disparities and no verdicts",
                  "No groups to compare, so there are no gaps for DB-VAE to narrow",
                  "The dataset has no attribute columns, so there are no per-group counts",
                  "no sampling weight per group"],
}


def test_absent_parts_are_explained(rendered):
    name, _, html = rendered
    text = parse(html).body_text()
    for note in NOTES[name]:
        assert note in text, note


def test_values_without_ci_show_no_brackets():
    result = make_variant("no_bootstrap")
    html = render_html(result)
    row = next(r for r in result["models"]["baseline"]["per_group"] if r["tpr"] is not None)
    assert f'<td class="metric">{row["tpr"]:.3f}</td>' in html
