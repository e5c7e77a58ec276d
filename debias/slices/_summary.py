"""How well one discovered slice lines up with one known group (when labels exist to check)."""

from __future__ import annotations

import numpy as np


def slice_purity(slice_labels: np.ndarray, group_labels: np.ndarray, slice_name,
                 group) -> dict:
    """Purity and recall of a slice for a group, over the same images.

    Parameters
    ----------
    slice_labels : array (N,)
        The slice of each image (indices or names, as the caller keeps them).
    group_labels : array (N,)
        The group of each image, e.g. the ``skin_tone`` attribute.
    slice_name
        The slice to score (compared with ``==`` to ``slice_labels``).
    group
        The group to score (compared with ``==`` to ``group_labels``).

    Returns
    -------
    dict
        ``purity``: share of the slice's images in the group; ``recall``: share of the
        group's images in the slice; ``base_rate``: share of all images in the group (the
        purity a slice drawn at random would have); ``size``: images in the slice.
        A share with an empty denominator is None.
    """
    slices, groups = np.asarray(slice_labels), np.asarray(group_labels)
    if slices.shape != groups.shape or slices.ndim != 1:
        raise ValueError(f"slice_labels and group_labels must be (N,) each, got {slices.shape} "
                         f"and {groups.shape}")
    inside, member = slices == slice_name, groups == group
    both = int((inside & member).sum())
    size, members = int(inside.sum()), int(member.sum())
    return {"purity": both / size if size else None,
            "recall": both / members if members else None,
            "base_rate": members / len(groups) if len(groups) else None,
            "size": size}
