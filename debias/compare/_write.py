"""Writing a comparison: compare.html and compare.json, both or neither.

Both are rendered before anything is written; each goes to a temp file beside its target and
is renamed over it, the page inside the JSON's write, so a failure leaves the earlier pair as
it was. An existing file is replaced only with ``overwrite``.
"""

from __future__ import annotations

import json
from pathlib import Path

from debias._atomic import write_atomic
from debias.errors import DataError


def output_paths(out: str | Path, json_path: str | Path | None) -> tuple[Path, Path]:
    """The page and the JSON: ``json_path`` or, by default, ``out`` with the suffix .json."""
    out = Path(out)
    json_path = out.with_suffix(".json") if json_path is None else Path(json_path)
    if out.resolve() == json_path.resolve():
        raise DataError(f"`out` and `json` are the same file ({out}); give two different paths")
    return out, json_path


def write_comparison(comparison: dict, html_path: Path, json_path: Path, *,
                     overwrite: bool = False) -> None:
    """Render ``comparison`` and write the page and the JSON atomically.

    Raises
    ------
    DataError
        A target is a folder, exists and ``overwrite`` is False, or cannot be written
        (nothing is written).
    """
    from reports import render_comparison

    for path in (html_path, json_path):
        if path.is_dir():
            raise DataError(f"{path} is a folder; give a file name, e.g. {path / path.name}")
        if path.exists() and not overwrite:
            raise DataError(f"{path} exists; pass `overwrite=True` to replace it")
    page = render_comparison(comparison)
    text = json.dumps(comparison, indent=1, ensure_ascii=False, allow_nan=False)

    def write_both(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")
        write_atomic(html_path, lambda t: Path(t).write_text(page, encoding="utf-8",
                                                             newline="\n"))

    try:
        write_atomic(json_path, write_both)
    except OSError as err:  # e.g. a folder that cannot be written: nothing was replaced
        raise DataError(f"cannot write {json_path} and {html_path}: "
                        f"{err.strerror or err}") from None
