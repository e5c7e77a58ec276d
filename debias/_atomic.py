"""Writing output files atomically (temp file or folder beside the target, then rename), and
safe file-name parts.

The one atomic file writer is :func:`generative.write_atomic` (checkpoints use it too); it is
re-exported here with a CSV writer. The temp folder is created with ``os.mkdir(..., 0o777)``
rather than ``tempfile.mkdtemp`` (0700), so the kernel applies the process umask as for any
normally created folder (0755 under the usual umask 022).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from generative import write_atomic

__all__ = ["safe_name", "temp_folder", "write_atomic", "write_csv"]

_ATTEMPTS = 100


def _temp_path(folder: Path, name: str, suffix: str) -> Path:
    return folder / f".{name}.{secrets.token_hex(4)}{suffix}"


def temp_folder(parent: str | os.PathLike, name: str) -> Path:
    """A new, empty, uniquely named folder ``parent/.name.XXXXXXXX``, with the mode a normally
    created folder gets (0o777 less the umask; ``tempfile.mkdtemp`` would give 0700)."""
    for _ in range(_ATTEMPTS):
        tmp = _temp_path(Path(parent), name, "")
        try:
            os.mkdir(tmp, 0o777)
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"no free temporary folder name for {name!r} in {parent}")


def write_csv(frame, path: str | os.PathLike) -> Path:
    """A pandas DataFrame as CSV (no index), atomically."""
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))


def safe_name(value: str) -> str:
    """A value as a file-name part: letters and digits kept, the rest as "_"."""
    return "".join(c if c.isalnum() else "_" for c in str(value)) or "_"
