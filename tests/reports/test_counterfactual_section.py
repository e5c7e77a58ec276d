"""Section 7, counterfactual probes and augmentation: the schema of the two keys, every number
shown as the JSON has it, failed edits flagged, absent parts explained, user strings escaped."""

from __future__ import annotations

import copy
import json
import re

import pytest

from reports import ResultSchemaError, load_result, render_html, validate_result
from reports._render import NAV
from tests.reports.fixtures import HOSTILE, make_counterfactual_result, make_result
from tests.reports.html_tools import parse

FLAG = "failed or damaged edit"
PROBE_NOTE = "No counterfactual probe was run in this audit"
AUGMENT_NOTE = "No augmentation with synthetic faces was run in this audit"


@pytest.fixture(scope="module")
def result() -> dict:
    return make_counterfactual_result()


@pytest.fixture(scope="module")
def html(result) -> str:
    return render_html(result)


def _section(html: str, anchor: str = "counterfactual") -> str:
    start = html.index(f'<section class="card" id="{anchor}">')
    return html[start:html.index("</section>", start)]


def _f(value: float) -> str:
    """The oracle of the report's number format: three decimals."""
    return f"{value:.3f}"


def _set(result: dict, path: tuple, value) -> dict:
    target = result
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return result


# -- schema -------------------------------------------------------------------------------

def test_schema_accepts_the_full_example(result):
    validate_result(result)
    validate_result(make_result())  # both keys stay optional


CF = ("counterfactual", "directions", 0)
BROKEN = [
    (CF + ("models", "baseline", "flip_rate"), "abc",
     "counterfactual.directions[0].models.baseline.flip_rate: 'abc' is not of type 'number', "
     "'null'"),
    (CF + ("models", "dbvae", "pos_to_neg"), -1,
     "counterfactual.directions[0].models.dbvae.pos_to_neg: -1 is less than the minimum of 0"),
    (CF + ("pairs", 1, "edited"), "data:image/png;base64,AAAA",
     "counterfactual.directions[0].pairs[1].edited: 'data:image/png;base64,AAAA' does not match"),
    (CF + ("edit_success",), 1.5,
     "counterfactual.directions[0].edit_success: 1.5 is greater than the maximum of 1"),
    (CF + ("edit",), "stylegan", "counterfactual.directions[0].edit: 'stylegan' is not one of"),
    (CF + ("colour_edited", "mean_rgb"), [0.5, 0.5],
     "counterfactual.directions[0].colour_edited.mean_rgb: [0.5, 0.5] is too short"),
    (CF + ("models", "baseline", "change_histogram", "counts", 3), 2.5,
     "counterfactual.directions[0].models.baseline.change_histogram.counts[3]: 2.5 is not of "
     "type 'integer'"),
    (("counterfactual", "generator", "kind"), "gan",
     "counterfactual.generator.kind: 'cyclegan' was expected"),
    (("counterfactual", "checkers", "face", "test_images"), -3,
     "counterfactual.checkers.face.test_images: -3 is less than the minimum of 0"),
    (("augmentation", "added", "dark"), -1,
     "augmentation.added.dark: -1 is less than the minimum of 0"),
    (("augmentation", "samples", 0, "png"), "not a png",
     "augmentation.samples[0].png: 'not a png' does not match"),
    (("augmentation", "method"), "diffusion", "augmentation.method: 'diffusion' is not one of"),
    (("augmentation", "comparison", "rows", 0, "augmented_gap"), "0.1",
     "augmentation.comparison.rows[0].augmented_gap: '0.1' is not of type 'number', 'null'"),
]


@pytest.mark.parametrize("path, value, expected", BROKEN,
                         ids=[".".join(map(str, b[0])) for b in BROKEN])
def test_schema_rejects_broken_values_naming_the_path(result, path, value, expected):
    broken = _set(copy.deepcopy(result), path, value)
    with pytest.raises(ResultSchemaError) as info:
        validate_result(broken)
    assert str(info.value).startswith("result.json: " + expected)


@pytest.mark.parametrize("key", ["caveats", "checkers", "directions"])
def test_schema_requires_the_probe_keys(result, key):
    broken = copy.deepcopy(result)
    del broken["counterfactual"][key]
    with pytest.raises(ResultSchemaError, match=f"'{key}' is a required property"):
        validate_result(broken)


# -- numbers as the JSON has them ---------------------------------------------------------

def test_every_flip_rate_and_edit_check_is_shown(result, html):
    section = _section(html)
    checked = 0
    for d in result["counterfactual"]["directions"]:
        for f in d["models"].values():
            assert f'{_f(f["flip_rate"])}<span class="ci">{f["flips"]} of {f["n"]}</span>' \
                in section
            assert f'{_f(f["pos_to_neg_rate"])}<span class="ci">({f["pos_to_neg"]})</span>' \
                in section
            assert f'{_f(f["neg_to_pos_rate"])}<span class="ci">({f["neg_to_pos"]})</span>' \
                in section
            low, high = f["change_p05"], f["change_p95"]
            assert (f'{_f(abs(low))}, {"+" if high > 0 else chr(0x2212)}{_f(abs(high))}]'
                    in section)
            checked += 1
        assert (f'{_f(d["edit_success"])}<span class="ci">({_f(d["source_called_target"])})'
                in section)
        assert (f'{_f(d["target_preserved"])}<span class="ci">({_f(d["originals_preserved"])})'
                in section)
    assert checked == 9
    checkers = result["counterfactual"]["checkers"]
    text = parse(section).body_text()
    assert (f"tells dark from light with accuracy {_f(checkers['attribute']['test_accuracy'])} "
            "on 612 real test images") in text
    assert "An independent face classifier, not one of the audited models" in text
    assert "CycleGAN, 5 epochs, trained in 3 min 7 s" in text
    for caveat in result["counterfactual"]["caveats"]:
        assert caveat in text
    assert "Jain et al., 2020" in text


def test_augmentation_counts_checks_and_comparison_are_shown(result, html):
    aug = result["augmentation"]
    section = _section(html)
    text = parse(section).body_text()
    assert "dark 820 820 1,640 1.00" in text and "light 2,400 0 2,400 0.00" in text
    check = aug["synthetic_checks"][0]
    assert f"dark 200 {_f(check['called_value'])} {_f(check['called_face'])}" in text
    assert "used for training only" in text and "never scored" in text
    assert "with at most 1 synthetic faces per real face of that value (the cap)" in text
    for row in aug["comparison"]["rows"]:
        shown = (f'{_f(row["augmented_gap"])}<span class="ci">[{_f(row["augmented_low"])}, '
                 f'{_f(row["augmented_high"])}]</span>')
        assert shown in section
        assert row["verdict"] in text
    srcs = parse(section).attrs("src")
    assert {"data:image/png;base64," + s["png"] for s in aug["samples"]} <= set(srcs)


def test_flip_chart_holds_the_rates_in_model_then_direction_order(result, html):
    page = parse(_section(html))
    figures = page.json_scripts()
    ids = [a["id"] for t, a in page.tags if t == "div" and a.get("data-figure")]
    assert len(ids) == 2
    bars, lines = (figures[f"{i}-json"] for i in ids)
    directions = result["counterfactual"]["directions"]
    models = list(result["models"])
    for trace, key in zip(bars["data"], ("pos_to_neg_rate", "neg_to_pos_rate")):
        assert trace["x"] == [d["models"][m][key] for m in models for d in directions]
    assert bars["layout"]["barmode"] == "stack"
    assert len(lines["data"]) == len(directions) * len(models)
    for trace in lines["data"]:
        assert sum(trace["y"]) == pytest.approx(1)
    buttons = lines["layout"]["updatemenus"][0]["buttons"]
    assert len(buttons) == len(directions)


# -- flags --------------------------------------------------------------------------------

def test_failed_or_damaged_edits_are_flagged(result, html):
    rows = _section(html).split('<tr class="direction-start">')[1:]
    success = [d["edit_success"] for d in result["counterfactual"]["directions"]]
    kept = [d["target_preserved"] for d in result["counterfactual"]["directions"]]
    assert success == [0.9, 0.3, 0.71] and kept == [0.95, 0.92, 0.74]
    # Each chunk runs to the next direction, so the callouts sit in the last one.
    assert FLAG not in rows[0]
    assert FLAG in rows[1].split("</tr>")[0] and FLAG in rows[2].split("</tr>")[0]
    warnings = re.findall(r'<p class="note warn">(.*?)</p>', html)
    assert len(warnings) == 2
    assert "CycleGAN: light \u2192 dark" in warnings[0] and "only 0.300" in warnings[0]
    assert "DB-VAE latent direction" in warnings[1] and "only 0.740 of the edits a face" \
        in warnings[1]
    assert all("do not read them as the model&rsquo;s dependence on the attribute" in w
               for w in warnings)


def test_good_edits_are_not_flagged(result):
    clean = copy.deepcopy(result)
    for d in clean["counterfactual"]["directions"]:
        d["edit_success"], d["target_preserved"] = 0.9, 0.95
    assert FLAG not in render_html(clean)
    unchecked = copy.deepcopy(result)
    for d in unchecked["counterfactual"]["directions"]:
        d["edit_success"] = d["target_preserved"] = None  # not measured: nothing to flag
    assert FLAG not in render_html(unchecked)


# -- absent parts -------------------------------------------------------------------------

def test_absent_keys_say_how_to_run_them():
    text = parse(_section(render_html(make_result()))).body_text()
    assert PROBE_NOTE in text and AUGMENT_NOTE in text
    assert "debias audit DATASET --counterfactual ATTR" in text
    assert "--counterfactual ATTR=FROM:TO" in text
    assert "debias audit DATASET --augment cyclegan or --augment gan" in text


@pytest.mark.parametrize("absent", ["counterfactual", "augmentation"])
def test_one_part_absent_keeps_the_other(result, absent):
    partial = copy.deepcopy(result)
    del partial[absent]
    text = parse(_section(render_html(partial))).body_text()
    assert (PROBE_NOTE in text) == (absent == "counterfactual")
    assert (AUGMENT_NOTE in text) == (absent == "augmentation")
    assert ("Flip rates" in text) == (absent != "counterfactual")


def test_a_probe_without_directions_says_so(result):
    empty = copy.deepcopy(result)
    empty["counterfactual"]["directions"] = []
    section = _section(render_html(empty))
    assert "The probe recorded no edit direction" in parse(section).body_text()
    assert "data-figure" not in section


def test_section_sits_between_latent_and_training_and_numbers_follow_the_nav(html):
    anchors = [a for a, _ in NAV]
    assert anchors.index("counterfactual") == anchors.index("latent") + 1
    assert anchors.index("training") == anchors.index("counterfactual") + 1
    positions = [html.index(f'<section class="card" id="{a}">') for a in anchors]
    assert positions == sorted(positions)
    for number, anchor in enumerate(anchors, start=1):
        assert re.search(f'<section class="card" id="{anchor}">\\s*<h2><span class="n">'
                         f'{number}</span>', html), anchor
        assert f'<a href="#{anchor}">{number}. ' in html


def test_the_augmented_model_is_shown_like_the_others(html):
    label = "Baseline + CycleGAN augmentation"
    for anchor in ("performance", "disparities", "training"):
        assert f"<h3>{label}</h3>" in _section(html, anchor), anchor
    summary = _section(html, "summary")
    assert summary.count(f"<tr><td>{label}</td>") == 1 + 3  # overall row, a gap per slice


# -- safety and determinism ---------------------------------------------------------------

def test_user_strings_are_escaped():
    hostile = make_counterfactual_result(attribute=HOSTILE[1], source=HOSTILE[0],
                                         target=HOSTILE[4], caption=HOSTILE[3])
    hostile["models"]["augmented"]["label"] = HOSTILE[2]
    hostile["counterfactual"]["caveats"].append(HOSTILE[3])
    hostile["augmentation"]["samples"][0]["path"] = HOSTILE[3]
    html = render_html(hostile)
    for bad in HOSTILE:
        assert bad not in html, bad
    assert "<script>alert" not in html and "<img src=x" not in html
    page = parse(html)
    text = page.body_text()
    for bad in HOSTILE[:5]:
        assert bad in text, bad
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    charts = [a for t, a in page.tags if t == "div" and a.get("data-figure")]
    assert len(page.scripts) == 2 + 2 + len(charts) + 1
    assert {t for t, _ in parse(_section(html)).tags} <= {
        "section", "h2", "h3", "h4", "span", "p", "div", "table", "thead", "tbody", "tr", "th",
        "td", "br", "ul", "li", "strong", "code", "figure", "figcaption", "img", "script",
        "details", "summary"}


def test_pairs_gallery_has_two_data_uri_images_per_pair(result, html):
    page = parse(_section(html))
    pairs, inside = [], False
    for tag, attrs in page.tags:
        if tag == "figure":
            inside = attrs.get("class") == "pair"
            if inside:
                pairs.append([])
        elif tag == "img" and inside:
            pairs[-1].append(attrs["src"])
    expected = [["data:image/png;base64," + p["original"], "data:image/png;base64," + p["edited"]]
                for d in result["counterfactual"]["directions"] for p in d["pairs"]]
    assert pairs == expected and len(pairs) == 12
    captions = [p["caption"] for d in result["counterfactual"]["directions"] for p in d["pairs"]]
    text = page.body_text()
    assert all(c in text for c in captions)
    assert "Baseline classifier: 0.600 \u2192 0.680 (+0.080)" in text


def test_render_is_deterministic(result, html, tmp_path):
    assert render_html(make_counterfactual_result()) == html
    path = tmp_path / "result.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False), "utf-8")
    assert render_html(load_result(path)) == html
