"""The result schema: checking a result dict and reading ``result.json``."""

from __future__ import annotations

import json
import math
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

SCHEMA_VERSION = 2
_MAX_MESSAGE = 240
# What a result.json may be, checked before the schema (so that no number, nesting or size
# breaks the parser, the checks or the renderer): a result.json is a few MB, nested about 8
# levels, and its longest integers are seeds (a 128-bit seed has 39 digits; counts are at most
# 2**53, 16 digits; a float overflows at 309 digits).
_MAX_BYTES = 512 * 2 ** 20
_MAX_DEPTH = 64
_MAX_INT_DIGITS = 40
_INT_LIMIT = 10 ** _MAX_INT_DIGITS
_TOO_DEEP = f"nested deeper than {_MAX_DEPTH} levels (a result.json has about 8)"
# Where schema.json requires ``comparison`` of a result that judged a baseline and a DB-VAE.
_COMPARISON_RULE = ("then", "required")


class ResultSchemaError(ValueError):
    """A result that does not follow the schema; the message is one line naming the JSON path."""


@lru_cache(maxsize=1)
def load_schema() -> dict:
    """The JSON Schema (draft 2020-12) of ``result.json``, from the package data."""
    text = resources.files("reports").joinpath("schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def json_path(parts) -> str:
    """``models.baseline.per_group[3].tpr`` from path parts; odd keys are quoted."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).isidentifier():
            out += f".{part}" if out else str(part)
        else:
            out += f"[{json.dumps(str(part))}]"
    return out


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _fail(source: str, path: str, message: str) -> ResultSchemaError:
    where = f"{source}: {path}: " if path else f"{source}: "
    return ResultSchemaError(_one_line(where + message))


class _LongInteger:
    """What :func:`load_result` parses an integer of more than :data:`_MAX_INT_DIGITS` digits
    into (never converted: ``int()`` of a long string is slow, and the number would overflow a
    float); :func:`validate_result` refuses it with its JSON path."""

    __slots__ = ("digits",)

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"<a {self.digits}-digit integer>"


def _parse_int(text: str) -> int | _LongInteger:
    digits = len(text) - text.startswith("-")
    return _LongInteger(digits) if digits > _MAX_INT_DIGITS else int(text)


def _digits(value: int) -> int:
    """Decimal digits of ``|value|``, without ``str()`` (which refuses over 4,300 digits)."""
    estimate = max(1, int(abs(value).bit_length() * math.log10(2)))
    return estimate + (abs(value) >= 10 ** estimate)


def _unsafe(value: Any) -> tuple[str, str] | None:
    """The first value (in document order) that no schema check should meet, as (JSON path,
    message): NaN or infinity (JSON has neither; a withheld value is null), an integer of more
    than :data:`_MAX_INT_DIGITS` digits, or nesting deeper than :data:`_MAX_DEPTH` levels.
    Iterative, so that no nesting overflows the stack."""
    stack = [(value, ())]
    while stack:
        item, parts = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return json_path(parts), (f"{item!r} is not allowed (JSON has no NaN or infinity; "
                                      "a withheld value is null)")
        if isinstance(item, _LongInteger) or (isinstance(item, int) and not isinstance(
                item, bool) and abs(item) >= _INT_LIMIT):
            digits = item.digits if isinstance(item, _LongInteger) else _digits(item)
            return json_path(parts), (f"a {digits}-digit integer is too long (at most "
                                      f"{_MAX_INT_DIGITS} digits)")
        if isinstance(item, dict):
            children = list(item.items())
        elif isinstance(item, list):
            children = list(enumerate(item))
        else:
            continue
        if len(parts) >= _MAX_DEPTH:  # ``item`` is a container at level _MAX_DEPTH + 1
            return _short_path(parts), _TOO_DEEP
        stack.extend((child, parts + (key,)) for key, child in reversed(children))
    return None


def _short_path(parts: tuple, keep: int = 6) -> str:
    """The JSON path of ``parts``, its first ``keep`` parts then ``...`` when longer."""
    return json_path(parts) if len(parts) <= keep else json_path(parts[:keep]) + "..."


def validate_result(result: dict, *, source: str = "result.json") -> None:
    """Check ``result`` against the schema of ``result.json`` (version :data:`SCHEMA_VERSION`).

    Parameters
    ----------
    result : dict
        A parsed ``result.json``.
    source : str
        Name the error message starts with.

    Raises
    ------
    ResultSchemaError
        At the first problem, with a one-line message naming its JSON path, e.g.
        ``result.json: models.baseline.per_group[3].tpr: 'abc' is not of type 'number', 'null'``
        or ``result.json: 'summary' is a required property``. ``summary`` is always required,
        ``comparison`` whenever ``models`` has both ``baseline`` and ``dbvae``: the report shows
        the audit's conclusions and works none out itself. Before the schema (and before
        ``schema_version``): no NaN or infinity, no integer of more than 40 digits, no
        nesting deeper than 64 levels.
    """
    if not isinstance(result, dict):
        raise _fail(source, "", f"expected a JSON object, got {type(result).__name__}")
    bad = _unsafe(result)
    if bad is not None:
        raise _fail(source, *bad)
    version = result.get("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        hint = (" (an older audit: its verdicts were sentences, not codes; run `debias audit` "
                "again to re-create it)") if isinstance(version, int) and version < SCHEMA_VERSION \
            else ""
        raise _fail(source, "schema_version", f"this version of reports renders schema version "
                    f"{SCHEMA_VERSION}, got {version!r}{hint}")
    error = next(_validator().iter_errors(result), None)
    if error is not None:
        error = best_match([error])
        message = error.message
        if tuple(error.schema_path) == _COMPARISON_RULE:
            message += " when models has both 'baseline' and 'dbvae'"
        raise _fail(source, json_path(error.absolute_path), message)


def _too_big(size: int | None) -> str:
    def amount(n: int) -> str:
        return f"{n // 2 ** 20} MiB" if n % 2 ** 20 == 0 else f"{n:,} bytes"

    what = "larger" if size is None else f"{size:,} bytes, larger"
    return (f"the file is {what} than the {amount(_MAX_BYTES)} a result.json may be (one is "
            "usually a few MB)")


def load_result(path: str | Path) -> dict:
    """Read and validate a ``result.json``.

    Raises
    ------
    ResultSchemaError
        One line naming the file and what is wrong: unreadable, larger than 512 MiB (refused
        before reading), not JSON (with line and column), nested deeper than 64 levels, or not
        following the schema (with the JSON path; an integer of more than 40 digits is refused
        there, never converted).
    """
    path = Path(path)
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size  # 0 for a pipe or device: the read bounds it
            if size > _MAX_BYTES:
                raise _fail(str(path), "", _too_big(size))
            data = file.read(_MAX_BYTES + 1)
        if len(data) > _MAX_BYTES:
            raise _fail(str(path), "", _too_big(None))
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _fail(str(path), "", f"cannot read the file ({reason})") from exc
    del data

    def reject(constant: str):
        raise ValueError(f"{constant} is not valid JSON (a withheld value is null)")

    try:
        result = json.loads(text, parse_constant=reject, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise _fail(str(path), "", f"not valid JSON (line {exc.lineno}, column {exc.colno}: "
                    f"{exc.msg})") from exc
    except RecursionError:  # the parser recurses once a level: far deeper than _MAX_DEPTH
        raise _fail(str(path), "", _TOO_DEEP) from None
    except ValueError as exc:
        raise _fail(str(path), "", str(exc)) from exc
    validate_result(result, source=str(path))
    return result
