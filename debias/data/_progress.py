"""Progress bars on standard error, shown by default only when it is a terminal."""

from __future__ import annotations

import sys

from tqdm.auto import tqdm


def progress_bar(total: int, desc: str, *, enabled: bool | None = None, unit: str = "img") -> tqdm:
    """A tqdm bar writing to stderr; ``enabled=None`` means "when stderr is a TTY"."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, desc=desc, unit=unit, disable=not enabled, file=sys.stderr,
                dynamic_ncols=True, leave=False)
