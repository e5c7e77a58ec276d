"""Whether two audits scored the same test images, so that their comparison can be paired.

Paired only when both audits wrote the compared model's per-image scores and the two sets of
(path, label) are identical; rows are matched by path. Anything less (a scores file missing,
different images, a partial overlap, a path labelled differently) is unpaired, with the reason
in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from debias.compare._sides import SCORE_COLUMNS


@dataclass
class Pairing:
    """How the two audits' test images relate.

    Attributes
    ----------
    paired : bool
    reason : str
        Why, in words ("both audits scored the same 1,000 test images (matched by path)").
    shared : int
        Images in both audits (matched by path); 0 without both scores files.
    y_true, pred_a, pred_b : int arrays (N,), 0/1, or None
        When paired: each shared image's label and the two models' predictions, in A's order.
    attrs : DataFrame (N rows) or None
        When paired: the attribute columns of both scores files whose values agree on every
        image, as strings.
    dropped : dict
        Attribute columns of both files left out of the paired analysis -> why.
    """

    paired: bool
    reason: str
    shared: int = 0
    y_true: np.ndarray | None = None
    pred_a: np.ndarray | None = None
    pred_b: np.ndarray | None = None
    attrs: pd.DataFrame | None = None
    dropped: dict[str, str] = field(default_factory=dict)


def detect_pairing(scores_a: pd.DataFrame | None, scores_b: pd.DataFrame | None, *,
                   missing: str = "a per-image scores file is missing") -> Pairing:
    """Pair two audits' per-image scores when both scored the same test images.

    Parameters
    ----------
    scores_a, scores_b : DataFrame or None
        Each audit's scores (:func:`debias.compare._sides.read_scores`: ``path``, ``label``,
        ``prediction``, attribute columns), None when it wrote none.
    missing : str
        The reason given when either is None.

    Returns
    -------
    Pairing
    """
    if scores_a is None or scores_b is None:
        return Pairing(False, missing)
    paths_a, paths_b = set(scores_a["path"]), set(scores_b["path"])
    shared = len(paths_a & paths_b)
    n_a, n_b = len(paths_a), len(paths_b)
    if not shared:
        return Pairing(False, f"the two audits scored different test images (none of A's "
                              f"{n_a:,} images is among B's {n_b:,})")
    if paths_a != paths_b:
        return Pairing(False, f"the test sets overlap only partially: {shared:,} images are in "
                              f"both, {n_a - shared:,} only in A, {n_b - shared:,} only in B",
                       shared=shared)
    b = scores_b.set_index("path").loc[scores_a["path"]].reset_index()
    relabelled = int((scores_a["label"].to_numpy() != b["label"].to_numpy()).sum())
    if relabelled:
        return Pairing(False, f"both audits scored the same {shared:,} paths, but {relabelled:,} "
                              "of them have a different label in each (not the same data)",
                       shared=shared)
    columns = [c for c in scores_a.columns if c not in SCORE_COLUMNS and c in b.columns]
    kept, dropped = [], {}
    for column in columns:
        differ = int((scores_a[column].astype(str).to_numpy()
                      != b[column].astype(str).to_numpy()).sum())
        if differ:
            dropped[column] = f"its values differ between the two audits on {differ:,} images"
        else:
            kept.append(column)
    return Pairing(True, f"both audits scored the same {shared:,} test images (matched by path)",
                   shared=shared, y_true=scores_a["label"].to_numpy(np.int64),
                   pred_a=scores_a["prediction"].to_numpy(np.int64),
                   pred_b=b["prediction"].to_numpy(np.int64),
                   attrs=scores_a[kept].astype(str).reset_index(drop=True), dropped=dropped)
