"""Plotly figures of the audit: composition, per-group metrics, threshold sweeps, training.

Every user string that reaches a label goes through :func:`ptext`; hover templates hold only
our own text and refer to user data through ``%{x}``, ``%{customdata}`` or the trace name.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports._classes import ClassWords
from reports._figures import GROUP_COLORS, MODEL_COLORS
from reports._format import count, htext, interval, metric_label, num, ptext, short

DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
# Below everything else, whatever the tick labels take (the container is the whole figure).
BOTTOM_LEGEND = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom",
                 "x": 0, "xanchor": "left"}


def _dropdown(buttons: list[dict], *, label: str, active: int = 0) -> list[dict]:
    """One dropdown menu above the plot area, at its right edge."""
    return [{"buttons": buttons, "active": active, "direction": "down", "showactive": True,
             "x": 1.0,
             "xanchor": "right", "y": 1.02, "yanchor": "bottom", "pad": {"r": 0, "t": 0},
             "bgcolor": "#f8f9fa", "bordercolor": "#ced4da", "font": {"size": 12},
             "name": label}]


def composition_bars(per_attribute: dict[str, dict[str, dict]], w: ClassWords) -> go.Figure:
    """Images of each class (faces and non-faces, ...) per value of every attribute (x:
    attribute, value)."""
    attrs, values, full, faces, nonfaces = [], [], [], [], []
    for attribute, counts in per_attribute.items():
        for value, c in counts.items():
            attrs.append(ptext(short(attribute)))
            values.append(ptext(short(value)))
            full.append(f"{ptext(attribute)} = {ptext(value)}")
            faces.append(c["positive"])
            nonfaces.append(c["negative"])
    fig = go.Figure()
    for name, y, color in ((w.positives, faces, "#4c6ef5"), (w.negatives, nonfaces, "#adb5bd")):
        fig.add_bar(x=[attrs, values], y=y, name=ptext(name), marker_color=color,
                    customdata=full,
                    hovertemplate="%{customdata}<br>" + htext(name) + ": %{y:,}<extra></extra>")
    fig.update_layout(title_text="Images per attribute value", barmode="group",
                      yaxis_title="images", legend=BOTTOM_LEGEND)
    return fig


def _metric_arrays(rows_by_group: dict[str, dict], groups: list[str], metric: str):
    y, plus, minus, hover, withheld_x, withheld_status = [], [], [], [], [], []
    for group in groups:
        row = rows_by_group.get(group)
        status = row.get(f"{metric}_status", "ok") if row else "group not audited"
        value = row.get(metric) if row else None
        if status != "ok" or value is None:
            y.append(None)
            plus.append(None)
            minus.append(None)
            hover.append(["", ""])
            withheld_x.append(ptext(group))
            withheld_status.append(ptext(status if status != "ok" else "undefined"))
            continue
        low, high = row.get(f"{metric}_low"), row.get(f"{metric}_high")
        y.append(value)
        plus.append(None if high is None else max(high - value, 0.0))
        minus.append(None if low is None else max(value - low, 0.0))
        hover.append([interval(low, high), count(row["count"])])
    return y, plus, minus, hover, withheld_x, withheld_status


WITHHELD_HOVER = "%{x}<br>%{fullData.name}: %{customdata}<extra></extra>"


def _error_bars(plus: list, minus: list) -> dict:
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus,
            "color": "#343a40", "thickness": 1.2}


def performance_bars(slice_name: str, models: list[tuple[str, list[dict]]], metrics: list[str],
                     default: str) -> go.Figure:
    """Grouped bars of one slice: a bar per model and group, with CI error bars; a dropdown
    picks the metric. Withheld values are marked "withheld" on the axis, with the reason on
    hover.

    Parameters
    ----------
    models : [(display label, per-group rows of this slice)], in display order
    """
    groups = list(dict.fromkeys(r["group"] for _, rows in models for r in rows))
    x = [ptext(g) for g in groups]
    per_metric = {m: [] for m in metrics}
    for _, rows in models:
        by_group = {r["group"]: r for r in rows}
        for m in metrics:
            per_metric[m].append(_metric_arrays(by_group, groups, m))
    fig = go.Figure()
    for i, (label, _) in enumerate(models):
        y, plus, minus, hover, wx, ws = per_metric[default][i]
        color = MODEL_COLORS[i % len(MODEL_COLORS)]
        fig.add_bar(x=x, y=y, name=ptext(label), marker_color=color, offsetgroup=str(i),
                    legendgroup=str(i), customdata=hover, error_y=_error_bars(plus, minus),
                    hovertemplate=_bar_hover(default))
        fig.add_scatter(x=wx, y=[0] * len(wx), mode="markers+text", text=["withheld"] * len(wx),
                        textposition="top center", textfont={"size": 10, "color": color},
                        marker={"symbol": "x-thin-open", "size": 10, "color": color},
                        name=ptext(label) + " (withheld)", customdata=ws, offsetgroup=str(i),
                        legendgroup=str(i), showlegend=False, hovertemplate=WITHHELD_HOVER)
    buttons = []
    for m in metrics:
        arrays = per_metric[m]
        update = {"y": [], "x": [], "customdata": [], "error_y": [], "text": [],
                  "hovertemplate": []}
        for y, plus, minus, hover, wx, ws in arrays:
            update["y"] += [y, [0] * len(wx)]
            update["x"] += [x, wx]
            update["customdata"] += [hover, ws]
            update["text"] += [None, ["withheld"] * len(wx)]
            update["error_y"] += [_error_bars(plus, minus), {}]
            update["hovertemplate"] += [_bar_hover(m), WITHHELD_HOVER]
        label = ptext(metric_label(m))
        buttons.append({"label": label, "method": "update",
                        "args": [update, {"yaxis.title.text": label,
                                          "title.text": _bar_title(slice_name, m)}]})
    fig.update_layout(title_text=_bar_title(slice_name, default), barmode="group",
                      scattermode="group", yaxis={"title": ptext(metric_label(default)),
                                                  "rangemode": "tozero"},
                      xaxis={"title": ptext(short(slice_name, 60)), "tickvals": x,
                             "ticktext": [_tick(g, len(groups)) for g in groups]},
                      legend=BOTTOM_LEGEND,
                      updatemenus=_dropdown(buttons, label="metric",
                                            active=metrics.index(default))
                      if len(metrics) > 1 else [])
    return fig


def _tick(group: str, n_groups: int) -> str:
    """An axis label: an intersection's values on separate lines, each cut short."""
    limit = 24 if n_groups <= 3 else 16
    return " &amp;<br>".join(ptext(short(part, limit)) for part in group.split(" & "))


def _bar_title(slice_name: str, metric: str) -> str:
    return f"{ptext(metric_label(metric))} by {ptext(slice_name)}"


def _bar_hover(metric: str) -> str:
    return ("%{x}<br>%{fullData.name}<br>" + ptext(metric_label(metric))
            + " %{y:.3f} %{customdata[0]}<br>n = %{customdata[1]}<extra></extra>")


def _thin(rows: list[dict], max_points: int) -> list[dict]:
    step = -(-len(rows) // max_points)
    return rows if step <= 1 else rows[::step] + ([rows[-1]] if (len(rows) - 1) % step else [])


def sweep_lines(slice_name: str, models: list[tuple[str, list[dict]]], threshold: float,
                w: ClassWords, *, max_points: int = 101) -> go.Figure:
    """TPR and FPR against the decision threshold, one line per group and model (colour:
    group, dash: model); a dropdown shows all models or one."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=("TPR vs threshold", "FPR vs threshold"))
    groups = list(dict.fromkeys(r["group"] for _, rows in models for r in rows))
    owner = []
    for i, (label, rows) in enumerate(models):
        for j, group in enumerate(groups):
            curve = sorted((r for r in rows if r["group"] == group), key=lambda r: r["threshold"])
            if not curve:
                continue
            curve = _thin(curve, max_points)
            name = ptext(group) if len(models) == 1 else f"{ptext(group)} \u00b7 {ptext(label)}"
            for col, metric in ((1, "tpr"), (2, "fpr")):
                fig.add_scatter(
                    x=[r["threshold"] for r in curve], y=[r[metric] for r in curve],
                    mode="lines", name=name, legendgroup=f"{i}-{j}", showlegend=col == 1,
                    line={"color": GROUP_COLORS[j % len(GROUP_COLORS)],
                          "dash": DASHES[i % len(DASHES)], "width": 2},
                    hovertemplate="%{fullData.name}<br>threshold %{x:.3f}<br>"
                                  + metric_label(metric) + " %{y:.3f}<extra></extra>",
                    row=1, col=col)
                owner.append(i)
    fig.add_vline(x=threshold, line={"dash": "dot", "color": "#868e96", "width": 1},
                  row="all", col="all")
    fig.update_xaxes(title_text=f"threshold (score \u2265 threshold: {ptext(w.positive)})",
                     range=[0, 1])
    fig.update_yaxes(range=[-0.02, 1.02])
    fig.update_yaxes(title_text="TPR", row=1, col=1)
    fig.update_yaxes(title_text="FPR", row=1, col=2)
    menus = []
    if len(models) > 1:
        buttons = [{"label": "all models", "method": "restyle",
                    "args": [{"visible": [True] * len(owner)}]}]
        buttons += [{"label": ptext(label), "method": "restyle",
                     "args": [{"visible": [o == i for o in owner]}]}
                    for i, (label, _) in enumerate(models)]
        menus = _dropdown(buttons, label="models")
    fig.update_layout(title_text=f"Threshold sweep: {ptext(slice_name)}", updatemenus=menus,
                      legend=BOTTOM_LEGEND, hovermode="closest")
    return fig


def loss_lines(label: str, epochs: list[dict]) -> go.Figure:
    """Loss per epoch of one trained model, one line per loss term (log scale when positive)."""
    fig = go.Figure()
    keys = [k for k in ("loss", "classification", "reconstruction", "latent")
            if any(e.get(k) is not None for e in epochs)]
    values = [e[k] for e in epochs for k in keys if e.get(k) is not None]
    for j, key in enumerate(keys):
        fig.add_scatter(x=[e["epoch"] for e in epochs], y=[e.get(key) for e in epochs],
                        mode="lines+markers", name=key,
                        line={"color": GROUP_COLORS[j % len(GROUP_COLORS)]},
                        hovertemplate="epoch %{x}<br>" + key + " %{y:.4g}<extra></extra>")
    log = bool(values) and min(values) > 0
    fig.update_layout(title_text=f"Training loss: {ptext(label)}", xaxis_title="epoch",
                      yaxis={"title": "loss per sample" + (" (log scale)" if log else ""),
                             "type": "log" if log else "linear"},
                      legend=BOTTOM_LEGEND)
    fig.update_xaxes(dtick=1 if len(epochs) <= 20 else None)
    return fig


def resampling_lines(label: str, rows: list[dict]) -> go.Figure:
    """Adaptive resampling per epoch: mean weight per group (1 = as often as uniform
    sampling) and the effective sample size; the latter alone when no row has group
    weights (an audit without groups)."""
    epochs = [r["epoch"] for r in rows]
    groups = list(dict.fromkeys(g for r in rows for g in r.get("group_weight", {})))
    if not groups:
        return _ess_lines(label, rows, epochs)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, column_widths=[0.6, 0.4],
                        subplot_titles=("Mean sampling weight per group", "Effective sample size"))
    for j, group in enumerate(groups):
        fig.add_scatter(x=epochs, y=[r.get("group_weight", {}).get(group) for r in rows],
                        mode="lines+markers", name=ptext(group),
                        line={"color": GROUP_COLORS[j % len(GROUP_COLORS)]},
                        hovertemplate="%{fullData.name}<br>epoch %{x}<br>weight \u00d7 N "
                                      "%{y:.3f}<extra></extra>", row=1, col=1)
    fig.add_hline(y=1, line={"dash": "dot", "color": "#868e96", "width": 1}, row=1, col=1)
    fig.add_scatter(x=epochs, y=[r["ess_fraction"] for r in rows], mode="lines+markers",
                    name="ESS / N", line={"color": "#212529"},
                    customdata=[[num(r["ess"], 1), num(r["max_over_uniform"], 2)] for r in rows],
                    hovertemplate="epoch %{x}<br>ESS / N %{y:.1%}<br>ESS %{customdata[0]}<br>"
                                  "largest weight \u00d7 N %{customdata[1]}<extra></extra>",
                    row=1, col=2)
    fig.update_xaxes(title_text="epoch", dtick=1 if len(epochs) <= 20 else None)
    fig.update_yaxes(title_text="mean weight \u00d7 N (1 = uniform)", row=1, col=1)
    fig.update_yaxes(title_text="ESS / N", tickformat=".0%", rangemode="tozero", row=1, col=2)
    fig.update_layout(title_text=f"Resampling: {ptext(label)}",
                      legend=BOTTOM_LEGEND)
    return fig


def _ess_lines(label: str, rows: list[dict], epochs: list[int]) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=epochs, y=[r["ess_fraction"] for r in rows], mode="lines+markers",
                    name="ESS / N", line={"color": "#212529"},
                    customdata=[[num(r["ess"], 1), num(r["max_over_uniform"], 2)] for r in rows],
                    hovertemplate="epoch %{x}<br>ESS / N %{y:.1%}<br>ESS %{customdata[0]}<br>"
                                  "largest weight \u00d7 N %{customdata[1]}<extra></extra>")
    fig.update_xaxes(title_text="epoch", dtick=1 if len(epochs) <= 20 else None)
    fig.update_yaxes(title_text="ESS / N", tickformat=".0%", rangemode="tozero")
    fig.update_layout(title_text=f"Resampling: {ptext(label)}, effective sample size",
                      legend=BOTTOM_LEGEND)
    return fig
