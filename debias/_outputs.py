"""Output folders that lose nothing: checked before any work, locked while a run writes them,
and replaced only by what ``debias`` wrote itself, once the new run has succeeded.

- **Marker**: every finished run leaves ``OUT/.debias-output.json`` listing the files it wrote
  (relative paths). Only those are ever replaced or removed; a user's own files beside them
  stay. A folder that holds files under the names a run writes, but no marker (and no
  ``result.json`` of ours, for audits made before markers), is refused for ``overwrite``.
- **Lock**: ``OUT/.debias.lock`` holds the running process's host and pid (created with
  ``O_EXCL``). A second run into the same folder is refused while the first runs; a lock left
  by a killed run (same host, pid gone) is taken over.
- **Staging**: a run writes its outputs into ``OUT/.debias-staging/`` and
  :meth:`OutputFolder.commit` moves them in (one rename per file) only once it succeeded; the
  files of the previous run that the new one does not write again are removed then.
- **Debris**: temp files of our own naming (``.NAME.XXXXXXXX.tmp``, ``.NAME.partial``, staging
  folders) left by a killed run are removed when the next run takes the lock.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
from pathlib import Path

from debias.errors import DataError

MARKER = ".debias-output.json"
LOCK = ".debias.lock"
_STAGING = ".debias-staging"
# Temp names of write_atomic / temp_folder / checkpoints / the decode cache and staging.
# The files an audit wrote before it left a marker (so nothing else is taken for its own).
_LEGACY_AUDIT = re.compile(r"^(report\.html|result\.json|synthetic/.*"
                           r"|tables/\w+_(per_group|disparities|verdicts|threshold_sweep)\.csv"
                           r"|models/(baseline|dbvae|augmented|cyclegan_\w+|gan_\w+)\.pt)$")
_DEBRIS = re.compile(r"^\..+\.([0-9a-f]{8}(\.tmp)?|(\d+\.)?partial)$|^\.debias-staging$")


def _ours_legacy(out: Path, command: str) -> bool:
    """An output of an earlier version (no marker): an audit's result.json written by debias."""
    if command != "audit":
        return False
    try:
        with open(out / "result.json", encoding="utf-8") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return '"name": "debias"' in head


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def check_writable(out: Path) -> None:
    """Create ``out`` if needed and prove it writable, before any work (one-line errors)."""
    try:
        if out.exists() and not out.is_dir():
            raise DataError(f"`out` {out} exists and is not a folder")
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".debias-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except DataError:
        raise
    except OSError as err:
        raise DataError(f"cannot write to `out` {out}: {os_reason(err)}") from None


def os_reason(err: OSError) -> str:
    """An OSError in words, without Python's wrapping; ENOSPC says so plainly."""
    if err.errno == errno.ENOSPC:
        return "no space left on the device"
    return err.strerror or str(err)


class OutputFolder:
    """One run's hold on its output folder (a context manager: locks on enter).

    Parameters
    ----------
    out : the folder
    command : the command writing it ("audit", "train", ...), recorded in the marker
    names : the top-level names this command writes (files or folders), for the check that
        ``overwrite`` would not replace a user's own files
    """

    def __init__(self, out: Path, command: str, names: tuple[str, ...]) -> None:
        self.out, self.command, self.names = Path(out), command, names
        # One name, not per process: every rank of a torchrun run writes the same checkpoints.
        self.staging = self.out / _STAGING
        self._locked = self._created = False

    # -- before any work ---------------------------------------------------------------
    def __enter__(self) -> OutputFolder:
        self._created = not self.out.exists()
        check_writable(self.out)
        for name in ("models", "tables", "synthetic"):
            if name in self.names and (self.out / name).exists() \
                    and not (self.out / name).is_dir():
                raise DataError(f"`out` {self.out} has a file named {name!r} where the run "
                                "writes a folder; move it or choose another `out`")
        self._lock()
        self._clean_debris()
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        if self._locked:
            (self.out / LOCK).unlink(missing_ok=True)
            self._locked = False
        if self._created and self.out.is_dir() and not any(self.out.iterdir()):
            self.out.rmdir()  # a run that failed before writing leaves no empty folder

    def _lock(self) -> None:
        path = self.out / LOCK
        me = f"{socket.gethostname()} {os.getpid()}"
        for _ in range(2):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                if self._stale(path):
                    path.unlink(missing_ok=True)
                    continue
                holder = path.read_text(errors="replace").strip() or "another process"
                raise DataError(f"another debias run ({holder}) is writing `out` {self.out}; "
                                f"wait for it to finish, or remove {path} if no run is "
                                "writing there") from None
            with os.fdopen(fd, "w") as handle:
                handle.write(me)
            self._locked = True
            return
        raise DataError(f"cannot lock `out` {self.out}: remove {path}")

    @staticmethod
    def _stale(path: Path) -> bool:
        """A lock whose process is gone (on this host)."""
        try:
            host, pid = path.read_text().split()
            pid = int(pid)
        except (OSError, ValueError):
            return True  # unreadable or half-written: its writer died mid-write
        if host != socket.gethostname():
            return False  # another machine's run: we cannot tell, so it holds
        return pid == os.getpid() or not process_alive(pid)

    def _clean_debris(self) -> None:
        for folder in (self.out, self.out / "models", self.out / "tables"):
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if _DEBRIS.match(entry.name):  # we hold the lock: no live run owns them
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink(missing_ok=True)

    def check_replaceable(self) -> None:
        """Refuse ``overwrite`` of a folder whose files under our names debias did not write."""
        if (self.out / MARKER).exists() or _ours_legacy(self.out, self.command):
            return
        foreign = sorted(n for n in self.names if (self.out / n).exists())
        if foreign:
            raise DataError(f"`out` {self.out} holds {', '.join(foreign)} that debias did not "
                            "write (no earlier run's record there); choose a new or empty "
                            "`out` so nothing of yours is replaced")

    # -- after success -----------------------------------------------------------------
    def previous_files(self) -> list[str]:
        """Files the previous run recorded (relative paths); [] without a marker."""
        try:
            record = json.loads((self.out / MARKER).read_text(encoding="utf-8"))
            return [str(f) for f in record.get("files", [])]
        except (OSError, ValueError, AttributeError):
            if _ours_legacy(self.out, self.command):  # before markers: the audit's own names
                return [str(p.relative_to(self.out)) for p in self.out.rglob("*")
                        if p.is_file() and _LEGACY_AUDIT.match(str(p.relative_to(self.out)))]
            return []

    def commit(self, kept: list[str] = ()) -> list[str]:
        """Move every file of the staging folder into ``out`` (one rename each), remove the
        previous run's files that were not written again (except ``kept``, files the run wrote
        in place), and record the new list in the marker. Returns that list."""
        new = sorted(str(p.relative_to(self.staging)) for p in self.staging.rglob("*")
                     if p.is_file()) if self.staging.exists() else []
        previous = self.previous_files()  # before the new result.json arrives
        try:
            for name in new:
                target = self.out / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.staging / name, target)
        except OSError as err:
            raise DataError(f"cannot write to `out` {self.out}: {os_reason(err)}") from None
        written = sorted(set(new) | set(kept))
        for name in set(previous) - set(written):
            (self.out / name).unlink(missing_ok=True)
        for folder in sorted({(self.out / n).parent for n in previous},
                             key=lambda p: -len(p.parts)):
            if folder != self.out and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        text = json.dumps({"tool": "debias", "command": self.command, "files": written},
                          indent=1)
        tmp = self.out / f".{MARKER}.{os.getpid()}.partial"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.out / MARKER)
        return written
