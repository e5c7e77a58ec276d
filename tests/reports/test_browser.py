"""The report in a real browser (Debian's Chromium, headless): charts draw, images load,
nothing reaches the network, hostile strings stay text.

Needs ``chromium`` and ``chromedriver`` on PATH (``apt-get install chromium chromium-driver``;
``make install`` does it as root). Without them these tests skip, except under ``CI=true``,
where they fail. Selenium never downloads a browser or a driver here: the driver is given by
path. Screenshots go to ``$DEBIAS_SCREENSHOT_DIR`` (else the test's tmp_path).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import pytest

from reports import write_report
from tests.reports.fixtures import (
    make_counterfactual_result, make_hostile_result, make_minimal_result, make_result,
    make_variant,
)

CASES = {"full": make_result, "minimal": make_minimal_result, "hostile": make_hostile_result,
         "three_models": lambda: make_variant("three_models"),
         "no_attributes": lambda: make_variant("no_attributes"),
         "counterfactual": make_counterfactual_result,
         "binary_task": lambda: make_variant("binary_task"),
         "no_groups": lambda: make_variant("no_groups")}
WIDTH, HEIGHT = 1400, 4000


def _missing(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests need it under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def driver():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install -e '.[test]')")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not browser or not chromedriver:
        _missing("chromium and chromedriver are not on PATH (apt-get install chromium "
                 "chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-dev-shm-usage",
                f"--window-size={WIDTH},{HEIGHT}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    # Record alerts instead of showing them, on every page before its own scripts run.
    drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
        "window.__alerts = [];"
        "window.alert = window.confirm = window.prompt = function (m) {"
        "  window.__alerts.push(String(m)); };")})
    yield drv
    drv.quit()


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("DEBIAS_SCREENSHOT_DIR")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _open(driver, path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, 60).until(lambda d: d.execute_script(
        "return document.documentElement.getAttribute('data-charts') === 'drawn'"))


def _full_page_png(driver, path: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("case", list(CASES))
def test_report_in_chromium(driver, case, tmp_path, screenshot_dir):
    report = write_report(CASES[case](), tmp_path / f"{case}.html")
    _open(driver, report)

    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe

    charts = driver.execute_script("""
        return Array.from(document.querySelectorAll('div.chart')).map(div => {
            const svgs = div.querySelectorAll('.main-svg');
            return {id: div.id, svgs: svgs.length,
                    children: svgs.length ? svgs[0].childElementCount : 0,
                    traces: div.querySelectorAll('.trace, .point, .scatterlayer path').length,
                    width: div.getBoundingClientRect().width};
        });""")
    expected = driver.execute_script("return document.querySelectorAll("
                                     "'script[id^=\"fig-\"][type=\"application/json\"]').length")
    assert len(charts) == expected > 0
    for chart in charts:
        assert chart["svgs"] > 0 and chart["children"] > 0, chart
        assert chart["traces"] > 0 and chart["width"] > 200, chart

    images = driver.execute_script("""
        return Array.from(document.images).map(img => ({
            ok: img.complete && img.naturalWidth > 0, src: img.src.slice(0, 30)}));""")
    assert all(i["ok"] for i in images), [i for i in images if not i["ok"]]
    if case in ("full", "hostile", "three_models"):
        assert len(images) > 20

    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert driver.execute_script("return window.__alerts") == []

    requests = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    urls = {m["params"]["request"]["url"] for m in requests
            if m["method"] == "Network.requestWillBeSent"}
    assert urls and all(u.startswith(("file://", "data:")) for u in urls), urls

    _full_page_png(driver, screenshot_dir / f"report-{case}.png")
    assert (screenshot_dir / f"report-{case}.png").stat().st_size > 10_000


def test_metric_menu_switches_the_bars(driver, tmp_path):
    result = make_result()
    report = write_report(result, tmp_path / "menu.html")
    _open(driver, report)
    fpr = driver.execute_script("""
        const gd = document.querySelector('#performance div.chart');
        const menu = gd.layout.updatemenus[0];
        const button = menu.buttons.find(b => b.label === 'FPR');
        return Plotly.update(gd, button.args[0], button.args[1]).then(() => ({
            y: gd.data[0].y, title: gd.layout.yaxis.title.text}));""")
    rows = [r for r in result["models"]["baseline"]["per_group"] if r["slice"] == "skin_tone"]
    assert fpr["title"] == "FPR"
    assert fpr["y"] == pytest.approx([r["fpr"] for r in rows])
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_a_binary_report_as_drawn_never_says_face(driver, tmp_path):
    report = write_report(make_variant("binary_task"), tmp_path / "binary.html")
    _open(driver, report)
    text = driver.execute_script("""
        const svg = Array.from(document.querySelectorAll('div.chart svg text'))
            .map(t => t.textContent);
        return [document.body.innerText].concat(svg).join(' ');""")
    assert "female images" in text and "female / male" in text
    assert "face" not in text.lower(), [w for w in text.split() if "face" in w.lower()]
