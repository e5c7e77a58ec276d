"""The memory budget: above it, decoded images live in an on-disk memmap, not in RAM."""

from __future__ import annotations

import os
import re

from debias.errors import DataError

_UNITS = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*$", re.IGNORECASE)


def parse_size(text: str | int) -> int:
    """Bytes in ``text``: a number with an optional binary unit, e.g. ``"512MB"``, ``"1.5G"``,
    ``"2GiB"``, ``"1000000"`` (K, M, G, T are powers of 1024; "B" and "iB" are optional).

    Raises
    ------
    DataError
        When ``text`` is not such a size, or is not positive.
    """
    if isinstance(text, int):
        value = text
    else:
        match = _SIZE.match(str(text))
        if not match:
            raise DataError(f"`memory_budget` {text!r}: write a size such as 512MB, 2GB or 1.5G")
        value = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    if value <= 0:
        raise DataError(f"`memory_budget` {text!r}: must be more than 0 bytes")
    return value


def default_budget() -> int:
    """``$DEBIAS_MEMORY_BUDGET`` when set, else half of this machine's physical memory."""
    if os.environ.get("DEBIAS_MEMORY_BUDGET"):
        return parse_size(os.environ["DEBIAS_MEMORY_BUDGET"])
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


def resolve_budget(value: str | int | None) -> int:
    """Bytes of a budget given as bytes, a size string, or None (the default)."""
    return default_budget() if value is None else parse_size(value)
