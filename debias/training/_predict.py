"""Scoring images with a trained classifier."""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
import torch

from debias.errors import DataError
from debias.models import ScoresImages


def predict_frame(model: ScoresImages, images: torch.Tensor, paths: list[str], *,
                  threshold: float = 0.5) -> pd.DataFrame:
    """``path, score, prediction`` for each image (score = face probability).

    Raises ``DataError`` for a ``threshold`` that is not a finite probability, and when the
    model scores any image as NaN (weights that are not finite, overflow on these images, or a
    negative BatchNorm variance): a NaN score is never ``>= threshold``, so it would silently
    be called a non-face.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) \
            or not math.isfinite(threshold) or not 0 <= threshold <= 1:
        raise DataError(f"`threshold` must be a number in [0, 1], got {threshold!r}")
    scores = model.predict_proba(images)
    bad = np.isnan(scores)
    if bad.any():
        raise DataError(f"the model scored {int(bad.sum()):,} of {len(scores):,} images as NaN "
                        f"(first: {paths[int(np.argmax(bad))]}): its weights are broken (NaN, "
                        "overflow or a negative BatchNorm variance), so its scores mean nothing")
    return pd.DataFrame({"path": paths, "score": np.round(scores.astype(np.float64), 6),
                         "prediction": (scores >= threshold).astype(np.int64)})
