"""Latent-density analysis of a trained DB-VAE: rarity per image and what it explains."""

from debias.latent._analysis import LatentAnalysis, analyse_latent, traversal

__all__ = ["LatentAnalysis", "analyse_latent", "traversal"]
