"""Adaptive resampling (DB-VAE): draw rare faces (or, with ``vae_on="all"``, each class's rare
images), by their latent density, more often."""

from debias.resampling._batches import BalancedBatches
from debias.resampling._histogram import LatentHistogram
from debias.resampling._weights import (
    effective_sample_size, resampling_weights, weight_summary, within_class_weights,
)

__all__ = ["BalancedBatches", "LatentHistogram", "effective_sample_size", "resampling_weights",
           "weight_summary", "within_class_weights"]
