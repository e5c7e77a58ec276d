"""Plain-text rendering of ``ImageDataset.summary()`` for ``debias inspect``.

Everything in the summary that comes from the dataset (the root, attribute names and values,
file names, the reasons and warnings that quote them) is user data: each piece goes through
:func:`debias._terminal.terminal_safe` (control characters as visible escapes, newlines too),
names and values shortened to 80 characters and paths to 200, keeping start and end (``--json``
keeps every value whole)."""

from __future__ import annotations

from debias._terminal import shorten, terminal_safe

_MAX_SKIPPED_SHOWN = 20
_NAME_LIMIT = 80
_PATH_LIMIT = 200


def _name(value) -> str:
    return shorten(terminal_safe(str(value)), _NAME_LIMIT)


def _path(value) -> str:
    return shorten(terminal_safe(str(value)), _PATH_LIMIT)


def _table(title: str, counts: dict[str, dict[str, int]], names: tuple[str, str]) -> list[str]:
    """One row per key: its counts of each class, under the classes' names."""
    title = _name(title)
    keys = {key: _name(key) for key in counts}
    width = max([len(title)] + [len(k) for k in keys.values()])
    cols = max(9, *(len(n) for n in names))
    lines = [f"  {title:<{width}}  {names[0]:>{cols}}  {names[1]:>{cols}}"]
    for key, row in counts.items():
        lines.append(f"  {keys[key]:<{width}}  {row['positive']:>{cols},}  "
                     f"{row['negative']:>{cols},}")
    return lines


def summary_text(summary: dict) -> str:
    """Human-readable report of what was found in a dataset folder."""
    s = summary
    classes = s.get("classes", {"positive": "positive", "negative": "negative"})
    names = (_name(classes["positive"]), _name(classes["negative"]))
    lines = [
        f"dataset     {_path(s['root'])}",
        f"layout      {terminal_safe(s['format'])}",
        f"images      {s['n_images']:,} loaded at {s['image_size']}x{s['image_size']}, "
        f"{len(s['skipped']):,} skipped",
        f"labels      {names[0]} {s['labels']['positive']:,}, {names[1]} "
        f"{s['labels']['negative']:,}",
        f"attributes  {', '.join(map(_name, s['attributes'])) or 'none'}",
    ]
    if "splits" in s:
        lines += ["", "split column:"] + _table("split", s["splits"], names)
    for name, counts in s["per_attribute"].items():
        lines += ["", f"attribute {_name(name)}:"] + _table(name, counts, names)
    for name, counts in s["intersections"].items():
        lines += ["", f"intersection {_name(name)}:"] + _table(name, counts, names)
    if "original_sizes" in s:
        sizes = s["original_sizes"]
        common = ", ".join(f"{c['size']} ({c['count']:,})" for c in sizes["most_common"])
        lines += ["", f"original sizes: width {sizes['width']['min']}-{sizes['width']['max']} "
                      f"(median {sizes['width']['median']:g}), height {sizes['height']['min']}-"
                      f"{sizes['height']['max']} (median {sizes['height']['median']:g}); "
                      f"most common {common}"]
    if s["skipped"]:
        lines += ["", f"skipped files ({len(s['skipped']):,}):"]
        lines += [f"  {_path(k['path'])}: {terminal_safe(k['reason'])}"
                  for k in s["skipped"][:_MAX_SKIPPED_SHOWN]]
        if len(s["skipped"]) > _MAX_SKIPPED_SHOWN:
            lines.append(f"  ... and {len(s['skipped']) - _MAX_SKIPPED_SHOWN:,} more "
                         "(use --json for all)")
    for warning in s["warnings"]:
        lines += [f"warning: {terminal_safe(warning)}"]
    return "\n".join(lines)
