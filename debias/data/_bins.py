"""Numeric attribute columns binned into ranges, so that an ``age`` column of 84 distinct
values gives a handful of groups, not 84 groups too small to measure.

Rules
-----
- A column is numeric when every value is a finite number, apart from unknown ones (empty,
  ``unknown``, ``NA``, ``N/A``, ``NaN``, ``?``, in any case).
- A numeric column with more than ``MAX_VALUES`` distinct numbers is binned: by the edges
  the user gives (``bin_edges``), else by its quartiles (4 ranges at most: edges are the
  minimum and the quartiles, taken among the data's own values, deduplicated; for
  non-integer data rounded to 3 significant digits, the minimum downwards). A column named in
  ``bin_edges`` is binned whatever its number of values.
- Edges ``e0 < e1 < ... < ek`` give the half-open ranges ``[e_i, e_i+1)`` and ``[ek, inf)``.
  Labels: ``18–29`` for ``[18, 30)`` when the data and the edges are integers (``17`` alone
  for ``[17, 18)``), else ``[17.5, 30)``; the last range ``60+``; values below ``e0`` get
  ``<0``. Unknown values stay ``unknown``.
- A non-numeric column with more than ``MAX_VALUES`` values is left as it is, with a warning.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from debias.data._manifest import UNKNOWN, Manifest
from debias.errors import DataError

MAX_VALUES = 12
_MISSING = frozenset({"", "unknown", "na", "n/a", "nan", "?"})
_QUARTILES = (0.0, 0.25, 0.5, 0.75)
_EXAMPLE = "age=0,18,30,45,60"


@dataclass(frozen=True)
class AttributeBins:
    """How one attribute was binned.

    Attributes
    ----------
    edges : tuple of float
        Lower edges of the ranges, increasing; the last range has no upper end.
    labels : tuple of str
        One label per range (the label of values below ``edges[0]`` first, when there are
        such values).
    n_values : int
        Distinct numbers the column held.
    given : bool
        True when the edges came from ``bin_edges``, False for the quartile default.
    """

    edges: tuple[float, ...]
    labels: tuple[str, ...]
    n_values: int
    given: bool

    def as_dict(self) -> dict:
        """Plain JSON-ready form: ``{"edges": [...], "labels": [...], "chosen": ...}``."""
        return {"edges": [_plain(e) for e in self.edges], "labels": list(self.labels),
                "chosen": "given" if self.given else "quartiles"}


def parse_bin_edges(bin_edges) -> dict[str, np.ndarray]:
    """Validated edges per attribute.

    Parameters
    ----------
    bin_edges : mapping, str, iterable of str, or None
        ``{"age": [0, 18, 30]}``, or specs such as ``"age=0,18,30"`` (several in one string
        separated by ``;``).

    Raises
    ------
    DataError
        A spec without ``=`` or edges, an edge that is not a finite number, edges that do
        not increase, or an attribute named twice.
    """
    if bin_edges is None:
        return {}
    if isinstance(bin_edges, Mapping):
        pairs = [(str(name), _edge_texts(edges)) for name, edges in bin_edges.items()]
    else:
        specs = [bin_edges] if isinstance(bin_edges, str) else list(bin_edges)
        pairs = [_split_spec(part) for spec in specs for part in str(spec).split(";")
                 if part.strip()]
    out: dict[str, np.ndarray] = {}
    for name, texts in pairs:
        if name in out:
            raise DataError(f"`bin_edges` names {name!r} twice")
        out[name] = _edges(name, texts)
    return out


def _edge_texts(edges) -> list[str]:
    if isinstance(edges, str):
        return [e.strip() for e in edges.split(",")]
    if not isinstance(edges, Iterable):
        return [str(edges)]
    return [str(e).strip() for e in edges]


def _split_spec(spec: str) -> tuple[str, list[str]]:
    name, sep, edges = spec.partition("=")
    if not sep or not name.strip() or not edges.strip():
        raise DataError(f"`bin_edges` {spec.strip()!r}: give ATTRIBUTE=EDGE,EDGE,... "
                        f"(e.g. {_EXAMPLE})")
    return name.strip(), _edge_texts(edges)


def _edges(name: str, texts: list[str]) -> np.ndarray:
    spec = f"{name}={','.join(texts)}"
    values = []
    for text in texts:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise DataError(f"`bin_edges` {spec}: {text!r} is not a finite number")
        values.append(value)
    for low, high in zip(values, values[1:]):
        if high <= low:
            raise DataError(f"`bin_edges` {spec}: the edges must increase "
                            f"({_number(low)} then {_number(high)})")
    return np.asarray(values, dtype=float)


def bin_attributes(manifest: Manifest,
                   bin_edges: dict[str, np.ndarray]) -> dict[str, AttributeBins]:
    """Bin the numeric attribute columns of ``manifest`` in place (see the module's rules);
    add a warning per binned column and per non-numeric column of many values.

    Parameters
    ----------
    manifest : Manifest
        Attribute columns already cleaned (stripped strings, ``unknown`` for empty cells).
    bin_edges : dict
        Edges per attribute, from :func:`parse_bin_edges`.

    Returns
    -------
    dict
        Attribute -> :class:`AttributeBins`, for the columns binned.

    Raises
    ------
    DataError
        ``bin_edges`` names a column that is not an attribute of the dataset, or one that is
        not numeric.
    """
    unknown = [name for name in bin_edges if name not in manifest.attributes]
    if unknown:
        raise DataError(f"`bin_edges` names {unknown[0]!r}, which is not an attribute in use "
                        f"(attributes: {', '.join(manifest.attributes) or 'none'})")
    frame, done = manifest.frame, {}
    for name in manifest.attributes:
        values = frame[name].astype(str)
        known = ~values.str.lower().isin(_MISSING).to_numpy()
        numbers = pd.to_numeric(values.where(known), errors="coerce").to_numpy(float)
        not_numbers = known & ~np.isfinite(numbers)
        if not_numbers.any():
            example = values[not_numbers].iloc[0]
            if name in bin_edges:
                raise DataError(f"`bin_edges` names {name!r}, which is not numeric "
                                f"({example!r} is not a number)")
            manifest.warnings += _many_values_warning(name, values[known], example)
            continue
        present = numbers[known]
        n_values = len(np.unique(present))
        if name not in bin_edges and n_values <= MAX_VALUES:
            continue
        integers = bool(np.all(present == np.round(present)))
        given = name in bin_edges
        edges = bin_edges[name] if given else _default_edges(present, integers)
        labels = _labels(edges, integers and bool(np.all(edges == np.round(edges))))
        index = np.searchsorted(edges, present, side="right")  # 0: below the first edge
        binned = np.full(len(values), UNKNOWN, dtype=object)
        binned[known] = np.asarray(labels, dtype=object)[index]
        frame[name] = pd.Series(binned, index=frame.index).astype(str)
        shown = tuple(labels if (index == 0).any() else labels[1:])
        done[name] = AttributeBins(tuple(float(e) for e in edges), shown, n_values, given)
        manifest.warnings.append(_binned_warning(name, done[name]))
    return done


def _default_edges(values: np.ndarray, integers: bool) -> np.ndarray:
    """The minimum and the quartiles, as data values (``method="lower"``), deduplicated."""
    edges = np.quantile(values, _QUARTILES, method="lower")
    if not integers:
        edges = np.asarray([_round_sig(edges[0], floor=True)]
                           + [_round_sig(e) for e in edges[1:]])
    return np.unique(edges)


def _round_sig(value: float, digits: int = 3, *, floor: bool = False) -> float:
    if value == 0:
        return 0.0
    step = 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)
    scaled = math.floor(value / step) if floor else round(value / step)
    return float(f"{scaled * step:.{digits}g}")


def _labels(edges: np.ndarray, integers: bool) -> list[str]:
    """The label of values below ``edges[0]``, then one per range."""
    labels = [f"<{_number(edges[0])}"]
    for low, high in zip(edges, edges[1:]):
        if not integers:
            labels.append(f"[{_number(low)}, {_number(high)})")
        elif high - 1 > low:
            labels.append(f"{_number(low)}–{_number(high - 1)}")
        else:
            labels.append(_number(low))
    return labels + [f"{_number(edges[-1])}+"]


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return np.format_float_positional(value, trim="-")


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _binned_warning(name: str, bins: AttributeBins) -> str:
    how = ("edges from --bin-edges" if bins.given
           else f"quartiles; set --bin-edges {name}=… to choose the edges")
    return (f"{name}: {bins.n_values} numeric values binned into {', '.join(bins.labels)} "
            f"({how})")


def _many_values_warning(name: str, known: pd.Series, example: str) -> list[str]:
    n_values = known.nunique()
    if n_values <= MAX_VALUES:
        return []
    numeric = pd.to_numeric(known, errors="coerce").notna().mean() >= 0.5
    why = f" (not binned: {example!r} is not a number)" if numeric else ""
    return [f"{name}: {n_values} values{why}, so its groups are small and their metrics often "
            "withheld; merge values, or leave the column out with --attributes"]
