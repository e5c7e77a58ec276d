"""A comparison in words: each gap's verdict, the headline, and the lines the command prints.

The numbers come computed in the comparison dict; this is the one place that turns its codes
into sentences."""

from __future__ import annotations

MINUS = "\u2212"
ARROW = "\u2192"


def signed(value: float, digits: int = 3) -> str:
    """``-0.06`` -> ``"−0.060"``, ``0.06`` -> ``"+0.060"`` (a true minus sign)."""
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return text
    return (MINUS if value < 0 else "+") + text


def change_text(code: str, pairing: str, *, has_ci: bool = True) -> str:
    """A gap's verdict: ``narrower`` / ``wider`` / ``no_clear_change`` in words, naming the
    kind of CI it rests on ("paired CI" for ``pairing == "paired"``)."""
    ci = "paired CI" if pairing == "paired" else "CI"
    if code == "no_clear_change" and not has_ci:
        return "no clear change (no CI: no bootstrap resamples)"
    return {"narrower": f"B narrower ({ci} of the change below 0)",
            "wider": f"B wider ({ci} of the change above 0)",
            "no_clear_change": f"no clear change ({ci} of the change includes 0)"}[code]


def _over(c: dict) -> str:
    images = c["images"]
    if c["pairing"] == "paired":
        return f"paired over {images['shared']:,} test images"
    return f"unpaired, {images['a']:,} and {images['b']:,} test images"


def _ci(row: dict, level: float) -> str:
    low, high = row.get("change_low"), row.get("change_high")
    if low is None or high is None:
        return ""
    return f" ({100 * level:g}% CI {signed(low)} to {signed(high)})"


def headline(c: dict) -> str:
    """The change that says most: the attribute (else intersection) whose gap changed most,
    else the overall value."""
    metric = c["metric"]
    # An attribute's gap reads more plainly than an intersection's: those first.
    rows = [r for r in c["gaps"] if r["slice"] in c["shared_attributes"]] or c["gaps"]
    if rows:
        r = max(rows, key=lambda r: abs(r["change"]))
        return (f"{r['slice']} {metric} gap {r['a_gap']:.3f} {ARROW} {r['b_gap']:.3f}, change "
                f"{signed(r['change'])}{_ci(r, c['level'])}, {_over(c)}: "
                f"{r['verdict']}")
    o = c["overall"]
    lead = "no group comparison possible (no slice shared by both audits); " if not \
        c["shared_attributes"] else "no slice has two groups compared in both audits; "
    if o is None or o["a"] is None or o["b"] is None:
        return lead + f"overall {metric} withheld in A or B"
    return (lead + f"overall {metric} {o['a']:.3f} {ARROW} {o['b']:.3f}, change "
            f"{signed(o['change'])}{_ci(o, c['level'])}, {_over(c)}")


def pairing_line(c: dict) -> str:
    """``paired: both audits scored the same 1,000 test images (matched by path)``."""
    return f"{c['pairing']}: {c['pairing_reason']}"


def terminal_lines(c: dict, html: str, json_path: str) -> list[str]:
    """What ``debias compare`` prints: pairing, headline, what was not compared, the files."""
    lines = [pairing_line(c), c["headline"]]
    skipped = c["not_compared"]
    parts = [f"{n} {what}" for n, what in ((len(skipped["slices"]), "slice(s)"),
                                           (len(skipped["groups"]), "group(s)")) if n]
    if parts:
        lines.append(f"not compared: {', '.join(parts)} (listed with the reason in the page)")
    lines.append(f"comparison: {html} (json: {json_path})")
    return lines
