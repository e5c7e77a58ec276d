"""Adaptive resampling (DB-VAE): draw rare faces (or, with ``vae_on="all"``, each class's rare
images), by their latent density, more often.

Rarity comes from one of four estimators (:data:`RARITY_ESTIMATORS`): the paper's and the
lab's per-dimension histograms, or a k-nearest-neighbour distance or a Gaussian mixture's
density on the preprocessed codes (:func:`rarity_scores`, :func:`rarity_weights`)."""

from debias.resampling._batches import BalancedBatches
from debias.resampling._histogram import LatentHistogram
from debias.resampling._rarity import (
    RARITY_ESTIMATORS, CodePreprocessing, GmmRarity, HistogramRarity, KnnRarity, Rarity,
    rarity_estimator, rarity_scores, rarity_weights,
)
from debias.resampling._weights import (
    effective_sample_size, resampling_weights, weight_summary, within_class_weights,
)

__all__ = ["BalancedBatches", "CodePreprocessing", "GmmRarity", "HistogramRarity", "KnnRarity",
           "LatentHistogram", "RARITY_ESTIMATORS", "Rarity", "effective_sample_size",
           "rarity_estimator", "rarity_scores", "rarity_weights", "resampling_weights",
           "weight_summary", "within_class_weights"]
