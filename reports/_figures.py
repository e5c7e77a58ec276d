"""Plotly figures as embeddable pieces: a deterministic div id, script-safe JSON, a text
alternative and the chart's data as a table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

from reports._chart_data import ChartTable, chart_table, figure_title

# Colours: models keep one colour each across the report; groups use a colour-blind-safe set.
MODEL_COLORS = ["#4c6ef5", "#f08c00", "#2b8a3e", "#ae3ec9", "#c92a2a", "#0b7285"]
GROUP_COLORS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
                "#000000", "#999999", "#882255", "#44aa99", "#117733"]
FONT = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
        "'Noto Sans', 'Liberation Sans', sans-serif")
# Nothing here may reach the network: no share-to-cloud button (plotly.js shows one unless told
# not to), no logo link, no "edit in Chart Studio" link of older plotly.js builds; the PNG
# download (made in the browser) stays.
PLOTLY_CONFIG = {
    "responsive": True, "displaylogo": False, "showSendToCloud": False,
    "showEditInChartStudio": False, "showLink": False, "plotlyServerURL": "",
    "typesetMath": False, "topojsonURL": "",
    "modeBarButtonsToRemove": ["sendChartToCloud", "sendDataToCloud", "editInChartStudio",
                               "select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
BOTTOM = 50  # margin below the plot area, px
MENU_GAP = 30  # px from a menu above the plot down to the plot: room for subplot titles


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
    """One figure of the report: ``<div id=...>`` plus ``<script id=...-json>``; ``label``
    (its title as plain text) is its text alternative and ``table`` its data."""

    id: str
    json: Markup
    height: int
    label: str
    table: ChartTable


class Figures:
    """Numbers the report's figures in the order they are added (deterministic ids)."""

    def __init__(self) -> None:
        self.charts: list[Chart] = []

    def add(self, fig: go.Figure, *, height: int = 380, top: int = 56) -> Chart:
        """Register ``fig`` (``top``: margin above the plot area, px); returns what the
        template embeds."""
        if fig.layout.updatemenus:
            top = max(top, 100)
        fig.update_layout(height=height, autosize=True,
                          margin={"l": 60, "r": 20, "t": top, "b": BOTTOM})
        data = json.loads(pio.to_json(fig, validate=False, engine="json"))
        data["layout"].pop("template", None)
        if data["layout"].get("updatemenus"):
            _menus_below_title(data["layout"])
        figure = {"data": data["data"], "layout": data["layout"]}
        number = len(self.charts) + 1
        chart = Chart(id=f"fig-{number}", height=height, json=Markup(script_json(figure)),
                      label=figure_title(figure) or f"Chart {number}", table=chart_table(figure))
        self.charts.append(chart)
        return chart


def _menus_below_title(layout: dict) -> None:
    """Give the title, the menus above the plot and the subplot titles a row each.

    A menu sits in paper coordinates; just above the plot it covers the subplot titles, and a
    long title runs under it on a narrow page. Here the title is pinned to the top of the
    figure and every menu that sits above the plot ends ``MENU_GAP`` px above it (padding, in
    px, so it holds however much margin a long legend takes), which leaves the row right above
    the plot to the subplot titles.
    """
    title = layout.setdefault("title", {})
    title.update({"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 10}})
    for menu in layout["updatemenus"]:
        if menu.get("yanchor") == "bottom" and menu.get("y", 1) >= 1:
            menu["y"] = 1
            menu["pad"] = {**menu.get("pad", {}), "b": MENU_GAP}
