"""The result schema: checking a result dict and reading ``result.json``."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

SCHEMA_VERSION = 2
_MAX_MESSAGE = 240
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


def _non_finite(value: Any, parts: tuple = ()) -> tuple | None:
    """Path of the first NaN or infinity (JSON has neither; a withheld value is null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return parts
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _non_finite(item, parts + (key,))
        if found is not None:
            return found
    return None


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
        the audit's conclusions and works none out itself.
    """
    if not isinstance(result, dict):
        raise _fail(source, "", f"expected a JSON object, got {type(result).__name__}")
    version = result.get("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        hint = (" (an older audit: its verdicts were sentences, not codes; run `debias audit` "
                "again to re-create it)") if isinstance(version, int) and version < SCHEMA_VERSION \
            else ""
        raise _fail(source, "schema_version", f"this version of reports renders schema version "
                    f"{SCHEMA_VERSION}, got {version!r}{hint}")
    bad = _non_finite(result)
    if bad is not None:
        value = repr(_lookup(result, bad))
        raise _fail(source, json_path(bad), f"{value} is not allowed (JSON has no NaN or "
                    "infinity; a withheld value is null)")
    error = next(_validator().iter_errors(result), None)
    if error is not None:
        error = best_match([error])
        message = error.message
        if tuple(error.schema_path) == _COMPARISON_RULE:
            message += " when models has both 'baseline' and 'dbvae'"
        raise _fail(source, json_path(error.absolute_path), message)


def _lookup(value: Any, parts: tuple) -> Any:
    for part in parts:
        value = value[part]
    return value


def load_result(path: str | Path) -> dict:
    """Read and validate a ``result.json``.

    Raises
    ------
    ResultSchemaError
        One line naming the file and what is wrong: unreadable, not JSON (with line and
        column), or not following the schema (with the JSON path).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _fail(str(path), "", f"cannot read the file ({reason})") from exc

    def reject(constant: str):
        raise ValueError(f"{constant} is not valid JSON (a withheld value is null)")

    try:
        result = json.loads(text, parse_constant=reject)
    except json.JSONDecodeError as exc:
        raise _fail(str(path), "", f"not valid JSON (line {exc.lineno}, column {exc.colno}: "
                    f"{exc.msg})") from exc
    except ValueError as exc:
        raise _fail(str(path), "", str(exc)) from exc
    validate_result(result, source=str(path))
    return result
