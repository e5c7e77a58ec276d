"""Writing output files atomically (temp file in the same folder, then rename).

The temp file (or folder) is created with ``os.open(..., 0o666)`` (``os.mkdir(..., 0o777)``)
rather than ``tempfile.mkstemp`` (``mkdtemp``), so the kernel applies the process umask exactly
as it does for any normally created file: the result ends up 0o666 & ~umask (0644 under the
usual umask 022), not mkstemp's private 0600. Reading the umask is not needed for that (it
can only be read by setting it, which is racy with other threads).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

_ATTEMPTS = 100


def _temp_path(folder: Path, name: str, suffix: str) -> Path:
    return folder / f".{name}.{secrets.token_hex(4)}{suffix}"


def temp_file(folder: str | os.PathLike, name: str, *, suffix: str = ".tmp") -> Path:
    """A new, empty, uniquely named file ``folder/.name.XXXXXXXX<suffix>``, with the mode a
    normally created file gets (0o666 less the umask)."""
    for _ in range(_ATTEMPTS):
        tmp = _temp_path(Path(folder), name, suffix)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temporary file name for {name!r} in {folder}")


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


def write_atomic(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp_path)``, then rename the temp file onto ``path``; nothing is left
    behind on failure, and an existing ``path`` stays as it was until the rename.

    The file gets the mode a normally created one does (0o666 & ~umask), also when it
    replaces an existing file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(temp_file(path.parent, path.name))
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
