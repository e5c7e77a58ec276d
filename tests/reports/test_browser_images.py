"""``--images`` in a real browser (headless Chromium, as in ``test_browser``): the page of a
result without images shows none and says how many were left out; under ``synthetic`` every
image the page loads is one the tool generated; no image's alt text or tooltip names a file."""

from __future__ import annotations

import copy

import pytest

from debias._image_policy import apply_image_policy
from reports import write_report
from tests.reports.fixtures import make_counterfactual_result
from tests.reports.test_browser import _open, driver  # noqa: F401  (the fixture)

_IMAGES = """
    return Array.from(document.images).map(img => ({
        kind: img.getAttribute('data-image'), alt: img.alt, title: img.title,
        ok: img.complete && img.naturalWidth > 0}));"""


@pytest.fixture(scope="module")
def full() -> dict:
    return make_counterfactual_result()


def _paths(result: dict) -> list[str]:
    found = [i["path"] for m in result["models"].values() for g in m.get("misclassified", [])
             for i in g["images"]]
    found += [i["path"] for key in ("rarest", "most_typical") for i in result["latent"][key]]
    return found + [i["path"] for i in result["augmentation"]["samples"]]


def test_images_none_page_shows_no_image(driver, full, tmp_path):  # noqa: F811
    result = copy.deepcopy(full)
    apply_image_policy(result, "none")
    _open(driver, write_report(result, tmp_path / "none.html"))
    assert driver.execute_script(_IMAGES) == []
    notes = driver.execute_script("return Array.from(document.querySelectorAll("
                                  "'.withheld-images')).map(p => p.textContent)")
    assert notes and all(n.endswith("not shown (--images none)") for n in notes)


def test_images_synthetic_page_shows_generated_images_only(driver, full, tmp_path):  # noqa: F811
    result = copy.deepcopy(full)
    apply_image_policy(result, "synthetic")
    _open(driver, write_report(result, tmp_path / "synthetic.html"))
    images = driver.execute_script(_IMAGES)
    assert images and all(i["ok"] and i["kind"] == "generated" for i in images), images


def test_no_alt_text_or_tooltip_names_a_file(driver, full, tmp_path):  # noqa: F811
    _open(driver, write_report(full, tmp_path / "all.html"))
    images = driver.execute_script(_IMAGES)
    paths = _paths(full)
    assert len(images) > 40 and paths
    assert all(i["ok"] and i["alt"] for i in images)
    assert {i["kind"] for i in images} == {"dataset", "edit", "generated"}
    for image in images:
        assert not [p for p in paths if p in image["alt"] or p in image["title"]], image
