"""Library messages name parameters (```augment_by```, ```overwrite=True```); the command line
shows them as its flags (``--augment-by``, ``--overwrite``). This is the one place that maps
the one onto the other."""

from __future__ import annotations

import re

# Parameters whose flag is not "--" + the name with dashes.
_FLAGS = {
    "overwrite=True": "--overwrite",
    "kind": "--model",
    "model_path": "--model",
    "format": "--format",
    "train_dbvae=False": "--no-train-dbvae",
    "cache=False": "--no-cache",
    "allow_unmatched=True": "--allow-unmatched",
    "group_columns": "--balance-by",
}
_PARAMETER = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*(?:=[A-Za-z0-9_.]+)?)`")


def flag(parameter: str) -> str:
    """The command-line flag of a library parameter, e.g. ``"augment_by"`` -> ``"--augment-by"``."""
    if parameter in _FLAGS:
        return _FLAGS[parameter]
    name, _, value = parameter.partition("=")
    option = _FLAGS.get(name, "--" + name.replace("_", "-"))
    return option + (f" {value}" if value else "")


def as_flags(message: str) -> str:
    """``message`` with every back-quoted parameter written as its flag."""
    return _PARAMETER.sub(lambda m: flag(m.group(1)), message)
