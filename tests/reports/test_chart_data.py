"""The data table under each chart, built from the figure's traces: checked against values
written out by hand for small figures of each shape the report draws."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports._chart_data import chart_table, plain_text
from reports._figures import PLOTLY_CONFIG, Figures
from reports._render import render_html
from tests.reports.fixtures import make_hostile_result
from tests.reports.html_tools import parse


def _figure(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())


def test_traces_on_the_same_x_make_one_wide_table():
    fig = go.Figure()
    fig.add_scatter(x=[1, 2, 3], y=[0.5, 0.25, 0.125], name="train")
    fig.add_scatter(x=[1, 2, 3], y=[0.75, None, 0.0625], name="val")
    fig.update_layout(xaxis_title="epoch", yaxis_title="loss")
    table = chart_table(_figure(fig))
    assert table.columns == ("epoch", "train", "val")
    assert table.rows == (("1", "0.500", "0.750"), ("2", "0.250", "\u2013"),
                          ("3", "0.125", "0.062"))
    assert table.note == ""


def test_bars_with_ci_list_each_point_with_its_interval_and_label():
    fig = go.Figure()
    fig.add_bar(x=["dark", "light"], y=[0.2, 0.05], name="Baseline",
                error_y={"type": "data", "array": [0.03, 0.01], "arrayminus": [0.05, 0.02]})
    fig.add_scatter(x=["unknown"], y=[0], name="Baseline (withheld)", text=["withheld"],
                    mode="markers+text")
    fig.update_layout(xaxis_title="skin_tone", yaxis_title="FNR")
    table = chart_table(_figure(fig))
    assert table.columns == ("series", "skin_tone", "FNR", "interval", "label")
    assert table.rows == (("Baseline", "dark", "0.200", "[0.150, 0.230]", ""),
                          ("Baseline", "light", "0.050", "[0.030, 0.060]", ""),
                          ("Baseline (withheld)", "unknown", "0", "", "withheld"))


def test_horizontal_bars_two_level_categories_and_symmetric_errors():
    fig = go.Figure()
    fig.add_bar(y=[["dark to light", "dark to light"], ["model A", "model B"]], x=[0.3, 0.1],
                orientation="h", name="flips", error_x={"type": "data", "array": [0.1, 0.05]})
    fig.update_layout(xaxis_title="flip rate", yaxis_title="edit")
    table = chart_table(_figure(fig))
    assert table.columns == ("series", "edit", "flip rate", "interval")
    assert table.rows == (("flips", "dark to light / model A", "0.300", "[0.200, 0.400]"),
                          ("flips", "dark to light / model B", "0.100", "[0.050, 0.150]"))


def test_traces_of_two_panels_are_named_by_their_axis():
    fig = make_subplots(rows=1, cols=2)
    for col, (metric, values) in enumerate((("TPR", [1.0, 0.5]), ("FPR", [0.4, 0.0])), 1):
        fig.add_scatter(x=[0.0, 0.5], y=values, name="dark", row=1, col=col)
        fig.update_yaxes(title_text=metric, row=1, col=col)
    fig.update_xaxes(title_text="threshold")
    table = chart_table(_figure(fig))
    assert table.columns == ("threshold", "dark (TPR)", "dark (FPR)")
    assert table.rows == (("0", "1", "0.400"), ("0.500", "0.500", "0"))  # JSON writes 0.0 as 0


def test_a_large_scatter_is_cut_evenly_and_says_so():
    fig = go.Figure()
    fig.add_scatter(x=list(range(1000)), y=[i / 1000 for i in range(1000)], name="a",
                    mode="markers")
    fig.add_scatter(x=list(range(500)), y=[0.5] * 500, name="b", mode="markers")
    table = chart_table(_figure(fig), max_rows=400)
    assert [r[0] for r in table.rows] == ["a"] * 200 + ["b"] * 200
    assert table.rows[199] == ("a", "199", "0.199")
    assert "first 200 points of each series" in table.note and "1,500" in table.note


def test_plotly_text_becomes_plain_text():
    assert plain_text("dark &amp; female<br>&lt;b&gt; <b>x</b>") == "dark & female <b> x"
    assert plain_text({"text": "Rarity (1 = rarest)"}) == "Rarity (1 = rarest)"


def test_figures_give_each_chart_its_title_as_label_and_its_table():
    fig = go.Figure(go.Bar(x=["a"], y=[2], name="n"))
    fig.update_layout(title_text="Images of &lt;group&gt;")
    figures = Figures()
    chart = figures.add(fig)
    untitled = figures.add(go.Figure(go.Bar(x=["a"], y=[2])))
    assert chart.label == "Images of <group>" and untitled.label == "Chart 2"
    assert chart.table.rows == (("n", "a", "2"),)


def test_the_config_offers_no_network_action():
    assert PLOTLY_CONFIG["showSendToCloud"] is False and PLOTLY_CONFIG["displaylogo"] is False
    assert PLOTLY_CONFIG["showEditInChartStudio"] is False and PLOTLY_CONFIG["showLink"] is False
    assert PLOTLY_CONFIG["plotlyServerURL"] == "" and "linkText" not in PLOTLY_CONFIG
    assert "toImage" not in PLOTLY_CONFIG["modeBarButtonsToRemove"]


def test_every_chart_of_a_report_is_followed_by_its_data():
    html = render_html(make_hostile_result())
    page = parse(html)
    charts = [a for t, a in page.tags if t == "div" and a.get("data-figure")]
    details = [a for t, a in page.tags if t == "details"]
    assert charts and len([d for d in details if d.get("class") == "chart-data"]) == len(charts)
    for chart in charts:
        assert chart["role"] == "img" and chart["aria-label"]
        assert f'id="{chart["id"]}-data"' in html
        assert "open" not in next(d for d in details if d.get("id") == chart["id"] + "-data")
