"""Plotly figures of the counterfactual probe: flip rates per model and direction, and the
distribution of score changes (edit − original).

User strings reach labels only through :func:`ptext`; hover templates hold our own text.
"""

from __future__ import annotations

import plotly.graph_objects as go

from reports._charts import BOTTOM_LEGEND, _dropdown
from reports._format import count, num, percent, ptext, short

POS_TO_NEG, NEG_TO_POS = "#c92a2a", "#4c6ef5"


def flip_bars(directions: list[dict], models: list[tuple[str, str, str]]) -> go.Figure:
    """Stacked horizontal bars of the flip rate (face → non-face, then non-face → face), one
    bar per direction, grouped by model (top to bottom in display order).

    Parameters
    ----------
    directions : [{"label": display label, "models": {name: flips}}], in the result's order
    models : [(name, display label, colour)], in display order
    """
    outer, inner, hover, down, up = [], [], [], [], []
    for name, label, _ in models:
        for d in directions:
            flips = d["models"].get(name)
            if flips is None:
                continue
            outer.append(ptext(short(label)))
            inner.append(ptext(short(d["label"], 48)))
            hover.append([f"{ptext(d['label'])}<br>{ptext(label)}",
                          f"{count(flips['pos_to_neg'])} of {count(flips['n'])}",
                          f"{count(flips['neg_to_pos'])} of {count(flips['n'])}",
                          num(flips["flip_rate"])])
            down.append(flips["pos_to_neg_rate"])
            up.append(flips["neg_to_pos_rate"])
    fig = go.Figure()
    for trace, x, color, k in (("face \u2192 non-face (pos\u2192neg)", down, POS_TO_NEG, 1),
                               ("non-face \u2192 face (neg\u2192pos)", up, NEG_TO_POS, 2)):
        fig.add_bar(y=[outer, inner], x=x, orientation="h", name=trace, marker_color=color,
                    customdata=hover,
                    hovertemplate="%{customdata[0]}<br>" + trace + ": %{x:.3f} (%{customdata["
                                  + str(k) + "]})<br>flip rate %{customdata[3]}<extra></extra>")
    fig.update_layout(title_text="Flip rate per model and edit", barmode="stack",
                      xaxis={"title": "flip rate (share of the N edited faces)",
                             "rangemode": "tozero"},
                      yaxis={"autorange": "reversed"}, legend=BOTTOM_LEGEND)
    return fig


def has_histogram(flips: dict) -> bool:
    """Whether a flip summary's histogram of score changes holds any pair."""
    histogram = flips["change_histogram"]
    return sum(histogram["counts"][: max(len(histogram["edges"]) - 1, 0)]) > 0


def change_lines(directions: list[dict], models: list[tuple[str, str, str]]) -> go.Figure:
    """Distribution of the score change (edit − original) per model: a line over the
    histogram's bins, as a share of the pairs; a menu picks the direction when there are
    several. Only directions with at least one non-empty histogram are drawn."""
    directions = [d for d in directions
                  if any(has_histogram(d["models"][n]) for n, _, _ in models if n in d["models"])]
    fig = go.Figure()
    owner = []
    for i, d in enumerate(directions):
        for name, label, color in models:
            flips = d["models"].get(name)
            if flips is None or not has_histogram(flips):
                continue
            edges, counts = flips["change_histogram"]["edges"], flips["change_histogram"]["counts"]
            bins = list(zip(edges, edges[1:], counts))
            total = sum(c for _, _, c in bins)
            fig.add_scatter(
                x=[(lo + hi) / 2 for lo, hi, _ in bins], y=[c / total for _, _, c in bins],
                mode="lines+markers", name=ptext(label), visible=i == 0,
                line={"color": color},
                customdata=[[num(lo, 2), num(hi, 2), count(c), percent(c / total)]
                            for lo, hi, c in bins],
                hovertemplate="%{fullData.name}<br>change %{customdata[0]} to %{customdata[1]}"
                              "<br>%{customdata[2]} pairs (%{customdata[3]})<extra></extra>")
            owner.append(i)
    fig.add_vline(x=0, line={"dash": "dot", "color": "#868e96", "width": 1})
    menus = []
    if len(directions) > 1:
        buttons = [{"label": ptext(short(d["label"], 40)), "method": "update",
                    "args": [{"visible": [o == i for o in owner]},
                             {"title.text": _change_title(d["label"])}]}
                   for i, d in enumerate(directions)]
        menus = _dropdown(buttons, label="edit")
    fig.update_layout(title_text=_change_title(directions[0]["label"]) if directions else
                      "Score change",
                      xaxis={"title": "score change, edit \u2212 original", "range": [-1, 1],
                             "zeroline": False},
                      yaxis={"title": "share of pairs", "tickformat": ".0%",
                             "rangemode": "tozero"},
                      updatemenus=menus, legend=BOTTOM_LEGEND, hovermode="closest")
    return fig


def _change_title(label: str) -> str:
    return f"Score change: {ptext(short(label, 48))}"
