"""Scoring images with a trained classifier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from debias.models import ScoresImages


def predict_frame(model: ScoresImages, images: torch.Tensor, paths: list[str], *,
                  threshold: float = 0.5) -> pd.DataFrame:
    """``path, score, prediction`` for each image (score = face probability)."""
    scores = model.predict_proba(images)
    return pd.DataFrame({"path": paths, "score": np.round(scores.astype(np.float64), 6),
                         "prediction": (scores >= threshold).astype(np.int64)})
