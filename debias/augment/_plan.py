"""How many synthetic faces each value of an attribute gets."""

from __future__ import annotations

import math

import numpy as np

from debias.data import ImageDataset
from debias.errors import DataError


def face_values(train: ImageDataset, attribute: str) -> np.ndarray:
    """str (F,): the attribute's value for each real face of ``train``."""
    faces = (train.labels.numpy() == 1) & ~train.synthetic
    return train.meta.loc[faces, attribute].astype(str).to_numpy()


def plan_additions(counts: dict[str, int], *, cap: float) -> dict[str, int]:
    """Synthetic faces per value: up to the most common value's count, and at most ``cap``
    per real face of that value.

    >>> plan_additions({"light": 1900, "dark": 100}, cap=4.0)
    {'dark': 400}
    >>> plan_additions({"light": 1900, "dark": 100}, cap=100.0)
    {'dark': 1800}
    """
    if cap <= 0:
        raise DataError(f"the augmentation cap must be positive, got {cap}")
    largest = max(counts.values())
    return {value: min(largest - n, math.floor(cap * n))
            for value, n in sorted(counts.items()) if 0 < n < largest}


def most_imbalanced(train: ImageDataset) -> str:
    """The attribute whose face counts differ most (largest / smallest value count)."""
    best, ratio = None, 0.0
    for attribute in train.attributes:
        values, counts = np.unique(face_values(train, attribute), return_counts=True)
        if len(values) > 1 and counts.max() / counts.min() > ratio:
            best, ratio = attribute, counts.max() / counts.min()
    if best is None:
        raise DataError("no attribute has two values among the training faces; nothing to "
                        "balance (pass `augment_by` ATTR with an attribute of the dataset)")
    return best
