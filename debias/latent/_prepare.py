"""What a latent analysis reads from a model and a split: the faces, their latent means, the
training faces' means (the density's reference), and which faces the model missed.

Shared by ``debias latent`` and the audit's latent section, so both analyse the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from debias._choices import RARITY_ESTIMATORS, Combine, Rarity
from debias.data import ImageDataset
from debias.latent._analysis import LatentAnalysis, analyse_latent


@dataclass
class LatentInputs:
    """The faces of one split, as a DB-VAE sees them.

    Attributes
    ----------
    images : uint8 tensor (F, 3, S, S), the split's faces
    meta : DataFrame (F rows, index 0..F-1), their rows of the dataset's meta
    mu : float ndarray (F, D), their latent means
    reference_mu : float ndarray (T, D), the latent means of the training faces
    errors : bool ndarray (F,), faces the model scored below the threshold
    """

    images: torch.Tensor
    meta: pd.DataFrame
    mu: np.ndarray
    reference_mu: np.ndarray
    errors: np.ndarray


def latent_inputs(model, train: ImageDataset, analysed: ImageDataset, *,
                  scores: np.ndarray | None = None, threshold: float = 0.5) -> LatentInputs:
    """Encode the faces of ``analysed`` and of ``train`` with ``model`` (a DB-VAE).

    ``scores``: the model's scores of every image of ``analysed`` (N,) when already
    computed; otherwise the faces are scored here.
    """
    faces = (analysed.labels == 1).numpy()
    images = analysed.images[faces]
    face_scores = model.predict_proba(images) if scores is None else np.asarray(scores)[faces]
    return LatentInputs(
        images=images, meta=analysed.meta.loc[faces].reset_index(drop=True),
        mu=model.latent_means(images).numpy(),
        reference_mu=model.latent_means(train.images[(train.labels == 1).numpy()]).numpy(),
        errors=face_scores < threshold)


def analyse_faces(inputs: LatentInputs, attributes: list[str], *,
                  combine: Combine = "product",
                  estimators: Sequence[Rarity] = RARITY_ESTIMATORS) -> LatentAnalysis:
    """:func:`analyse_latent` of the prepared faces (every rarity estimator fitted on the
    training faces; ``estimators``: those compared in ``rarity_auc_by_estimator``)."""
    return analyse_latent(inputs.mu, inputs.meta[attributes], reference_mu=inputs.reference_mu,
                          errors=inputs.errors, combine=combine, estimators=estimators)
