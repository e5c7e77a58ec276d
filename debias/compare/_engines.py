"""The two ways a comparison gets its CIs: one paired bootstrap of the images both audits
scored, or two independent bootstraps of each audit's own counts.

Both answer the same three questions for the orchestration in :mod:`debias.compare._compare`:
why a slice cannot be compared at all, which groups of a slice it cannot count, and the gaps
and per-group changes of a slice's compared groups (the dicts of
:func:`debias.metrics._paired.compare_counts`).
"""

from __future__ import annotations

from debias.compare._counts import (
    ImageCounts, RowCounts, side_seeds, slice_columns, unpaired_counts,
)
from debias.compare._pairing import Pairing
from debias.compare._sides import SCORE_COLUMNS, AuditSide
from debias.groups import DISCOVERED
from debias.metrics import compare_counts, group_counts, joint_strata, resample_counts

_DISCOVERED_REASON = ("discovered slices are clusters each audit fitted on its own; they are "
                      "the same groups only when both audits scored the same images")


class PairedEngine:
    """One paired bootstrap over the shared images: each stratum (every attribute's value
    together) resampled once, both models scored on the same resample
    (:func:`debias.metrics._paired.joint_strata`, :func:`~debias.metrics._paired.compare_counts`).

    Parameters
    ----------
    pairing : Pairing, paired
    max_order : int, the intersections both audits measured
    n_boot, seed : resamples (0: no CIs) and their seed
    """

    pairing_word = "paired"

    def __init__(self, pairing: Pairing, *, max_order: int, n_boot: int, seed: int) -> None:
        attrs = pairing.attrs
        self.strata, self.joint = joint_strata(pairing.y_true, pairing.pred_a, pairing.pred_b,
                                               attrs)
        self.boot = resample_counts(self.joint, n_boot=n_boot, seed=seed) if n_boot else None
        self.columns = slice_columns(list(attrs.columns), max_order)
        everything = slice_columns([*attrs.columns, *pairing.dropped], max_order)
        self.dropped = {name: pairing.dropped[next(c for c in columns if c in pairing.dropped)]
                        for name, columns in everything.items() if name not in self.columns}

    def slice_reason(self, name: str) -> str | None:
        if name in self.dropped:
            return f"its attribute is left out of the pairing: {self.dropped[name]}"
        if name not in self.columns:
            return "its attribute is not in both audits' scores files"
        return None

    def missing(self, name: str, groups: list[str]) -> dict[str, str]:
        return {}

    def sizes(self, name: str, groups: list[str]):
        """Images per group in A and in B: int (G,) each (the same images here)."""
        n = group_counts(self.joint, self.strata, self.columns[name], groups).sum(axis=-1)
        return n, n

    def compare(self, name: str, groups: list[str], metric: str, level: float):
        columns = self.columns[name]
        exact = group_counts(self.joint, self.strata, columns, groups)
        sampled = None if self.boot is None else group_counts(self.boot, self.strata, columns,
                                                              groups)
        return compare_counts(exact, sampled, metric, level)


class UnpairedEngine:
    """Two independent bootstraps, one of each audit's counts (:mod:`debias.compare._counts`):
    from its per-image scores where it wrote them, else from its result.json rows."""

    pairing_word = "unpaired"

    def __init__(self, a: AuditSide, b: AuditSide, metric: str, *, n_boot: int, seed: int
                 ) -> None:
        seed_a, seed_b = side_seeds(seed)
        self.sources = [_source(a, metric, n_boot, seed_a), _source(b, metric, n_boot, seed_b)]

    def slice_reason(self, name: str) -> str | None:
        return _DISCOVERED_REASON if name == DISCOVERED else None

    def missing(self, name: str, groups: list[str]) -> dict[str, str]:
        out = {}
        for which, source in zip("AB", self.sources):
            out.update({g: f"{which}: {why}" for g, why in source.missing(name, groups).items()
                        if g not in out})
        return out

    def sizes(self, name: str, groups: list[str]):
        """Images per group in A and in B: int (G,) each."""
        return tuple(source.sizes(name, groups) for source in self.sources)

    def compare(self, name: str, groups: list[str], metric: str, level: float):
        (exact_a, boot_a), (exact_b, boot_b) = (s.counts(name, groups) for s in self.sources)
        return unpaired_counts(exact_a, boot_a, exact_b, boot_b, metric, level)


def _source(side: AuditSide, metric: str, n_boot: int, seed: int):
    if side.scores is None:
        return RowCounts(side.per_group, metric, n_boot=n_boot, seed=seed)
    frame = side.scores
    attrs = frame[[c for c in frame.columns if c not in SCORE_COLUMNS]]
    return ImageCounts(frame["label"].to_numpy(), frame["prediction"].to_numpy(), attrs,
                       max_order=int(side.result["config"]["max_order"]), n_boot=n_boot,
                       seed=seed)
