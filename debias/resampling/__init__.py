"""Adaptive resampling (DB-VAE): draw rare faces, by their latent density, more often."""

from debias.resampling._batches import BalancedBatches
from debias.resampling._histogram import LatentHistogram
from debias.resampling._weights import effective_sample_size, resampling_weights, weight_summary

__all__ = ["BalancedBatches", "LatentHistogram", "effective_sample_size", "resampling_weights",
           "weight_summary"]
