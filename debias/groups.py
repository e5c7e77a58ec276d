"""How subgroups are named, everywhere (resampling logs, metrics, tables, the report): a
group is its attribute values joined by " & " (``"dark & female"``), a slice its attribute
names joined the same way (``"skin_tone & gender"``).

A name stays one group's: in a joined name, a part that holds " & " (or starts with a double
quote) is quoted CSV-style (``"x & y" & z`` is not ``x & "y & z"``), so two different
combinations of values never share a name and never merge into one group."""

from __future__ import annotations

from itertools import combinations

import pandas as pd

SEPARATOR = " & "
# The column of slices an audit discovered from model features: a slice of its own, never
# intersected with demographic attributes (a cluster crossed with a gender is no group anyone
# can name).
DISCOVERED = "discovered slice"


def slices(attributes: list[str], *, max_order: int = 2) -> list[tuple[str, ...]]:
    """Every attribute alone, then every combination of 2 .. ``max_order`` attributes (the
    discovered-slice column only alone)."""
    if max_order < 1:
        raise ValueError(f"max_order must be at least 1, got {max_order}")
    named = [a for a in attributes if a != DISCOVERED]
    alone = [(DISCOVERED,)] if DISCOVERED in attributes else []
    return [combo for order in range(1, min(max_order, len(named)) + 1)
            for combo in combinations(named, order)] + alone


def _part(value: str) -> str:
    """One part of a joined name, quoted when it would make the name ambiguous."""
    if SEPARATOR in value or value.startswith('"'):
        return '"' + value.replace('"', '""') + '"'
    return value


def join_name(parts) -> str:
    """Parts joined by " & ", each quoted where needed: an injective naming of value tuples."""
    parts = [str(p) for p in parts]
    return parts[0] if len(parts) == 1 else SEPARATOR.join(_part(p) for p in parts)


def slice_name(columns: tuple[str, ...]) -> str:
    """``("skin_tone", "gender")`` -> ``"skin_tone & gender"``."""
    return join_name(columns)


def group_labels(attrs: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """One label per row: the row's values of ``columns`` joined by " & " (strings; a value
    holding " & " is quoted, so different value combinations never share a label)."""
    frame = attrs[list(columns)].astype(str)
    if len(columns) == 1:
        return frame.iloc[:, 0]
    return frame.agg(join_name, axis=1)


def groups_of(meta: pd.DataFrame, attributes: list[str] | tuple[str, ...] | None
              ) -> pd.Series | None:
    """The group of every row of ``meta`` named as everywhere else (``"dark & female"``),
    indexed 0..N-1; None when there are no attributes."""
    if not attributes:
        return None
    return group_labels(meta, tuple(attributes)).reset_index(drop=True)
