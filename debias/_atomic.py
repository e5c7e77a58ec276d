"""Writing output files atomically (temp file in the same folder, then rename)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp_path)``, then rename the temp file onto ``path``; nothing is left
    behind on failure, and an existing ``path`` stays as it was until the rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def write_csv(frame, path: str | os.PathLike) -> Path:
    """A pandas DataFrame as CSV (no index), atomically."""
    return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))


def safe_name(value: str) -> str:
    """A value as a file-name part: letters and digits kept, the rest as "_"."""
    return "".join(c if c.isalnum() else "_" for c in str(value)) or "_"
