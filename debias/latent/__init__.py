"""Latent-density analysis of a trained DB-VAE: rarity per image and what it explains."""

from debias.latent._analysis import LatentAnalysis, analyse_latent, traversal
from debias.latent._prepare import LatentInputs, analyse_faces, latent_inputs

__all__ = ["LatentAnalysis", "LatentInputs", "analyse_faces", "analyse_latent",
           "latent_inputs", "traversal"]
