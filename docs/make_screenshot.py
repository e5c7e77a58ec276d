"""Regenerate docs/report-summary.png: the summary of the demo report, as a reader sees it.

Uses the synthetic demo only (never real faces): run ``make demo`` first, then

    .venv/bin/python docs/make_screenshot.py [--report out/demo-audit/report.html]

Headless Chromium (Debian's ``chromium``) renders the page at 1280 px; the summary section is
cut out of the full-page screenshot with Pillow.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WIDTH = 1280


def summary_box(report: Path, browser: str) -> tuple[int, int]:
    """Top and bottom (CSS px) of the summary section, measured in the browser with selenium
    (the test extra) and the system's chromedriver (never a downloaded one); (0, 1400) when
    either is missing."""
    chromedriver = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return 0, 1400
    if chromedriver is None:
        return 0, 1400
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", f"--window-size={WIDTH},1400"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        driver.get(report.resolve().as_uri())
        top, bottom = driver.execute_script(
            "var r = document.getElementById('summary').getBoundingClientRect();"
            "return [r.top + window.scrollY, r.bottom + window.scrollY];")
    finally:
        driver.quit()
    return int(top), int(bottom)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=Path("out/demo-audit/report.html"))
    parser.add_argument("--out", type=Path, default=HERE / "report-summary.png")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None or not args.report.is_file():
        print(f"error: needs chromium on PATH and {args.report} (run make demo)", file=sys.stderr)
        return 2
    from PIL import Image

    top, bottom = summary_box(args.report, browser)
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "page.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--hide-scrollbars",
                        f"--window-size={WIDTH},{bottom + 40}", f"--screenshot={shot}",
                        args.report.resolve().as_uri()], check=True, capture_output=True)
        image = Image.open(shot)
        image.crop((0, max(top - 16, 0), WIDTH, min(bottom + 16, image.height))).save(
            args.out, optimize=True)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
