"""Plotly figures of the latent-density analysis: rarity by group, rarity decile x error
rate, and the PCA map of the latent means."""

from __future__ import annotations

import plotly.graph_objects as go

from reports._charts import BOTTOM_LEGEND, _dropdown
from reports._classes import ClassWords
from reports._figures import GROUP_COLORS
from reports._format import count, htext, num, percent, ptext, short


def rarity_bars(by_group: list[dict], w: ClassWords) -> go.Figure:
    """Mean rarity and share in the rarest decile per group (x: attribute, group)."""
    x = [[ptext(short(r["attribute"])) for r in by_group],
         [ptext(short(r["group"])) for r in by_group]]
    hover = [[count(r["count"]), num(r["median_rarity"]), percent(r["share_in_rarest_decile"]),
              f"{ptext(r['attribute'])} = {ptext(r['group'])}"] for r in by_group]
    n_line = "<br>" + htext(w.positives) + " %{customdata[0]}<extra></extra>"
    fig = go.Figure()
    fig.add_bar(x=x, y=[r["mean_rarity"] for r in by_group], name="mean rarity",
                marker_color="#4c6ef5", customdata=hover,
                hovertemplate="%{customdata[3]}<br>mean rarity %{y:.3f}<br>median %{customdata[1]}"
                              + n_line)
    fig.add_bar(x=x, y=[r["share_in_rarest_decile"] for r in by_group],
                name="share in the rarest decile", marker_color="#f08c00", customdata=hover,
                hovertemplate="%{customdata[3]}<br>in the rarest decile: %{customdata[2]}"
                              + n_line)
    # Reference lines: what a group unrelated to rarity would show (rarity is a rank / N).
    fig.add_hline(y=0.5, line={"dash": "dot", "color": "#4c6ef5", "width": 1})
    fig.add_hline(y=0.1, line={"dash": "dot", "color": "#f08c00", "width": 1})
    fig.update_layout(title_text=f"Rarity by group (1 = rarest {ptext(w.positive_one)})",
                      barmode="group",
                      yaxis={"title": "rarity / share", "range": [0, 1]},
                      legend=BOTTOM_LEGEND)
    return fig


def decile_lines(attribute: str, rows: list[dict], overall: list[dict], w: ClassWords
                 ) -> go.Figure:
    """Error rate by rarity decile (1 typical .. 10 rarest), a line per group of one
    attribute, and all faces (all analysed positives) dashed."""
    fig = go.Figure()
    groups = list(dict.fromkeys(r["group"] for r in rows))
    series = [(ptext(g), [r for r in rows if r["group"] == g], GROUP_COLORS[j % len(GROUP_COLORS)],
               "solid") for j, g in enumerate(groups)]
    if overall:
        series.append((ptext(f"all {w.positives}"), overall, "#495057", "dash"))
    for name, cells, color, dash in series:
        cells = sorted(cells, key=lambda r: r["decile"])
        fig.add_scatter(x=[r["decile"] for r in cells], y=[r["error_rate"] for r in cells],
                        mode="lines+markers", name=name, line={"color": color, "dash": dash},
                        customdata=[[count(r["errors"]), count(r["count"])] for r in cells],
                        hovertemplate="%{fullData.name}<br>rarity decile %{x}<br>error rate "
                                      "%{y:.3f} (%{customdata[0]} of %{customdata[1]})"
                                      "<extra></extra>")
    fig.update_layout(title_text=f"Error rate by rarity decile: {ptext(attribute)}",
                      xaxis={"title": "rarity decile (1 = most typical, 10 = rarest)",
                             "dtick": 1, "range": [0.5, 10.5]},
                      yaxis={"title": ptext(f"error rate ({w.positives} {w.missed})"),
                             "rangemode": "tozero"},
                      legend=BOTTOM_LEGEND)
    return fig


def pca_scatter(points: list[dict], attributes: list[str], explained: list[float],
                w: ClassWords) -> go.Figure:
    """The faces' latent means on two principal components, coloured by the group of one
    attribute (dropdown); misclassified faces are crosses; hover shows groups and rarity."""
    fig = go.Figure()
    owner = []
    hover = []
    for p in points:
        groups = "<br>".join(f"{ptext(a)}: {ptext(v)}" for a, v in p["groups"].items()) \
            or ptext(f"all {w.positives}")
        error = {True: ptext(w.missed), False: ptext(w.found),
                 None: "not scored"}[p.get("error")]
        hover.append([groups, num(p["rarity"]), error])
    # Without attributes, one colour: every point in one series.
    for i, attribute in enumerate(attributes or [None]):
        values = list(dict.fromkeys(p["groups"].get(attribute, "unknown") for p in points)) \
            if attribute is not None else [f"all {w.positives}"]
        for j, value in enumerate(values):
            index = [k for k, p in enumerate(points)
                     if attribute is None or p["groups"].get(attribute, "unknown") == value]
            fig.add_scatter(
                x=[points[k]["x"] for k in index], y=[points[k]["y"] for k in index],
                mode="markers", name=ptext(value), visible=i == 0,
                customdata=[hover[k] for k in index],
                legendgrouptitle_text=ptext(attribute) if j == 0 and attribute is not None
                else None,
                marker={"color": GROUP_COLORS[j % len(GROUP_COLORS)], "size": 7, "opacity": 0.75,
                        "symbol": ["x" if points[k].get("error") else "circle" for k in index],
                        "line": {"width": 0}},
                hovertemplate="%{customdata[0]}<br>rarity %{customdata[1]}<br>"
                              + htext(w.positive_one) + " %{customdata[2]}<extra></extra>")
            owner.append(i)
    menus = []
    if len(attributes) > 1:
        buttons = [{"label": ptext(a), "method": "restyle",
                    "args": [{"visible": [o == i for o in owner]}]}
                   for i, a in enumerate(attributes)]
        menus = _dropdown(buttons, label="colour by")
    fig.update_layout(
        title_text="Latent means, first two principal components",
        xaxis={"title": f"PC 1 ({percent(explained[0])} of variance)", "zeroline": False},
        yaxis={"title": f"PC 2 ({percent(explained[1])} of variance)", "zeroline": False},
        updatemenus=menus, legend={"orientation": "v"}, hovermode="closest")
    return fig
