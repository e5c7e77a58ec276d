"""``--card FILE``: the model card fields only a person knows (owner, intended use, ...), read
from YAML or JSON, checked, and stored in ``result.json`` as ``card``.

A card file is a mapping of field names to text, or to lists of texts::

    owner: Example Lab
    version: "2.1"                 # quoted: YAML reads 2.1 as a number
    date: "2026-11-24"             # quoted: YAML reads 2026-11-24 as a date
    intended_use: Finding faces in photos that users upload, to blur them.
    out_of_scope_uses:
      - Identifying people
      - Surveillance

Every problem (no file, bad YAML or JSON, an unknown field, a value that is not text) is a
:class:`debias.errors.DataError`: one line naming the file (and the line, for a syntax error),
exit status 2. YAML is read with ``yaml.safe_load`` only, so a card cannot construct objects.
The text is never run or read as HTML: the report escapes it like any other string.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import click

from debias.errors import DataError

# The fields of reports' CARD_FIELDS and of schema.json's ``card`` (a test checks that the three
# agree); named here so that the CLI starts without importing the renderer.
CARD_FIELDS = ("owner", "version", "date", "license", "contact", "intended_use",
               "intended_users", "out_of_scope_uses", "ethical_considerations", "caveats")
# A card is a few hundred bytes; a larger file is a mistake (or an attempt to exhaust memory).
MAX_BYTES = 2 ** 20
_ALLOWED = ", ".join(CARD_FIELDS)
CARD_HELP = ("YAML or JSON file with the model card fields only a person knows, each text or "
             f"a list of texts: {_ALLOWED}. Fields not given are said to be missing.")


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else type(value).__name__


def _parse(text: str, where: str, as_json: bool):
    """The file's data; a syntax error names the line."""
    if as_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise DataError(f"{where}: line {err.lineno}: not valid JSON: {err.msg}") from None
        except RecursionError:
            raise DataError(f"{where}: nested too deeply for a card") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark, start = err.problem_mark or err.context_mark, err.context_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        # Where an unclosed bracket or quote began, when the parser noticed it lines later.
        began = (f" ({err.context} started on line {start.line + 1})" if err.problem and
                 err.context and start is not None and start.line != mark.line else "")
        raise DataError(f"{where}: {line}not valid YAML: {err.problem or err.context}{began}"
                        ) from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow
        line = text[: err.position].count("\n") + 1
        code = err.character if isinstance(err.character, int) else ord(err.character[:1] or "?")
        raise DataError(f"{where}: line {line}: not valid YAML: the character U+{code:04X} is "
                        "not allowed") from None
    except yaml.YAMLError as err:
        raise DataError(f"{where}: not valid YAML: {err}") from None
    except RecursionError:
        raise DataError(f"{where}: nested too deeply for a card") from None


def _value(where: str, key: str, value) -> str | list[str]:
    quote = " (quote it)" if isinstance(value, (int, float, datetime.date)) else ""
    if isinstance(value, list):
        if not value:
            raise DataError(f"{where}: {key} is an empty list; give text or leave it out")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise DataError(f"{where}: {key}[{i}] must be text, not {_kind(item)}"
                                + (" (quote it)" if isinstance(
                                    item, (int, float, datetime.date)) else ""))
        return list(value)
    if not isinstance(value, str):
        raise DataError(f"{where}: {key} must be text or a list of texts, not "
                        f"{_kind(value)}{quote}")
    if not value.strip():
        raise DataError(f"{where}: {key} is empty; give text or leave it out")
    return value


def load_card(path: str | Path) -> dict[str, str | list[str]]:
    """Read and check a card file.

    Parameters
    ----------
    path : str or Path
        A ``.json`` file is read as JSON, any other as YAML.

    Returns
    -------
    dict
        Field name -> text or list of texts, in the file's order (what ``result["card"]``
        holds).

    Raises
    ------
    DataError
        One line naming the file: it cannot be read, is not valid YAML or JSON (with the line),
        is not a mapping, has a field not in :data:`CARD_FIELDS`, or a
        value that is not text or a list of texts.
    """
    path = Path(path)
    where = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise DataError(f"{where}: is a folder, not a card file")
        if size > MAX_BYTES:
            raise DataError(f"{where}: the file is {size:,} bytes; a card is a few hundred "
                            "(at most 1 MiB)")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{where}: no such card file") from None
    except UnicodeDecodeError as err:
        raise DataError(f"{where}: not UTF-8 text (byte {err.start})") from None
    except OSError as err:
        raise DataError(f"{where}: cannot be read ({err.strerror})") from None
    data = _parse(text, where, path.suffix.lower() == ".json")
    if data is None:
        raise DataError(f"{where}: the card is empty; give some of: {_ALLOWED}")
    if not isinstance(data, dict):
        raise DataError(f"{where}: a card is a mapping of fields to text (owner: ...), not "
                        f"{_kind(data)}")
    unknown = [str(k) for k in data if k not in CARD_FIELDS]
    if unknown:
        shown = ", ".join(repr(k) for k in unknown[:3]) + (
            f" and {len(unknown) - 3} more" if len(unknown) > 3 else "")
        raise DataError(f"{where}: unknown card field(s) {shown}; allowed: {_ALLOWED}")
    if not data:
        raise DataError(f"{where}: the card is empty; give some of: {_ALLOWED}")
    return {key: _value(where, key, value) for key, value in data.items()}


def _card_callback(ctx, param, value):
    return None if value is None else load_card(value)


def card_option(command):
    """``--card FILE`` (checked before any work), passed on as the loaded card or None."""
    return click.option("--card", type=click.Path(path_type=Path), callback=_card_callback,
                        metavar="FILE", help=CARD_HELP)(command)
