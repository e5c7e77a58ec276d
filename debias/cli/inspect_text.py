"""Plain-text rendering of ``ImageDataset.summary()`` for ``debias inspect``."""

from __future__ import annotations

_MAX_SKIPPED_SHOWN = 20


def _table(title: str, counts: dict[str, dict[str, int]]) -> list[str]:
    width = max([len(title)] + [len(k) for k in counts])
    lines = [f"  {title:<{width}}  {'positive':>9}  {'negative':>9}"]
    for key, row in counts.items():
        lines.append(f"  {key:<{width}}  {row['positive']:>9,}  {row['negative']:>9,}")
    return lines


def summary_text(summary: dict) -> str:
    """Human-readable report of what was found in a dataset folder."""
    s = summary
    lines = [
        f"dataset     {s['root']}",
        f"layout      {s['format']}",
        f"images      {s['n_images']:,} loaded at {s['image_size']}x{s['image_size']}, "
        f"{len(s['skipped']):,} skipped",
        f"labels      positive {s['labels']['positive']:,}, negative {s['labels']['negative']:,}",
        f"attributes  {', '.join(s['attributes']) or 'none'}",
    ]
    if "splits" in s:
        lines += ["", "split column:"] + _table("split", s["splits"])
    for name, counts in s["per_attribute"].items():
        lines += ["", f"attribute {name}:"] + _table(name, counts)
    for name, counts in s["intersections"].items():
        lines += ["", f"intersection {name}:"] + _table(name, counts)
    if "original_sizes" in s:
        sizes = s["original_sizes"]
        common = ", ".join(f"{c['size']} ({c['count']:,})" for c in sizes["most_common"])
        lines += ["", f"original sizes: width {sizes['width']['min']}-{sizes['width']['max']} "
                      f"(median {sizes['width']['median']:g}), height {sizes['height']['min']}-"
                      f"{sizes['height']['max']} (median {sizes['height']['median']:g}); "
                      f"most common {common}"]
    if s["skipped"]:
        lines += ["", f"skipped files ({len(s['skipped']):,}):"]
        lines += [f"  {k['path']}: {k['reason']}" for k in s["skipped"][:_MAX_SKIPPED_SHOWN]]
        if len(s["skipped"]) > _MAX_SKIPPED_SHOWN:
            lines.append(f"  ... and {len(s['skipped']) - _MAX_SKIPPED_SHOWN:,} more "
                         "(use --json for all)")
    for warning in s["warnings"]:
        lines += [f"warning: {warning}"]
    return "\n".join(lines)
