"""A comparison of two audits (what ``debias compare`` writes as compare.json) -> one
self-contained HTML page in the report's style.

Numbers, verdicts and the headline come computed in the comparison; this only formats them.
Every user string (folder, model, slice and group names) is escaped by the template, and
passes through :func:`reports._format.ptext` before it reaches a chart.
"""

from __future__ import annotations

import plotly.graph_objects as go

from reports._charts import BOTTOM_LEGEND, _error_bars
from reports._classes import class_words
from reports._figures import MODEL_COLORS, Figures, config_json, template_json
from reports._format import count, htext, interval, metric_label, metric_long, num, ptext, short
from reports._render import _environment, _plotly_js
from reports._summary import _change, _signed_interval

_PAIRING = {
    "paired": ("Paired comparison", "The CIs of the changes come from one paired bootstrap: the "
               "test images are resampled once (stratified by every attribute's value, as in the "
               "audit) and both models are judged on the same resample, so the sampling noise "
               "the two share cancels in the change."),
    "unpaired": ("Unpaired comparison", "The CIs of the changes come from two independent "
                 "bootstraps, one of each audit's own counts (its per-image scores where it "
                 "wrote them, else its result.json): none of the sampling noise cancels, so "
                 "they are wider than a paired comparison of the same images would give."),
}


def _value(value, low, high) -> dict:
    return {"text": num(value), "ci": interval(low, high)}


def _audit_rows(a: dict, b: dict) -> list[tuple[str, str, str]]:
    def scores(d):
        return d["scores"] or (f"none: {d['scores_note']}" if d.get("scores_note") else "none")

    rows = [("--out folder", a["folder"], b["folder"]), ("result.json", a["result"], b["result"]),
            ("model", a["label"], b["label"]), ("dataset", a["dataset"], b["dataset"]),
            ("audit created", a["created"], b["created"]),
            ("test images", count(a["images"]), count(b["images"])),
            ("threshold", f"{a['threshold']:g}", f"{b['threshold']:g}"),
            ("verdict metric", metric_label(a["verdict_metric"]),
             metric_label(b["verdict_metric"])),
            ("per-image scores", scores(a), scores(b)),
            ("debias version", a["tool_version"], b["tool_version"])]
    return rows


def _gap_rows(c: dict) -> list[dict]:
    return [{"slice": r["slice"], "groups": r["groups"], "a": _value(r["a_gap"], r["a_low"],
                                                                     r["a_high"]),
             "b": _value(r["b_gap"], r["b_low"], r["b_high"]), "change": _change(r["change"]),
             "change_ci": _signed_interval(r["change_low"], r["change_high"]),
             "kind": {"narrower": "ok", "wider": "bad"}.get(r["code"], "na"),
             "verdict": r["verdict"]} for r in c["gaps"]]


def _group_row(r: dict) -> dict:
    return {"slice": r["slice"], "group": r["group"], "a_count": count(r["a_count"]),
            "b_count": count(r["b_count"]), "a": _value(r["a"], r["a_low"], r["a_high"]),
            "b": _value(r["b"], r["b_low"], r["b_high"]),
            "change": _change(r["change"]),
            "change_ci": _signed_interval(r["change_low"], r["change_high"])}


def groups_chart(rows: list[dict], metric: str) -> go.Figure:
    """Each compared group's ``metric`` in A and in B (markers, x: slice and group), with the
    CI each audit reported as error bars."""
    x = [[ptext(short(r["slice"], 40)) for r in rows], [ptext(short(r["group"])) for r in rows]]
    full = [f"{ptext(r['slice'])}: {ptext(r['group'])}" for r in rows]
    fig = go.Figure()
    for i, key in enumerate(("a", "b")):
        y = [r[key] for r in rows]
        plus = [None if r[f"{key}_high"] is None or r[key] is None
                else max(r[f"{key}_high"] - r[key], 0.0) for r in rows]
        minus = [None if r[f"{key}_low"] is None or r[key] is None
                 else max(r[key] - r[f"{key}_low"], 0.0) for r in rows]
        hover = [[f, interval(r[f"{key}_low"], r[f"{key}_high"])] for f, r in zip(full, rows)]
        fig.add_scatter(x=x, y=y, mode="markers", name=key.upper(),
                        marker={"size": 10, "color": MODEL_COLORS[i],
                                "symbol": ["circle", "diamond"][i]},
                        error_y=_error_bars(plus, minus), customdata=hover,
                        hovertemplate="%{customdata[0]}<br>" + key.upper() + " "
                        + htext(metric_label(metric))
                        + " %{y:.3f} %{customdata[1]}<extra></extra>")
    fig.update_layout(title_text=f"{ptext(metric_label(metric))} by group: A and B",
                      scattermode="group", yaxis={"title": ptext(metric_label(metric)),
                                                  "rangemode": "tozero"},
                      legend=BOTTOM_LEGEND)
    return fig


def comparison_context(c: dict) -> dict:
    """Everything the page shows, formatted."""
    a, b = c["audits"]["a"], c["audits"]["b"]
    words = class_words(c.get("classes"))
    figures = Figures()
    rows = ([c["overall"]] if c["overall"] else []) + c["groups"]
    chart = figures.add(groups_chart(rows, c["metric"]), height=440) if rows else None
    title, text = _PAIRING[c["pairing"]]
    skipped = c["not_compared"]
    return {
        "title": f"{a['folder']} ({a['label']}) vs {b['folder']} ({b['label']})",
        "a": a, "b": b, "created": c["created"],
        "tool_line": f"{c['tool']['name']} {c['tool']['version']}",
        "pairing": {"word": c["pairing"], "title": title, "reason": c["pairing_reason"],
                    "text": text},
        "headline": c["headline"], "metric_label": metric_label(c["metric"]),
        "metric_long": metric_long(c["metric"], words), "level": f"{100 * c['level']:g}%",
        "n_boot": count(c["n_boot"]), "seed": c["seed"],
        "audits": _audit_rows(a, b), "gaps": _gap_rows(c),
        "overall": _group_row(c["overall"]) if c["overall"] else None,
        "groups": [_group_row(r) for r in rows], "chart": chart,
        "skipped_slices": skipped["slices"], "skipped_groups": skipped["groups"],
        "only_a": skipped["attributes"]["a"], "only_b": skipped["attributes"]["b"],
        "shared_attributes": c["shared_attributes"], "notes": c["notes"],
        "plotly_js": _plotly_js(), "template_json": template_json(),
        "config_json": config_json(),
    }


def render_comparison(comparison: dict) -> str:
    """Render a comparison (compare.json's dict) as one self-contained HTML page: inline CSS
    and plotly.js, figures as JSON, no external URL."""
    return _environment().get_template("compare.html.j2").render(comparison_context(comparison))
