"""A plotly figure's traces as one plain table: the chart's data for readers who cannot see it.

Built from the figure alone (its ``data`` and ``layout`` as JSON), so every chart of the report
gets the same treatment whatever drew it. Two shapes:

* wide, when every trace has the same x values and no error bars or text (lines over epochs or
  thresholds, grouped bars): one row per x value, one column per trace;
* long otherwise (bars with CIs, scatter clouds): one row per point, the trace named in the
  first column.

Labels in a figure are plotly text (a few tags, entity-escaped user strings); here they become
plain text, which the template escapes again.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

MAX_ROWS = 400  # rows of one chart's table; a scatter of thousands of points is cut
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_NO_VALUE = "\u2013"


@dataclass(frozen=True)
class ChartTable:
    """The data of one chart: ``columns`` headers, ``rows`` of cell texts (each as long as
    ``columns``), and ``note``: what was left out, or ``""``."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str


def plain_text(value) -> str:
    """A plotly label as plain text: ``<br>`` -> space, other tags dropped, entities decoded."""
    if value is None:
        return ""
    if isinstance(value, dict):  # {"text": ...} as plotly writes titles
        value = value.get("text", "")
    text = _TAG.sub("", _BREAK.sub(" ", str(value)))
    return " ".join(html.unescape(text).split())


def figure_title(figure: dict) -> str:
    """The figure's title as plain text (``""`` without one)."""
    return plain_text(figure.get("layout", {}).get("title"))


def cell(value) -> str:
    """One value as table text: integers (and any number from 1,000 up) with thousands
    separators; below 1 (rates, shares, thresholds) three decimals as in the report's tables,
    or two significant digits when those would read 0; in between four significant digits; a
    missing value as an en dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return _NO_VALUE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:.4g}"
        return f"{value:.3f}" if abs(value) >= 0.0005 else f"{value:.2g}"
    return plain_text(value)


def _xs(trace: dict) -> list[str]:
    """The positions (x, or y of a horizontal bar) as text; a multi-level category axis (list
    of levels) joins its levels."""
    x = trace.get("y" if trace.get("orientation") == "h" else "x")
    if x is None:
        return [str(i) for i in range(len(_values(trace)))]
    if x and all(isinstance(level, list) for level in x):
        return [" / ".join(cell(level[i]) for level in x) for i in range(len(x[0]))]
    return [cell(v) for v in x]


def _error(trace: dict) -> dict | None:
    """The trace's error bars on its value axis (``error_y``, or ``error_x`` of a horizontal
    bar), when they hold data."""
    key = "error_x" if trace.get("orientation") == "h" else "error_y"
    err = trace.get(key)
    if not isinstance(err, dict) or err.get("visible") is False or not err.get("array"):
        return None
    return err


def _values(trace: dict) -> list:
    return list(trace.get("x" if trace.get("orientation") == "h" else "y") or [])


def _interval(value, err: dict | None, i: int) -> str:
    if err is None or not isinstance(value, (int, float)) or isinstance(value, bool):
        return ""
    plus = err["array"][i] if i < len(err["array"]) else None
    # As plotly.js: asymmetric when told so, or by default when a lower array is given.
    symmetric = err.get("symmetric", err.get("arrayminus") is None)
    minus_list = None if symmetric else err.get("arrayminus")
    minus = (minus_list[i] if minus_list and i < len(minus_list) else plus)
    if plus is None or minus is None:
        return ""
    return f"[{cell(value - minus)}, {cell(value + plus)}]"


def _axis_title(layout: dict, trace: dict, letter: str) -> str:
    ref = trace.get(f"{letter}axis", letter)  # "x", "x2", ...
    name = f"{letter}axis{ref[1:]}"
    return plain_text((layout.get(name) or {}).get("title"))


def _series_names(figure: dict) -> list[str]:
    """One distinct name per trace: the trace name, with its y axis title when the figure has
    several panels, and a number when names still repeat."""
    data, layout = figure["data"], figure.get("layout", {})
    panels = len({t.get("yaxis", "y") for t in data}) > 1
    names = []
    for i, trace in enumerate(data):
        name = plain_text(trace.get("name")) or f"series {i + 1}"
        axis = _axis_title(layout, trace, "y")
        names.append(f"{name} ({axis})" if panels and axis else name)
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if names.count(name) == 1 else f"{name} ({seen[name]})")
    return out


def chart_table(figure: dict, *, max_rows: int = MAX_ROWS) -> ChartTable:
    """The data of ``figure`` (plotly JSON: ``{"data": [...], "layout": {...}}``) as a table.

    Parameters
    ----------
    figure : dict
        The figure as :func:`plotly.io.to_json` writes it; traces with ``x``/``y`` (bar,
        scatter), optional ``error_y``/``error_x`` (``array``, ``arrayminus``) and ``text``.
    max_rows : int
        Most rows listed: wide tables keep the first ``max_rows`` x values, long ones the
        first ``max_rows // traces`` points of each trace.

    Returns
    -------
    ChartTable
        Columns, rows and a note on what was cut.
    """
    data, layout = figure.get("data") or [], figure.get("layout", {})
    if not data:
        return ChartTable(columns=(), rows=(), note="This chart has no data.")
    names = _series_names(figure)
    xs = [_xs(t) for t in data]
    errors = [_error(t) for t in data]
    texts = [t.get("text") if isinstance(t.get("text"), list) else None for t in data]
    horizontal = data[0].get("orientation") == "h"
    x_title = _axis_title(layout, data[0], "y" if horizontal else "x") or "x"
    value_title = _axis_title(layout, data[0], "x" if horizontal else "y") or "value"
    if len({t.get("yaxis", "y") for t in data}) > 1:
        value_title = "value"
    wide = (len(data) > 1 and all(x == xs[0] for x in xs) and not any(errors)
            and not any(texts))
    if wide:
        n = len(xs[0])
        rows = tuple((xs[0][i], *(cell(_at(_values(t), i)) for t in data))
                     for i in range(min(n, max_rows)))
        note = (f"The first {max_rows:,} of {n:,} rows are listed." if n > max_rows else "")
        return ChartTable(columns=(x_title, *names), rows=rows, note=note)
    per_trace = max(1, max_rows // len(data))
    with_error, with_text = any(errors), any(texts)
    columns = ["series", x_title, value_title]
    columns += ["interval"] if with_error else []
    columns += ["label"] if with_text else []
    rows, cut = [], False
    for name, x, trace, err, text in zip(names, xs, data, errors, texts):
        values = _values(trace)
        cut = cut or len(x) > per_trace
        for i in range(min(len(x), per_trace)):
            value = _at(values, i)
            row = [name, x[i], cell(value)]
            row += [_interval(value, err, i)] if with_error else []
            row += [plain_text(_at(text, i)) if text else ""] if with_text else []
            rows.append(tuple(row))
    note = (f"Only the first {per_trace:,} points of each series are listed (the chart has "
            f"{sum(len(x) for x in xs):,})." if cut else "")
    return ChartTable(columns=tuple(columns), rows=tuple(rows), note=note)


def _at(values, i: int):
    return values[i] if values is not None and i < len(values) else None
