"""A result dict -> one self-contained HTML page, and writing it atomically."""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from reports._classes import class_words
from reports._counterfactual import counterfactual_context
from reports._discovered import discovered_context
from reports._figures import Figures, config_json, template_json
from reports._latent import latent_context, training_context
from reports._methods import limitations_context, methods_context
from reports._model_card import model_card_context
from reports._schema import validate_result
from reports._sections import (
    dataset_context, disparities_context, performance_context, sweep_context,
)
from reports._summary import summary_context

NAV = [("summary", "Summary"), ("dataset", "Dataset"), ("performance", "Per-group performance"),
       ("disparities", "Disparities"), ("sweep", "Threshold sweep"), ("latent", "Latent analysis"),
       ("counterfactual", "Counterfactual probes and augmentation"), ("training", "Training"),
       ("model-card", "Model card"), ("methods", "Methods"), ("limitations", "Limitations")]


def _finalize(value):
    # Autoescaping leaves U+2028/2029 raw; as character references they cannot bend any parser.
    if isinstance(value, str) and not isinstance(value, Markup) and (
            "\u2028" in value or "\u2029" in value):
        text = str(escape(value)).replace("\u2028", "&#x2028;").replace("\u2029", "&#x2029;")
        return Markup(text)
    return value


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined, finalize=_finalize, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True)


@lru_cache(maxsize=1)
def _plotly_js() -> Markup:
    from plotly.offline import get_plotlyjs

    # "</script" would end the inline script early; "<\/" means the same inside JS.
    source = get_plotlyjs().replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
    return Markup(source)


def render_html(result: dict, *, max_rows: int = 200) -> str:
    """Render an audit result as one self-contained HTML page.

    Parameters
    ----------
    result : dict
        A result following ``reports/schema.json`` (validated first).
    max_rows : int
        Longest list of skipped files shown (the rest are counted).

    Returns
    -------
    str
        The page: inline CSS and plotly.js, figures as JSON, images as data URIs; no
        external URL. The same result gives the same bytes.

    Raises
    ------
    ResultSchemaError
        When ``result`` does not follow the schema.
    """
    validate_result(result)
    figures = Figures()
    # The task's class words ("faces" / "female images", ...): every section speaks them.
    words = class_words(result.get("classes"))
    summary = summary_context(result, words)
    context = {
        "title": result["dataset"]["root"], "created": result["created"],
        "tool_line": f"{result['tool']['name']} {result['tool']['version']}",
        "nav": NAV, "words": words, "summary": summary,
        "dataset": dataset_context(result, figures, words, max_rows=max_rows),
        "discovered": discovered_context(result, summary["metric"], words),
        "performance": performance_context(result, figures, summary["metric"]),
        "disparities": disparities_context(result, summary["metric"], words),
        "sweep": sweep_context(result, figures, words),
        "latent": latent_context(result, figures, words),
        "counterfactual": counterfactual_context(result, figures, words),
        "training": training_context(result, figures, words),
        "model_card": model_card_context(result, words),
        "methods": methods_context(result, words),
        "limitations": limitations_context(result, words),
        "plotly_js": _plotly_js(), "template_json": template_json(),
        "config_json": config_json(),
    }
    return _environment().get_template("report.html.j2").render(context)


def write_report(result: dict, path: str | os.PathLike, *, max_rows: int = 200) -> Path:
    """Validate ``result``, render it and write the page to ``path`` atomically.

    The page is written to a temporary file in the same folder and renamed over ``path``,
    so a reader never sees half a report and a failure leaves an existing report untouched.

    Parameters
    ----------
    result : dict
        A result following ``reports/schema.json``.
    path : str or PathLike
        Where the page goes; missing parent folders are created.
    max_rows : int
        As :func:`render_html`.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ResultSchemaError
        When ``result`` does not follow the schema (``path`` is not touched).
    """
    html = render_html(result, max_rows=max_rows)  # validates first

    def fill(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(html)
            handle.flush()
            os.fsync(handle.fileno())

    return replace_atomically(Path(path), fill)


def replace_atomically(path: Path, fill) -> Path:
    """``fill(tmp)`` writes a temporary file beside ``path`` (missing parent folders are
    created), which then replaces ``path`` (mode 0644); on any failure the temporary file is
    removed and ``path`` is untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        fill(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
