"""A result as a PDF: the HTML report printed by headless Chromium.

The page's own print stylesheet does the layout (A4, the summary on page 1, one section per
page after it, tables wrapped to the page width); this module only drives the browser. Chromium
opens the report from a temporary file with no network, draws the charts (virtual time runs
until the page is idle or the budget is spent), prints to a temporary file next to the target,
and the PDF is renamed into place: a reader never sees half a PDF, and a failure leaves an
existing one untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from reports._render import render_html, replace_atomically

BROWSERS = ("chromium", "chromium-browser")
# The window is as wide as the printed page's content (A4, 210 mm, less the 2 x 11 mm margins
# of the stylesheet's @page, at 96 px per inch), so the charts are drawn at the width they are
# printed at, whether or not the browser fires the page's print listeners.
PAGE_WIDTH_PX = 710
CHART_BUDGET_MS = 15_000  # virtual time for the page's scripts to draw every chart


class PdfError(RuntimeError):
    """Chromium could not print the report."""


def find_chromium() -> str | None:
    """Path of ``chromium`` or ``chromium-browser`` on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(result: dict, path: str | os.PathLike, *, max_rows: int = 200,
              browser: str | None = None, timeout: float = 300.0) -> Path:
    """Validate ``result``, render its report and print it to ``path`` as a PDF.

    Parameters
    ----------
    result : dict
        A result following ``reports/schema.json``.
    path : str or PathLike
        Where the PDF goes; missing parent folders are created.
    max_rows : int
        As :func:`reports.render_html`.
    browser : str, optional
        The Chromium executable (default: :func:`find_chromium`).
    timeout : float
        Seconds Chromium may take before it is stopped.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ResultSchemaError
        When ``result`` does not follow the schema (nothing is written).
    PdfError
        When no Chromium is found, or it fails or prints no PDF (``path`` is not touched).
    """
    browser = browser or find_chromium()
    if browser is None:
        raise PdfError("printing needs Chromium (chromium or chromium-browser on PATH; "
                       "apt-get install chromium)")
    html = render_html(result, max_rows=max_rows)  # validates first

    def fill(tmp: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="debias-pdf-") as work:
            page = Path(work) / "report.html"
            page.write_text(html, encoding="utf-8")
            _print(browser, page, tmp, profile=Path(work) / "profile", timeout=timeout)

    return replace_atomically(Path(path), fill)


def _print(browser: str, page: Path, pdf: Path, *, profile: Path, timeout: float) -> None:
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-extensions", "--disable-dev-shm-usage",
        "--run-all-compositor-stages-before-draw", f"--virtual-time-budget={CHART_BUDGET_MS}",
        f"--window-size={PAGE_WIDTH_PX},1000", f"--user-data-dir={profile}",
        "--no-pdf-header-footer", "--print-to-pdf-no-header",  # new and old spelling
        f"--print-to-pdf={pdf}", page.as_uri()]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PdfError(f"Chromium did not finish printing the report within {timeout:g} s"
                       ) from None
    except OSError as err:
        raise PdfError(f"Chromium could not be started: {err.strerror or err}") from None
    with open(pdf, "rb") as handle:
        printed = handle.read(5) == b"%PDF-"
    if done.returncode != 0 or not printed:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        why = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise PdfError(f"Chromium printed no PDF: {why}")
