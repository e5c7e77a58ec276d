"""Counterfactual probes: would a decision change if only one attribute of the face did?

The CycleGAN probe over a dataset (both directions) and the DB-VAE latent-direction edit exist,
with ``debias counterfactual``; augmentation and the report section do not yet (issue 7).
"""

from debias.counterfactual._flips import flip_summary
from debias.counterfactual._latent_direction import attribute_direction, latent_counterfactuals
from debias.counterfactual._probe import probe, train_attribute_classifier
from debias.counterfactual._run import check_values, colour_stats, run_probe, train_cyclegan

__all__ = ["attribute_direction", "check_values", "colour_stats", "flip_summary",
           "latent_counterfactuals", "probe", "run_probe", "train_attribute_classifier",
           "train_cyclegan"]
