"""Writing a file atomically, with the mode a normally created file gets."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: str | os.PathLike, write: Callable[[str], None], *,
                 suffix: str = ".tmp") -> Path:
    """Call ``write(tmp_path)``, then rename the temp file onto ``path``; nothing is left
    behind on failure, and an existing ``path`` stays as it was until the rename.

    The temp file is created with ``os.open(..., 0o666)`` rather than ``tempfile.mkstemp``
    (which makes it 0600), so the kernel applies the umask as for any normally created file
    and the result is 0o666 & ~umask (0644 under umask 022). ``debias`` writes its outputs
    with it too.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}{suffix}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(f"no free temporary file name for {path}")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
