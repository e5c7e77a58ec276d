"""Plotly figures as embeddable pieces: a deterministic div id and script-safe JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

# Colours: models keep one colour each across the report; groups use a colour-blind-safe set.
MODEL_COLORS = ["#4c6ef5", "#f08c00", "#2b8a3e", "#ae3ec9", "#c92a2a", "#0b7285"]
GROUP_COLORS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
                "#000000", "#999999", "#882255", "#44aa99", "#117733"]
FONT = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
        "'Noto Sans', 'Liberation Sans', sans-serif")
PLOTLY_CONFIG = {
    "responsive": True, "displaylogo": False, "typesetMath": False, "topojsonURL": "",
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def script_json(value) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>``, ``&``, quote or U+2028/2029 raw
    (so neither ``</script>``, ``<!--`` nor a line separator can end or bend the script)."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escaped)
    return text


@lru_cache(maxsize=1)
def template_json() -> Markup:
    """The plotly_white template, shipped once per report instead of once per figure."""
    template = pio.templates["plotly_white"].to_plotly_json()
    template["layout"]["font"] = {"family": FONT, "size": 13, "color": "#212529"}
    template["layout"]["colorway"] = GROUP_COLORS
    template["layout"]["hoverlabel"] = {"font": {"family": FONT}}
    template["layout"]["title"] = {"x": 0.0, "xanchor": "left", "font": {"size": 15}}
    return Markup(script_json(template))


def config_json() -> Markup:
    return Markup(script_json(PLOTLY_CONFIG))


@dataclass(frozen=True)
class Chart:
    """One figure of the report: ``<div id=...>`` plus ``<script id=...-json>``."""

    id: str
    json: Markup
    height: int


class Figures:
    """Numbers the report's figures in the order they are added (deterministic ids)."""

    def __init__(self) -> None:
        self.charts: list[Chart] = []

    def add(self, fig: go.Figure, *, height: int = 380, top: int = 56) -> Chart:
        """Register ``fig`` (``top``: margin above the plot area, px); returns what the
        template embeds."""
        if fig.layout.updatemenus:
            top = max(top, 80)  # room for the menu below plotly's mode bar
        fig.update_layout(height=height, autosize=True,
                          margin={"l": 60, "r": 20, "t": top, "b": 50})
        data = json.loads(pio.to_json(fig, validate=False, engine="json"))
        data["layout"].pop("template", None)
        chart = Chart(id=f"fig-{len(self.charts) + 1}", height=height,
                      json=Markup(script_json({"data": data["data"], "layout": data["layout"]})))
        self.charts.append(chart)
        return chart
